"""Helpers that run the application (server.py) as its own process on a loopback port, and talk to it over HTTP."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVER_START_TIMEOUT_S = 60
HTTP_TIMEOUT_S = 30


@dataclass(frozen=True)
class HttpReply:
    """Status, headers and body of one HTTP response."""

    status: int
    headers: dict[str, str]
    body: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(database_url: str, log_path: Path) -> Iterator[str]:
    """Serve server.py over `database_url` on a free loopback port; yield its base URL, then stop it.

    The server's output goes to `log_path`, which a start failure quotes.
    """
    port = free_port()
    environment = {**os.environ, "TRACKOE_DATABASE_URL": database_url, "TRACKOE_SEED_DEMO": "0"}
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "server.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, server, log_path)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)


def _wait_until_serving(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(
        f"The application did not start within {SERVER_START_TIMEOUT_S} s; log: {log_path.read_text()[-2000:]}"
    )


def _request(url: str, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None) -> HttpReply:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=HTTP_TIMEOUT_S)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return HttpReply(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=response.read().decode("utf-8", errors="replace"),
        )
    finally:
        connection.close()


def post_sign_in(url: str, username: str, password: str) -> HttpReply:
    """Submit the sign-in form as a browser does; redirects are not followed."""
    form = urllib.parse.urlencode({"username": username, "password": password, "next": "/"})
    return _request(
        url, "POST", "/connexion", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


def get(url: str, path: str) -> HttpReply:
    return _request(url, "GET", path)

"""Helpers of the real-browser tests: Chromium's launch flags, starting the app server, signing in."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
GRID_FRAME = 'iframe[title="st_aggrid.AgGrid.agGrid"]'
SERVER_START_TIMEOUT_S = 60
STEP_TIMEOUT_MS = 30_000

CHROMIUM_LAUNCH_ARGS = {
    "executable_path": str(CHROMIUM),
    "args": [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ],
}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(database_url: str, log_path: Path, *, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve server.py (the app with its sign-in routes) on a free loopback port over `database_url`; yield its URL."""
    port = free_port()
    environment = {
        **os.environ,
        "TRACKOE_DATABASE_URL": database_url,
        "TRACKOE_SEED_DEMO": "0",
        **(extra_env or {}),
    }
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
        _wait_until_healthy(url, server, log_path)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_until_healthy(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    server.terminate()
    pytest.fail(f"Streamlit did not start within {SERVER_START_TIMEOUT_S} s; log: {log_path.read_text()[-2000:]}")


def wait_for_script_end(page) -> None:
    """Wait until Streamlit has finished its current run, so typed text goes to the final widgets."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def sign_in(page, app_url: str, username: str, password: str, *, next_path: str = "/") -> None:
    """Sign in through the sign-in page, as a person would, and wait for the app to finish its first run."""
    page.goto(f"{app_url}{next_path}")
    page.wait_for_url("**/connexion**")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.locator('[data-testid="stApp"]').wait_for()
    wait_for_script_end(page)

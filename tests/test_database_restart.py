"""The application over PostgreSQL while the server restarts, and while it is down.

These tests restart and stop the local PostgreSQL cluster with pg_ctlcluster. They run only
when TRACKOE_TEST_POSTGRES_URL points at a loopback server, pg_ctlcluster is installed, and
the tests run as root or postgres (bash .ci/run runs as root). Every test brings the server
back up before it ends.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from trackoe.database import create_app_engine, create_session_factory, migrate
from trackoe.errors import DatabaseUnavailableError
from trackoe.permissions import Role
from trackoe.session_tokens import COOKIE_NAME
from trackoe.services import contacts
from trackoe.ui.context import app_context
from trackoe.views import ContactFilters
from tests.actors import AGENT
from tests.app_server import get, post_sign_in, running_app
from tests.conftest import POSTGRES_URL_VARIABLE
from tests.pages_support import TEST_PASSWORD, add_contact, button, error_texts, open_page, sign_in_as, values_of

pytestmark = pytest.mark.pg_restart

PG_CTLCLUSTER = shutil.which("pg_ctlcluster")
CLUSTERS_DIR = Path("/etc/postgresql")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
READY_TIMEOUT_S = 60
UNAVAILABLE_TEXT = "injoignable"
SEARCH_DURAND = ContactFilters(text="durand")
SERVER_URL = os.environ.get(POSTGRES_URL_VARIABLE, "")

if not SERVER_URL:
    pytest.skip(f"Database restart tests skipped: {POSTGRES_URL_VARIABLE} is not set.", allow_module_level=True)
if make_url(SERVER_URL).host not in LOOPBACK_HOSTS:
    pytest.skip("Database restart tests skipped: the PostgreSQL server is not on this machine.", allow_module_level=True)
if PG_CTLCLUSTER is None or not CLUSTERS_DIR.is_dir():
    pytest.skip("Database restart tests skipped: pg_ctlcluster is not installed.", allow_module_level=True)
if pwd.getpwuid(os.geteuid()).pw_name not in ("root", "postgres"):
    pytest.skip("Database restart tests skipped: pg_ctlcluster needs root or the postgres user.", allow_module_level=True)


def _pg_ctlcluster(action: str) -> None:
    """Run `pg_ctlcluster <version> main <action>` on the local cluster; after a start or restart, wait until it accepts connections."""
    version = sorted(path.name for path in CLUSTERS_DIR.iterdir())[-1]
    subprocess.run([PG_CTLCLUSTER, "--skip-systemctl-redirect", version, "main", action], check=True, timeout=120)
    if action != "stop":
        _wait_until_ready()


def _wait_until_ready() -> None:
    url = make_url(SERVER_URL)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        probe = subprocess.run(
            ["pg_isready", "-q", "-h", url.host, "-p", str(url.port or 5432)], check=False, timeout=10
        )
        if probe.returncode == 0:
            return
        time.sleep(0.5)
    raise RuntimeError(f"PostgreSQL did not accept connections within {READY_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def restart_database_url() -> Iterator[str]:
    """Create a migrated database of its own, since restarting cuts every connection to it."""
    name = f"trackoe_test_restart_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()

    database_url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_app_engine(database_url)
    migrate(engine)
    engine.dispose()

    yield database_url

    _wait_until_ready()
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def app_url(restart_database_url, tmp_path_factory) -> Iterator[str]:
    """Serve the application over the database, in its own process, as in production."""
    log_path = tmp_path_factory.mktemp("restart") / "server.log"
    with running_app(restart_database_url, log_path) as url:
        yield url


@pytest.fixture
def page_sessions(restart_database_url, monkeypatch):
    """Point AppTest's application at the database, emptied of contacts, and sign in as an agent."""
    monkeypatch.setenv("TRACKOE_DATABASE_URL", restart_database_url)
    monkeypatch.setenv("TRACKOE_SEED_DEMO", "0")
    app_context.clear()
    engine = create_app_engine(restart_database_url)
    sessions = create_session_factory(engine)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE contact_link, contact, audit_event RESTART IDENTITY CASCADE"))
    sign_in_as(sessions, Role.AGENT)

    yield sessions

    app_context.clear()
    engine.dispose()


def test_restart_next_actions_succeed_first_try(page_sessions, app_url):
    durand = add_contact(page_sessions, contact_type="gardien", last_name="Durand", city="Gap")
    at = open_page("pages/contact.py", contact_id=str(durand.id))
    at.text_input(key=f"contact_{durand.id}_city").input("Briançon")
    # Warm both engines' pools with connections that the restart will cut.
    assert post_sign_in(app_url, "agent", TEST_PASSWORD).status == 303
    assert contacts.search_contacts(page_sessions, AGENT, SEARCH_DURAND, 1, 20).total == 1

    _pg_ctlcluster("restart")
    # One try each: any exception here fails the test.
    found = contacts.search_contacts(page_sessions, AGENT, SEARCH_DURAND, 1, 20)
    sign_in = post_sign_in(app_url, "agent", TEST_PASSWORD)
    health = get(app_url, "/sante")
    button(at, "Enregistrer").click().run()

    assert found.total == 1
    assert sign_in.status == 303
    assert COOKIE_NAME in sign_in.headers.get("set-cookie", "")
    assert health.status == 200
    assert not at.exception
    assert error_texts(at) == []
    assert "Les modifications ont été enregistrées." in values_of(at.success)
    assert contacts.get_contact(page_sessions, AGENT, durand.id).city == "Briançon"


def test_database_down_keeps_typed_values(page_sessions, app_url):
    durand = add_contact(page_sessions, contact_type="gardien", last_name="Durand", city="Gap")
    at = open_page("pages/contact.py", contact_id=str(durand.id))
    at.text_input(key=f"contact_{durand.id}_city").input("Briançon")

    _pg_ctlcluster("stop")
    try:
        button(at, "Enregistrer").click().run()
        sign_in_while_down = post_sign_in(app_url, "agent", TEST_PASSWORD)
        health_while_down = get(app_url, "/sante")
        with pytest.raises(DatabaseUnavailableError):
            contacts.search_contacts(page_sessions, AGENT, SEARCH_DURAND, 1, 20)
    finally:
        _pg_ctlcluster("start")

    assert not at.exception
    assert any(UNAVAILABLE_TEXT in message for message in error_texts(at))
    assert at.text_input(key=f"contact_{durand.id}_city").value == "Briançon"
    assert sign_in_while_down.status == 503
    assert "La base de données est injoignable" in sign_in_while_down.body
    assert "Traceback" not in sign_in_while_down.body
    assert health_while_down.status == 503

    button(at, "Enregistrer").click().run()
    sign_in_after = post_sign_in(app_url, "agent", TEST_PASSWORD)

    assert not at.exception
    assert error_texts(at) == []
    assert "Les modifications ont été enregistrées." in values_of(at.success)
    assert contacts.get_contact(page_sessions, AGENT, durand.id).city == "Briançon"
    assert sign_in_after.status == 303

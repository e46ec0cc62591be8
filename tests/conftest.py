"""Fixtures: a migrated database on SQLite and on PostgreSQL, and session factories over them."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from trackoe.database import create_app_engine, create_session_factory, migrate
from trackoe.permissions import Role
from trackoe.ui.context import app_context
from tests.browser_support import CHROMIUM_LAUNCH_ARGS
from tests.pages_support import clear_default_token, sign_in_as

POSTGRES_URL_VARIABLE = "TRACKOE_TEST_POSTGRES_URL"
SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PARIS_CSV = SHARED_DATA / "paris-logements-sociaux.csv"

# Tables emptied between tests, children first.
TABLES = (
    "audit_event",
    "portal_account",
    "staff_session",
    "sign_in_throttle",
    "staff_user",
    "app_setting",
    "contact_link",
    "contact",
    "dwelling",
    "premises",
    "habitat",
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """Return an SQLite file migrated once, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_app_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """Create a migrated PostgreSQL database for the test session and drop it afterwards."""
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(
            f"PostgreSQL tests skipped: set {POSTGRES_URL_VARIABLE} to a SQLAlchemy URL such as "
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres (bash .ci/run sets it)."
        )

    name = f"trackoe_test_{uuid.uuid4().hex[:12]}"
    # Pre-ping, because the pg_restart tests restart the server before this engine drops the database.
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    database_url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = create_app_engine(database_url)
    migrate(engine)
    engine.dispose()

    yield database_url

    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, sqlite_template) -> Iterator[str]:
    """Return the URL of an empty migrated database, once per backend."""
    if request.param == "sqlite":
        path = tmp_path / "trackoe.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return

    url = request.getfixturevalue("postgres_database_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url):
    engine = create_app_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return create_session_factory(engine)


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    """Return the URL of an empty migrated SQLite file, for tests that run on SQLite only (pages)."""
    path = tmp_path / "trackoe-sqlite-only.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Launch Debian's Chromium, never a downloaded browser, with the flags this machine needs (pytest-playwright)."""
    return CHROMIUM_LAUNCH_ARGS


@pytest.fixture
def app_sessions(sqlite_url, monkeypatch) -> Iterator:
    """Point the application at an empty migrated SQLite file and return a session factory over it, nobody signed in."""
    monkeypatch.setenv("TRACKOE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TRACKOE_SEED_DEMO", "0")
    # The application context is cached per process, so a new database needs a new context.
    app_context.clear()
    clear_default_token()
    engine = create_app_engine(sqlite_url)

    yield create_session_factory(engine)

    clear_default_token()
    app_context.clear()
    engine.dispose()


@pytest.fixture
def page_sessions(app_sessions):
    """Return `app_sessions` with an agent signed in, as open_page's default user."""
    sign_in_as(app_sessions, Role.AGENT)
    return app_sessions

"""A fixture for page tests that sign in with several roles: an empty SQLite database the application uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pages_support import Sessions
from trackoe.database import create_app_engine, create_session_factory
from trackoe.ui.context import app_context


@pytest.fixture
def app_sessions(sqlite_url, monkeypatch) -> Iterator[Sessions]:
    """Point the application at an empty migrated SQLite file and return a session factory over it, with no user signed in."""
    monkeypatch.setenv("TRACKOE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TRACKOE_SEED_DEMO", "0")
    # The application context is cached per process, so a new database needs a new context.
    app_context.clear()
    engine = create_app_engine(sqlite_url)

    yield create_session_factory(engine)

    app_context.clear()
    engine.dispose()

"""Start-up of a process: engine, migrations and the first-start demo data."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from trackoe.config import Settings
from trackoe.database import create_app_engine, create_session_factory, migrate, sqlite_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppContext:
    """Objects every page uses: the settings, the engine and the session factory."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


def open_application(settings: Settings) -> AppContext:
    """Create the engine, apply migrations, and fill a new embedded SQLite database with demo data.

    Only an SQLite file that did not exist before this call gets demo data, so a PostgreSQL
    database or an existing file is never filled without the demo command.
    """
    path = sqlite_path(settings.database_url)
    is_new_sqlite_file = path is not None and not path.exists()

    engine = create_app_engine(settings.database_url)
    migrate(engine)
    sessions = create_session_factory(engine)

    if is_new_sqlite_file and settings.seed_demo:
        from trackoe.demo import seed_first_start

        logger.info("New SQLite database %s: adding demo data", path)
        seed_first_start(sessions)

    return AppContext(settings=settings, engine=engine, sessions=sessions)

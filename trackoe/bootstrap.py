"""Start-up of a process: engine, migrations and the first-start demo data."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from trackoe.access_models import AppSetting
from trackoe.config import Settings
from trackoe.database import create_app_engine, create_session_factory, migrate, sqlite_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppContext:
    """Objects every page uses: the settings, the engine and the session factory."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    cookie_secret: str = field(repr=False)


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

    cookie_secret = settings.secret_key or stored_cookie_secret(sessions)
    return AppContext(settings=settings, engine=engine, sessions=sessions, cookie_secret=cookie_secret)


COOKIE_SECRET_SETTING = "auth.cookie_secret"


def stored_cookie_secret(sessions: sessionmaker[Session]) -> str:
    """Return the cookie-signing key kept in the database, creating it on first start.

    Every app process over one database reads the same key, so a cookie set by one is valid in all.
    """
    with sessions.begin() as session:
        stored = session.scalar(select(AppSetting.value).where(AppSetting.key == COOKIE_SECRET_SETTING))
        if stored:
            return stored

    try:
        with sessions.begin() as session:
            session.add(AppSetting(key=COOKIE_SECRET_SETTING, value=secrets.token_urlsafe(48)))
    except IntegrityError:
        # Another process created it first; its key is the one to use.
        logger.info("Cookie key created by another process meanwhile")

    with sessions.begin() as session:
        return session.scalar(select(AppSetting.value).where(AppSetting.key == COOKIE_SECRET_SETTING))

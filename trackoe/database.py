"""Engine, sessions and migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from trackoe.config import PROJECT_ROOT

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Memory-mapped reads: SQLite's default page cache is 2 MB, small beside a list of 100,000 contacts.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def _configure_sqlite_connection(dbapi_connection, _connection_record) -> None:
    # SQLite leaves foreign keys off per connection unless asked; WAL and a busy
    # timeout let several writers wait for each other instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _configure_postgresql_connection(dbapi_connection, _connection_record) -> None:
    # psycopg prepares a statement after 5 runs, and PostgreSQL may then keep one generic
    # plan for every LIKE pattern. A two-letter search planned that way scans the trigram
    # index for all rows: 150 ms instead of 12 ms at 100,000 contacts (docs/benchmarks.md).
    cursor = dbapi_connection.cursor()
    cursor.execute("SET plan_cache_mode = force_custom_plan")
    cursor.close()
    dbapi_connection.commit()


def sqlite_path(database_url: str) -> Path | None:
    """Return the file of an SQLite URL, or None for another database or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def create_app_engine(database_url: str) -> Engine:
    """Create the process's engine: SQLite with foreign keys and WAL, PostgreSQL with pre-ping."""
    url = make_url(database_url)

    if url.get_backend_name() == "sqlite":
        path = sqlite_path(database_url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine

    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    if url.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _configure_postgresql_connection)
    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory; loaded objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied to the engine's database."""
    logger.info("Migrating database %s", engine.url.render_as_string(hide_password=True))
    command.upgrade(alembic_config(engine), "head")


def is_empty_database(engine: Engine) -> bool:
    """Return True when the database has no habitat table yet (never migrated)."""
    return not inspect(engine).has_table("habitat")

"""Settings of the application, read from the environment in this module only."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DATABASE_URL_VARIABLE = "TRACKOE_DATABASE_URL"
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "trackoe.db"

# Each setting: environment variable, default, help text.
SETTINGS_HELP = {
    DATABASE_URL_VARIABLE: (
        f"sqlite:///{DEFAULT_SQLITE_PATH}",
        "SQLAlchemy URL of the database, for example "
        "postgresql+psycopg://user@127.0.0.1:5432/trackoe. "
        "Default: an SQLite file under var/, created and migrated on first start.",
    ),
    "TRACKOE_SEED_DEMO": (
        "1",
        "Set to 0 to start a new embedded SQLite database empty instead of with demo data.",
    ),
    "TRACKOE_PAGE_SIZE": (
        "200",
        "Rows sent to a list's grid per page (1 to 1000).",
    ),
    "TRACKOE_SESSION_HOURS": (
        "8",
        "Hours a sign-in lasts, across browser reloads, before the user must sign in again (1 to 720).",
    ),
    "TRACKOE_SECRET_KEY": (
        "",
        "Key that signs the session cookie, at least 32 characters. Default: a random key "
        "generated on first start and kept in the database, shared by every app process.",
    ),
    "TRACKOE_LOG_LEVEL": (
        "INFO",
        "Level of the application's logs: DEBUG, INFO, WARNING or ERROR.",
    ),
}

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Settings:
    """Settings of one process; build them with `load_settings`."""

    database_url: str
    seed_demo: bool = True
    page_size: int = 200
    log_level: str = "INFO"
    session_hours: int = 8
    secret_key: str = field(default="", repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _read(environ: dict[str, str] | os._Environ, name: str) -> str:
    default, _help = SETTINGS_HELP[name]
    value = environ.get(name, "").strip()
    return value or default


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (the process environment by default)."""
    if environ is None:
        environ = os.environ

    page_size = int(_read(environ, "TRACKOE_PAGE_SIZE"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(
            f"TRACKOE_PAGE_SIZE={page_size} is invalid: expected 1 to {MAX_PAGE_SIZE}."
        )

    session_hours = int(_read(environ, "TRACKOE_SESSION_HOURS"))
    if not 1 <= session_hours <= 720:
        raise ValueError(f"TRACKOE_SESSION_HOURS={session_hours} is invalid: expected 1 to 720.")

    secret_key = _read(environ, "TRACKOE_SECRET_KEY")
    if secret_key and len(secret_key) < 32:
        raise ValueError("TRACKOE_SECRET_KEY is too short: expected at least 32 characters.")

    return Settings(
        database_url=_read(environ, DATABASE_URL_VARIABLE),
        seed_demo=_read(environ, "TRACKOE_SEED_DEMO") not in ("0", "false", "no"),
        page_size=page_size,
        log_level=_read(environ, "TRACKOE_LOG_LEVEL").upper(),
        session_hours=session_hours,
        secret_key=secret_key,
    )

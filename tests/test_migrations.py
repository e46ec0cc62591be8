"""Alembic migrations on fresh SQLite and PostgreSQL databases: up, down, up again, and the search indexes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from trackoe.database import alembic_config, create_app_engine, create_session_factory
from trackoe.models import Base
from trackoe.services import contacts
from trackoe.validation import ContactInput
from trackoe.views import ContactFilters
from tests.actors import AGENT

POSTGRES_URL_VARIABLE = "TRACKOE_TEST_POSTGRES_URL"
APPLICATION_TABLES = {"habitat", "dwelling", "premises", "contact", "contact_link"}
SQLITE_SEARCH_OBJECTS = {
    ("table", "contact_fts"),
    ("table", "habitat_fts"),
    ("trigger", "contact_fts_insert"),
    ("trigger", "contact_fts_delete"),
    ("trigger", "contact_fts_update"),
    ("trigger", "habitat_fts_insert"),
    ("trigger", "habitat_fts_delete"),
    ("trigger", "habitat_fts_update"),
}
POSTGRES_SEARCH_INDEXES = {("contact", "ix_contact_search_trgm"), ("habitat", "ix_habitat_search_trgm")}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request, tmp_path) -> Iterator:
    """Return an engine on a new empty database, never migrated, dropped after the test."""
    if request.param == "sqlite":
        engine = create_app_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return

    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(f"PostgreSQL tests skipped: set {POSTGRES_URL_VARIABLE} (bash .ci/run sets it).")

    name = f"trackoe_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_app_engine(make_url(server_url).set(database=name).render_as_string(hide_password=False))

    yield engine

    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def table_names(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def search_objects(engine) -> set[tuple[str, str]]:
    """Return the FTS5 tables (shadow tables included) and triggers on SQLite, or the trigram indexes on PostgreSQL."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(
                text("SELECT type, name FROM sqlite_master WHERE name LIKE '%\\_fts%' ESCAPE '\\' AND type IN ('table', 'trigger')")
            )
        else:
            rows = connection.execute(
                text("SELECT tablename, indexname FROM pg_indexes WHERE indexname LIKE '%\\_search\\_trgm'")
            )
        return {(kind, name) for kind, name in rows}


def expected_search_objects(engine) -> set[tuple[str, str]]:
    return SQLITE_SEARCH_OBJECTS if engine.dialect.name == "sqlite" else POSTGRES_SEARCH_INDEXES


def test_upgrade_creates_tables_and_search_indexes(fresh_engine):
    command.upgrade(alembic_config(fresh_engine), "head")

    assert APPLICATION_TABLES <= table_names(fresh_engine)
    assert expected_search_objects(fresh_engine) <= search_objects(fresh_engine)


def test_downgrade_base_removes_everything(fresh_engine):
    config = alembic_config(fresh_engine)
    command.upgrade(config, "head")

    command.downgrade(config, "base")

    assert table_names(fresh_engine) & APPLICATION_TABLES == set()
    assert search_objects(fresh_engine) == set()


def test_upgrade_again_after_downgrade(fresh_engine):
    config = alembic_config(fresh_engine)
    command.upgrade(config, "head")
    command.downgrade(config, "base")

    command.upgrade(config, "head")

    assert APPLICATION_TABLES <= table_names(fresh_engine)
    assert expected_search_objects(fresh_engine) <= search_objects(fresh_engine)


def test_search_works_after_reupgrade(fresh_engine):
    config = alembic_config(fresh_engine)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    sessions = create_session_factory(fresh_engine)
    created = contacts.create_contact(sessions, AGENT, ContactInput(contact_type="gardien", last_name="Lefèvre"))

    result = contacts.search_contacts(sessions, AGENT, ContactFilters(text="LEFEVRE"), 1, 10)

    assert [row.id for row in result.rows] == [created.id]


def test_upgrade_head_twice_changes_nothing(fresh_engine):
    config = alembic_config(fresh_engine)
    command.upgrade(config, "head")

    command.upgrade(config, "head")

    assert expected_search_objects(fresh_engine) <= search_objects(fresh_engine)


def test_models_match_migrations(fresh_engine):
    command.upgrade(alembic_config(fresh_engine), "head")

    with fresh_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": is_model_object})
        differences = compare_metadata(context, Base.metadata)

    assert [difference for difference in differences if not is_sqlite_list_order_change(fresh_engine, difference)] == []


def is_sqlite_list_order_change(engine, difference) -> bool:
    """Return True for the list-order index that migration 0003 reorders on SQLite only, on purpose."""
    if engine.dialect.name != "sqlite":
        return False
    changes = difference if isinstance(difference, list) else [difference]
    return all(
        change[0] in ("add_index", "remove_index") and change[1].name == "ix_contact_list_order" for change in changes
    )


def is_model_object(name, type_, _parent_names) -> bool:
    """Return False for the search tables and indexes that the migration adds by hand, which have no model."""
    if type_ == "table":
        return not (name or "").endswith(("_fts", "_fts_config", "_fts_data", "_fts_docsize", "_fts_idx"))
    if type_ == "index":
        return not (name or "").endswith("_search_trgm")
    return True

"""Query plans that SQLite chooses for the contacts list once its statistics describe a large table.

The statistics are the sqlite_stat1 rows that ANALYZE wrote for 100,000 contacts
multiples, 3% of them archived (bench/scale_bench.py). SQLite reads them instead of the
few rows a test inserts, so the plans are those of a production-size database.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from trackoe.database import create_app_engine, create_session_factory
from trackoe.services import contacts
from trackoe.views import ContactFilters
from tests.actors import AGENT

LARGE_CONTACT_STATISTICS = {
    "ix_contact_archived_ids": "2885 1",
    "ix_contact_type_cover": "100000 7143 7143 40 40",
    "ix_contact_list_order": "100000 100000 2 2",
    "ix_contact_type_order": "100000 7143 1",
    "ix_contact_postcode": "100000 3704",
    "ix_contact_habitat_id": "100000 100000",
    "ix_contact_city_key": "100000 4348",
    "sqlite_autoindex_contact_1": "100000 100000",
}


@pytest.fixture
def large_table_engine(sqlite_url):
    """Return an engine on a migrated SQLite file whose statistics are those of 100,000 contacts."""
    engine = create_app_engine(sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'contact'")
        for index, statistics in LARGE_CONTACT_STATISTICS.items():
            connection.exec_driver_sql(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('contact', ?, ?)", (index, statistics)
            )
    # SQLite reads sqlite_stat1 when a connection opens, so later connections see these rows.
    engine.dispose()
    yield engine
    engine.dispose()


def page_query_plan(engine, filters: ContactFilters) -> list[str]:
    """Return the EXPLAIN QUERY PLAN lines of the first statement that the list search sends."""
    statements = []

    def record(_connection, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        contacts.search_contacts(create_session_factory(engine), AGENT, filters, 1, 200)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    page_statement, parameters = statements[0]
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {page_statement}", parameters).all()
    return [row[3] for row in rows]


def test_opened_list_walks_name_order_index(large_table_engine):
    plan = page_query_plan(large_table_engine, ContactFilters())

    assert any("ix_contact_list_order" in line for line in plan), plan
    assert not any("USE TEMP B-TREE FOR ORDER BY" in line for line in plan), plan

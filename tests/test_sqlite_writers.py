"""Many writers on one SQLite file at once: threads of one process, and two processes.

SQLite lets one writer in at a time. WAL and the busy timeout (trackoe/database.py) make the
others wait instead of failing with "database is locked".
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import types

import pytest
from sqlalchemy import func, select

from trackoe.database import create_app_engine, create_session_factory
from trackoe.models import Contact, ContactLink
from trackoe.services import contacts
from trackoe.validation import ContactInput, validate_link
from tests.actors import AGENT
from tests.pages_support import add_habitat

SAVES_PER_WRITER = 500
THREAD_COUNT = 8
PROCESS_COUNT = 2
JOIN_TIMEOUT_S = 600


def save_contacts_with_links(database_url: str, writer: int, habitat_id: int, start: threading.Barrier | None) -> list[str]:
    """Save SAVES_PER_WRITER contacts, each with one link, each in its own transaction, and return the errors raised."""
    engine = create_app_engine(database_url)
    sessions = create_session_factory(engine)
    link = validate_link(habitat_id, "Gardien")
    errors = []
    if start is not None:
        start.wait()
    for index in range(SAVES_PER_WRITER):
        form = ContactInput(contact_type="gardien", last_name=f"Gardien {writer}-{index}")
        try:
            contacts.create_contact(sessions, AGENT, form, links=(link,))
        except Exception as error:  # noqa: BLE001 - the test reports every failure
            errors.append(f"{type(error).__name__}: {error}")
    engine.dispose()
    return errors


def _process_writer(database_url: str, writer: int, habitat_id: int, start, failures) -> None:
    failures.extend(save_contacts_with_links(database_url, writer, habitat_id, start))


def _counts(sessions) -> tuple[int, int]:
    with sessions() as session:
        contact_count = session.scalar(select(func.count()).select_from(Contact))
        link_count = session.scalar(select(func.count()).select_from(ContactLink))
    return contact_count, link_count


@pytest.fixture
def writers_database(sqlite_url):
    engine = create_app_engine(sqlite_url)
    sessions = create_session_factory(engine)
    habitat_id = add_habitat(sessions, "HAB-1", "Résidence Les Acacias")
    yield sqlite_url, sessions, habitat_id
    engine.dispose()


def test_eight_threads_every_save_lands(writers_database):
    database_url, sessions, habitat_id = writers_database
    start = threading.Barrier(THREAD_COUNT)
    results: list[list[str] | None] = [None] * THREAD_COUNT

    def run(writer: int) -> None:
        results[writer] = save_contacts_with_links(database_url, writer, habitat_id, start)

    threads = [threading.Thread(target=run, args=(writer,)) for writer in range(THREAD_COUNT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT_S)

    assert all(not thread.is_alive() for thread in threads)
    assert [errors for errors in results if errors] == []
    assert _counts(sessions) == (THREAD_COUNT * SAVES_PER_WRITER, THREAD_COUNT * SAVES_PER_WRITER)


def test_two_processes_every_save_lands(writers_database, monkeypatch):
    database_url, sessions, habitat_id = writers_database
    # An earlier AppTest leaves app.py as sys.modules["__main__"], and a spawned process
    # runs the main module again on start. A bare module gives the children nothing to run.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager:
        start = manager.Barrier(PROCESS_COUNT)
        failures = manager.list()
        processes = [
            spawn.Process(target=_process_writer, args=(database_url, writer, habitat_id, start, failures))
            for writer in range(PROCESS_COUNT)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=JOIN_TIMEOUT_S)
        errors = list(failures)

    assert [process.exitcode for process in processes] == [0] * PROCESS_COUNT
    assert errors == []
    assert _counts(sessions) == (PROCESS_COUNT * SAVES_PER_WRITER, PROCESS_COUNT * SAVES_PER_WRITER)

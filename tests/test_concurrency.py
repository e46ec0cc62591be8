"""Concurrent use of the services on both databases."""

import threading

from sqlalchemy import func, select

from trackoe.models import Contact
from trackoe.services import contacts
from trackoe.validation import ContactInput
from tests.actors import AGENT

THREAD_COUNT = 4


def _run_in_threads(action, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - the test asserts on what each thread got
            results[index] = error

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_same_form_token_at_once_creates_one(sessions):
    form = ContactInput(contact_type="syndic", company_name="Syndic Lefèvre & Fils")

    results = _run_in_threads(
        lambda: contacts.create_contact(sessions, AGENT, form, creation_token="token-concurrent"), THREAD_COUNT
    )

    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Contact))
    assert stored == 1
    assert all(not isinstance(result, Exception) for result in results), results
    assert len({result.id for result in results}) == 1


def test_parallel_creations_all_land(sessions):
    forms = [ContactInput(contact_type="gardien", last_name=f"Gardien {index}") for index in range(THREAD_COUNT * 5)]
    next_form = iter(forms)
    lock = threading.Lock()

    def create_five():
        created = []
        for _ in range(5):
            with lock:
                form = next(next_form)
            created.append(contacts.create_contact(sessions, AGENT, form).id)
        return created

    results = _run_in_threads(create_five, THREAD_COUNT)

    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Contact))
    assert all(not isinstance(result, Exception) for result in results), results
    assert stored == THREAD_COUNT * 5

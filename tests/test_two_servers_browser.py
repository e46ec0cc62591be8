"""Two agents in two Chromium pages, each on its own app process, editing one contact in one PostgreSQL database.

The app keeps no state of its own beyond each user's session, so a change saved through one
process shows in the other on its next action.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from trackoe.database import create_app_engine, create_session_factory
from trackoe.permissions import Role
from trackoe.services import contacts
from tests.actors import AGENT
from tests.app_server import running_app
from tests.browser_support import STEP_TIMEOUT_MS, skip_module_without_chromium
from tests.conftest import TABLES
from tests.pages_support import TEST_PASSWORD, add_account, add_contact

pytestmark = pytest.mark.browser

SAVED_MESSAGE = "Les modifications ont été enregistrées."

skip_module_without_chromium()


@pytest.fixture(scope="module")
def shared_database(postgres_database_url):
    """Empty the session's PostgreSQL test database and add two agents' accounts and one contact."""
    engine = create_app_engine(postgres_database_url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    sessions = create_session_factory(engine)
    add_account(sessions, "alice", Role.AGENT)
    add_account(sessions, "bruno", Role.AGENT)
    durand = add_contact(sessions, contact_type="gardien", last_name="Durand", first_name="Paul", city="Gap")

    yield postgres_database_url, sessions, durand.id

    engine.dispose()


@pytest.fixture(scope="module")
def two_app_urls(shared_database, tmp_path_factory) -> Iterator[tuple[str, str]]:
    database_url = shared_database[0]
    logs = tmp_path_factory.mktemp("two-servers")
    with running_app(database_url, logs / "first.log") as first, running_app(database_url, logs / "second.log") as second:
        yield first, second


def _wait_for_script_end(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def _open_contact_signed_in(browser, app_url: str, contact_id: int, username: str):
    """Open the contact page in a browser context of its own, through the sign-in page."""
    page = browser.new_context().new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(f"{app_url}/contact?contact_id={contact_id}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Enregistrer").wait_for()
    _wait_for_script_end(page)
    return page


def _save_field(page, label: str, value: str) -> None:
    _wait_for_script_end(page)
    page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Enregistrer").click()


def test_second_save_reports_first_across_servers(browser, shared_database, two_app_urls):
    _database_url, sessions, contact_id = shared_database
    first_url, second_url = two_app_urls
    alice = _open_contact_signed_in(browser, first_url, contact_id, "alice")
    bruno = _open_contact_signed_in(browser, second_url, contact_id, "bruno")

    _save_field(alice, "Commune", "Briançon")
    alice.get_by_text(SAVED_MESSAGE).wait_for()
    _save_field(bruno, "Prénom", "Pierre")
    bruno.get_by_text("modifié par quelqu'un d'autre", exact=False).wait_for()

    expect(bruno.get_by_text("Commune : Briançon")).to_be_visible()
    expect(bruno.get_by_label("Prénom", exact=True)).to_have_value("Pierre")
    expect(bruno.get_by_label("Commune", exact=True)).to_have_value("Gap")
    stored = contacts.get_contact(sessions, AGENT, contact_id)
    assert stored.first_name == "Paul"
    assert stored.city == "Briançon"

    # Bruno reloads: his process reads the version Alice's process saved.
    bruno.get_by_role("button", name="Recharger la version actuelle").click()
    bruno.get_by_text("modifié par quelqu'un d'autre", exact=False).wait_for(state="detached")

    expect(bruno.get_by_label("Commune", exact=True)).to_have_value("Briançon")
    expect(bruno.get_by_label("Prénom", exact=True)).to_have_value("Paul")

    _save_field(bruno, "Prénom", "Pierre")
    bruno.get_by_text(SAVED_MESSAGE).wait_for()
    # Alice's next action, on the first process, shows Bruno's save.
    alice.reload()

    # expect() waits for the reloaded page's run to fill the form.
    expect(alice.get_by_label("Prénom", exact=True)).to_have_value("Pierre")
    expect(alice.get_by_label("Commune", exact=True)).to_have_value("Briançon")
    stored = contacts.get_contact(sessions, AGENT, contact_id)
    assert stored.first_name == "Pierre"
    assert stored.city == "Briançon"

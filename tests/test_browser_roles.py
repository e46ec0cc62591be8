"""Real-browser test of roles: what a lecteur, an agent and an administrateur see, in headless Chromium."""

from __future__ import annotations

import re

import pytest

from trackoe.database import create_app_engine, create_session_factory
from trackoe.models import Habitat
from trackoe.permissions import Role
from trackoe.records import refresh_habitat_keys
from trackoe.services import contacts, links
from trackoe.validation import ContactInput, validate_link
from tests.actors import ADMIN
from tests.browser_support import (
    GRID_FRAME,
    STEP_TIMEOUT_MS,
    skip_module_without_chromium,
    sign_in,
    wait_for_script_end,
)
from tests.app_server import running_app
from tests.pages_support import TEST_PASSWORD, add_account

pytestmark = pytest.mark.browser

skip_module_without_chromium()


@pytest.fixture(scope="module")
def served(tmp_path_factory, sqlite_template):
    """Serve an SQLite file with one linked contact multiple and a lecteur, an agent and an administrateur."""
    database_path = tmp_path_factory.mktemp("browser-roles") / "trackoe.db"
    database_path.write_bytes(sqlite_template.read_bytes())
    database_url = f"sqlite:///{database_path}"
    engine = create_app_engine(database_url)
    sessions = create_session_factory(engine)
    with sessions.begin() as session:
        habitat = Habitat(code="ACA-01", name="Résidence Les Acacias", postcode="05000", city="Gap")
        refresh_habitat_keys(habitat)
        session.add(habitat)
        session.flush()
        habitat_id = habitat.id
    contact = contacts.create_contact(
        sessions, ADMIN, ContactInput(contact_type="gardien", last_name="Dupont", first_name="Jean", email="jean.dupont@exemple.fr")
    )
    links.add_link(sessions, ADMIN, contact.id, validate_link(habitat_id, "Gardien"))
    for username, role in (("lecteur", Role.LECTEUR), ("agent", Role.AGENT), ("admin", Role.ADMINISTRATEUR)):
        add_account(sessions, username, role)
    engine.dispose()

    with running_app(database_url, database_path.with_suffix(".log")) as url:
        yield url, contact.id


@pytest.fixture
def open_as(browser, served):
    """Return a function that signs a new browser context in as `username` and opens `path`."""
    url, _contact_id = served
    contexts = []

    def open_as(username: str, path: str):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        sign_in(page, url, username, TEST_PASSWORD, next_path=path)
        page.get_by_role("heading", name=re.compile("DUPONT Jean|Journal")).first.wait_for()
        wait_for_script_end(page)
        return page

    yield open_as

    for context in contexts:
        context.close()


def test_lecteur_sees_no_edit_controls_nor_portal(open_as, served):
    _url, contact_id = served

    page = open_as("lecteur", f"/contact?contact_id={contact_id}")

    assert page.get_by_role("button", name="Enregistrer").count() == 0
    assert page.get_by_role("button", name="Archiver le contact").count() == 0
    assert page.get_by_role("button", name="Espace Infinitri").count() == 0
    assert page.get_by_text("jean.dupont@exemple.fr").count() >= 1


def test_portal_password_shown_once_and_journalled(open_as, served):
    _url, contact_id = served

    # An agent with the account setting creates the access: the password shows once.
    page = open_as("agent", f"/contact?contact_id={contact_id}")
    page.get_by_role("button", name="Espace Infinitri").click()
    page.get_by_label("Identifiant de l'accès", exact=True).fill("jean.dupont")
    page.get_by_label("Identifiant de l'accès", exact=True).press("Enter")
    wait_for_script_end(page)
    page.get_by_role("button", name="Créer l'accès").click()
    dialog = page.get_by_role("dialog")
    code = dialog.locator('[data-testid="stCode"] code')
    code.wait_for()
    password = code.inner_text().strip()
    assert len(password) == 16

    # After a reload the panel shows the identifiant and status, never the password.
    page.reload()
    page.get_by_role("button", name="Espace Infinitri").click()
    page.get_by_text("jean.dupont", exact=True).wait_for()
    wait_for_script_end(page)
    assert password not in page.content()
    assert page.get_by_text("Invité", exact=True).count() >= 1

    # The administrateur's journal lists the creation of the access by the agent.
    journal = open_as("admin", "/journal")
    row = journal.frame_locator(GRID_FRAME).locator(".ag-center-cols-container .ag-row", has_text="Création de l'accès Infinitri")
    row.wait_for()
    assert "agent" in row.inner_text()
    assert password not in journal.content()


def test_sign_out_from_sidebar_ends_session(open_as, served):
    url, contact_id = served
    page = open_as("lecteur", f"/contact?contact_id={contact_id}")

    page.get_by_role("link", name="Se déconnecter").click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion?deconnecte=1")
    page.goto(f"{url}/contact?contact_id={contact_id}")

    page.wait_for_url("**/connexion?next=**")
    assert page.get_by_text("Vous êtes déconnecté.").count() == 0
    assert page.get_by_role("button", name="Se connecter").count() == 1

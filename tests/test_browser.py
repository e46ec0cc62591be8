"""Real-browser test: headless Debian Chromium drives the running application through Playwright."""

from __future__ import annotations

import re

import pytest

from trackoe.database import create_app_engine, create_session_factory
from trackoe.models import Habitat
from trackoe.permissions import Role
from trackoe.records import refresh_habitat_keys
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


def _seed_habitats(database_url: str) -> None:
    engine = create_app_engine(database_url)
    sessions = create_session_factory(engine)
    with sessions.begin() as session:
        for code, name, street in [
            ("ACA-01", "Résidence Les Acacias", "12 rue des Acacias"),
            ("BLE-02", "Résidence Les Bleuets", "4 allée des Bleuets"),
            ("CHE-03", "Résidence Les Chênes", "8 avenue des Chênes"),
        ]:
            habitat = Habitat(
                code=code, name=name, address_line=street, postcode="05000", city="Gap",
                landlord_name="OPH 05", dwelling_count=24,
            )
            refresh_habitat_keys(habitat)
            session.add(habitat)
    engine.dispose()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, sqlite_template):
    """Start the application on a free loopback port over a migrated SQLite file holding three habitats and an agent."""
    database_path = tmp_path_factory.mktemp("browser") / "trackoe.db"
    database_path.write_bytes(sqlite_template.read_bytes())
    database_url = f"sqlite:///{database_path}"
    _seed_habitats(database_url)
    engine = create_app_engine(database_url)
    add_account(create_session_factory(engine), "agent", Role.AGENT)
    engine.dispose()

    with running_app(database_url, database_path.with_suffix(".log")) as url:
        yield url


def _choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def _add_link(page, habitat_search: str, habitat_code: str) -> None:
    wait_for_script_end(page)
    search = page.get_by_label("Rechercher un habitat", exact=True)
    search.fill(habitat_search)
    search.press("Enter")
    # Elements of the previous run linger while Streamlit reruns, so wait for the one holding the match.
    page.locator(f'input[aria-label="Habitat"][value^="{habitat_code} "]').wait_for()
    wait_for_script_end(page)
    page.get_by_role("button", name="Ajouter le rattachement").click()
    page.get_by_text(f"rattaché à l'habitat {habitat_code}").wait_for(timeout=STEP_TIMEOUT_MS)


def _click_action(grid, row_text: str) -> None:
    """Click the action cell of the row showing `row_text`; the action column is pinned, so it sits in another row element."""
    row = grid.locator(".ag-center-cols-container .ag-row", has_text=row_text).first
    row.wait_for()
    row_index = row.get_attribute("row-index")
    grid.locator(f'.ag-pinned-left-cols-container .ag-row[row-index="{row_index}"] [col-id="action"]').click()


def test_contact_created_found_linked_and_shown(page, app_url):
    page.set_default_timeout(STEP_TIMEOUT_MS)
    sign_in(page, app_url, "agent", TEST_PASSWORD)

    # Create a contact multiple named Lefèvre through the form.
    page.get_by_role("button", name="Créer un contact multiple").click()
    page.get_by_role("button", name="Enregistrer").wait_for()
    _choose(page, "Type de contact *", "Gardien")
    page.get_by_label("Nom", exact=True).fill("Lefèvre")
    page.get_by_label("Prénom", exact=True).fill("Anne")
    page.get_by_label("Téléphone mobile", exact=True).fill("06.12.34.56.78")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Le contact « LEFÈVRE Anne » a été créé.").wait_for()
    assert re.search(r"/contact\?contact_id=\d+", page.url)

    # Find it by typing "lefevre" without the accent in the list's search zone.
    page.get_by_role("link", name="Retour à la liste des contacts").click()
    search = page.get_by_label("Recherche", exact=True)
    search.fill("lefevre")
    search.press("Enter")
    page.get_by_text("1 contact trouvé").wait_for()
    grid = page.frame_locator(GRID_FRAME)
    row = grid.locator(".ag-row", has_text="LEFÈVRE Anne")
    row.wait_for()
    assert "06 12 34 56 78" in row.inner_text()

    # Open it with the row's pencil and link it to two habitats.
    _click_action(grid, "LEFÈVRE Anne")
    page.wait_for_url(re.compile(r"/contact\?contact_id=\d+"))
    page.get_by_text("Habitats rattachés").wait_for()
    _add_link(page, "acacias", "ACA-01")
    _add_link(page, "bleuets", "BLE-02")
    links_grid = page.frame_locator(GRID_FRAME)
    links_grid.locator(".ag-center-cols-container .ag-row", has_text="BLE-02").wait_for()
    assert links_grid.locator(".ag-center-cols-container .ag-row").count() == 2

    # Open one habitat: its CONTACT tab lists the contact with the multiple-contact icon.
    _click_action(links_grid, "ACA-01")
    page.wait_for_url(re.compile(r"/habitat\?habitat_id=\d+"))
    page.get_by_role("tab", name="CONTACT").wait_for()
    contact_row = page.frame_locator(GRID_FRAME).locator(".ag-row", has_text="LEFÈVRE Anne")
    contact_row.wait_for()
    assert contact_row.locator('[col-id="icon"]').inner_text().strip() == "👥"

"""Real-browser test of the coverage dashboard: a filter goes into the URL, and the URL gives back the same view."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.app_server import running_app
from tests.browser_support import GRID_FRAME, STEP_TIMEOUT_MS, sign_in, skip_module_without_chromium, wait_for_script_end
from tests.coverage_fixture import seed_coverage
from tests.pages_support import TEST_PASSWORD, add_account
from trackoe.database import create_app_engine, create_session_factory
from trackoe.permissions import Role

pytestmark = pytest.mark.browser

skip_module_without_chromium()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, sqlite_template):
    """Serve the app over a migrated SQLite file holding the coverage dataset and a lecteur account."""
    database_path = tmp_path_factory.mktemp("coverage_browser") / "trackoe.db"
    database_path.write_bytes(sqlite_template.read_bytes())
    database_url = f"sqlite:///{database_path}"
    engine = create_app_engine(database_url)
    sessions = create_session_factory(engine)
    seed_coverage(sessions)
    add_account(sessions, "lecteur", Role.LECTEUR)
    engine.dispose()

    with running_app(database_url, database_path.with_suffix(".log")) as url:
        yield url


def _matrix_codes(page) -> list[str]:
    rows = page.frame_locator(GRID_FRAME).locator('.ag-center-cols-container .ag-row [col-id="code"]')
    rows.first.wait_for()
    return sorted(rows.all_inner_texts())


def test_filter_lives_in_the_url(page, app_url):
    page.set_default_timeout(STEP_TIMEOUT_MS)
    sign_in(page, app_url, "lecteur", TEST_PASSWORD, next_path="/couverture")
    page.get_by_role("heading", name="Couverture des habitats").wait_for()
    assert _matrix_codes(page) == ["ACA", "BLE", "CED", "DAH"]

    # Two clicks: open the landlord filter, pick Paris Habitat.
    page.get_by_label("Bailleur", exact=True).click()
    page.get_by_role("option", name="Paris Habitat", exact=True).click()
    page.wait_for_url(re.compile(r"bailleur=Paris"))
    wait_for_script_end(page)
    page.frame_locator(GRID_FRAME).locator('.ag-center-cols-container .ag-row', has_text="CED").wait_for(state="detached")
    assert _matrix_codes(page) == ["ACA", "BLE"]
    shared_url = page.url
    assert parse_qs(urlparse(shared_url).query)["bailleur"] == ["Paris Habitat"]

    # The link a manager sends: a fresh load of the URL shows the same view.
    page.goto(shared_url)
    page.get_by_role("heading", name="Couverture des habitats").wait_for()
    wait_for_script_end(page)
    assert _matrix_codes(page) == ["ACA", "BLE"]
    habitats = page.locator('[data-testid="stMetric"]', has_text="Habitats").first
    assert habitats.locator('[data-testid="stMetricValue"]').inner_text().strip() == "2"

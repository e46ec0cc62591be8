"""The coverage dashboard through Streamlit's AppTest, on the dataset with known answers (SQLite)."""

from __future__ import annotations

import pytest

from tests.coverage_fixture import seed_coverage
from tests.pages_support import button, grid, grid_frame, open_page, sign_in_as
from trackoe.permissions import Role

COVERAGE_PAGE = "pages/coverage.py"


@pytest.fixture
def ids(app_sessions):
    return seed_coverage(app_sessions)


def metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_reader_sees_figures_and_matrix(app_sessions, ids):
    sign_in_as(app_sessions, Role.LECTEUR)
    at = open_page(COVERAGE_PAGE)

    assert not at.exception
    assert at.title[0].value == "Couverture des habitats"
    shown = metrics(at)
    assert [shown[label] for label in ("Habitats", "Logements", "Contacts multiples", "Contacts simples", "Rattachements en cours")] == [
        "4", "70", "7", "2", "6",
    ]
    assert shown["Couverts : Gardien"] == "50\u202f%"
    frame = grid_frame(grid(at, "coverage_matrix_1"))
    assert frame["code"].tolist() == ["ACA", "BLE", "CED", "DAH"]
    assert frame["role_0"].tolist() == ["DUPONT Jean", "Manquant", "PETIT Marie", "Manquant"]
    assert not [expander for expander in at.expander if "Rôles requis" in expander.label]


def test_filters_come_from_the_url(app_sessions, ids):
    sign_in_as(app_sessions, Role.LECTEUR)
    at = open_page(COVERAGE_PAGE, bailleur="Paris Habitat", lacunes="true")

    assert not at.exception
    assert at.selectbox(key="bailleur").value == "Paris Habitat"
    assert grid_frame(grid(at, "coverage_matrix_1"))["code"].tolist() == ["BLE"]
    assert metrics(at)["Habitats"] == "2"


def test_habitats_missing_a_role_tab(app_sessions, ids):
    sign_in_as(app_sessions, Role.LECTEUR)
    at = open_page(COVERAGE_PAGE, bailleur="Paris Habitat", vue="Habitats sans rôle")

    assert not at.exception
    assert at.selectbox(key="role").value == "Gardien"
    assert grid_frame(grid(at, "coverage_missing_1"))["code"].tolist() == ["BLE"]
    assert [button.label for button in at.get("download_button")] == ["Exporter en CSV", "Exporter en Excel"]


@pytest.mark.parametrize(
    ("tab", "grid_key", "column", "expected"),
    [
        ("Contacts sans rattachement", "coverage_unlinked_1", "company_name", ["=SOMME(A1)", "Syndic Lefèvre"]),
        ("Rattachements à vérifier", "coverage_anomalies_1", "habitat_code", ["CED", "ERA"]),
        ("Contacts les plus rattachés", "coverage_top_1", "habitat_count", [2, 1, 1, 1, 1]),
    ],
)
def test_list_tabs(app_sessions, ids, tab, grid_key, column, expected):
    sign_in_as(app_sessions, Role.LECTEUR)
    at = open_page(COVERAGE_PAGE, vue=tab)

    assert not at.exception
    assert grid_frame(grid(at, grid_key))[column].tolist() == expected


@pytest.mark.parametrize(("tab", "expected_charts"), [("Graphiques", 3), ("Carte", 1)])
def test_chart_tabs(app_sessions, ids, tab, expected_charts):
    sign_in_as(app_sessions, Role.LECTEUR)
    at = open_page(COVERAGE_PAGE, vue=tab)

    assert not at.exception
    assert len(at.get("vega_lite_chart")) == expected_charts


def test_matrix_click_opens_the_fiche_habitat(app_sessions, ids):
    sign_in_as(app_sessions, Role.LECTEUR)
    at = open_page(COVERAGE_PAGE)

    at.session_state["coverage_matrix_1"] = {"selected_id": ids.habitats["bleuets"]}
    at.run()

    assert not at.exception
    assert at.query_params["habitat_id"] == str(ids.habitats["bleuets"])


def test_administrator_changes_the_required_roles(app_sessions, ids):
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(COVERAGE_PAGE)

    at.multiselect(key="coverage_roles").set_value(["Gardien", "Syndic"])
    button(at, "Enregistrer les rôles requis").click()
    at.run()

    assert not at.exception
    frame = grid_frame(grid(at, "coverage_matrix_1"))
    assert frame["role_1"].tolist() == ["Manquant"] * 4
    assert "Couverts : Syndic" in metrics(at)

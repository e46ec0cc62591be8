"""The coverage dashboard's figures, matrix, lists and charts on a dataset with known answers, on both databases."""

from __future__ import annotations

import pytest

from tests.actors import ADMIN, AGENT, READER
from tests.coverage_fixture import FORMULA_COMPANY, FOREIGN_PHONE_TEXT, seed_coverage
from trackoe.coverage import CoverageFilters
from trackoe.coverage_lists import ARCHIVED_HABITAT, ENDED_STILL_PRIMARY
from trackoe.errors import PermissionDeniedError, ValidationError
from trackoe.services import coverage, coverage_lists

GARDIEN, BAILLEUR, NETTOYAGE = "Gardien", "Bailleur", "Société de nettoyage"
PARIS_HABITAT = CoverageFilters(landlord="Paris Habitat")


@pytest.fixture
def ids(sessions):
    return seed_coverage(sessions)


def test_headline_counts_every_figure(sessions, ids):
    figures = coverage.headline(sessions, READER, CoverageFilters())

    assert (figures.habitats, figures.dwellings) == (4, 70)
    assert (figures.contacts_multiples, figures.contacts_simples, figures.current_links) == (7, 2, 6)
    assert [(row.role, row.covered, row.habitats) for row in figures.coverage] == [
        (GARDIEN, 2, 4), (BAILLEUR, 2, 4), (NETTOYAGE, 1, 4),
    ]


def test_headline_follows_the_landlord_filter(sessions, ids):
    figures = coverage.headline(sessions, READER, PARIS_HABITAT)

    assert (figures.habitats, figures.dwellings) == (2, 60)
    assert (figures.contacts_multiples, figures.contacts_simples, figures.current_links) == (4, 1, 5)
    assert [row.covered for row in figures.coverage] == [1, 2, 1]


def test_matrix_cells(sessions, ids):
    table = coverage.matrix(sessions, READER, CoverageFilters(), page=1, page_size=50)

    assert table.total == 4
    assert table.headers == ["Code", "Habitat", "Code postal", "Commune ou arrondissement", "Bailleur de l'habitat", GARDIEN, BAILLEUR, NETTOYAGE]
    assert table.values() == [
        ["ACA", "Acacias", "75012", "Paris 12e", "Paris Habitat", "DUPONT Jean", "Paris Habitat", "2 contacts"],
        ["BLE", "Bleuets", "75019", "Paris 19e", "Paris Habitat", "Manquant", "Paris Habitat", "Manquant"],
        ["CED", "Cèdres", "75012", "Paris 12e", "RIVP", "PETIT Marie", "Manquant", "Manquant"],
        ["DAH", "Dahlias", "05000", "Gap", "", "Manquant", "Manquant", "Manquant"],
    ]
    assert [row.gaps for row in table.rows] == [
        (False, False, False), (True, False, True), (False, True, True), (True, True, True),
    ]


@pytest.mark.parametrize(
    ("filters", "codes"),
    [
        (CoverageFilters(gaps_only=True), ["BLE", "CED", "DAH"]),
        (CoverageFilters(landlord="RIVP"), ["CED"]),
        (CoverageFilters(landlord="(sans bailleur)"), ["DAH"]),
        (CoverageFilters(area="Paris 12e"), ["ACA", "CED"]),
        (CoverageFilters(postcode="7501"), ["ACA", "BLE", "CED"]),
        (CoverageFilters(landlord="Paris Habitat", gaps_only=True), ["BLE"]),
    ],
)
def test_matrix_filters(sessions, ids, filters, codes):
    table = coverage.matrix(sessions, READER, filters, page=None)

    assert [row.code for row in table.rows] == codes
    assert table.total == len(codes)


def test_matrix_pages(sessions, ids):
    second = coverage.matrix(sessions, READER, CoverageFilters(), page=2, page_size=3)

    assert [row.code for row in second.rows] == ["DAH"]
    assert (second.total, second.page_count) == (4, 2)


@pytest.mark.parametrize(
    ("role", "filters", "codes"),
    [
        (GARDIEN, CoverageFilters(), ["BLE", "DAH"]),
        (BAILLEUR, CoverageFilters(), ["CED", "DAH"]),
        (NETTOYAGE, CoverageFilters(), ["BLE", "CED", "DAH"]),
        (GARDIEN, PARIS_HABITAT, ["BLE"]),
    ],
)
def test_habitats_missing_a_role(sessions, ids, role, filters, codes):
    table = coverage_lists.habitats_missing_role(sessions, READER, filters, role, page=1, page_size=50)

    assert [row.code for row in table.rows] == codes
    assert table.total == len(codes)


def test_missing_role_must_be_required(sessions, ids):
    with pytest.raises(ValidationError):
        coverage_lists.habitats_missing_role(sessions, READER, CoverageFilters(), "Syndic", page=1, page_size=50)


def test_unlinked_contacts(sessions, ids):
    table = coverage_lists.unlinked_contacts(sessions, READER, page=1, page_size=50)

    assert [row.company_name for row in table.rows] == [FORMULA_COMPANY, "Syndic Lefèvre"]
    assert table.rows[0].phone == FOREIGN_PHONE_TEXT
    assert table.total == 2


def test_link_anomalies(sessions, ids):
    table = coverage_lists.link_anomalies(sessions, READER, CoverageFilters(), page=1, page_size=50)

    assert [(row.kind, row.contact_name, row.habitat_code) for row in table.rows] == [
        (ENDED_STILL_PRIMARY, "Net Plus", "CED"),
        (ARCHIVED_HABITAT, "Paris Habitat", "ERA"),
    ]
    assert coverage_lists.link_anomalies(sessions, READER, PARIS_HABITAT, page=None).total == 0


def test_top_contacts(sessions, ids):
    table = coverage_lists.top_contacts(sessions, READER, CoverageFilters(), page=1, page_size=50)

    assert [(row.company_name or row.full_name, row.habitat_count) for row in table.rows] == [
        ("Paris Habitat", 2), ("BERNARD Luc", 1), ("DUPONT Jean", 1), ("Net Plus", 1), ("Propreté Express", 1),
    ]
    first_page = coverage_lists.top_contacts(sessions, READER, CoverageFilters(), page=1, page_size=2)
    assert (len(first_page.rows), first_page.total) == (2, 5)


def test_top_contacts_second_page(sessions, ids):
    table = coverage_lists.top_contacts(sessions, READER, CoverageFilters(), page=2, page_size=2)

    assert [(row.full_name or row.company_name, row.habitat_count) for row in table.rows] == [
        ("DUPONT Jean", 1), ("Net Plus", 1),
    ]
    assert table.total == 5


def test_top_contacts_landlord_filter(sessions, ids):
    table = coverage_lists.top_contacts(sessions, READER, PARIS_HABITAT, page=None)

    assert [(row.company_name or row.full_name, row.habitat_count) for row in table.rows] == [
        ("Paris Habitat", 2), ("DUPONT Jean", 1), ("Net Plus", 1), ("Propreté Express", 1),
    ]
    assert table.total == 4


def test_contact_lists_past_last_page(sessions, ids):
    top = coverage_lists.top_contacts(sessions, READER, CoverageFilters(), page=4, page_size=2)
    unlinked = coverage_lists.unlinked_contacts(sessions, READER, page=3, page_size=1)

    assert top.rows == []
    assert top.total == 5
    assert unlinked.rows == []
    assert unlinked.total == 2


def test_charts(sessions, ids):
    charts = coverage.charts(sessions, READER, CoverageFilters(), "landlord")

    by_type = {(bar.label, bar.series): bar.count for bar in charts.contacts_by_type}
    assert by_type == {
        ("Gardien", "Contact multiple"): 2,
        ("Bailleur", "Contact multiple"): 1,
        ("Société de nettoyage", "Contact multiple"): 2,
        ("Entreprise", "Contact multiple"): 1,
        ("Syndic", "Contact multiple"): 1,
        ("Gardien", "Contact simple"): 1,
        ("Habitant", "Contact simple"): 1,
    }
    by_count = {bar.label: bar.count for bar in charts.habitats_by_contact_count if bar.count}
    assert by_count == {"1": 2, "2": 1, "4": 1}
    by_landlord = {(row.group, row.role): (row.covered, row.habitats) for row in charts.coverage_by_group}
    assert by_landlord == {
        ("Paris Habitat", GARDIEN): (1, 2), ("Paris Habitat", BAILLEUR): (2, 2), ("Paris Habitat", NETTOYAGE): (1, 2),
        ("RIVP", GARDIEN): (1, 1), ("RIVP", BAILLEUR): (0, 1), ("RIVP", NETTOYAGE): (0, 1),
        ("(sans bailleur)", GARDIEN): (0, 1), ("(sans bailleur)", BAILLEUR): (0, 1), ("(sans bailleur)", NETTOYAGE): (0, 1),
    }


def test_coverage_by_area(sessions, ids):
    charts = coverage.charts(sessions, READER, CoverageFilters(), "area")

    by_area = {(row.group, row.role): row.covered for row in charts.coverage_by_group}
    assert by_area == {
        ("Paris 12e", GARDIEN): 2, ("Paris 12e", BAILLEUR): 1, ("Paris 12e", NETTOYAGE): 1,
        ("Paris 19e", GARDIEN): 0, ("Paris 19e", BAILLEUR): 1, ("Paris 19e", NETTOYAGE): 0,
        ("Gap", GARDIEN): 0, ("Gap", BAILLEUR): 0, ("Gap", NETTOYAGE): 0,
    }


def test_map_points(sessions, ids):
    points = coverage.map_points(sessions, READER, CoverageFilters())

    assert [(point.code, point.coverage) for point in points] == [
        ("ACA", "3/3 rôles"), ("BLE", "1/3 rôles"), ("DAH", "0/3 rôles"),
    ]


def test_filter_options(sessions, ids):
    options = coverage.filter_options(sessions, READER)

    assert options.landlords == ["Paris Habitat", "RIVP", "(sans bailleur)"]
    assert options.areas == ["Paris 12e", "Paris 19e", "Gap"]
    assert options.required_roles == [GARDIEN, BAILLEUR, NETTOYAGE]


def test_required_roles_only_an_administrator_changes(sessions, ids):
    for actor in (READER, AGENT):
        with pytest.raises(PermissionDeniedError):
            coverage.set_required_roles(sessions, actor, [GARDIEN])

    assert coverage.set_required_roles(sessions, ADMIN, [GARDIEN, "Syndic"]) == [GARDIEN, "Syndic"]
    assert coverage.required_roles(sessions, READER) == [GARDIEN, "Syndic"]
    table = coverage.matrix(sessions, READER, CoverageFilters(), page=None)
    assert table.headers[-2:] == [GARDIEN, "Syndic"]
    assert [row.cells[1] for row in table.rows] == ["Manquant"] * 4


@pytest.mark.parametrize("roles", [[], ["Plombier"]])
def test_required_roles_rejects_empty_and_unknown(sessions, roles):
    with pytest.raises(ValidationError):
        coverage.set_required_roles(sessions, ADMIN, roles)
    assert coverage.required_roles(sessions, READER) == [GARDIEN, BAILLEUR, NETTOYAGE]

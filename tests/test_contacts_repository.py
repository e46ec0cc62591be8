"""Search and listing of contacts on SQLite and PostgreSQL, through the services and the repository.

Every test runs once per database with the same data, and the tables of queries give the
expected contacts by name, so both databases must return the same rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from trackoe import repository
from trackoe.database import create_app_engine, create_session_factory, migrate
from trackoe.models import Dwelling, Habitat, Premises
from trackoe.records import refresh_habitat_keys
from trackoe.services import contacts, links
from trackoe.validation import ContactInput, validate_link
from trackoe.views import ContactFilters
from tests.actors import AGENT

POSTGRES_URL_VARIABLE = "TRACKOE_TEST_POSTGRES_URL"
TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)

# Habitat key → (code, name, address, postcode, city).
HABITATS = {
    "tilleuls": ("GAP-01", "Résidence Les Tilleuls", "3 rue Victor Hugo", "05000", "Gap"),
    "cite": ("PAR-12", "Cité Jardin", "8 avenue Daumesnil", "75012", "Paris"),
    "clos": ("EMB-01", "Le Clos", "1 place Barthelon", "05200", "Embrun"),
    "pins": ("STE-01", "Les Pins", "2 rue de la Paix", "42000", "Saint-Étienne"),
}

# Contact name (last name, or raison sociale) → its form. Created in this order, so ids follow it.
CONTACT_FORMS = {
    "Lefèvre": ContactInput(
        contact_type="gardien",
        last_name="Lefèvre",
        first_name="Anne",
        phone_mobile="06 12 34 56 78",
        email="Anne.Lefevre@exemple.fr",
        address_line1="3 rue Victor Hugo",
        postcode="05000",
        city="Gap",
    ),
    "N’Diaye": ContactInput(
        contact_type="syndic",
        last_name="N’Diaye",
        first_name="Moussa",
        phone_landline="04 92 51 00 00",
        postcode="05200",
        city="Embrun",
    ),
    "Propreté des Alpes": ContactInput(
        contact_type="societe_nettoyage",
        company_name="Propreté des Alpes",
        phone_landline="04 92 53 11 22",
        address_line1="12 rue Centrale",
        postcode="05100",
        city="Briançon",
    ),
    "Dupont": ContactInput(
        contact_type="bailleur",
        last_name="Dupont",
        first_name="Jean-Pierre",
        phone_mobile="07 81 22 33 44",
        postcode="75012",
        city="Paris",
    ),
    "Ly": ContactInput(contact_type="divers", last_name="Ly", first_name="Kim"),
    "Lefebvre": ContactInput(contact_type="gardien", last_name="Lefebvre", first_name="Paul"),
    "Roux": ContactInput(contact_type="gardien", last_name="Roux", first_name="Émile"),
}
SIMPLE_CONTACT = ContactInput(contact_type="habitant", last_name="Garcia", first_name="Lucia")

# Contact name → its links as (habitat key, role, narrowed to the habitat's dwelling, ended yesterday).
CONTACT_LINKS = {
    "Lefèvre": [
        ("tilleuls", "Gardien", False, False),
        ("tilleuls", "Gardien", True, False),
        ("cite", "Gardien", False, False),
    ],
    "N’Diaye": [("clos", "Syndic", False, False)],
    "Propreté des Alpes": [
        ("tilleuls", "Société de nettoyage", False, False),
        ("pins", "Société de nettoyage", False, True),
    ],
    "Lefebvre": [("pins", "Gardien", False, False)],
    "Roux": [("pins", "Gardien", False, False)],
}
ARCHIVED = {"Lefebvre"}


@dataclasses.dataclass
class Directory:
    """Ids of the test data, by habitat key and by contact name."""

    habitat_ids: dict[str, int]
    contact_ids: dict[str, int]

    def names(self, ids) -> list[str]:
        by_id = {contact_id: name for name, contact_id in self.contact_ids.items()}
        return [by_id[contact_id] for contact_id in ids]


def add_habitats(sessions) -> dict[str, int]:
    with sessions.begin() as session:
        created = {}
        for key, (code, name, address, postcode, city) in HABITATS.items():
            habitat = Habitat(code=code, name=name, address_line=address, postcode=postcode, city=city)
            refresh_habitat_keys(habitat)
            habitat.dwellings.append(Dwelling(reference="A12"))
            habitat.premises.append(Premises(name="Local poubelles", kind="Local poubelles"))
            session.add(habitat)
            created[key] = habitat
        session.flush()
        return {key: habitat.id for key, habitat in created.items()}


def fill_directory(sessions) -> Directory:
    """Fill the database with habitats, contacts multiples, one contact simple and their links."""
    habitat_ids = add_habitats(sessions)
    contact_ids = {name: contacts.create_contact(sessions, AGENT, form).id for name, form in CONTACT_FORMS.items()}
    contact_ids["Garcia"] = contacts.create_contact(sessions, AGENT, SIMPLE_CONTACT, habitat_id=habitat_ids["tilleuls"]).id

    with sessions.begin() as session:
        dwelling_ids = {dwelling.habitat_id: dwelling.id for dwelling in session.scalars(select(Dwelling))}
    for name, contact_links in CONTACT_LINKS.items():
        for habitat_key, role, narrowed, ended in contact_links:
            habitat_id = habitat_ids[habitat_key]
            dwelling_id = dwelling_ids[habitat_id] if narrowed else None
            link_id = links.add_link(sessions, AGENT, contact_ids[name], validate_link(habitat_id, role, dwelling_id=dwelling_id)
            )
            if ended:
                links.end_link(sessions, AGENT, contact_ids[name], link_id, YESTERDAY)

    for name in ARCHIVED:
        contacts.set_contact_archived(sessions, AGENT, contact_ids[name], True)
    return Directory(habitat_ids=habitat_ids, contact_ids=contact_ids)


@pytest.fixture
def directory(sessions) -> Directory:
    """Return the test data in the test's own database, for tests that change it."""
    return fill_directory(sessions)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def search_sessions(request, tmp_path_factory, sqlite_template) -> Iterator[sessionmaker]:
    """Return sessions on a database of this module's own, which search_directory fills once for read-only tests.

    Filling a database per test would repeat about twenty transactions for each of the
    hundreds of query rows below.
    """
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("search") / "trackoe.db"
        shutil.copy(sqlite_template, path)
        engine = create_app_engine(f"sqlite:///{path}")
        yield create_session_factory(engine)
        engine.dispose()
        return

    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(f"PostgreSQL tests skipped: set {POSTGRES_URL_VARIABLE} (bash .ci/run sets it).")

    name = f"trackoe_search_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sql_text(f'CREATE DATABASE "{name}"'))
    engine = create_app_engine(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    migrate(engine)

    yield create_session_factory(engine)

    engine.dispose()
    with admin.connect() as connection:
        connection.execute(sql_text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def search_directory(search_sessions) -> Directory:
    """Return the test data, created once per database, which read-only tests share and must not change."""
    return fill_directory(search_sessions)


def service_names(sessions, directory: Directory, filters: ContactFilters) -> list[str]:
    result = contacts.search_contacts(sessions, AGENT, filters, 1, 100)
    return directory.names(row.id for row in result.rows)


def repository_names(sessions, directory: Directory, filters: ContactFilters) -> list[str]:
    with sessions() as session:
        rows, _total = repository.search_contacts(session, filters, offset=0, limit=100, today=TODAY)
    return directory.names(contact.id for contact, _count in rows)


SEARCH_THROUGH = pytest.mark.parametrize("search", [service_names, repository_names], ids=["service", "repository"])


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lefèvre", ["Lefèvre"]),
        ("LEFEVRE", ["Lefèvre"]),
        ("lefevre", ["Lefèvre"]),
        ("Lefe\u0300vre", ["Lefèvre"]),
        ("Lefe\u0301vre", ["Lefèvre"]),
        ("lefèv", ["Lefèvre"]),
        ("N'Diaye", ["N’Diaye"]),
        ("N’Diaye", ["N’Diaye"]),
        ("n’diaye", ["N’Diaye"]),
        ("DIAYE", ["N’Diaye"]),
        ("propreté", ["Propreté des Alpes"]),
        ("PROPRETE", ["Propreté des Alpes"]),
        ("briancon", ["Propreté des Alpes"]),
        ("Jean-Pierre", ["Dupont"]),
        ("jean pierre", ["Dupont"]),
        ("emile", ["Roux"]),
        ("anne.lefevre@exemple.fr", ["Lefèvre"]),
        ("ANNE.LEFEVRE@EXEMPLE.FR", ["Lefèvre"]),
        ("lefebvre", []),
        ("Garcia", []),
        ("introuvable", []),
    ],
)
def test_search_ignores_case_accents_apostrophes(search, search_sessions, search_directory, text, expected):
    names = search(search_sessions, search_directory, ContactFilters(text=text))

    assert names == expected


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06 12 34 56 78", ["Lefèvre"]),
        ("06.12.34.56.78", ["Lefèvre"]),
        ("06-12-34-56-78", ["Lefèvre"]),
        ("+33 6 12 34 56 78", ["Lefèvre"]),
        ("+33 (0)6 12 34 56 78", ["Lefèvre"]),
        ("0033612345678", ["Lefèvre"]),
        ("0612345678", ["Lefèvre"]),
        ("56 78", ["Lefèvre"]),
        ("04 92 51 00 00", ["N’Diaye"]),
        ("+33492531122", ["Propreté des Alpes"]),
        ("0492", ["N’Diaye", "Propreté des Alpes"]),
        ("07 81 22 33 44", ["Dupont"]),
        ("06 99 99 99 99", []),
    ],
)
def test_search_matches_phone_in_every_format(search, search_sessions, search_directory, text, expected):
    names = search(search_sessions, search_directory, ContactFilters(text=text))

    assert names == expected


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anne gap", ["Lefèvre"]),
        ("Gap Anne", ["Lefèvre"]),
        ("anne paris", []),
        ("rue victor hugo", ["Lefèvre"]),
        ("rue", ["Lefèvre", "Propreté des Alpes"]),
        ("rue centrale", ["Propreté des Alpes"]),
        ("moussa embrun", ["N’Diaye"]),
        ("moussa 05200", ["N’Diaye"]),
        ("alpes 0492", ["Propreté des Alpes"]),
        ("Dupont Anne", []),
    ],
)
def test_search_requires_every_word(search, search_sessions, search_directory, text, expected):
    names = search(search_sessions, search_directory, ContactFilters(text=text))

    assert names == expected


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ly", ["Ly"]),
        ("ly", ["Ly"]),
        ("ly kim", ["Ly"]),
        ("Ki", ["Ly"]),
        ("N", ["Lefèvre", "N’Diaye", "Propreté des Alpes", "Dupont"]),
        ("ro", ["Propreté des Alpes", "Roux"]),
        ("Ox", []),
    ],
)
def test_search_short_terms(search, search_sessions, search_directory, text, expected):
    names = search(search_sessions, search_directory, ContactFilters(text=text, sort="recent"))

    assert sorted(names) == sorted(expected)


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("contact_types", "include_archived", "expected"),
    [
        (("gardien",), False, ["Lefèvre", "Roux"]),
        (("gardien", "syndic"), False, ["Lefèvre", "N’Diaye", "Roux"]),
        (("societe_nettoyage", "bailleur", "divers"), False, ["Dupont", "Ly", "Propreté des Alpes"]),
        (("gardien",), True, ["Lefebvre", "Lefèvre", "Roux"]),
        (("collectivite",), False, []),
        ((), False, ["Dupont", "Lefèvre", "Ly", "N’Diaye", "Propreté des Alpes", "Roux"]),
    ],
)
def test_type_filter_keeps_listed_types(search, search_sessions, search_directory, contact_types, include_archived, expected):
    filters = ContactFilters(contact_types=contact_types, include_archived=include_archived)

    names = search(search_sessions, search_directory, filters)

    assert names == expected


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("habitat", "is_multiple", "include_archived", "expected"),
    [
        ("tilleuls", True, False, ["Lefèvre", "Propreté des Alpes"]),
        ("tilleuls", None, False, ["Garcia", "Lefèvre", "Propreté des Alpes"]),
        ("tilleuls", False, False, ["Garcia"]),
        ("cite", True, False, ["Lefèvre"]),
        ("clos", True, False, ["N’Diaye"]),
        ("pins", True, False, ["Roux"]),
        ("pins", True, True, ["Lefebvre", "Roux"]),
    ],
)
def test_habitat_filter_keeps_current_links(search, search_sessions, search_directory, habitat, is_multiple, include_archived, expected):
    filters = ContactFilters(
        habitat_id=search_directory.habitat_ids[habitat], is_multiple=is_multiple, include_archived=include_archived
    )

    names = search(search_sessions, search_directory, filters)

    assert names == expected


@SEARCH_THROUGH
def test_habitat_filter_unknown_habitat_empty(search, search_sessions, search_directory):
    names = search(search_sessions, search_directory, ContactFilters(habitat_id=999_999))

    assert names == []


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Gap", ["Lefèvre", "Propreté des Alpes"]),
        ("GAP", ["Lefèvre", "Propreté des Alpes"]),
        ("Briançon", ["Propreté des Alpes"]),
        ("briancon", ["Propreté des Alpes"]),
        ("Saint-Étienne", ["Roux"]),
        ("saint etienne", ["Roux"]),
        ("SAINT-ETIENNE", ["Roux"]),
        ("saint", ["Roux"]),
        ("Bri", ["Propreté des Alpes"]),
        ("'", ["Dupont", "Lefèvre", "Ly", "N’Diaye", "Propreté des Alpes", "Roux"]),
        ("Paris", ["Dupont", "Lefèvre"]),
        ("Embrun", ["N’Diaye"]),
        ("05", ["Lefèvre", "N’Diaye", "Propreté des Alpes"]),
        ("052", ["N’Diaye"]),
        ("05 000", ["Lefèvre", "Propreté des Alpes"]),
        ("75012", ["Dupont", "Lefèvre"]),
        ("42", ["Roux"]),
        ("Lyon", []),
        ("13", []),
        ("   ", ["Dupont", "Lefèvre", "Ly", "N’Diaye", "Propreté des Alpes", "Roux"]),
    ],
)
def test_place_filter_matches_contact_or_linked_habitat(search, search_sessions, search_directory, place, expected):
    names = search(search_sessions, search_directory, ContactFilters(place=place))

    assert names == expected


@SEARCH_THROUGH
def test_place_filter_finds_simple_via_owner(search, search_sessions, search_directory):
    names = search(search_sessions, search_directory, ContactFilters(place="Gap", is_multiple=False))

    assert names == ["Garcia"]


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("include_archived", "expected"),
    [(False, ["Dupont", "Ly"]), (True, ["Dupont", "Ly"])],
)
def test_unlinked_only_keeps_contacts_without_current_link(search, search_sessions, search_directory, include_archived, expected):
    filters = ContactFilters(unlinked_only=True, include_archived=include_archived)

    names = search(search_sessions, search_directory, filters)

    assert names == expected


@SEARCH_THROUGH
def test_unlinked_only_counts_ended_link_as_unlinked(search, sessions, directory):
    cleaning_company_id = directory.contact_ids["Propreté des Alpes"]
    current = [link for link in contacts.get_contact(sessions, AGENT, cleaning_company_id).links if link.is_current]
    links.end_link(sessions, AGENT, cleaning_company_id, current[0].id, YESTERDAY)

    names = search(sessions, directory, ContactFilters(unlinked_only=True))

    assert names == ["Dupont", "Ly", "Propreté des Alpes"]


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ContactFilters(text="lefebvre"), []),
        (ContactFilters(text="lefebvre", include_archived=True), ["Lefebvre"]),
        (ContactFilters(text="lefe", include_archived=True), ["Lefebvre", "Lefèvre"]),
        (ContactFilters(text="lefe"), ["Lefèvre"]),
    ],
)
def test_archived_hidden_unless_requested(search, search_sessions, search_directory, filters, expected):
    names = search(search_sessions, search_directory, filters)

    assert names == expected


def test_archived_row_flagged(search_sessions, search_directory):
    result = contacts.search_contacts(search_sessions, AGENT, ContactFilters(text="lefebvre", include_archived=True), 1, 10)

    assert result.rows[0].is_archived is True


def test_restored_contact_listed_again(sessions, directory):
    contacts.set_contact_archived(sessions, AGENT, directory.contact_ids["Lefebvre"], False)

    result = contacts.search_contacts(sessions, AGENT, ContactFilters(text="lefebvre"), 1, 10)

    assert directory.names(row.id for row in result.rows) == ["Lefebvre"]


@SEARCH_THROUGH
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Dupont", "Lefèvre", "Ly", "N’Diaye", "Propreté des Alpes", "Roux"]),
        ("type", ["Dupont", "Ly", "Lefèvre", "Roux", "Propreté des Alpes", "N’Diaye"]),
        ("habitats", ["Lefèvre", "N’Diaye", "Propreté des Alpes", "Roux", "Dupont", "Ly"]),
        ("recent", ["Roux", "Ly", "Dupont", "Propreté des Alpes", "N’Diaye", "Lefèvre"]),
        ("unknown", ["Dupont", "Lefèvre", "Ly", "N’Diaye", "Propreté des Alpes", "Roux"]),
    ],
)
def test_sort_orders(search, search_sessions, search_directory, sort, expected):
    names = search(search_sessions, search_directory, ContactFilters(sort=sort))

    assert names == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Lefèvre", 2), ("N’Diaye", 1), ("Propreté des Alpes", 1), ("Roux", 1), ("Dupont", 0), ("Ly", 0)],
)
def test_linked_habitat_count_distinct_current_habitats(search_sessions, search_directory, name, expected):
    result = contacts.search_contacts(search_sessions, AGENT, ContactFilters(), 1, 100)

    counts = {row.id: row.linked_habitat_count for row in result.rows}

    assert counts[search_directory.contact_ids[name]] == expected


def test_repository_linked_habitat_count_as_of_date(search_sessions, search_directory):
    cleaning_company_id = search_directory.contact_ids["Propreté des Alpes"]
    filters = ContactFilters(text="propreté")

    with search_sessions() as session:
        rows_now, _ = repository.search_contacts(session, filters, offset=0, limit=10, today=TODAY)
        rows_before, _ = repository.search_contacts(
            session, filters, offset=0, limit=10, today=YESTERDAY - dt.timedelta(days=1)
        )

    assert [(contact.id, count) for contact, count in rows_now] == [(cleaning_company_id, 1)]
    assert [(contact.id, count) for contact, count in rows_before] == [(cleaning_company_id, 2)]


def test_search_finds_new_name_after_update(sessions, directory):
    contact_id = directory.contact_ids["Roux"]
    form = dataclasses.replace(CONTACT_FORMS["Roux"], last_name="Rousseau-Dumas")
    contacts.update_contact(sessions, AGENT, contact_id, form)

    old = contacts.search_contacts(sessions, AGENT, ContactFilters(text="roux"), 1, 10)
    new = contacts.search_contacts(sessions, AGENT, ContactFilters(text="dumas"), 1, 10)

    assert old.total == 0
    assert [row.id for row in new.rows] == [contact_id]


def test_contact_row_display_values(search_sessions, search_directory):
    result = contacts.search_contacts(search_sessions, AGENT, ContactFilters(text="lefevre"), 1, 10)

    row = result.rows[0]

    assert row.full_name == "LEFÈVRE Anne"
    assert row.company_name == ""
    assert row.contact_type == "Gardien"
    assert row.phone == "06 12 34 56 78"
    assert row.email == "anne.lefevre@exemple.fr"
    assert row.address == "3 rue Victor Hugo, 05000 Gap"
    assert row.is_multiple is True


PAGED_CONTACT_COUNT = 25


@pytest.fixture
def numbered_contacts(sessions) -> list[int]:
    """Create 25 gardiens named Martin 01 to Martin 25, so name order is number order, and return their ids."""
    ids = []
    for number in range(1, PAGED_CONTACT_COUNT + 1):
        form = ContactInput(contact_type="gardien", last_name="Martin", first_name=f"{number:02d}")
        ids.append(contacts.create_contact(sessions, AGENT, form).id)
    return ids


@pytest.mark.parametrize(
    ("page", "page_size", "expected_numbers"),
    [
        (1, 10, list(range(1, 11))),
        (2, 10, list(range(11, 21))),
        (3, 10, list(range(21, 26))),
        (4, 10, []),
        (2, 7, list(range(8, 15))),
        (1, 25, list(range(1, 26))),
        (1, 100, list(range(1, 26))),
        (0, 10, list(range(1, 11))),
    ],
)
def test_paging_returns_requested_slice(sessions, numbered_contacts, page, page_size, expected_numbers):
    result = contacts.search_contacts(sessions, AGENT, ContactFilters(), page, page_size)

    assert [row.id for row in result.rows] == [numbered_contacts[n - 1] for n in expected_numbers]
    assert result.total == PAGED_CONTACT_COUNT
    assert result.page_size == page_size


@pytest.mark.parametrize(("page_size", "expected_page_count"), [(10, 3), (5, 5), (25, 1), (100, 1)])
def test_paging_page_count(sessions, numbered_contacts, page_size, expected_page_count):
    result = contacts.search_contacts(sessions, AGENT, ContactFilters(), 1, page_size)

    assert result.page_count == expected_page_count


def test_paging_total_counts_only_matches(sessions, numbered_contacts):
    contacts.set_contact_archived(sessions, AGENT, numbered_contacts[0], True)
    contacts.create_contact(sessions, AGENT, ContactInput(contact_type="syndic", company_name="Syndic Martin"))

    result = contacts.search_contacts(sessions, AGENT, ContactFilters(text="martin", contact_types=("gardien",)), 2, 10)

    assert result.total == PAGED_CONTACT_COUNT - 1
    assert len(result.rows) == 10


def test_repository_paging_offset_and_limit(sessions, numbered_contacts):
    with sessions() as session:
        rows, total = repository.search_contacts(session, ContactFilters(), offset=20, limit=10, today=TODAY)

    assert [contact.id for contact, _count in rows] == numbered_contacts[20:]
    assert total == PAGED_CONTACT_COUNT

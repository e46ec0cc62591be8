"""Contact, link and habitat use cases on SQLite and PostgreSQL: what they store and what they reject."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from trackoe import repository
from trackoe.errors import ConflictError, NotFoundError, ValidationError
from trackoe.models import Dwelling, Habitat, Premises
from trackoe.records import refresh_habitat_keys
from trackoe.services import contacts, habitats, links
from trackoe.validation import ContactInput, validate_link
from trackoe.views import ContactFilters
from tests.actors import ADMIN, AGENT

TODAY = dt.date.today()
ALL_TABLES = ("habitat", "dwelling", "premises", "contact", "contact_link")

ANNE = ContactInput(
    contact_type="gardien",
    civility="Mme",
    last_name="Lefe\u0301vre",
    first_name="Anne",
    phone_mobile="06.12.34.56.78",
    phone_landline="",
    email="  Anne.LEFEVRE@Exemple.FR ",
    address_line1="3 rue Victor Hugo",
    address_line2="   ",
    postcode="05000",
    city="Gap",
    comment="",
)
CLEANING_COMPANY = ContactInput(contact_type="societe_nettoyage", company_name="Propreté des Alpes")


@dataclasses.dataclass(frozen=True)
class HabitatIds:
    """Ids of one test habitat with its single logement and local."""

    habitat: int
    dwelling: int
    premises: int


@dataclasses.dataclass(frozen=True)
class Site:
    """Two habitats, so a link can name a logement or local of the wrong one."""

    tilleuls: HabitatIds
    pins: HabitatIds


def add_habitat(sessions, code: str, name: str, postcode: str, city: str) -> HabitatIds:
    with sessions.begin() as session:
        habitat = Habitat(code=code, name=name, address_line="1 rue de la Paix", postcode=postcode, city=city)
        refresh_habitat_keys(habitat)
        dwelling = Dwelling(reference="A12")
        premises = Premises(name="Local poubelles", kind="Local poubelles")
        habitat.dwellings.append(dwelling)
        habitat.premises.append(premises)
        session.add(habitat)
        session.flush()
        return HabitatIds(habitat=habitat.id, dwelling=dwelling.id, premises=premises.id)


@pytest.fixture
def site(sessions) -> Site:
    return Site(
        tilleuls=add_habitat(sessions, "GAP-01", "Résidence Les Tilleuls", "05000", "Gap"),
        pins=add_habitat(sessions, "STE-01", "Les Pins", "42000", "Saint-Étienne"),
    )


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in ALL_TABLES}


def stored_contact(engine, contact_id: int) -> dict:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM contact WHERE id = :id"), {"id": contact_id}).mappings().one()
    return dict(row)


def test_create_then_get_roundtrip(sessions):
    created = contacts.create_contact(sessions, AGENT, ANNE)

    fetched = contacts.get_contact(sessions, AGENT, created.id)

    assert fetched == created
    assert fetched.is_multiple is True
    assert fetched.contact_type == "gardien"
    assert fetched.civility == "Mme"
    assert fetched.last_name == "Lef\u00e9vre"
    assert fetched.first_name == "Anne"
    assert fetched.phone_mobile == "+33612345678"
    assert fetched.email == "anne.lefevre@exemple.fr"
    assert fetched.postcode == "05000"
    assert fetched.display_name == "LEF\u00c9VRE Anne"
    assert fetched.version == 1
    assert fetched.links == []


def test_create_shows_phone_french_style(sessions):
    created = contacts.create_contact(sessions, AGENT, ANNE)

    result = contacts.search_contacts(sessions, AGENT, ContactFilters(), 1, 10)

    assert [(row.id, row.phone) for row in result.rows] == [(created.id, "06 12 34 56 78")]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("last_name", "Lef\u00e9vre"),
        ("phone_mobile", "+33612345678"),
        ("email", "anne.lefevre@exemple.fr"),
        ("postcode", "05000"),
        ("city_key", "gap"),
        ("habitat_id", None),
        ("phone_landline", None),
        ("address_line2", None),
        ("comment", None),
        ("company_name", None),
        ("creation_token", None),
        ("archived_at", None),
    ],
)
def test_create_stores_normalised_values(sessions, engine, column, expected):
    created = contacts.create_contact(sessions, AGENT, ANNE)

    stored = stored_contact(engine, created.id)

    assert stored[column] == expected


def test_create_stores_search_text(sessions, engine):
    created = contacts.create_contact(sessions, AGENT, ANNE)

    stored = stored_contact(engine, created.id)

    assert stored["search_text"] == "lefevre anne anne lefevre exemple fr 3 rue victor hugo 05000 gap 0612345678"


@pytest.mark.parametrize(
    "form",
    [
        dataclasses.replace(ANNE, contact_type=""),
        dataclasses.replace(ANNE, last_name="  ", company_name=None),
        dataclasses.replace(ANNE, phone_mobile="06 12"),
        dataclasses.replace(ANNE, email="anne@"),
        dataclasses.replace(ANNE, postcode="5000"),
        dataclasses.replace(ANNE, city="x" * 121),
    ],
    ids=["no type", "no name", "phone", "email", "postcode", "long city"],
)
def test_create_invalid_input_writes_nothing(sessions, engine, form):
    before = row_counts(engine)

    with pytest.raises(ValidationError):
        contacts.create_contact(sessions, AGENT, form)

    assert row_counts(engine) == before


def test_create_same_token_twice_creates_one(sessions, engine):
    first = contacts.create_contact(sessions, AGENT, ANNE, creation_token="form-7f3a")

    second = contacts.create_contact(sessions, AGENT, ANNE, creation_token="form-7f3a")

    assert second.id == first.id
    assert row_counts(engine)["contact"] == 1


def test_create_different_tokens_create_two(sessions, engine):
    contacts.create_contact(sessions, AGENT, ANNE, creation_token="form-1")

    contacts.create_contact(sessions, AGENT, ANNE, creation_token="form-2")

    assert row_counts(engine)["contact"] == 2


def test_get_missing_contact_not_found(sessions):
    with pytest.raises(NotFoundError) as raised:
        contacts.get_contact(sessions, AGENT, 999_999)

    assert "999999" in raised.value.message


def test_update_saves_form_and_bumps_version(sessions):
    created = contacts.create_contact(sessions, AGENT, ANNE)
    form = dataclasses.replace(ANNE, phone_mobile="+33 7 81 22 33 44", email="")

    updated = contacts.update_contact(sessions, AGENT, created.id, form, expected_version=created.version)

    assert updated.phone_mobile == "+33781223344"
    assert updated.email is None
    assert updated.version == created.version + 1


def test_update_stale_version_conflict(sessions):
    created = contacts.create_contact(sessions, AGENT, ANNE)
    contacts.update_contact(sessions, AGENT, created.id, dataclasses.replace(ANNE, first_name="Annie"))

    with pytest.raises(ConflictError):
        contacts.update_contact(sessions, AGENT, created.id, dataclasses.replace(ANNE, first_name="Anna"), expected_version=created.version
        )

    assert contacts.get_contact(sessions, AGENT, created.id).first_name == "Annie"


def test_update_invalid_input_keeps_contact(sessions):
    created = contacts.create_contact(sessions, AGENT, ANNE)

    with pytest.raises(ValidationError):
        contacts.update_contact(sessions, AGENT, created.id, dataclasses.replace(ANNE, email="anne@"))

    assert contacts.get_contact(sessions, AGENT, created.id) == created


def test_update_missing_contact_not_found(sessions):
    with pytest.raises(NotFoundError):
        contacts.update_contact(sessions, AGENT, 999_999, ANNE)


def test_archive_then_restore(sessions):
    created = contacts.create_contact(sessions, AGENT, ANNE)

    archived = contacts.set_contact_archived(sessions, AGENT, created.id, True)
    restored = contacts.set_contact_archived(sessions, AGENT, created.id, False)

    assert archived.is_archived is True
    assert restored.is_archived is False
    assert contacts.get_contact(sessions, AGENT, created.id).is_archived is False


def test_archive_stores_timestamp(sessions, engine):
    created = contacts.create_contact(sessions, AGENT, ANNE)

    contacts.set_contact_archived(sessions, AGENT, created.id, True)

    assert stored_contact(engine, created.id)["archived_at"] is not None


@pytest.mark.parametrize(
    ("target", "expected_target"),
    [(None, ""), ("dwelling", "Logement A12"), ("premises", "Local poubelles")],
)
def test_add_link_to_habitat_or_its_target(sessions, site, target, expected_target):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    data = validate_link(
        site.tilleuls.habitat,
        "Gardien",
        dwelling_id=site.tilleuls.dwelling if target == "dwelling" else None,
        premises_id=site.tilleuls.premises if target == "premises" else None,
        is_primary=True,
        start_date=dt.date(2024, 1, 15),
    )

    link_id = links.add_link(sessions, AGENT, contact.id, data)

    [link] = contacts.get_contact(sessions, AGENT, contact.id).links
    assert link.id == link_id
    assert link.habitat_id == site.tilleuls.habitat
    assert link.habitat_code == "GAP-01"
    assert link.target == expected_target
    assert link.role == "Gardien"
    assert link.is_primary is True
    assert link.start_date == dt.date(2024, 1, 15)
    assert link.is_current is True


def test_add_link_missing_habitat_writes_nothing(sessions, engine, site):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    before = row_counts(engine)

    with pytest.raises(NotFoundError):
        links.add_link(sessions, AGENT, contact.id, validate_link(999_999, "Gardien"))

    assert row_counts(engine) == before


def test_add_link_missing_contact_not_found(sessions, site):
    with pytest.raises(NotFoundError):
        links.add_link(sessions, AGENT, 999_999, validate_link(site.tilleuls.habitat, "Gardien"))


@pytest.mark.parametrize("target", ["dwelling", "premises"])
def test_add_link_target_of_other_habitat_rejected(sessions, engine, site, target):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    data = validate_link(
        site.tilleuls.habitat,
        "Gardien",
        dwelling_id=site.pins.dwelling if target == "dwelling" else None,
        premises_id=site.pins.premises if target == "premises" else None,
    )
    before = row_counts(engine)

    with pytest.raises(ValidationError) as raised:
        links.add_link(sessions, AGENT, contact.id, data)

    assert f"{target}_id" in raised.value.field_errors
    assert row_counts(engine) == before


@pytest.mark.parametrize("target", ["dwelling", "premises"])
def test_add_link_missing_target_rejected(sessions, site, target):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    data = validate_link(
        site.tilleuls.habitat,
        "Gardien",
        dwelling_id=999_999 if target == "dwelling" else None,
        premises_id=999_999 if target == "premises" else None,
    )

    with pytest.raises(ValidationError):
        links.add_link(sessions, AGENT, contact.id, data)


def test_add_duplicate_current_link_conflict(sessions, engine, site):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))
    before = row_counts(engine)

    with pytest.raises(ConflictError):
        links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))

    assert row_counts(engine) == before


@pytest.mark.parametrize(
    ("role", "dwelling"),
    [("Responsable", False), ("Gardien", True)],
    ids=["other role", "narrowed to dwelling"],
)
def test_add_second_link_same_habitat_allowed(sessions, site, role, dwelling):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))
    data = validate_link(site.tilleuls.habitat, role, dwelling_id=site.tilleuls.dwelling if dwelling else None)

    links.add_link(sessions, AGENT, contact.id, data)

    assert len(contacts.get_contact(sessions, AGENT, contact.id).links) == 2


def test_end_link_keeps_history(sessions, site):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    link_id = links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))

    links.end_link(sessions, AGENT, contact.id, link_id, TODAY)

    [link] = contacts.get_contact(sessions, AGENT, contact.id).links
    assert link.id == link_id
    assert link.end_date == TODAY
    assert link.is_current is False


def test_end_link_future_date_still_current(sessions, site):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    link_id = links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))

    links.end_link(sessions, AGENT, contact.id, link_id, TODAY + dt.timedelta(days=30))

    [link] = contacts.get_contact(sessions, AGENT, contact.id).links
    assert link.is_current is True


def test_relink_after_end_allowed(sessions, site):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    first_id = links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))
    links.end_link(sessions, AGENT, contact.id, first_id, TODAY)

    second_id = links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))

    current = [link.id for link in contacts.get_contact(sessions, AGENT, contact.id).links if link.is_current]
    assert current == [second_id]


def test_end_link_before_start_rejected(sessions, site):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    data = validate_link(site.tilleuls.habitat, "Gardien", start_date=dt.date(2024, 6, 1))
    link_id = links.add_link(sessions, AGENT, contact.id, data)

    with pytest.raises(ValidationError) as raised:
        links.end_link(sessions, AGENT, contact.id, link_id, dt.date(2024, 5, 31))

    assert "end_date" in raised.value.field_errors
    assert contacts.get_contact(sessions, AGENT, contact.id).links[0].end_date is None


def test_end_link_twice_conflict(sessions, site):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    link_id = links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))
    links.end_link(sessions, AGENT, contact.id, link_id, TODAY)

    with pytest.raises(ConflictError):
        links.end_link(sessions, AGENT, contact.id, link_id, TODAY)


def test_remove_link_deletes_it(sessions, engine, site):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    link_id = links.add_link(sessions, AGENT, contact.id, validate_link(site.tilleuls.habitat, "Gardien"))

    links.remove_link(sessions, AGENT, contact.id, link_id)

    assert contacts.get_contact(sessions, AGENT, contact.id).links == []
    assert row_counts(engine)["contact_link"] == 0


@pytest.mark.parametrize("action", ["end", "remove"])
def test_link_of_other_contact_not_found(sessions, engine, site, action):
    owner = contacts.create_contact(sessions, AGENT, ANNE)
    other = contacts.create_contact(sessions, AGENT, CLEANING_COMPANY)
    link_id = links.add_link(sessions, AGENT, owner.id, validate_link(site.tilleuls.habitat, "Gardien"))
    before = row_counts(engine)

    with pytest.raises(NotFoundError):
        if action == "end":
            links.end_link(sessions, AGENT, other.id, link_id, TODAY)
        else:
            links.remove_link(sessions, AGENT, other.id, link_id)

    assert row_counts(engine) == before


def test_simple_contact_listed_on_its_habitat(sessions, site):
    simple = contacts.create_contact(sessions, AGENT, ANNE, habitat_id=site.tilleuls.habitat)

    rows = habitats.habitat_contacts(sessions, AGENT, site.tilleuls.habitat)

    assert simple.is_multiple is False
    assert simple.habitat_label == "GAP-01 · Résidence Les Tilleuls"
    assert [(row.contact_id, row.is_multiple) for row in rows] == [(simple.id, False)]


def test_simple_contact_cannot_be_linked(sessions, engine, site):
    simple = contacts.create_contact(sessions, AGENT, ANNE, habitat_id=site.tilleuls.habitat)
    before = row_counts(engine)

    with pytest.raises(ConflictError):
        links.add_link(sessions, AGENT, simple.id, validate_link(site.pins.habitat, "Gardien"))

    assert row_counts(engine) == before


def test_simple_contact_missing_habitat_writes_nothing(sessions, engine, site):
    before = row_counts(engine)

    with pytest.raises(NotFoundError):
        contacts.create_contact(sessions, AGENT, ANNE, habitat_id=999_999)

    assert row_counts(engine) == before


def test_delete_habitat_keeps_multiple_contacts(sessions, engine, site):
    simple = contacts.create_contact(sessions, AGENT, ANNE, habitat_id=site.tilleuls.habitat)
    multiple = contacts.create_contact(sessions, AGENT, CLEANING_COMPANY)
    links.add_link(sessions, AGENT, multiple.id, validate_link(site.tilleuls.habitat, "Société de nettoyage"))
    links.add_link(sessions, AGENT,
        multiple.id,
        validate_link(site.tilleuls.habitat, "Responsable", premises_id=site.tilleuls.premises),
    )
    kept_link_id = links.add_link(sessions, AGENT, multiple.id, validate_link(site.pins.habitat, "Société de nettoyage"))

    habitats.delete_habitat(sessions, ADMIN, site.tilleuls.habitat)

    assert [link.id for link in contacts.get_contact(sessions, AGENT, multiple.id).links] == [kept_link_id]
    with pytest.raises(NotFoundError):
        contacts.get_contact(sessions, AGENT, simple.id)
    assert row_counts(engine) == {"habitat": 1, "dwelling": 1, "premises": 1, "contact": 1, "contact_link": 1}


def test_delete_missing_habitat_not_found(sessions, site):
    with pytest.raises(NotFoundError):
        habitats.delete_habitat(sessions, ADMIN, 999_999)


@pytest.mark.parametrize(
    ("column", "missing_id"),
    [("habitat_id", 999_999), ("dwelling_id", 999_999), ("premises_id", 999_999), ("contact_id", 999_999)],
)
def test_foreign_keys_enforced(sessions, engine, site, column, missing_id):
    contact = contacts.create_contact(sessions, AGENT, ANNE)
    values = {"contact_id": contact.id, "habitat_id": site.tilleuls.habitat, "dwelling_id": None, "premises_id": None}
    values[column] = missing_id

    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contact_link (contact_id, habitat_id, dwelling_id, premises_id, role, is_primary, version)"
                " VALUES (:contact_id, :habitat_id, :dwelling_id, :premises_id, 'Gardien', :is_primary, 1)"
            ),
            {**values, "is_primary": False},
        )

    assert row_counts(engine)["contact_link"] == 0


def test_check_constraint_rejects_simple_without_habitat(sessions, engine):
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contact (is_multiple, contact_type, last_name, search_text, sort_key, version)"
                " VALUES (:is_multiple, 'gardien', 'Lefèvre', '', '', 1)"
            ),
            {"is_multiple": False},
        )

    assert row_counts(engine)["contact"] == 0


def test_create_with_links_in_one_transaction(sessions, site):
    data = (
        validate_link(site.tilleuls.habitat, "Gardien", dwelling_id=site.tilleuls.dwelling),
        validate_link(site.pins.habitat, "Gardien", is_primary=True),
    )

    created = contacts.create_contact(sessions, AGENT, ANNE, links=data)

    assert sorted(link.habitat_code for link in created.links) == ["GAP-01", "STE-01"]


@pytest.mark.parametrize(
    ("bad_link", "error"),
    [
        (lambda site: validate_link(999_999, "Gardien"), NotFoundError),
        (lambda site: validate_link(site.tilleuls.habitat, "Gardien", dwelling_id=site.pins.dwelling), ValidationError),
        (lambda site: validate_link(site.tilleuls.habitat, "Gardien"), ConflictError),
    ],
    ids=["missing habitat", "dwelling of other habitat", "duplicate"],
)
def test_create_with_one_invalid_link_writes_nothing(sessions, engine, site, bad_link, error):
    data = (validate_link(site.tilleuls.habitat, "Gardien"), bad_link(site))
    before = row_counts(engine)

    with pytest.raises(error):
        contacts.create_contact(sessions, AGENT, ANNE, creation_token="form-rollback", links=data)

    assert row_counts(engine) == before


def test_create_after_failed_attempt_with_same_token(sessions, site):
    data = (validate_link(999_999, "Gardien"),)
    with pytest.raises(NotFoundError):
        contacts.create_contact(sessions, AGENT, ANNE, creation_token="form-retry", links=data)

    created = contacts.create_contact(sessions, AGENT, ANNE, creation_token="form-retry")

    assert created.links == []


def test_habitat_contacts_lists_simple_and_multiple(sessions, site):
    simple = contacts.create_contact(sessions, AGENT, ContactInput(contact_type="habitant", last_name="Garcia"), habitat_id=site.tilleuls.habitat
    )
    archived_simple = contacts.create_contact(sessions, AGENT, ContactInput(contact_type="habitant", last_name="Martin"), habitat_id=site.tilleuls.habitat
    )
    contacts.set_contact_archived(sessions, AGENT, archived_simple.id, True)
    caretaker = contacts.create_contact(sessions, AGENT, ANNE)
    links.add_link(sessions, AGENT, caretaker.id, validate_link(site.tilleuls.habitat, "Gardien", dwelling_id=site.tilleuls.dwelling)
    )
    former = contacts.create_contact(sessions, AGENT, ContactInput(contact_type="syndic", company_name="Ancien Syndic"))
    ended_id = links.add_link(sessions, AGENT, former.id, validate_link(site.tilleuls.habitat, "Syndic"))
    links.end_link(sessions, AGENT, former.id, ended_id, TODAY)
    archived_multiple = contacts.create_contact(sessions, AGENT, CLEANING_COMPANY)
    links.add_link(sessions, AGENT, archived_multiple.id, validate_link(site.tilleuls.habitat, "Société de nettoyage"))
    contacts.set_contact_archived(sessions, AGENT, archived_multiple.id, True)
    elsewhere = contacts.create_contact(sessions, AGENT, ContactInput(contact_type="gardien", last_name="Roux"))
    links.add_link(sessions, AGENT, elsewhere.id, validate_link(site.pins.habitat, "Gardien"))

    rows = habitats.habitat_contacts(sessions, AGENT, site.tilleuls.habitat)

    assert [(row.contact_id, row.is_multiple) for row in rows] == [(simple.id, False), (caretaker.id, True)]
    assert rows[0].role == "Habitant"
    assert rows[1].role == "Gardien"
    assert rows[1].target == "Logement A12"
    assert rows[1].phone == "06 12 34 56 78"
    assert rows[1].display_name == "LEF\u00c9VRE Anne"


def test_habitat_contacts_reflect_contact_update(sessions, site):
    caretaker = contacts.create_contact(sessions, AGENT, ANNE)
    links.add_link(sessions, AGENT, caretaker.id, validate_link(site.tilleuls.habitat, "Gardien"))
    links.add_link(sessions, AGENT, caretaker.id, validate_link(site.pins.habitat, "Gardien"))

    contacts.update_contact(sessions, AGENT, caretaker.id, dataclasses.replace(ANNE, phone_mobile="07 81 22 33 44"))

    phones = [row.phone for habitat in (site.tilleuls, site.pins) for row in habitats.habitat_contacts(sessions, AGENT, habitat.habitat)]
    assert phones == ["07 81 22 33 44", "07 81 22 33 44"]


def test_update_concurrent_save_conflict(sessions, monkeypatch):
    created = contacts.create_contact(sessions, AGENT, ANNE)
    load_contact = repository.get_contact

    def load_then_save_elsewhere(session, contact_id):
        # Another agent saves the same contact between this update's read and its write.
        contact = load_contact(session, contact_id)
        monkeypatch.setattr(repository, "get_contact", load_contact)
        contacts.update_contact(sessions, AGENT, contact_id, dataclasses.replace(ANNE, first_name="Annie"))
        return contact

    monkeypatch.setattr(repository, "get_contact", load_then_save_elsewhere)

    with pytest.raises(ConflictError):
        contacts.update_contact(sessions, AGENT, created.id, dataclasses.replace(ANNE, first_name="Anna"))

    assert contacts.get_contact(sessions, AGENT, created.id).first_name == "Annie"

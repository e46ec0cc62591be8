"""Demo data: reproducible from a seed, valid, and as uneven as real coverage."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter

import phonenumbers
import pytest
from sqlalchemy import func, or_, select

from tests.test_import import run_cli
from trackoe.bootstrap import open_application
from trackoe.config import Settings
from trackoe.database import create_app_engine, create_session_factory
from trackoe.demo import DEFAULT_HABITAT_COUNT, generate_contacts, generate_habitats, seed_first_start
from trackoe.domain import PREMISES_KINDS, ContactType
from trackoe.models import Contact, ContactLink, Dwelling, Habitat, Premises
from trackoe.records import refresh_habitat_keys

TODAY = dt.date(2026, 6, 15)
E164_FRENCH = re.compile(r"^\+33[1-9][0-9]{8}$")


def current():
    """Return the condition of a link in force on TODAY, the date the demo is generated for."""
    return or_(ContactLink.end_date.is_(None), ContactLink.end_date > TODAY)


def snapshot(sessions) -> dict[str, list[tuple]]:
    """Return the demo data as plain sorted tuples, to compare two databases."""
    with sessions() as session:
        habitats = session.execute(
            select(Habitat.code, Habitat.name, Habitat.address_line, Habitat.postcode, Habitat.city, Habitat.landlord_name, Habitat.dwelling_count)
        ).all()
        contacts = session.execute(
            select(Contact.contact_type, Contact.last_name, Contact.first_name, Contact.company_name, Contact.phone_mobile, Contact.phone_landline, Contact.email)
        ).all()
        links = session.execute(
            select(Habitat.code, Contact.last_name, Contact.company_name, ContactLink.role, ContactLink.start_date, ContactLink.end_date)
            .join(Habitat, Habitat.id == ContactLink.habitat_id)
            .join(Contact, Contact.id == ContactLink.contact_id)
        ).all()
    tables = (("habitats", habitats), ("contacts", contacts), ("links", links))
    return {name: sorted((tuple(row) for row in rows), key=repr) for name, rows in tables}


@pytest.fixture
def other_sessions(tmp_path, sqlite_template):
    """Return sessions on a second empty SQLite database, to compare with the `sessions` one."""
    path = tmp_path / "other.db"
    shutil.copy(sqlite_template, path)
    engine = create_app_engine(f"sqlite:///{path}")
    yield create_session_factory(engine)
    engine.dispose()


DEMO_HABITAT_COUNT = 60


@pytest.fixture
def demo(sessions):
    """Fill the database with 60 demo habitats and their contacts; return the contacts report."""
    generate_habitats(sessions, DEMO_HABITAT_COUNT, seed=11)
    return generate_contacts(sessions, seed=11, today=TODAY)


def test_demo_is_reproducible_from_seed(sessions, other_sessions):
    generate_habitats(sessions, 30, seed=7)
    report = generate_contacts(sessions, seed=7, today=TODAY)
    generate_habitats(other_sessions, 30, seed=7)
    other_report = generate_contacts(other_sessions, seed=7, today=TODAY)

    assert report == other_report
    assert snapshot(sessions) == snapshot(other_sessions)


def test_demo_differs_between_seeds(sessions, other_sessions):
    generate_habitats(sessions, 10, seed=1)
    generate_habitats(other_sessions, 10, seed=2)

    assert snapshot(sessions)["habitats"] != snapshot(other_sessions)["habitats"]


def test_seed_first_start_builds_default_demo(sessions):
    seed_first_start(sessions)

    with sessions() as session:
        habitat_count = session.scalar(select(func.count()).select_from(Habitat))
        contact_count = session.scalar(select(func.count()).select_from(Contact))
        landlord_count = session.scalar(
            select(func.count()).select_from(Contact).where(Contact.contact_type == ContactType.BAILLEUR.value)
        )

    assert habitat_count == DEFAULT_HABITAT_COUNT
    assert 500 <= contact_count <= 700
    assert 1 <= landlord_count <= 6


def test_demo_habitat_codes_continue(sessions):
    first = generate_habitats(sessions, 3, seed=1)
    second = generate_habitats(sessions, 2, seed=1)

    with sessions() as session:
        codes = list(session.scalars(select(Habitat.code).order_by(Habitat.code)))
    assert (first, second) == (3, 2)
    assert codes == ["DEMO-0001", "DEMO-0002", "DEMO-0003", "DEMO-0004", "DEMO-0005"]


def test_demo_habitats_have_logements_and_locaux(sessions):
    generate_habitats(sessions, 20, seed=5)

    with sessions() as session:
        habitats = list(session.scalars(select(Habitat)))
        dwelling_counts = Counter(session.scalars(select(Dwelling.habitat_id)))
        references = list(session.scalars(select(Dwelling.reference)))
        kinds = Counter(session.scalars(select(Premises.kind)))
    assert len(dwelling_counts) == 20
    assert min(dwelling_counts.values()) >= 3
    assert all(re.fullmatch(r"[A-D]-[0-6][0-9]{2}", reference) for reference in references)
    assert set(kinds) <= set(PREMISES_KINDS)
    assert kinds["Local poubelles"] == 20
    assert all(re.fullmatch(r"[0-9]{5}", habitat.postcode) for habitat in habitats)
    assert all(habitat.search_text and habitat.sort_key for habitat in habitats)


def test_demo_links_landlords_to_their_habitats(sessions):
    generate_habitats(sessions, 40, seed=3)

    with sessions() as session:
        rows = session.execute(
            select(Habitat.landlord_name, Contact.company_name, Contact.contact_type, ContactLink.role)
            .join(ContactLink, ContactLink.habitat_id == Habitat.id)
            .join(Contact, Contact.id == ContactLink.contact_id)
        ).all()
        landlord_contacts = list(session.scalars(select(Contact).where(Contact.contact_type == ContactType.BAILLEUR.value)))
    assert len(rows) == 40
    assert all(landlord == company for landlord, company, _type, _role in rows)
    assert {(contact_type, role) for _landlord, _company, contact_type, role in rows} == {("bailleur", "Bailleur")}
    assert all(contact.phone_landline and contact.email for contact in landlord_contacts)


def test_demo_phones_are_valid_e164(sessions, demo):
    with sessions() as session:
        phones = [
            phone
            for pair in session.execute(select(Contact.phone_mobile, Contact.phone_landline))
            for phone in pair
            if phone is not None
        ]

    assert len(phones) > 200
    assert [phone for phone in phones if not E164_FRENCH.match(phone)] == []
    assert [phone for phone in phones if not phonenumbers.is_valid_number(phonenumbers.parse(phone))] == []


def test_demo_emails_are_lower_case(sessions, demo):
    with sessions() as session:
        emails = [email for email in session.scalars(select(Contact.email)) if email is not None]

    assert len(emails) > 100
    assert [email for email in emails if email != email.lower() or " " in email or email.count("@") != 1] == []


def test_demo_names_have_accents_and_apostrophes(sessions, demo):
    with sessions() as session:
        last_names = set(session.scalars(select(Contact.last_name).where(Contact.last_name.is_not(None))))

    assert any("'" in name for name in last_names)
    assert any("-" in name for name in last_names)
    assert any(re.search(r"[éèêëàâîïôöûüçÿ]", name) for name in last_names)


def test_demo_contacts_simples_belong_to_one_habitat(sessions, demo):
    with sessions() as session:
        simples = list(session.scalars(select(Contact).where(Contact.is_multiple.is_(False))))
        simple_links = session.scalar(
            select(func.count()).select_from(ContactLink).join(Contact, Contact.id == ContactLink.contact_id).where(Contact.is_multiple.is_(False))
        )

    assert len(simples) == demo.simple_contacts > DEMO_HABITAT_COUNT
    assert all(contact.habitat_id is not None for contact in simples)
    assert {contact.contact_type for contact in simples} <= {"habitant", "tiers_solidaire", "proprietaire_particulier"}
    assert simple_links == 0


def test_demo_leaves_habitats_without_caretaker(sessions, demo):
    with sessions() as session:
        covered = set(
            session.scalars(select(ContactLink.habitat_id).where(ContactLink.role == "Gardien", current()))
        )
        habitat_ids = set(session.scalars(select(Habitat.id)))

    uncovered = habitat_ids - covered
    assert len(uncovered) == demo.habitats_without_caretaker
    assert 0.10 * len(habitat_ids) <= len(uncovered) <= 0.20 * len(habitat_ids)


def test_caretakers_cover_nearby_habitats(sessions, demo):
    with sessions() as session:
        rows = session.execute(
            select(ContactLink.contact_id, Habitat.postcode)
            .join(Habitat, Habitat.id == ContactLink.habitat_id)
            .join(Contact, Contact.id == ContactLink.contact_id)
            .where(Contact.contact_type == ContactType.GARDIEN.value, current())
        ).all()

    postcodes_by_caretaker: dict[int, list[str]] = {}
    for contact_id, postcode in rows:
        postcodes_by_caretaker.setdefault(contact_id, []).append(postcode)
    assert len(postcodes_by_caretaker) == demo.caretakers
    assert Counter(len(postcodes) for postcodes in postcodes_by_caretaker.values()).keys() <= {1, 2, 3}
    assert all(len(set(postcodes)) == 1 for postcodes in postcodes_by_caretaker.values())


def test_demo_keeps_ended_links_as_history(sessions, demo):
    with sessions() as session:
        ended = list(session.scalars(select(ContactLink).where(ContactLink.end_date.is_not(None))))

    assert len(ended) == demo.ended_links > 0
    assert all(link.end_date < TODAY for link in ended)
    assert all(link.start_date <= link.end_date for link in ended)


def test_demo_has_unlinked_contacts_multiples(sessions, demo):
    with sessions() as session:
        linked = select(ContactLink.id).where(ContactLink.contact_id == Contact.id, current())
        unlinked = session.scalar(
            select(func.count()).select_from(Contact).where(Contact.is_multiple.is_(True), ~linked.exists())
        )

    assert unlinked == demo.unlinked_contacts > 0


def test_demo_service_companies_serve_many_habitats(sessions, demo):
    with sessions() as session:
        rows = session.execute(
            select(Contact.contact_type, func.count(func.distinct(ContactLink.habitat_id)))
            .join(ContactLink, ContactLink.contact_id == Contact.id)
            .where(Contact.contact_type.in_(["societe_nettoyage", "syndic"]), current())
            .group_by(Contact.id, Contact.contact_type)
        ).all()

    assert {contact_type for contact_type, _count in rows} == {"societe_nettoyage", "syndic"}
    assert max(habitat_count for _type, habitat_count in rows) >= 5


def test_demo_links_some_contacts_to_logements_and_locaux(sessions, demo):
    with sessions() as session:
        dwelling_links = session.scalar(select(func.count()).select_from(ContactLink).where(ContactLink.dwelling_id.is_not(None)))
        premises_links = session.scalar(select(func.count()).select_from(ContactLink).where(ContactLink.premises_id.is_not(None)))

    assert dwelling_links > 0
    assert premises_links > 0


def test_demo_report_counts_match_database(sessions, demo):
    with sessions() as session:
        contact_count = session.scalar(select(func.count()).select_from(Contact))
        link_count = session.scalar(select(func.count()).select_from(ContactLink))

    # generate_habitats created the landlords and their links, and generate_contacts the rest.
    landlord_count = contact_count - demo.contacts_created
    assert 1 <= landlord_count <= 6
    assert link_count == demo.links_created + DEMO_HABITAT_COUNT
    assert demo.contacts_created == demo.simple_contacts + demo.multiple_contacts == sum(demo.by_type.values())


def test_demo_contacts_without_habitat_creates_nothing(sessions):
    report = generate_contacts(sessions, seed=1, today=TODAY)

    assert report.contacts_created == 0


def test_demo_contacts_without_coordinates(sessions):
    with sessions.begin() as session:
        for number in range(1, 8):
            habitat = Habitat(code=f"H{number}", name=f"Résidence {number}", postcode="05000" if number < 5 else None, city="Gap")
            refresh_habitat_keys(habitat)
            session.add(habitat)

    report = generate_contacts(sessions, seed=3, today=TODAY)

    assert report.caretakers > 0
    assert report.habitats_without_caretaker == 1


def test_open_application_seeds_new_sqlite_file(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}")

    context = open_application(settings)
    with context.sessions() as session:
        habitat_count = session.scalar(select(func.count()).select_from(Habitat))
        contact_count = session.scalar(select(func.count()).select_from(Contact))
    context.engine.dispose()

    assert habitat_count == DEFAULT_HABITAT_COUNT
    assert 500 <= contact_count <= 700


def test_cli_demo_fills_empty_database(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"

    first = run_cli(database_url, "demo", "--habitats", "10", "--seed", "3", "--contacts-scale", "0.5")
    second = run_cli(database_url, "demo", "--seed", "4", "--contacts-scale", "0")

    assert first.returncode == 0, first.stderr
    assert "Habitats de démonstration créés : 10" in first.stdout
    assert "Contacts créés :" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "Habitats de démonstration créés" not in second.stdout
    assert "(0 contacts simples" in second.stdout

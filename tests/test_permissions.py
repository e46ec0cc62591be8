"""The role matrix: each role against each service action, on SQLite and PostgreSQL.

An allowed action runs; a refused one raises PermissionDeniedError and leaves every table as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from trackoe.access_views import AccountInput
from trackoe.errors import PermissionDeniedError
from trackoe.journal import JournalFilters
from trackoe.models import Habitat
from trackoe.permissions import Actor, Permission, Role, is_allowed
from trackoe.records import refresh_habitat_keys
from trackoe.services import accounts, contacts, habitats, journal, links
from trackoe.validation import ContactInput, validate_link
from trackoe.views import ContactFilters
from tests.actors import ADMIN, AGENT, AGENT_WITHOUT_PORTAL, READER

TABLES = ("habitat", "contact", "contact_link", "staff_user", "staff_session", "audit_event", "app_setting")


@dataclass(frozen=True)
class World:
    """Records every action can work on: two habitats, a linked contact multiple, a staff account."""

    habitat_id: int
    spare_habitat_id: int
    contact_id: int
    contact_version: int
    link_id: int
    account_id: int
    account_version: int


def _add_habitat(session, code: str) -> int:
    habitat = Habitat(code=code, name=f"Résidence {code}", postcode="05000", city="Gap")
    refresh_habitat_keys(habitat)
    session.add(habitat)
    session.flush()
    return habitat.id


@pytest.fixture
def world(sessions) -> World:
    with sessions.begin() as session:
        habitat_id = _add_habitat(session, "H1")
        spare_habitat_id = _add_habitat(session, "H2")

    contact = contacts.create_contact(sessions, ADMIN, ContactInput(contact_type="gardien", last_name="Martin"))
    link_id = links.add_link(sessions, ADMIN, contact.id, validate_link(habitat_id, "Gardien"))
    account = accounts.create_account(sessions, ADMIN, AccountInput("lucie", "Lucie", Role.AGENT.value)).account
    return World(
        habitat_id=habitat_id,
        spare_habitat_id=spare_habitat_id,
        contact_id=contact.id,
        contact_version=contacts.get_contact(sessions, ADMIN, contact.id).version,
        link_id=link_id,
        account_id=account.id,
        account_version=account.version,
    )


Action = Callable[[object, Actor, World], object]

# Each service action with the permission it needs.
ACTIONS: list[tuple[str, Permission, Action]] = [
    ("search_contacts", Permission.READ, lambda s, a, w: contacts.search_contacts(s, a, ContactFilters(), 1, 50)),
    ("get_contact", Permission.READ, lambda s, a, w: contacts.get_contact(s, a, w.contact_id)),
    ("search_habitats", Permission.READ, lambda s, a, w: habitats.search_habitats(s, a, "", 1, 50)),
    ("pick_habitats", Permission.READ, lambda s, a, w: habitats.pick_habitats(s, a, "H1")),
    ("get_habitat", Permission.READ, lambda s, a, w: habitats.get_habitat(s, a, w.habitat_id)),
    ("habitat_contacts", Permission.READ, lambda s, a, w: habitats.habitat_contacts(s, a, w.habitat_id)),
    ("record_history", Permission.READ, lambda s, a, w: journal.record_history(s, a, contact_id=w.contact_id)),
    (
        "create_contact",
        Permission.WRITE_RECORDS,
        lambda s, a, w: contacts.create_contact(s, a, ContactInput(contact_type="syndic", company_name="Syndic Alpes")),
    ),
    (
        "update_contact",
        Permission.WRITE_RECORDS,
        lambda s, a, w: contacts.update_contact(
            s, a, w.contact_id, ContactInput(contact_type="gardien", last_name="Martinez"), expected_version=w.contact_version
        ),
    ),
    ("archive_contact", Permission.WRITE_RECORDS, lambda s, a, w: contacts.set_contact_archived(s, a, w.contact_id, True)),
    (
        "add_link",
        Permission.WRITE_RECORDS,
        lambda s, a, w: links.add_link(s, a, w.contact_id, validate_link(w.spare_habitat_id, "Gardien")),
    ),
    ("end_link", Permission.WRITE_RECORDS, lambda s, a, w: links.end_link(s, a, w.contact_id, w.link_id, dt.date.today())),
    ("remove_link", Permission.WRITE_RECORDS, lambda s, a, w: links.remove_link(s, a, w.contact_id, w.link_id)),
    ("archive_habitat", Permission.WRITE_RECORDS, lambda s, a, w: habitats.set_habitat_archived(s, a, w.habitat_id, True)),
    ("delete_contact", Permission.DELETE_FOR_GOOD, lambda s, a, w: contacts.delete_contact_for_good(s, a, w.contact_id)),
    ("delete_habitat", Permission.DELETE_FOR_GOOD, lambda s, a, w: habitats.delete_habitat(s, a, w.spare_habitat_id)),
    ("list_accounts", Permission.MANAGE_ACCOUNTS, lambda s, a, w: accounts.list_accounts(s, a)),
    (
        "create_account",
        Permission.MANAGE_ACCOUNTS,
        lambda s, a, w: accounts.create_account(s, a, AccountInput("marc", "Marc", Role.LECTEUR.value)),
    ),
    (
        "update_account",
        Permission.MANAGE_ACCOUNTS,
        lambda s, a, w: accounts.update_account(
            s, a, w.account_id, AccountInput("lucie", "Lucie B.", Role.LECTEUR.value), expected_version=w.account_version
        ),
    ),
    ("reset_password", Permission.MANAGE_ACCOUNTS, lambda s, a, w: accounts.reset_password(s, a, w.account_id)),
    ("search_journal", Permission.VIEW_JOURNAL, lambda s, a, w: journal.search_journal(s, a, JournalFilters(), 1, 50)),
]

ROLES = [ADMIN, AGENT, AGENT_WITHOUT_PORTAL, READER]

# The expected matrix, written out rather than derived from ROLE_PERMISSIONS, so a change there shows here.
ALLOWED: dict[Permission, set[str]] = {
    Permission.READ: {"admin", "agent", "agent2", "lecteur"},
    Permission.WRITE_RECORDS: {"admin", "agent", "agent2"},
    Permission.DELETE_FOR_GOOD: {"admin"},
    Permission.MANAGE_ACCOUNTS: {"admin"},
    Permission.VIEW_JOURNAL: {"admin"},
}


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in TABLES}


@pytest.mark.parametrize("actor", ROLES, ids=[actor.username for actor in ROLES])
@pytest.mark.parametrize(("name", "permission", "action"), ACTIONS, ids=[name for name, _, _ in ACTIONS])
def test_role_matrix(sessions, engine, world, actor, name, permission, action):
    expected_allowed = actor.username in ALLOWED[permission]
    before = table_counts(engine)

    if expected_allowed:
        action(sessions, actor, world)
        return

    with pytest.raises(PermissionDeniedError) as raised:
        action(sessions, actor, world)

    assert raised.value.message
    assert table_counts(engine) == before


@pytest.mark.parametrize(
    ("actor", "permission", "expected"),
    [
        (AGENT, Permission.VIEW_PORTAL, True),
        (AGENT_WITHOUT_PORTAL, Permission.VIEW_PORTAL, False),
        (AGENT_WITHOUT_PORTAL, Permission.MANAGE_PORTAL, False),
        (READER, Permission.VIEW_PORTAL, False),
        (Actor(1, "l", "L", Role.LECTEUR, can_view_portal=True), Permission.VIEW_PORTAL, False),
        (ADMIN, Permission.MANAGE_PORTAL, True),
        (Actor(2, "a", "A", Role.ADMINISTRATEUR, can_view_portal=False), Permission.VIEW_PORTAL, False),
    ],
)
def test_portal_permission_needs_role_and_setting(actor, permission, expected):
    allowed = is_allowed(actor, permission)

    assert allowed is expected


def test_refusal_message_is_french(sessions, world):
    with pytest.raises(PermissionDeniedError) as raised:
        contacts.create_contact(sessions, READER, ContactInput(contact_type="gardien", last_name="Durand"))

    assert "consultation" in raised.value.message

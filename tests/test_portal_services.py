"""Portal access use cases on SQLite and PostgreSQL: what they store, journal and reject."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import text

from trackoe.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from trackoe.passwords import verify_password
from trackoe.portal import PortalStatus
from trackoe.services import contacts, portal
from trackoe.validation import ContactInput
from tests.actors import ADMIN, AGENT, AGENT_WITHOUT_PORTAL, READER

ANNE = ContactInput(contact_type="gardien", last_name="Lefèvre", first_name="Anne", email=" Anne.Lefevre@Exemple.FR ")
PAUL = ContactInput(contact_type="syndic", last_name="Martin", first_name="Paul")
COMPANY = ContactInput(contact_type="societe_nettoyage", company_name="Propreté Alpine")


@pytest.fixture
def anne(sessions) -> int:
    return contacts.create_contact(sessions, AGENT, ANNE).id


@pytest.fixture
def paul(sessions) -> int:
    return contacts.create_contact(sessions, AGENT, PAUL).id


def portal_rows(engine) -> list[dict]:
    """Return the raw rows of portal_account, read with SQL rather than through the models."""
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(text("SELECT * FROM portal_account ORDER BY id")).mappings()]


def journal_actions(engine, contact_id: int) -> list[str]:
    """Return the journal actions of a contact, oldest first."""
    with engine.connect() as connection:
        return list(
            connection.scalars(
                text("SELECT action FROM audit_event WHERE contact_id = :id ORDER BY id"), {"id": contact_id}
            )
        )


def journal_count(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM audit_event"))


# Viewing


def test_view_without_access_is_never_invited(sessions, anne):
    view = portal.get_portal_access(sessions, AGENT, anne)

    assert view.identifier is None
    assert view.status is PortalStatus.NEVER_INVITED
    assert view.status.label == "Jamais invité"
    assert not view.exists


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        pytest.param(ANNE, "anne.lefevre@exemple.fr", id="email"),
        pytest.param(PAUL, "paul.martin", id="name"),
        pytest.param(COMPANY, "proprete.alpine", id="company"),
    ],
)
def test_view_suggests_identifier(sessions, form, expected):
    contact_id = contacts.create_contact(sessions, AGENT, form).id

    view = portal.get_portal_access(sessions, AGENT, contact_id)

    assert view.suggested_identifier == expected


def test_suggestion_avoids_taken_identifier(sessions, anne, paul):
    portal.create_portal_access(sessions, AGENT, anne, "Paul.Martin")

    view = portal.get_portal_access(sessions, AGENT, paul)

    assert view.suggested_identifier == f"paul.martin-{paul}"


def test_view_writes_journal_entry(sessions, engine, anne):
    portal.get_portal_access(sessions, AGENT, anne)
    portal.get_portal_access(sessions, AGENT, anne)

    assert journal_actions(engine, anne)[-2:] == ["portal_view", "portal_view"]


def test_view_journal_names_user_and_contact(sessions, engine, anne):
    portal.get_portal_access(sessions, AGENT, anne)

    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM audit_event WHERE action = 'portal_view'")
        ).mappings().one()
    assert row["user_id"] == AGENT.user_id
    assert row["username"] == AGENT.username
    assert row["contact_id"] == anne
    assert row["record_type"] == "portal"
    assert row["occurred_at"] is not None


def test_view_of_missing_contact_raises(sessions):
    with pytest.raises(NotFoundError):
        portal.get_portal_access(sessions, AGENT, 999_999)


# Creation


def test_create_stores_invited_access(sessions, engine, anne):
    created = portal.create_portal_access(sessions, AGENT, anne, "  anne.lefevre  ")

    rows = portal_rows(engine)
    assert len(rows) == 1
    assert rows[0]["contact_id"] == anne
    assert rows[0]["identifier"] == "anne.lefevre"
    assert rows[0]["identifier_key"] == "anne.lefevre"
    assert rows[0]["status"] == "invite"
    assert bool(rows[0]["must_change_password"]) is True
    assert created.access.status is PortalStatus.INVITED
    assert created.access.identifier == "anne.lefevre"
    assert created.access.created_at is not None


def test_create_stores_argon2_hash_only(sessions, engine, anne):
    created = portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    stored_hash = portal_rows(engine)[0]["password_hash"]
    assert stored_hash.startswith("$argon2id$")
    assert verify_password(stored_hash, created.temporary_password)
    assert created.temporary_password not in str(portal_rows(engine))


def test_temporary_password_is_strong(sessions, anne):
    password = portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre").temporary_password

    assert len(password) >= 16
    assert any(character.islower() for character in password)
    assert any(character.isupper() for character in password)
    assert any(character.isdigit() for character in password)


def test_password_absent_from_repr_and_journal(sessions, engine, anne):
    created = portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    with engine.connect() as connection:
        journal_text = str(connection.execute(text("SELECT * FROM audit_event")).all())
    assert created.temporary_password not in repr(created)
    assert created.temporary_password not in journal_text
    assert "argon2" not in journal_text


def test_view_contains_no_hash(sessions, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    view = portal.get_portal_access(sessions, AGENT, anne)

    assert "argon2" not in repr(view)
    assert not hasattr(view, "password_hash")


def test_create_writes_journal_entry(sessions, engine, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    assert journal_actions(engine, anne)[-1] == "portal_create"


@pytest.mark.parametrize(
    "second_identifier",
    ["anne.lefevre", "ANNE.LEFEVRE", "Anne.Lefevre"],
)
def test_identifier_unique_ignoring_case(sessions, engine, anne, paul, second_identifier):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    with pytest.raises(ValidationError) as raised:
        portal.create_portal_access(sessions, AGENT, paul, second_identifier)

    assert "déjà utilisé" in raised.value.field_errors["identifier"]
    assert len(portal_rows(engine)) == 1
    assert "portal_create" not in journal_actions(engine, paul)


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        pytest.param("", "au moins 3 caractères", id="empty"),
        pytest.param(" ab ", "au moins 3 caractères", id="too_short"),
        pytest.param("a" * 121, "dépasser 120 caractères", id="too_long"),
        pytest.param("anne lefevre", "espace", id="inner_space"),
    ],
)
def test_invalid_identifier_rejected(sessions, engine, anne, identifier, message):
    with pytest.raises(ValidationError) as raised:
        portal.create_portal_access(sessions, AGENT, anne, identifier)

    assert message in raised.value.field_errors["identifier"]
    assert portal_rows(engine) == []


@pytest.mark.parametrize("identifier", ["abc", "a" * 120, "Anne.Lefèvre@exemple.fr"])
def test_boundary_identifier_accepted(sessions, engine, anne, identifier):
    portal.create_portal_access(sessions, AGENT, anne, identifier)

    assert portal_rows(engine)[0]["identifier"] == identifier


def test_second_access_for_contact_rejected(sessions, engine, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    with pytest.raises(ConflictError):
        portal.create_portal_access(sessions, AGENT, anne, "anne.autre")

    assert len(portal_rows(engine)) == 1


def test_create_for_archived_contact_rejected(sessions, engine, anne):
    contacts.set_contact_archived(sessions, AGENT, anne, True)

    with pytest.raises(ConflictError):
        portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    assert portal_rows(engine) == []


# New password


def test_reset_replaces_hash_and_keeps_status(sessions, engine, anne):
    created = portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")
    old_hash = portal_rows(engine)[0]["password_hash"]

    reset = portal.reset_portal_password(sessions, AGENT, anne)

    row = portal_rows(engine)[0]
    assert row["password_hash"] != old_hash
    assert row["password_hash"].startswith("$argon2id$")
    assert verify_password(row["password_hash"], reset.temporary_password)
    assert not verify_password(row["password_hash"], created.temporary_password)
    assert row["status"] == "invite"
    assert bool(row["must_change_password"]) is True
    assert row["last_reset_at"] is not None
    assert reset.access.last_reset_at is not None


def test_reset_keeps_active_status(sessions, engine, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")
    with engine.begin() as connection:
        connection.execute(text("UPDATE portal_account SET status = 'actif', must_change_password = false"))

    reset = portal.reset_portal_password(sessions, AGENT, anne)

    assert reset.access.status is PortalStatus.ACTIVE
    assert portal_rows(engine)[0]["status"] == "actif"


def test_reset_writes_journal_entry(sessions, engine, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    portal.reset_portal_password(sessions, AGENT, anne)

    assert journal_actions(engine, anne)[-1] == "portal_reset"


def test_reset_of_disabled_access_rejected(sessions, engine, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")
    portal.set_portal_access_enabled(sessions, AGENT, anne, False)
    hash_before = portal_rows(engine)[0]["password_hash"]

    with pytest.raises(ConflictError) as raised:
        portal.reset_portal_password(sessions, AGENT, anne)

    assert "réactivez-le" in raised.value.message
    assert portal_rows(engine)[0]["password_hash"] == hash_before
    assert journal_actions(engine, anne)[-1] == "portal_disable"


def test_reset_without_access_rejected(sessions, anne):
    with pytest.raises(NotFoundError):
        portal.reset_portal_password(sessions, AGENT, anne)


# Disabling and enabling


def test_disable_then_enable_restores_invited(sessions, engine, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    disabled = portal.set_portal_access_enabled(sessions, AGENT, anne, False)
    status_after_disable = portal_rows(engine)[0]["status"]
    enabled = portal.set_portal_access_enabled(sessions, AGENT, anne, True)

    assert disabled.status is PortalStatus.DISABLED
    assert status_after_disable == "desactive"
    assert enabled.status is PortalStatus.INVITED
    assert portal_rows(engine)[0]["status"] == "invite"
    assert journal_actions(engine, anne)[-2:] == ["portal_disable", "portal_enable"]


def test_enable_restores_active_after_sign_in(sessions, engine, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE portal_account SET status = 'actif', last_sign_in_at = :at"),
            {"at": dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)},
        )
    portal.set_portal_access_enabled(sessions, AGENT, anne, False)

    enabled = portal.set_portal_access_enabled(sessions, AGENT, anne, True)

    assert enabled.status is PortalStatus.ACTIVE
    assert enabled.last_sign_in_at is not None


@pytest.mark.parametrize("enabled", [True, False], ids=["enable_enabled", "disable_disabled"])
def test_unchanged_status_writes_nothing(sessions, engine, anne, enabled):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")
    if not enabled:
        portal.set_portal_access_enabled(sessions, AGENT, anne, False)
    count_before = journal_count(engine)

    portal.set_portal_access_enabled(sessions, AGENT, anne, enabled)

    assert journal_count(engine) == count_before


def test_enable_without_access_rejected(sessions, anne):
    with pytest.raises(NotFoundError):
        portal.set_portal_access_enabled(sessions, AGENT, anne, True)


# Permissions


DENIED_CALLS = [
    pytest.param(lambda sessions, actor, contact_id: portal.get_portal_access(sessions, actor, contact_id), id="view"),
    pytest.param(
        lambda sessions, actor, contact_id: portal.create_portal_access(sessions, actor, contact_id, "nouvel.acces"),
        id="create",
    ),
    pytest.param(lambda sessions, actor, contact_id: portal.reset_portal_password(sessions, actor, contact_id), id="reset"),
    pytest.param(
        lambda sessions, actor, contact_id: portal.set_portal_access_enabled(sessions, actor, contact_id, False),
        id="disable",
    ),
    pytest.param(
        lambda sessions, actor, contact_id: portal.set_portal_access_enabled(sessions, actor, contact_id, True),
        id="enable",
    ),
]


@pytest.mark.parametrize("actor", [READER, AGENT_WITHOUT_PORTAL], ids=["lecteur", "agent_without_setting"])
@pytest.mark.parametrize("call", DENIED_CALLS)
def test_denied_actor_writes_nothing(sessions, engine, anne, paul, actor, call):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")
    rows_before = portal_rows(engine)
    journal_before = journal_count(engine)

    with pytest.raises(PermissionDeniedError):
        call(sessions, actor, anne)
    with pytest.raises(PermissionDeniedError):
        call(sessions, actor, paul)

    assert portal_rows(engine) == rows_before
    assert journal_count(engine) == journal_before


def test_denied_message_is_french(sessions, anne):
    with pytest.raises(PermissionDeniedError) as raised:
        portal.get_portal_access(sessions, AGENT_WITHOUT_PORTAL, anne)

    assert raised.value.message == "Votre compte ne permet pas de voir les identifiants de l'espace Infinitri."


@pytest.mark.parametrize("actor", [AGENT, READER], ids=["agent", "lecteur"])
def test_deletion_status_reserved_to_administrators(sessions, anne, actor):
    with pytest.raises(PermissionDeniedError):
        portal.portal_status_before_deletion(sessions, actor, anne)


def test_deletion_status_reports_access(sessions, engine, anne, paul):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")
    journal_before = journal_count(engine)

    statuses = (
        portal.portal_status_before_deletion(sessions, ADMIN, anne),
        portal.portal_status_before_deletion(sessions, ADMIN, paul),
    )

    assert statuses == (PortalStatus.INVITED, PortalStatus.NEVER_INVITED)
    assert journal_count(engine) == journal_before


def test_deleting_contact_removes_access(sessions, engine, anne):
    portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")

    contacts.delete_contact_for_good(sessions, ADMIN, anne)

    assert portal_rows(engine) == []


# Logs


def test_logs_never_contain_password(sessions, anne, paul, caplog):
    caplog.set_level(logging.DEBUG)

    created = portal.create_portal_access(sessions, AGENT, anne, "anne.lefevre")
    reset = portal.reset_portal_password(sessions, AGENT, anne)
    portal.set_portal_access_enabled(sessions, AGENT, anne, False)
    portal.set_portal_access_enabled(sessions, AGENT, anne, True)
    with pytest.raises(ValidationError):
        portal.create_portal_access(sessions, AGENT, paul, "ANNE.lefevre")

    assert caplog.records
    assert created.temporary_password not in caplog.text
    assert reset.temporary_password not in caplog.text
    assert "$argon2" not in caplog.text

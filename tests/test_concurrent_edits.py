"""Two agents saving the same contact, and saves that fail halfway, on both databases."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Engine, inspect, select, text

from trackoe.errors import ConflictError, NotFoundError, StaleEditError
from trackoe.models import Contact
from trackoe.services import contacts
from trackoe.validation import ContactInput, validate_link
from tests.actors import AGENT, ADMIN
from tests.pages_support import add_habitat

DURAND = ContactInput(
    contact_type="gardien",
    last_name="Durand",
    first_name="Paul",
    phone_mobile="06 12 34 56 78",
    city="Gap",
)


def _loaded(detail) -> dict[str, object]:
    return contacts.contact_fields(detail)


def test_second_save_names_fields_other_changed(sessions):
    created = contacts.create_contact(sessions, AGENT, DURAND)
    contacts.update_contact(
        sessions, ADMIN, created.id, dataclasses.replace(DURAND, city="Briançon", phone_mobile="07 81 22 33 44"),
        expected_version=created.version, expected_values=_loaded(created),
    )

    with pytest.raises(StaleEditError) as raised:
        contacts.update_contact(
            sessions, AGENT, created.id, dataclasses.replace(DURAND, first_name="Pierre"),
            expected_version=created.version, expected_values=_loaded(created),
        )

    assert raised.value.changed_fields == ("phone_mobile", "city")
    assert raised.value.current_values["city"] == "Briançon"
    assert raised.value.current_values["phone_mobile"] == "+33781223344"
    assert raised.value.current_version == created.version + 1
    assert "modifié par quelqu'un d'autre" in raised.value.message


def test_rejected_save_keeps_first_save(sessions):
    created = contacts.create_contact(sessions, AGENT, DURAND)
    contacts.update_contact(
        sessions, ADMIN, created.id, dataclasses.replace(DURAND, city="Briançon"),
        expected_version=created.version, expected_values=_loaded(created),
    )

    with pytest.raises(StaleEditError):
        contacts.update_contact(
            sessions, AGENT, created.id, dataclasses.replace(DURAND, first_name="Pierre"),
            expected_version=created.version, expected_values=_loaded(created),
        )

    stored = contacts.get_contact(sessions, AGENT, created.id)
    assert stored.city == "Briançon"
    assert stored.first_name == "Paul"
    assert stored.version == created.version + 1


def test_reapplied_save_over_current_version_lands(sessions):
    created = contacts.create_contact(sessions, AGENT, DURAND)
    contacts.update_contact(
        sessions, ADMIN, created.id, dataclasses.replace(DURAND, city="Briançon"),
        expected_version=created.version, expected_values=_loaded(created),
    )
    mine = dataclasses.replace(DURAND, first_name="Pierre")
    with pytest.raises(StaleEditError) as raised:
        contacts.update_contact(sessions, AGENT, created.id, mine, expected_version=created.version, expected_values=_loaded(created))

    saved = contacts.update_contact(
        sessions, AGENT, created.id, mine,
        expected_version=raised.value.current_version, expected_values=raised.value.current_values,
    )

    assert saved.first_name == "Pierre"
    assert saved.city == "Gap"
    assert saved.version == created.version + 2


def test_stale_save_without_loaded_values_names_none(sessions):
    created = contacts.create_contact(sessions, AGENT, DURAND)
    contacts.set_contact_archived(sessions, ADMIN, created.id, True)

    with pytest.raises(StaleEditError) as raised:
        contacts.update_contact(sessions, AGENT, created.id, DURAND, expected_version=created.version)

    assert raised.value.changed_fields == ()
    assert isinstance(raised.value, ConflictError)


def _table_rows(engine: Engine) -> dict[str, list[tuple]]:
    """Return every row of every table, sorted, so two snapshots compare exactly."""
    snapshot = {}
    with engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            if table == "alembic_version":
                continue
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            snapshot[table] = sorted((tuple(row) for row in rows), key=repr)
    return snapshot


class InjectedFailure(RuntimeError):
    """The fault a test raises in the middle of a save."""


def _fail_on_third_link(monkeypatch) -> None:
    real_add_link = contacts.add_link_in_session
    calls = []

    def add_link_failing_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise InjectedFailure("third link")
        return real_add_link(*args, **kwargs)

    monkeypatch.setattr(contacts, "add_link_in_session", add_link_failing_third)


@pytest.mark.parametrize(
    ("third_habitat", "inject", "expected_error"),
    [
        ("existing", True, InjectedFailure),
        ("missing", False, NotFoundError),
    ],
    ids=["injected-fault", "missing-habitat"],
)
def test_failed_third_link_leaves_database_unchanged(sessions, engine, monkeypatch, third_habitat, inject, expected_error):
    habitat_ids = [add_habitat(sessions, f"HAB-{index}", f"Résidence {index}") for index in range(3)]
    contacts.create_contact(sessions, AGENT, DURAND)
    if third_habitat == "missing":
        habitat_ids[2] = 999_999
    links = tuple(validate_link(habitat_id, "Gardien") for habitat_id in habitat_ids)
    if inject:
        _fail_on_third_link(monkeypatch)
    before = _table_rows(engine)

    with pytest.raises(expected_error):
        contacts.create_contact(
            sessions, AGENT, dataclasses.replace(DURAND, last_name="Lefèvre"), creation_token="form-42", links=links
        )

    assert _table_rows(engine) == before


def test_save_after_failed_links_lands_whole(sessions, engine, monkeypatch):
    habitat_ids = [add_habitat(sessions, f"HAB-{index}", f"Résidence {index}") for index in range(3)]
    links = tuple(validate_link(habitat_id, "Gardien") for habitat_id in habitat_ids)
    _fail_on_third_link(monkeypatch)
    with pytest.raises(InjectedFailure):
        contacts.create_contact(sessions, AGENT, DURAND, creation_token="form-42", links=links)
    monkeypatch.undo()

    created = contacts.create_contact(sessions, AGENT, DURAND, creation_token="form-42", links=links)

    assert len(created.links) == 3
    with sessions() as session:
        assert session.scalars(select(Contact.id)).all() == [created.id]


def test_save_between_read_and_write_reported(sessions, monkeypatch):
    created = contacts.create_contact(sessions, AGENT, DURAND)
    real_apply = contacts._apply

    def apply_after_other_save(contact, data):
        # The other agent's save commits on its own connection after this save has read the row.
        monkeypatch.setattr(contacts, "_apply", real_apply)
        contacts.update_contact(
            sessions, ADMIN, created.id, dataclasses.replace(DURAND, city="Briançon"), expected_version=created.version
        )
        real_apply(contact, data)

    monkeypatch.setattr(contacts, "_apply", apply_after_other_save)

    with pytest.raises(StaleEditError) as raised:
        contacts.update_contact(
            sessions, AGENT, created.id, dataclasses.replace(DURAND, first_name="Pierre"),
            expected_version=created.version, expected_values=_loaded(created),
        )

    assert raised.value.changed_fields == ("city",)
    assert raised.value.current_version == created.version + 1
    stored = contacts.get_contact(sessions, AGENT, created.id)
    assert stored.first_name == "Paul"
    assert stored.city == "Briançon"

"""The contact page when someone else saved the contact after it was opened, or the database is unreachable, through AppTest on SQLite."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from trackoe.errors import DatabaseUnavailableError
from trackoe.services import auth, contacts
from trackoe.validation import ContactInput
from tests.actors import ADMIN, AGENT
from tests.pages_support import Sessions, add_contact, button, error_texts, open_page, values_of

CONTACT_PAGE = "pages/contact.py"


@pytest.fixture
def durand(page_sessions) -> int:
    return add_contact(page_sessions, contact_type="gardien", last_name="Durand", first_name="Paul", city="Gap").id


def _save_elsewhere(sessions: Sessions, contact_id: int, **changes: str) -> None:
    """Save the contact as another agent would, from a form opened at its current version."""
    current = contacts.get_contact(sessions, ADMIN, contact_id)
    values = {field: value for field, value in contacts.contact_fields(current).items()}
    values.update(changes)
    contacts.update_contact(sessions, ADMIN, contact_id, ContactInput(**values), expected_version=current.version)


def _key(contact_id: int, field: str) -> str:
    return f"contact_{contact_id}_{field}"


def _open_and_type_first_name(contact_id: int, first_name: str) -> AppTest:
    at = open_page(CONTACT_PAGE, contact_id=str(contact_id))
    at.text_input(key=_key(contact_id, "first_name")).input(first_name)
    return at


def test_stale_save_lists_other_changes(page_sessions, durand):
    at = _open_and_type_first_name(durand, "Pierre")
    _save_elsewhere(page_sessions, durand, city="Briançon", comment="<b>=1+1</b>")

    button(at, "Enregistrer").click().run()

    assert not at.exception
    [message] = error_texts(at)
    assert "modifié par quelqu'un d'autre" in message
    assert "Commune : Briançon" in message
    assert "Commentaire : <b>=1+1</b>" in message
    assert "Prénom" not in message
    assert values_of(at.success) == []


@pytest.mark.parametrize("others_saved_first", [True, False])
def test_archive_then_save_keeps_others_edit(page_sessions, durand, others_saved_first):
    at = _open_and_type_first_name(durand, "Pierre")
    if others_saved_first:
        _save_elsewhere(page_sessions, durand, city="Briançon")

    at = button(at, "Archiver le contact").click().run()
    at.text_input(key=_key(durand, "first_name")).input("Pierre")
    button(at, "Enregistrer").click().run()

    stored = contacts.get_contact(page_sessions, ADMIN, durand)
    assert stored.is_archived
    if others_saved_first:
        assert stored.city == "Briançon"
        assert stored.first_name == "Paul"
        assert any("Commune : Briançon" in message for message in error_texts(at))
    else:
        assert stored.first_name == "Pierre"
        assert error_texts(at) == []


def test_stale_save_keeps_typed_values(page_sessions, durand):
    at = _open_and_type_first_name(durand, "Pierre")
    _save_elsewhere(page_sessions, durand, city="Briançon")

    button(at, "Enregistrer").click().run()

    assert at.text_input(key=_key(durand, "first_name")).value == "Pierre"
    assert at.text_input(key=_key(durand, "city")).value == "Gap"
    stored = contacts.get_contact(page_sessions, AGENT, durand)
    assert stored.first_name == "Paul"
    assert stored.city == "Briançon"


def test_reload_shows_current_version(page_sessions, durand):
    at = _open_and_type_first_name(durand, "Pierre")
    _save_elsewhere(page_sessions, durand, city="Briançon")
    button(at, "Enregistrer").click().run()

    button(at, "Recharger la version actuelle").click().run()

    assert not at.exception
    assert error_texts(at) == []
    assert at.text_input(key=_key(durand, "first_name")).value == "Paul"
    assert at.text_input(key=_key(durand, "city")).value == "Briançon"
    assert contacts.get_contact(page_sessions, AGENT, durand).first_name == "Paul"


def test_reapply_saves_typed_values(page_sessions, durand):
    at = _open_and_type_first_name(durand, "Pierre")
    _save_elsewhere(page_sessions, durand, city="Briançon")
    button(at, "Enregistrer").click().run()

    button(at, "Réappliquer mes valeurs").click().run()

    assert not at.exception
    assert error_texts(at) == []
    assert "Les modifications ont été enregistrées." in values_of(at.success)
    stored = contacts.get_contact(page_sessions, AGENT, durand)
    assert stored.first_name == "Pierre"
    assert stored.city == "Gap"
    assert at.text_input(key=_key(durand, "city")).value == "Gap"


def test_reapply_after_third_save_reports_again(page_sessions, durand):
    at = _open_and_type_first_name(durand, "Pierre")
    _save_elsewhere(page_sessions, durand, city="Briançon")
    button(at, "Enregistrer").click().run()
    _save_elsewhere(page_sessions, durand, postcode="05100")

    button(at, "Réappliquer mes valeurs").click().run()

    assert not at.exception
    [message] = error_texts(at)
    assert "Code postal : 05100" in message
    assert "Commune" not in message
    assert contacts.get_contact(page_sessions, AGENT, durand).first_name == "Paul"
    assert at.text_input(key=_key(durand, "first_name")).value == "Pierre"


def test_unreachable_database_keeps_typed_values(page_sessions, durand, monkeypatch):
    at = _open_and_type_first_name(durand, "Pierre")

    def unreachable(*_args, **_kwargs):
        raise DatabaseUnavailableError()

    with monkeypatch.context() as outage:
        for module, name in [(auth, "resolve_session"), (contacts, "get_contact"), (contacts, "update_contact")]:
            outage.setattr(module, name, unreachable)
        button(at, "Enregistrer").click().run()

    assert not at.exception
    assert any("injoignable" in message for message in error_texts(at))
    assert at.text_input(key=_key(durand, "first_name")).value == "Pierre"
    assert contacts.get_contact(page_sessions, AGENT, durand).first_name == "Paul"

    button(at, "Enregistrer").click().run()

    assert not at.exception
    assert error_texts(at) == []
    assert contacts.get_contact(page_sessions, AGENT, durand).first_name == "Pierre"

"""Archiving, restoring and deleting habitats: the services on both databases, the pages through AppTest on SQLite."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.actors import ADMIN, AGENT, READER
from tests.pages_support import (
    Sessions,
    add_contact,
    add_habitat,
    add_link,
    button,
    grid,
    grid_frame,
    open_page,
    sign_in_as,
    unescape_markdown,
    values_of,
)
from trackoe.errors import NotFoundError, PermissionDeniedError
from trackoe.journal import JournalFilters
from trackoe.permissions import Role
from trackoe.services import contacts, habitats, journal

HABITAT_PAGE = "pages/habitat.py"
HABITATS_LIST_PAGE = "pages/habitats_list.py"
CONTACTS_LIST_PAGE = "pages/contacts_list.py"


@dataclass(frozen=True)
class Site:
    """Ids of a habitat with two logements, a local, a contact simple and two linked contacts multiples."""

    habitat: int
    other_habitat: int
    simple_contact: int
    caretaker: int
    cleaner: int


def add_site(sessions: Sessions) -> Site:
    habitat = add_habitat(
        sessions, "H1", "Résidence Les Tilleuls", postcode="05000", city="Gap",
        dwelling_references=("A01", "A02"), premises_names=("Local poubelles",),
    )
    other_habitat = add_habitat(sessions, "H2", "Les Cèdres", postcode="75012", city="Paris")
    simple_contact = add_contact(sessions, contact_type="habitant", last_name="Durand", habitat_id=habitat).id
    caretaker = add_contact(sessions, contact_type="gardien", last_name="Lefèvre", first_name="Anne").id
    cleaner = add_contact(sessions, contact_type="societe_nettoyage", company_name="Propreté Alpine").id
    add_link(sessions, caretaker, habitat)
    add_link(sessions, caretaker, other_habitat)
    add_link(sessions, cleaner, habitat, role="Société de nettoyage")
    return Site(habitat, other_habitat, simple_contact, caretaker, cleaner)


def habitat_codes(sessions: Sessions, *, include_archived: bool) -> list[str]:
    page = habitats.search_habitats(sessions, AGENT, "", 1, 50, include_archived=include_archived)
    return sorted(row.code for row in page.rows)


# Services, on SQLite and PostgreSQL


def test_archived_habitat_leaves_default_list(sessions):
    site = add_site(sessions)

    habitats.set_habitat_archived(sessions, AGENT, site.habitat, True)

    assert habitat_codes(sessions, include_archived=False) == ["H2"]
    assert habitat_codes(sessions, include_archived=True) == ["H1", "H2"]
    assert habitats.get_habitat(sessions, READER, site.habitat).is_archived is True


def test_restored_habitat_returns_to_list(sessions):
    site = add_site(sessions)
    habitats.set_habitat_archived(sessions, AGENT, site.habitat, True)

    habitats.set_habitat_archived(sessions, AGENT, site.habitat, False)

    assert habitat_codes(sessions, include_archived=False) == ["H1", "H2"]


def test_archive_and_restore_are_journalled(sessions):
    site = add_site(sessions)

    habitats.set_habitat_archived(sessions, AGENT, site.habitat, True)
    habitats.set_habitat_archived(sessions, AGENT, site.habitat, False)

    history = journal.record_history(sessions, READER, habitat_id=site.habitat)
    actions = [row.action for row in history.rows]
    assert actions[:2] == ["restore", "archive"]
    assert history.rows[0].username == AGENT.username


def test_reader_cannot_archive_habitat(sessions):
    site = add_site(sessions)

    with pytest.raises(PermissionDeniedError):
        habitats.set_habitat_archived(sessions, READER, site.habitat, True)

    assert habitats.get_habitat(sessions, READER, site.habitat).is_archived is False


def test_deletion_impact_counts_what_goes(sessions):
    site = add_site(sessions)

    impact = habitats.habitat_deletion_impact(sessions, ADMIN, site.habitat)

    assert impact.code == "H1"
    assert impact.dwellings == 2
    assert impact.premises == 1
    assert impact.simple_contacts == 1
    assert impact.links == 2
    assert impact.multiple_contacts == 2


def test_deletion_impact_of_empty_habitat(sessions):
    site = add_site(sessions)

    impact = habitats.habitat_deletion_impact(sessions, ADMIN, site.other_habitat)

    assert (impact.dwellings, impact.premises, impact.simple_contacts) == (0, 0, 0)
    assert impact.links == 1
    assert impact.multiple_contacts == 1


@pytest.mark.parametrize("actor", [AGENT, READER], ids=["agent", "lecteur"])
def test_deletion_reserved_to_administrators(sessions, actor):
    site = add_site(sessions)

    with pytest.raises(PermissionDeniedError):
        habitats.habitat_deletion_impact(sessions, actor, site.habitat)
    with pytest.raises(PermissionDeniedError):
        habitats.delete_habitat(sessions, actor, site.habitat)

    assert habitats.get_habitat(sessions, READER, site.habitat).code == "H1"


def test_deletion_keeps_contacts_multiples(sessions):
    site = add_site(sessions)

    habitats.delete_habitat(sessions, ADMIN, site.habitat)

    with pytest.raises(NotFoundError):
        habitats.get_habitat(sessions, READER, site.habitat)
    with pytest.raises(NotFoundError):
        contacts.get_contact(sessions, READER, site.simple_contact)
    caretaker = contacts.get_contact(sessions, READER, site.caretaker)
    assert [link.habitat_id for link in caretaker.links] == [site.other_habitat]
    assert contacts.get_contact(sessions, READER, site.cleaner).links == []


def test_deletion_is_journalled(sessions):
    site = add_site(sessions)

    habitats.delete_habitat(sessions, ADMIN, site.habitat)

    entries = journal.search_journal(sessions, ADMIN, JournalFilters(actions=("delete",)), 1, 10).rows
    assert [(row.record_type, row.record_id) for row in entries] == [("habitat", site.habitat)]
    assert entries[0].summary == "H1 · Résidence Les Tilleuls"


def test_deletion_impact_of_missing_habitat(sessions):
    with pytest.raises(NotFoundError):
        habitats.habitat_deletion_impact(sessions, ADMIN, 999)


# Pages, on SQLite


@pytest.fixture
def page_site(app_sessions) -> Site:
    return add_site(app_sessions)


def habitat_ids_in_list(at) -> set[int]:
    return set(grid_frame(grid(at, "habitats_grid_1"))["id"])


def test_habitats_list_hides_archived(app_sessions, page_site):
    habitats.set_habitat_archived(app_sessions, AGENT, page_site.habitat, True)
    sign_in_as(app_sessions, Role.LECTEUR)

    at = open_page(HABITATS_LIST_PAGE)

    assert habitat_ids_in_list(at) == {page_site.other_habitat}


def test_habitats_list_filter_shows_archived(app_sessions, page_site):
    habitats.set_habitat_archived(app_sessions, AGENT, page_site.habitat, True)
    sign_in_as(app_sessions, Role.LECTEUR)
    at = open_page(HABITATS_LIST_PAGE)

    at.checkbox(key="habitats_archived").check().run()

    frame = grid_frame(grid(at, "habitats_grid_1")).set_index("id")
    assert set(frame.index) == {page_site.habitat, page_site.other_habitat}
    assert frame.loc[page_site.habitat, "status"] == "Archivé"
    assert frame.loc[page_site.other_habitat, "status"] == ""


def test_agent_archives_from_fiche(app_sessions, page_site):
    sign_in_as(app_sessions, Role.AGENT)
    at = open_page(HABITAT_PAGE, habitat_id=str(page_site.habitat))

    button(at, "Archiver l'habitat").click().run()

    assert habitats.get_habitat(app_sessions, READER, page_site.habitat).is_archived is True
    assert values_of(at.success) == ["L'habitat a été archivé."]
    assert button(at, "Restaurer l'habitat")


def test_agent_restores_from_fiche(app_sessions, page_site):
    habitats.set_habitat_archived(app_sessions, AGENT, page_site.habitat, True)
    sign_in_as(app_sessions, Role.AGENT)
    at = open_page(HABITAT_PAGE, habitat_id=str(page_site.habitat))

    button(at, "Restaurer l'habitat").click().run()

    assert habitats.get_habitat(app_sessions, READER, page_site.habitat).is_archived is False
    assert values_of(at.success) == ["L'habitat a été restauré."]


def test_agent_sees_no_delete_button(app_sessions, page_site):
    sign_in_as(app_sessions, Role.AGENT)

    at = open_page(HABITAT_PAGE, habitat_id=str(page_site.habitat))

    labels = [node.label for node in at.button]
    assert "Archiver l'habitat" in labels
    assert "Supprimer définitivement" not in labels


def test_reader_sees_no_edit_controls(app_sessions, page_site):
    sign_in_as(app_sessions, Role.LECTEUR)

    at = open_page(HABITAT_PAGE, habitat_id=str(page_site.habitat))

    labels = [node.label for node in at.button]
    assert not at.exception
    assert "Archiver l'habitat" not in labels
    assert "Supprimer définitivement" not in labels
    assert "Créer un contact simple" not in labels


def test_reader_sees_no_create_contact(app_sessions, page_site):
    sign_in_as(app_sessions, Role.LECTEUR)

    at = open_page(CONTACTS_LIST_PAGE)

    assert "Créer un contact multiple" not in [node.label for node in at.button]


def open_delete_dialog(app_sessions, site: Site):
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(HABITAT_PAGE, habitat_id=str(site.habitat))
    button(at, "Supprimer définitivement").click().run()
    return at


def test_delete_dialog_names_losses(app_sessions, page_site):
    at = open_delete_dialog(app_sessions, page_site)

    texts = [unescape_markdown(value) for value in values_of(at.markdown)]
    assert "L'habitat **H1 · Résidence Les Tilleuls** sera supprimé, avec :" in texts
    assert "- 2 logements\n- 1 local\n- 1 contact simple\n- 2 rattachements de contacts multiples" in texts
    assert values_of(at.info) == [
        "2 contacts multiples rattachés restent dans la base : seul leur rattachement à cet habitat disparaît."
    ]
    assert habitats.get_habitat(app_sessions, READER, page_site.habitat).code == "H1"


def test_delete_dialog_confirm_deletes(app_sessions, page_site):
    at = open_delete_dialog(app_sessions, page_site)

    at.button(key=f"habitat_{page_site.habitat}_delete_confirm").click().run()

    with pytest.raises(NotFoundError):
        habitats.get_habitat(app_sessions, READER, page_site.habitat)
    assert contacts.get_contact(app_sessions, READER, page_site.caretaker).last_name == "Lefèvre"
    assert values_of(at.title) == ["Habitats"]
    assert [unescape_markdown(value) for value in values_of(at.success)] == [
        "L'habitat « H1 · Résidence Les Tilleuls » a été supprimé définitivement."
    ]


def test_delete_dialog_cancel_keeps(app_sessions, page_site):
    at = open_delete_dialog(app_sessions, page_site)

    at.button(key=f"habitat_{page_site.habitat}_delete_cancel").click().run()

    assert habitats.get_habitat(app_sessions, READER, page_site.habitat).code == "H1"
    assert f"habitat_{page_site.habitat}_delete_confirm" not in [node.key for node in at.button]


def test_history_tab_shows_service_change(app_sessions, page_site):
    habitats.set_habitat_archived(app_sessions, AGENT, page_site.habitat, True)
    sign_in_as(app_sessions, Role.LECTEUR)

    at = open_page(HABITAT_PAGE, habitat_id=str(page_site.habitat))

    assert "HISTORIQUE" in [tab.label for tab in at.tabs]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Date", "Utilisateur", "Action", "Résumé", "Champs modifiés"]
    assert table.iloc[0]["Action"] == "Archivage"
    assert table.iloc[0]["Utilisateur"] == AGENT.username
    link_rows = table[table["Action"] == "Rattachement"]
    assert len(link_rows) == 2
    assert "Rôle : (vide) → Gardien" in link_rows.iloc[-1]["Champs modifiés"]

"""Every page run through Streamlit's AppTest on a temporary SQLite file, data seeded through the services."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages_support import (
    error_texts,
    unescape_markdown,
    Sessions,
    add_contact,
    add_habitat,
    add_link,
    button,
    count_text,
    grid,
    grid_frame,
    grid_keys,
    markdown_texts,
    open_page,
    rendered_texts,
    selectbox_labelled,
    values_of,
)
from trackoe.services import contacts, links
from trackoe.validation import validate_link
from trackoe.ui.context import app_context
from trackoe.ui.text import filters_digest
from trackoe.views import ContactFilters
from tests.actors import AGENT

CONTACT_PAGE = "pages/contact.py"
CONTACTS_LIST_PAGE = "pages/contacts_list.py"
HABITAT_PAGE = "pages/habitat.py"
HABITATS_LIST_PAGE = "pages/habitats_list.py"

EMPTY_VALUE_PATTERN = re.compile(r"\b(None|nan|NaN|NaT)\b")
MARKDOWN_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Seeded:
    """Ids of the records that the `seeded` fixture inserts."""

    tilleuls: int
    cedres: int
    lefevre: int
    proprete: int
    martin: int
    durand: int
    archived: int
    proprete_link: int
    lefevre_tilleuls_link: int


@pytest.fixture
def seeded(page_sessions) -> Seeded:
    """Insert two habitats, three current contacts multiples, an archived one and a contact simple."""
    tilleuls = add_habitat(
        page_sessions,
        "H1",
        "Résidence Les Tilleuls",
        address_line="3 rue Victor Hugo",
        postcode="05000",
        city="Gap",
        landlord_name="Hautes-Alpes Habitat",
        dwelling_references=("A01", "A02"),
        premises_names=("Local poubelles",),
    )
    cedres = add_habitat(page_sessions, "H2", "Les Cèdres", address_line="12 avenue Jean Jaurès", postcode="75012", city="Paris")

    lefevre = add_contact(
        page_sessions,
        contact_type="gardien",
        last_name="Lefèvre",
        first_name="Anne",
        phone_mobile="0612345678",
        email="anne.lefevre@exemple.fr",
    )
    proprete = add_contact(page_sessions, contact_type="societe_nettoyage", company_name="Propreté Alpine")
    martin = add_contact(page_sessions, contact_type="syndic", last_name="Martin", first_name="Paul")
    durand = add_contact(page_sessions, contact_type="habitant", last_name="Durand", first_name="Marc", habitat_id=tilleuls)
    archived = add_contact(page_sessions, contact_type="syndic", company_name="Ancien Syndic")
    contacts.set_contact_archived(page_sessions, AGENT, archived.id, True)

    lefevre_tilleuls_link = add_link(page_sessions, lefevre.id, tilleuls)
    add_link(page_sessions, lefevre.id, cedres)
    proprete_link = add_link(page_sessions, proprete.id, tilleuls, role="Société de nettoyage")

    return Seeded(
        tilleuls=tilleuls,
        cedres=cedres,
        lefevre=lefevre.id,
        proprete=proprete.id,
        martin=martin.id,
        durand=durand.id,
        archived=archived.id,
        proprete_link=proprete_link,
        lefevre_tilleuls_link=lefevre_tilleuls_link,
    )


def contact_count(sessions: Sessions) -> int:
    """Return the number of contacts in the database, simple, multiple and archived alike."""
    return contacts.search_contacts(sessions, AGENT, ContactFilters(is_multiple=None, include_archived=True), 1, 10).total


def contact_ids_in_list(at: AppTest) -> set[int]:
    return set(grid_frame(grid(at, "contacts_grid_1"))["id"])


def open_contact(contact_id: int) -> AppTest:
    return open_page(CONTACT_PAGE, contact_id=str(contact_id))


def fill_new_contact(at: AppTest, **values: str) -> None:
    """Type `values` into the creation form, and `contact_type` into its selectbox."""
    contact_type = values.pop("contact_type", None)
    if contact_type is not None:
        at.selectbox(key="contact_new_contact_type").set_value(contact_type)
    for field, value in values.items():
        at.text_input(key=f"contact_new_{field}").input(value)


def node_after(at: AppTest, key: str):
    """Return the element drawn right after the widget with this key."""
    nodes = list(at.main)
    index = next(position for position, node in enumerate(nodes) if getattr(node, "key", None) == key)
    return nodes[index + 1]


# Pages and their query parameters. A query value names the `Seeded` field that contains the id.
PAGES = [
    pytest.param(None, {}, id="contacts_list"),
    pytest.param(HABITATS_LIST_PAGE, {}, id="habitats_list"),
    pytest.param(HABITAT_PAGE, {"habitat_id": "tilleuls"}, id="habitat"),
    pytest.param(CONTACT_PAGE, {}, id="contact_create_multiple"),
    pytest.param(CONTACT_PAGE, {"habitat_id": "tilleuls"}, id="contact_create_simple"),
    pytest.param(CONTACT_PAGE, {"contact_id": "lefevre"}, id="contact_edit_multiple"),
    pytest.param(CONTACT_PAGE, {"contact_id": "durand"}, id="contact_edit_simple"),
]


def open_seeded_page(seeded: Seeded, page: str | None, query: dict[str, str]) -> AppTest:
    return open_page(page, **{name: str(getattr(seeded, field)) for name, field in query.items()})


@pytest.mark.parametrize(("page", "query"), PAGES)
def test_page_runs_without_exception(seeded, page, query):
    at = open_seeded_page(seeded, page, query)

    assert not at.exception
    assert error_texts(at) == []


# Contacts list


def test_contacts_list_shows_title_and_button(seeded):
    at = open_page()

    assert values_of(at.title) == ["Gestion des contacts multiples"]
    assert button(at, "Créer un contact multiple")


def test_contacts_list_shows_search_inputs(seeded):
    at = open_page()

    labels = [widget.label for widget in [*at.text_input, *at.multiselect, *at.checkbox]]

    assert labels == [
        "Recherche",
        "Commune ou code postal",
        "Habitat",
        "Type de contact",
        "Rattaché à aucun habitat",
        "Afficher les archivés",
    ]


def test_contacts_list_counts_current_multiples(seeded):
    at = open_page()

    assert count_text(at) == "3 contacts trouvés"


def test_contacts_list_grid_holds_current_multiples(seeded):
    at = open_page()

    frame = grid_frame(grid(at, "contacts_grid_1"))

    assert set(frame["id"]) == {seeded.lefevre, seeded.proprete, seeded.martin}
    assert len(frame) == 3


def test_contacts_list_grid_shows_contact_values(seeded):
    at = open_page()

    frame = grid_frame(grid(at, "contacts_grid_1")).set_index("id")
    lefevre = frame.loc[seeded.lefevre]

    assert lefevre["icon"] == "👥"
    assert lefevre["contact_type"] == "Gardien"
    assert lefevre["full_name"] == "LEFÈVRE Anne"
    assert lefevre["phone"] == "06 12 34 56 78"
    assert lefevre["linked_habitat_count"] == 2


@pytest.mark.parametrize(
    ("widget", "key", "value", "expected"),
    [
        pytest.param("text_input", "contacts_text", "lefevre", {"lefevre"}, id="text_without_accent"),
        pytest.param("text_input", "contacts_text", "06.12.34.56.78", {"lefevre"}, id="text_phone_with_dots"),
        pytest.param("text_input", "contacts_place", "75012", {"lefevre"}, id="place_of_linked_habitat"),
        pytest.param("multiselect", "contacts_types", ["syndic"], {"martin"}, id="type_skips_archived"),
        pytest.param("checkbox", "contacts_unlinked", True, {"martin"}, id="unlinked_only"),
        pytest.param("checkbox", "contacts_archived", True, {"lefevre", "proprete", "martin", "archived"}, id="archived_shown"),
    ],
)
def test_contacts_list_search_filters_grid(seeded, widget, key, value, expected):
    at = open_page()

    getattr(at, widget)(key=key).set_value(value).run()

    assert not at.exception
    assert contact_ids_in_list(at) == {getattr(seeded, name) for name in expected}


def test_contacts_list_search_updates_count(seeded):
    at = open_page()

    at.text_input(key="contacts_text").input("lefevre").run()

    assert count_text(at) == "1 contact trouvé"


def test_contacts_list_archived_rows_marked(seeded):
    at = open_page()

    at.checkbox(key="contacts_archived").check().run()
    frame = grid_frame(grid(at, "contacts_grid_1")).set_index("id")

    assert frame.loc[seeded.archived, "status"] == "Archivé"
    assert frame.loc[seeded.martin, "status"] == ""


def test_contacts_list_habitat_filter(seeded):
    at = open_page()

    at.text_input(key="contacts_habitat_text").input("Cèdres").run()

    assert at.selectbox(key="contacts_habitat_choice").options == ["H2 · Les Cèdres · 75012 Paris"]
    assert contact_ids_in_list(at) == {seeded.lefevre}


def test_contacts_list_create_button_opens_form(seeded):
    at = open_page()

    button(at, "Créer un contact multiple").click().run()

    assert values_of(at.title) == ["👥 Nouveau contact multiple"]


# Habitats list and fiche habitat


def test_habitats_list_shows_search_and_count(seeded):
    at = open_page(HABITATS_LIST_PAGE)

    assert values_of(at.title) == ["Habitats"]
    assert [widget.label for widget in at.text_input] == ["Recherche"]
    assert count_text(at) == "2 habitats trouvés"


def test_habitats_list_grid_holds_habitats(seeded):
    at = open_page(HABITATS_LIST_PAGE)

    frame = grid_frame(grid(at, "habitats_grid_1")).set_index("id")

    assert set(frame.index) == {seeded.tilleuls, seeded.cedres}
    assert frame.loc[seeded.tilleuls, "code"] == "H1"
    assert frame.loc[seeded.tilleuls, "current_contact_count"] == 3


def test_habitats_list_search_without_accent(seeded):
    at = open_page(HABITATS_LIST_PAGE)

    at.text_input(key="habitats_text").input("cedres").run()

    assert set(grid_frame(grid(at, "habitats_grid_1"))["id"]) == {seeded.cedres}
    assert count_text(at) == "1 habitat trouvé"


def test_habitat_page_shows_four_tabs(seeded):
    at = open_page(HABITAT_PAGE, habitat_id=str(seeded.tilleuls))

    assert [tab.label for tab in at.tabs] == ["INFORMATIONS", "CONTACT", "LOGEMENTS ET LOCAUX", "HISTORIQUE"]


def test_habitat_page_shows_header(seeded):
    at = open_page(HABITAT_PAGE, habitat_id=str(seeded.tilleuls))

    assert values_of(at.title) == [r"H1 · Résidence Les Tilleuls"]
    assert values_of(at.caption)[:4] == ["Code", "Bailleur", "Logements", "Commune"]
    assert values_of(at.markdown)[:4] == ["**H1**", r"**Hautes\-Alpes Habitat**", "**2**", "**05000 Gap**"]


def test_habitat_contact_grid_lists_both_kinds(seeded):
    at = open_page(HABITAT_PAGE, habitat_id=str(seeded.tilleuls))

    frame = grid_frame(grid(at, f"habitat_{seeded.tilleuls}_contacts_grid"))
    rows = set(zip(frame["icon"], frame["display_name"], strict=True))

    assert rows == {("👥", "LEFÈVRE Anne"), ("👥", "Propreté Alpine"), ("👤", "DURAND Marc")}


def test_habitat_premises_tab_lists_targets(seeded):
    at = open_page(HABITAT_PAGE, habitat_id=str(seeded.tilleuls))

    premises_tab = at.tabs[2]

    assert values_of(premises_tab.text) == ["Local poubelles", "Logement A01", "Logement A02"]


def test_habitat_without_contacts_says_so(seeded, page_sessions):
    empty = add_habitat(page_sessions, "H3", "Le Clos")

    at = open_page(HABITAT_PAGE, habitat_id=str(empty))

    assert values_of(at.info)[0] == "Aucun contact n'est rattaché à cet habitat."
    assert grid_keys(at) == []


# Contact page: creation and edit modes

FORM_LABELS = [
    "Nom",
    "Prénom",
    "Raison sociale",
    "Téléphone fixe",
    "Téléphone mobile",
    "E-mail",
    "Numéro et voie",
    "Complément d'adresse",
    "Code postal",
    "Commune",
]


def test_create_form_shows_fields(seeded):
    at = open_page(CONTACT_PAGE)

    assert values_of(at.title) == ["👥 Nouveau contact multiple"]
    assert [widget.label for widget in at.text_input] == FORM_LABELS
    assert [widget.label for widget in at.selectbox] == ["Civilité", "Type de contact *"]
    assert [widget.label for widget in at.text_area] == ["Commentaire"]
    assert button(at, "Enregistrer")


def test_create_form_starts_empty(seeded):
    at = open_page(CONTACT_PAGE)

    assert values_of(at.text_input) == [""] * len(FORM_LABELS)
    assert at.selectbox(key="contact_new_contact_type").value is None


def test_create_simple_form_names_habitat(seeded):
    at = open_page(CONTACT_PAGE, habitat_id=str(seeded.tilleuls))

    assert values_of(at.title) == ["👤 Nouveau contact simple"]
    assert "H1 · Résidence Les Tilleuls" in values_of(at.caption)[0]


def test_edit_form_prefills_values(seeded):
    at = open_contact(seeded.lefevre)

    assert values_of(at.title) == ["👥 LEFÈVRE Anne"]
    assert at.text_input(key=f"contact_{seeded.lefevre}_last_name").value == "Lefèvre"
    assert at.text_input(key=f"contact_{seeded.lefevre}_first_name").value == "Anne"
    assert at.text_input(key=f"contact_{seeded.lefevre}_email").value == "anne.lefevre@exemple.fr"
    assert at.selectbox(key=f"contact_{seeded.lefevre}_contact_type").value == "gardien"


def test_edit_form_formats_phone(seeded):
    at = open_contact(seeded.lefevre)

    assert at.text_input(key=f"contact_{seeded.lefevre}_phone_mobile").value == "06 12 34 56 78"


def test_edit_page_lists_links(seeded):
    at = open_contact(seeded.lefevre)

    frame = grid_frame(grid(at, f"contact_{seeded.lefevre}_links_grid"))

    assert sorted(frame["habitat_code"]) == ["H1", "H2"]
    assert set(frame["status"]) == {"En cours"}
    assert set(frame["since"]) == {"01/01/2024"}


def test_simple_contact_page_has_no_links(seeded):
    at = open_contact(seeded.durand)

    assert values_of(at.title) == ["👤 DURAND Marc"]
    assert grid_keys(at) == []
    assert "Habitats rattachés" not in values_of(at.subheader)


# Creation through the form


def test_create_saves_contact(seeded, page_sessions):
    at = open_page(CONTACT_PAGE)
    fill_new_contact(at, contact_type="syndic", last_name="Dupont", first_name="Zoé", phone_mobile="06 98 76 54 32")

    button(at, "Enregistrer").click().run()

    found = contacts.search_contacts(page_sessions, AGENT, ContactFilters(text="Dupont"), 1, 10)
    assert not at.exception
    assert found.total == 1
    assert found.rows[0].phone == "06 98 76 54 32"
    assert found.rows[0].contact_type == "Syndic"


def test_create_opens_new_contact(seeded, page_sessions):
    at = open_page(CONTACT_PAGE)
    fill_new_contact(at, contact_type="syndic", last_name="Dupont")

    button(at, "Enregistrer").click().run()

    created_id = contacts.search_contacts(page_sessions, AGENT, ContactFilters(text="Dupont"), 1, 10).rows[0].id
    assert at.query_params.get("contact_id") == str(created_id)
    assert values_of(at.title) == ["👥 DUPONT"]
    assert values_of(at.success) == ["Le contact « DUPONT » a été créé."]


def test_create_simple_contact_for_habitat(seeded, page_sessions):
    at = open_page(CONTACT_PAGE, habitat_id=str(seeded.cedres))
    fill_new_contact(at, contact_type="gardien", last_name="Petit")

    button(at, "Enregistrer").click().run()

    created = contacts.get_contact(page_sessions, AGENT, int(at.query_params["contact_id"]))
    assert created.is_multiple is False
    assert created.habitat_id == seeded.cedres


def test_create_form_empty_after_creation(seeded):
    at = open_page(CONTACT_PAGE)
    fill_new_contact(at, contact_type="syndic", last_name="Dupont")
    button(at, "Enregistrer").click().run()

    at.switch_page(CONTACT_PAGE)
    at.query_params.clear()
    at.run()

    assert values_of(at.title) == ["👥 Nouveau contact multiple"]
    assert at.text_input(key="contact_new_last_name").value == ""
    assert at.selectbox(key="contact_new_contact_type").value is None


VALID_NEW_CONTACT = {"contact_type": "syndic", "last_name": "Dupont", "email": "zoe.dupont@exemple.fr"}

INVALID_NEW_CONTACTS = [
    pytest.param(
        {"phone_mobile": "12 34"},
        "contact_new_phone_mobile",
        "Numéro de téléphone invalide : « 12 34 ». Saisissez par exemple 06 12 34 56 78 ou +33 6 12 34 56 78.",
        id="phone",
    ),
    pytest.param(
        {"email": "zoe.dupont@"},
        "contact_new_email",
        "Adresse e-mail invalide : « zoe.dupont@ ». Exemple : prenom.nom@exemple.fr.",
        id="email",
    ),
    pytest.param(
        {"postcode": "5000"},
        "contact_new_postcode",
        "Code postal invalide : « 5000 ». Saisissez cinq chiffres, par exemple 05000.",
        id="postcode",
    ),
    pytest.param({"contact_type": None}, "contact_new_contact_type", "Choisissez le type de contact.", id="missing_type"),
    pytest.param(
        {"last_name": "", "company_name": ""},
        "contact_new_last_name",
        "Saisissez un nom ou une raison sociale.",
        id="missing_names",
    ),
]


def submit_invalid(change: dict[str, str | None]) -> AppTest:
    """Open the creation form, fill a valid contact changed by `change`, and submit it."""
    at = open_page(CONTACT_PAGE)
    values = {**VALID_NEW_CONTACT, "first_name": "Zoé", **change}
    fill_new_contact(at, **values)
    button(at, "Enregistrer").click().run()
    return at


@pytest.mark.parametrize(("change", "field_key", "message"), INVALID_NEW_CONTACTS)
def test_invalid_create_shows_error_beside_field(seeded, change, field_key, message):
    at = submit_invalid(change)

    error = node_after(at, field_key)

    assert not at.exception
    assert error.type == "error"
    assert unescape_markdown(error.value) == message


@pytest.mark.parametrize(("change", "field_key", "message"), INVALID_NEW_CONTACTS)
def test_invalid_create_writes_nothing(seeded, page_sessions, change, field_key, message):
    before = contact_count(page_sessions)

    at = submit_invalid(change)

    assert contact_count(page_sessions) == before
    assert values_of(at.title) == ["👥 Nouveau contact multiple"]
    assert "Le contact n'a pas été enregistré : corrigez les champs signalés." in error_texts(at)


@pytest.mark.parametrize(("change", "field_key", "message"), INVALID_NEW_CONTACTS)
def test_invalid_create_keeps_typed_values(seeded, change, field_key, message):
    expected = {**VALID_NEW_CONTACT, "first_name": "Zoé", **change}

    at = submit_invalid(change)

    assert at.selectbox(key="contact_new_contact_type").value == expected["contact_type"]
    for field in ("last_name", "first_name", "email"):
        assert at.text_input(key=f"contact_new_{field}").value == expected[field], field
    if "phone_mobile" in change:
        assert at.text_input(key="contact_new_phone_mobile").value == change["phone_mobile"]


def test_double_submit_creates_one_contact(seeded, page_sessions):
    """A double click sends the form twice: the second run finds the contact the first one created.

    In a browser, the second click can reach the server while the first run is still going.
    Streamlit then stops that run and reruns with the same submitted form. The stop may come
    after the transaction committed but before the page marked the token as used. AppTest
    cannot interrupt a run, so this test replays that state: it keeps the token of the first
    submission, restores the token flags after it, and submits the same form again.
    """
    at = open_page(CONTACT_PAGE)
    fill_new_contact(at, contact_type="syndic", last_name="Dupont")
    token = at.session_state["contact_new_token"]
    before = contact_count(page_sessions)
    button(at, "Enregistrer").click().run()
    first_id = at.query_params["contact_id"]

    at.session_state["contact_new_token"] = token
    at.session_state["contact_new_token_used"] = False
    at.session_state["contact_new_reset"] = False
    at.switch_page(CONTACT_PAGE)
    at.query_params.clear()
    at.run()
    fill_new_contact(at, contact_type="syndic", last_name="Dupont")
    button(at, "Enregistrer").click().run()

    assert contact_count(page_sessions) == before + 1
    assert at.query_params["contact_id"] == first_id


def test_second_form_gets_new_token(seeded, page_sessions):
    at = open_page(CONTACT_PAGE)
    fill_new_contact(at, contact_type="syndic", last_name="Dupont")
    button(at, "Enregistrer").click().run()

    at.switch_page(CONTACT_PAGE)
    at.query_params.clear()
    at.run()
    fill_new_contact(at, contact_type="syndic", last_name="Dupont")
    button(at, "Enregistrer").click().run()

    assert contacts.search_contacts(page_sessions, AGENT, ContactFilters(text="Dupont"), 1, 10).total == 2


# Edit, archive and restore


def test_edit_saves_changed_field(seeded, page_sessions):
    at = open_contact(seeded.martin)

    at.text_input(key=f"contact_{seeded.martin}_city").input("Briançon")
    button(at, "Enregistrer").click().run()

    assert contacts.get_contact(page_sessions, AGENT, seeded.martin).city == "Briançon"
    assert values_of(at.success) == ["Les modifications ont été enregistrées."]
    assert at.text_input(key=f"contact_{seeded.martin}_city").value == "Briançon"


def test_invalid_edit_keeps_database(seeded, page_sessions):
    at = open_contact(seeded.lefevre)

    at.text_input(key=f"contact_{seeded.lefevre}_phone_mobile").input("abc")
    button(at, "Enregistrer").click().run()

    assert contacts.get_contact(page_sessions, AGENT, seeded.lefevre).phone_mobile == "+33612345678"
    assert node_after(at, f"contact_{seeded.lefevre}_phone_mobile").type == "error"
    assert at.text_input(key=f"contact_{seeded.lefevre}_phone_mobile").value == "abc"


def test_edit_after_other_save_reports_conflict(seeded, page_sessions):
    at = open_contact(seeded.martin)
    contacts.set_contact_archived(page_sessions, AGENT, seeded.martin, True)

    at.text_input(key=f"contact_{seeded.martin}_city").input("Briançon")
    button(at, "Enregistrer").click().run()

    assert not at.exception
    assert any("modifié par quelqu'un d'autre" in message for message in error_texts(at))
    assert values_of(at.success) == []
    assert contacts.get_contact(page_sessions, AGENT, seeded.martin).city is None
    assert at.text_input(key=f"contact_{seeded.martin}_city").value == "Briançon"


def test_reopened_contact_shows_values(seeded):
    at = open_contact(seeded.martin)
    at.switch_page(CONTACTS_LIST_PAGE)
    at.query_params.clear()
    at.run()

    at.switch_page(CONTACT_PAGE)
    at.query_params["contact_id"] = str(seeded.martin)
    at.run()

    assert at.text_input(key=f"contact_{seeded.martin}_last_name").value == "Martin"
    assert at.selectbox(key=f"contact_{seeded.martin}_contact_type").value == "syndic"


def test_save_after_archive_succeeds(seeded, page_sessions):
    at = open_contact(seeded.martin)
    button(at, "Archiver le contact").click().run()

    at.text_input(key=f"contact_{seeded.martin}_city").input("Briançon")
    button(at, "Enregistrer").click().run()

    assert values_of(at.success) == ["Les modifications ont été enregistrées."]
    assert contacts.get_contact(page_sessions, AGENT, seeded.martin).city == "Briançon"


def test_archive_button_archives(seeded, page_sessions):
    at = open_contact(seeded.martin)

    button(at, "Archiver le contact").click().run()

    assert contacts.get_contact(page_sessions, AGENT, seeded.martin).is_archived is True
    assert values_of(at.success) == ["Le contact a été archivé."]
    assert button(at, "Restaurer le contact")


def test_restore_button_restores(seeded, page_sessions):
    at = open_contact(seeded.martin)
    button(at, "Archiver le contact").click().run()

    button(at, "Restaurer le contact").click().run()

    assert contacts.get_contact(page_sessions, AGENT, seeded.martin).is_archived is False
    assert values_of(at.success) == ["Le contact a été restauré."]
    assert button(at, "Archiver le contact")


def test_archived_contact_shows_warning(seeded):
    at = open_contact(seeded.archived)

    assert values_of(at.warning) == [
        "Ce contact est archivé : il n'apparaît plus dans les listes ni sur les fiches habitat."
    ]


# Links section

TARGET_LABEL = "Logement ou local (facultatif)"


def test_add_link_through_widgets(seeded, page_sessions):
    at = open_contact(seeded.martin)
    prefix = f"contact_{seeded.martin}_add_link"

    at.text_input(key=f"{prefix}_search").input("Cèdres").run()
    selectbox_labelled(at, TARGET_LABEL).select_index(0)
    button(at, "Ajouter le rattachement").click().run()

    saved = contacts.get_contact(page_sessions, AGENT, seeded.martin).links
    assert [(link.habitat_id, link.role, link.start_date) for link in saved] == [(seeded.cedres, "Syndic", dt.date.today())]
    assert values_of(at.success) == ["Le contact est rattaché à l'habitat H2."]
    assert set(grid_frame(grid(at, f"contact_{seeded.martin}_links_grid"))["habitat_code"]) == {"H2"}


def test_add_link_picker_offers_matches(seeded):
    at = open_contact(seeded.martin)
    prefix = f"contact_{seeded.martin}_add_link"

    at.text_input(key=f"{prefix}_search").input("tilleuls").run()

    assert selectbox_labelled(at, "Habitat").options == ["H1 · Résidence Les Tilleuls · 3 rue Victor Hugo 05000 Gap"]
    assert selectbox_labelled(at, TARGET_LABEL).options == ["Tout l'habitat", "Logement A01", "Logement A02", "Local poubelles"]


def test_add_link_to_premises(seeded, page_sessions):
    at = open_contact(seeded.martin)
    prefix = f"contact_{seeded.martin}_add_link"

    at.text_input(key=f"{prefix}_search").input("H1").run()
    selectbox_labelled(at, TARGET_LABEL).select_index(3)
    button(at, "Ajouter le rattachement").click().run()

    assert [link.target for link in contacts.get_contact(page_sessions, AGENT, seeded.martin).links] == ["Local poubelles"]


def test_add_link_without_habitat_shows_error(seeded, page_sessions):
    at = open_contact(seeded.martin)

    button(at, "Ajouter le rattachement").click().run()

    assert not at.exception
    assert "Choisissez l'habitat à rattacher." in error_texts(at)
    assert contacts.get_contact(page_sessions, AGENT, seeded.martin).links == []


def test_duplicate_link_shows_conflict(seeded, page_sessions):
    at = open_contact(seeded.proprete)
    prefix = f"contact_{seeded.proprete}_add_link"

    at.text_input(key=f"{prefix}_search").input("Tilleuls").run()
    button(at, "Ajouter le rattachement").click().run()

    assert "Ce contact est déjà rattaché à l'habitat H1 avec le rôle « Société de nettoyage »." in error_texts(at)
    assert len(contacts.get_contact(page_sessions, AGENT, seeded.proprete).links) == 1


def test_end_link_button_ends_link(seeded, page_sessions):
    at = open_contact(seeded.proprete)

    button(at, "Terminer ce rattachement").click().run()

    link = contacts.get_contact(page_sessions, AGENT, seeded.proprete).links[0]
    assert link.end_date == dt.date.today()
    assert values_of(at.success) == ["Le rattachement est terminé ; il reste visible dans l'historique."]
    assert set(grid_frame(grid(at, f"contact_{seeded.proprete}_links_grid"))["status"]) == {
        f"Terminé le {dt.date.today():%d/%m/%Y}"
    }


def test_links_grid_selection_opens_habitat(seeded):
    at = open_contact(seeded.lefevre)

    at.session_state[f"contact_{seeded.lefevre}_links_grid"] = {"selected_id": seeded.lefevre_tilleuls_link}
    at.run()

    assert not at.exception
    assert at.query_params.get("habitat_id") == str(seeded.tilleuls)
    assert values_of(at.title) == ["H1 · Résidence Les Tilleuls"]


# Grid selections that open a record, simulated through the grid's key in the session state.
GRID_SELECTIONS = [
    pytest.param(None, {}, "contacts_grid_1", "lefevre", "contact_id", "lefevre", id="contacts_list"),
    pytest.param(HABITATS_LIST_PAGE, {}, "habitats_grid_1", "cedres", "habitat_id", "cedres", id="habitats_list"),
]


@pytest.mark.parametrize(("page", "query", "grid_key", "selected", "param", "expected"), GRID_SELECTIONS)
def test_grid_selection_opens_record(seeded, page, query, grid_key, selected, param, expected):
    at = open_seeded_page(seeded, page, query)

    at.session_state[grid_key] = {"selected_id": getattr(seeded, selected)}
    at.run()

    assert not at.exception
    assert at.query_params.get(param) == str(getattr(seeded, expected))


def test_habitat_contact_grid_opens_contact(seeded):
    at = open_page(HABITAT_PAGE, habitat_id=str(seeded.tilleuls))
    key = f"habitat_{seeded.tilleuls}_contacts_grid"
    frame = grid_frame(grid(at, key))
    durand_row = int(frame.loc[frame["display_name"] == "DURAND Marc", "id"].iloc[0])

    at.session_state[key] = {"selected_id": durand_row}
    at.run()

    assert not at.exception
    assert at.query_params.get("contact_id") == str(seeded.durand)
    assert values_of(at.title) == ["👤 DURAND Marc"]


# Bad URLs


@pytest.mark.parametrize(
    ("page", "param", "value", "message"),
    [
        pytest.param(CONTACT_PAGE, "contact_id", "abc", "L'adresse de cette page ne désigne pas un contact valide. Revenez à la liste des contacts.", id="contact_text"),
        pytest.param(CONTACT_PAGE, "contact_id", "-3", "L'adresse de cette page ne désigne pas un contact valide. Revenez à la liste des contacts.", id="contact_negative"),
        pytest.param(CONTACT_PAGE, "contact_id", "999999", "Le contact n° 999999 n'existe pas ou a été supprimé.", id="contact_missing"),
        pytest.param(CONTACT_PAGE, "habitat_id", "999999", "L'habitat n° 999999 n'existe pas ou a été supprimé.", id="owner_missing"),
        pytest.param(HABITAT_PAGE, "habitat_id", "0", "L'adresse de cette page ne désigne pas un habitat valide. Revenez à la liste des habitats.", id="habitat_zero"),
        pytest.param(HABITAT_PAGE, "habitat_id", "1e3", "L'adresse de cette page ne désigne pas un habitat valide. Revenez à la liste des habitats.", id="habitat_text"),
        pytest.param(HABITAT_PAGE, "habitat_id", "999999", "L'habitat n° 999999 n'existe pas ou a été supprimé.", id="habitat_missing"),
    ],
)
def test_bad_url_id_shows_french_error(seeded, page, param, value, message):
    at = open_page(page, **{param: value})

    assert not at.exception
    assert error_texts(at) == [message]


def test_bad_owner_id_shows_no_form(seeded):
    at = open_page(CONTACT_PAGE, habitat_id="abc")

    assert not at.exception
    assert len(at.error) == 1
    assert [widget.label for widget in at.text_input] == []


def test_habitat_page_without_id_shows_error(seeded):
    at = open_page(HABITAT_PAGE)

    assert error_texts(at) == ["L'adresse de cette page ne désigne pas un habitat valide. Revenez à la liste des habitats."]


# User text that looks like HTML, Markdown or a formula

MARKUP_FIELDS = {"last_name": "<b>x</b>", "first_name": "**bold**", "company_name": "=SUM(1)", "city": "_Gap_"}
MARKUP_DISPLAY_NAME = "<B>X</B> **bold**"


@pytest.fixture
def markup_contact(seeded, page_sessions) -> int:
    created = add_contact(page_sessions, contact_type="gardien", **MARKUP_FIELDS)
    add_link(page_sessions, created.id, seeded.tilleuls)
    return created.id


def open_markup_page(name: str, seeded: Seeded, contact_id: int) -> AppTest:
    if name == "contacts_list":
        return open_page()
    if name == "habitat":
        return open_page(HABITAT_PAGE, habitat_id=str(seeded.tilleuls))
    return open_contact(contact_id)


@pytest.mark.parametrize("name", ["contacts_list", "habitat", "contact"])
def test_markup_not_rendered_as_markdown(seeded, markup_contact, name):
    at = open_markup_page(name, seeded, markup_contact)

    texts = markdown_texts(at)

    assert not at.exception
    for text in texts:
        assert "**bold**" not in text, text
        assert "<b>" not in text.lower(), text
        assert "_Gap_" not in text, text


def test_contact_title_shows_markup_literally(seeded, markup_contact):
    at = open_contact(markup_contact)

    title = values_of(at.title)[0]

    assert MARKDOWN_ESCAPE.sub(r"\1", title) == f"👥 {MARKUP_DISPLAY_NAME}"


def test_contact_form_keeps_markup_verbatim(seeded, markup_contact):
    at = open_contact(markup_contact)

    for field, value in MARKUP_FIELDS.items():
        assert at.text_input(key=f"contact_{markup_contact}_{field}").value == value, field


def test_contacts_grid_keeps_markup_verbatim(seeded, markup_contact):
    at = open_page()

    row = grid_frame(grid(at, "contacts_grid_1")).set_index("id").loc[markup_contact]

    assert row["full_name"] == MARKUP_DISPLAY_NAME
    assert row["company_name"] == "=SUM(1)"
    assert row["address"] == "_Gap_"


def test_created_markup_flash_is_escaped(seeded):
    at = open_page(CONTACT_PAGE)
    fill_new_contact(at, contact_type="gardien", **MARKUP_FIELDS)

    button(at, "Enregistrer").click().run()

    flash = values_of(at.success)[0]
    assert "**bold**" not in flash
    assert MARKDOWN_ESCAPE.sub(r"\1", flash) == f"Le contact « {MARKUP_DISPLAY_NAME} » a été créé."


# Empty optional fields


@pytest.fixture
def sparse_contact(page_sessions) -> tuple[int, int]:
    """Insert a habitat with only a code and a name, and link to it a contact with only a type and a name."""
    habitat_id = add_habitat(page_sessions, "H9", "Bâtiment nu")
    contact = add_contact(page_sessions, contact_type="divers", last_name="Seul")
    add_link(page_sessions, contact.id, habitat_id, role="Divers")
    return habitat_id, contact.id


@pytest.mark.parametrize("name", ["contacts_list", "habitats_list", "habitat", "contact"])
def test_empty_fields_show_no_none_text(sparse_contact, name):
    habitat_id, contact_id = sparse_contact
    pages = {
        "contacts_list": lambda: open_page(),
        "habitats_list": lambda: open_page(HABITATS_LIST_PAGE),
        "habitat": lambda: open_page(HABITAT_PAGE, habitat_id=str(habitat_id)),
        "contact": lambda: open_contact(contact_id),
    }

    at = pages[name]()
    texts = rendered_texts(at)

    assert not at.exception
    assert [text for text in texts if EMPTY_VALUE_PATTERN.search(text)] == []


def test_end_before_start_shows_field_error(seeded, page_sessions):
    next_month = dt.date.today() + dt.timedelta(days=30)
    links.add_link(page_sessions, AGENT, seeded.martin, validate_link(seeded.cedres, "Syndic", start_date=next_month))
    at = open_contact(seeded.martin)

    button(at, "Terminer ce rattachement").click().run()

    assert f"La date de fin doit suivre la date de début ({next_month:%d/%m/%Y})." in error_texts(at)
    assert contacts.get_contact(page_sessions, AGENT, seeded.martin).links[0].end_date is None


def test_contacts_list_says_none_found(seeded):
    at = open_page()

    at.text_input(key="contacts_text").input("zzzzqqq").run()

    assert count_text(at) == "Aucun contact trouvé"


def test_added_link_resets_primary_checkbox(seeded, page_sessions):
    at = open_contact(seeded.martin)
    prefix = f"contact_{seeded.martin}_add_link"
    at.text_input(key=f"{prefix}_search").input("H1").run()
    at.checkbox(key=f"{prefix}_primary").check().run()

    button(at, "Ajouter le rattachement").click().run()

    assert contacts.get_contact(page_sessions, AGENT, seeded.martin).links[0].is_primary
    assert at.checkbox(key=f"{prefix}_primary").value is False


def test_unreachable_database_shows_french_error(monkeypatch):
    # Port 9 (discard) on loopback has no PostgreSQL, so the connection is refused at once.
    monkeypatch.setenv("TRACKOE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:9/trackoe")
    app_context.clear()

    at = open_page()

    app_context.clear()
    assert not at.exception
    assert error_texts(at) == [
        "La base de données est injoignable ou n'a pas pu être mise à jour. "
        "Réessayez dans quelques instants ; si le problème persiste, prévenez l'administrateur."
    ]


def test_contacts_list_pages_through_results(seeded, monkeypatch):
    monkeypatch.setenv("TRACKOE_PAGE_SIZE", "2")
    app_context.clear()
    at = open_page()
    first_page = set(grid_frame(grid(at, "contacts_grid_1"))["id"])

    at.session_state[f"contacts_page_{filters_digest(ContactFilters())}"] = 2
    at.run()

    second_page = set(grid_frame(grid(at, "contacts_grid_2"))["id"])
    assert len(first_page) == 2
    assert len(second_page) == 1
    assert first_page | second_page == {seeded.lefevre, seeded.proprete, seeded.martin}
    assert "Page 2 sur 2 · 2 contacts par page" in values_of(at.caption)

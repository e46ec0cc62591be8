"""The contact page for each role: read-only view, portal panel, temporary password dialog, deletion for good."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from trackoe.errors import NotFoundError
from trackoe.passwords import verify_password
from trackoe.permissions import Role
from trackoe.services import contacts, portal
from tests.actors import ADMIN, AGENT
from tests.pages_support import (
    Sessions,
    add_contact,
    add_habitat,
    add_link,
    error_texts,
    grid_keys,
    open_page,
    rendered_texts,
    sign_in_as,
    unescape_markdown,
)

CONTACT_PAGE = "pages/contact.py"
PORTAL_BUTTON = "Espace Infinitri"
RESET_BUTTON = "Générer un nouveau mot de passe"


@dataclass(frozen=True)
class Site:
    """The engine, session factory and ids that the `site` fixture creates."""

    engine: object
    sessions: Sessions
    habitat: int
    lefevre: int


@pytest.fixture
def site(app_sessions) -> Site:
    """Return the application's empty SQLite file holding one contact multiple linked to two habitats."""
    sessions = app_sessions
    habitat = add_habitat(sessions, "H1", "Résidence Les Tilleuls", postcode="05000", city="Gap")
    other_habitat = add_habitat(sessions, "H2", "Les Cèdres", postcode="75012", city="Paris")
    lefevre = add_contact(sessions, contact_type="gardien", last_name="Lefèvre", first_name="Anne", email="anne.lefevre@exemple.fr")
    add_link(sessions, lefevre.id, habitat)
    add_link(sessions, lefevre.id, other_habitat)

    return Site(engine=sessions.kw["bind"], sessions=sessions, habitat=habitat, lefevre=lefevre.id)


def open_contact(site: Site, token: str) -> AppTest:
    return open_page(CONTACT_PAGE, token=token, contact_id=str(site.lefevre))


def main_button_labels(at: AppTest) -> list[str]:
    """Return the labels of the buttons of the page's main area, the sidebar's sign-out button left out."""
    return [node.label for node in at.main.button]


def click(at: AppTest, label: str) -> AppTest:
    matches = [node for node in at.main.button if node.label == label]
    assert len(matches) == 1, f"expected one button labelled {label!r}, found {len(matches)}"
    return matches[0].click().run()


def page_texts(at: AppTest) -> list[str]:
    """Return what the page shows, Markdown escapes removed."""
    return [unescape_markdown(value) for value in rendered_texts(at)]


def portal_view_count(site: Site) -> int:
    with site.engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM audit_event WHERE action = 'portal_view'"))


def stored_hash(site: Site) -> str:
    with site.engine.connect() as connection:
        return connection.scalar(text("SELECT password_hash FROM portal_account"))


def codes(at: AppTest) -> list[str]:
    """Return the values of every st.code block, dialogs included (AppTest keeps dialogs outside `at.main`)."""
    return [node.value for node in at.code]


def all_texts(at: AppTest) -> list[str]:
    """Return what the page and its open dialogs show, Markdown escapes removed."""
    elements = [*at.title, *at.markdown, *at.caption, *at.success, *at.info, *at.warning, *at.error, *at.code]
    return page_texts(at) + [unescape_markdown(node.value) for node in elements]


# Lecteur


def test_lecteur_sees_no_edit_controls(site):
    token = sign_in_as(site.sessions, Role.LECTEUR)

    at = open_contact(site, token)

    assert not at.exception
    assert error_texts(at) == []
    assert list(at.main.text_input) == []
    assert list(at.main.text_area) == []
    assert list(at.main.selectbox) == []
    assert main_button_labels(at) == []


def test_lecteur_sees_fields_as_text(site):
    token = sign_in_as(site.sessions, Role.LECTEUR)

    at = open_contact(site, token)

    texts = page_texts(at)
    assert "**Nom**  \nLefèvre" in texts
    assert "**E-mail**  \nanne.lefevre@exemple.fr" in texts
    assert any("consultation seulement" in value for value in texts)


def test_lecteur_sees_links_grid(site):
    token = sign_in_as(site.sessions, Role.LECTEUR)

    at = open_contact(site, token)

    assert grid_keys(at) == [f"contact_{site.lefevre}_links_grid"]
    assert "Habitats rattachés" in page_texts(at)


def test_lecteur_sees_history(site):
    token = sign_in_as(site.sessions, Role.LECTEUR)

    at = open_contact(site, token)

    assert "Historique" in page_texts(at)
    assert len(at.main.dataframe) == 1


@pytest.mark.parametrize("query", [{}, {"habitat_id": "habitat"}], ids=["multiple", "simple"])
def test_lecteur_cannot_open_creation_form(site, query):
    token = sign_in_as(site.sessions, Role.LECTEUR)

    at = open_page(CONTACT_PAGE, token=token, **{name: str(getattr(site, field)) for name, field in query.items()})

    assert list(at.main.text_input) == []
    assert main_button_labels(at) == []
    assert [unescape_markdown(node.value) for node in at.main.info] == [
        "La création de contacts est réservée aux agents et aux administrateurs : votre compte permet la consultation seulement."
    ]


# Portal button


@pytest.mark.parametrize(
    ("role", "can_view_portal", "expected"),
    [
        pytest.param(Role.AGENT, True, True, id="agent_with_setting"),
        pytest.param(Role.AGENT, False, False, id="agent_without_setting"),
        pytest.param(Role.ADMINISTRATEUR, True, True, id="administrateur_with_setting"),
        pytest.param(Role.ADMINISTRATEUR, False, False, id="administrateur_without_setting"),
        pytest.param(Role.LECTEUR, False, False, id="lecteur"),
    ],
)
def test_portal_button_follows_setting(site, role, can_view_portal, expected):
    token = sign_in_as(site.sessions, role, can_view_portal=can_view_portal)

    at = open_contact(site, token)

    assert (PORTAL_BUTTON in main_button_labels(at)) is expected


def test_agent_sees_identifier_in_panel(site):
    portal.create_portal_access(site.sessions, AGENT, site.lefevre, "anne.lefevre")
    token = sign_in_as(site.sessions, Role.AGENT)
    at = open_contact(site, token)

    at = click(at, PORTAL_BUTTON)

    texts = page_texts(at)
    assert "Identifiant : **anne.lefevre**" in texts
    assert "Statut : **Invité**" in texts
    assert codes(at) == []


def test_panel_opening_journalled_once(site):
    token = sign_in_as(site.sessions, Role.AGENT)
    at = open_contact(site, token)

    at = click(at, PORTAL_BUTTON)
    at.run()
    at.run()

    assert portal_view_count(site) == 1


def test_panel_reopening_journalled_again(site):
    token = sign_in_as(site.sessions, Role.AGENT)
    at = click(open_contact(site, token), PORTAL_BUTTON)

    at = click(at, "Fermer")
    at = click(at, PORTAL_BUTTON)

    assert portal_view_count(site) == 2


def test_panel_suggests_identifier(site):
    token = sign_in_as(site.sessions, Role.AGENT)

    at = click(open_contact(site, token), PORTAL_BUTTON)

    assert at.text_input(key=f"contact_{site.lefevre}_portal_identifier").value == "anne.lefevre@exemple.fr"
    assert "Statut : **Jamais invité** · ce contact n'a pas encore d'accès." in page_texts(at)


# Temporary password


def test_create_access_shows_password_once(site):
    token = sign_in_as(site.sessions, Role.AGENT)
    at = click(open_contact(site, token), PORTAL_BUTTON)
    at.text_input(key=f"contact_{site.lefevre}_portal_identifier").input("anne.l")

    at = click(at, "Créer l'accès")

    shown_passwords = codes(at)
    assert len(shown_passwords) == 1
    assert verify_password(stored_hash(site), shown_passwords[0])
    assert "Identifiant : **anne.lefevre**" not in page_texts(at)
    assert "Identifiant : **anne.l**" in page_texts(at)
    assert any("ne sera plus affiché" in value for value in all_texts(at))


def test_reset_shows_password_once(site):
    portal.create_portal_access(site.sessions, AGENT, site.lefevre, "anne.lefevre")
    token = sign_in_as(site.sessions, Role.AGENT)
    at = click(open_contact(site, token), PORTAL_BUTTON)

    at = click(at, RESET_BUTTON)
    password = codes(at)[0]
    at.run()

    assert verify_password(stored_hash(site), password)
    assert codes(at) == []
    assert password not in " ".join(all_texts(at))


def test_reload_does_not_show_password(site):
    portal.create_portal_access(site.sessions, AGENT, site.lefevre, "anne.lefevre")
    token = sign_in_as(site.sessions, Role.AGENT)
    at = click(open_contact(site, token), PORTAL_BUTTON)
    password = codes(click(at, RESET_BUTTON))[0]

    reloaded = open_contact(site, token)

    assert codes(reloaded) == []
    assert password not in " ".join(all_texts(reloaded))


def test_session_state_holds_no_password(site):
    portal.create_portal_access(site.sessions, AGENT, site.lefevre, "anne.lefevre")
    token = sign_in_as(site.sessions, Role.AGENT)
    at = click(open_contact(site, token), PORTAL_BUTTON)

    at = click(at, RESET_BUTTON)
    password = codes(at)[0]
    at.run()

    state_text = repr(dict(at.session_state.items()))
    assert password not in state_text
    assert "$argon2" not in state_text


def test_duplicate_identifier_shows_french_error(site):
    other = add_contact(site.sessions, contact_type="syndic", last_name="Martin", first_name="Paul")
    portal.create_portal_access(site.sessions, AGENT, other.id, "Anne.Lefevre")
    token = sign_in_as(site.sessions, Role.AGENT)
    at = click(open_contact(site, token), PORTAL_BUTTON)
    at.text_input(key=f"contact_{site.lefevre}_portal_identifier").input("anne.lefevre")

    at = click(at, "Créer l'accès")

    assert codes(at) == []
    assert any("est déjà utilisé par un autre accès" in message for message in error_texts(at))
    with site.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM portal_account")) == 1


@pytest.mark.parametrize(
    ("clicks", "expected_status"),
    [
        pytest.param(["Désactiver l'accès"], "desactive", id="disable"),
        pytest.param(["Désactiver l'accès", "Réactiver"], "invite", id="disable_then_enable"),
    ],
)
def test_status_buttons_change_access(site, clicks, expected_status):
    portal.create_portal_access(site.sessions, AGENT, site.lefevre, "anne.lefevre")
    token = sign_in_as(site.sessions, Role.AGENT)
    at = click(open_contact(site, token), PORTAL_BUTTON)

    for label in clicks:
        at = click(at, label)

    with site.engine.connect() as connection:
        assert connection.scalar(text("SELECT status FROM portal_account")) == expected_status


def test_disabled_access_offers_no_reset(site):
    portal.create_portal_access(site.sessions, AGENT, site.lefevre, "anne.lefevre")
    portal.set_portal_access_enabled(site.sessions, AGENT, site.lefevre, False)
    token = sign_in_as(site.sessions, Role.AGENT)

    at = click(open_contact(site, token), PORTAL_BUTTON)

    assert "Statut : **Désactivé**" in page_texts(at)
    assert RESET_BUTTON not in main_button_labels(at)
    assert "Réactiver" in main_button_labels(at)


# Deletion for good


@pytest.mark.parametrize("role", [Role.AGENT, Role.LECTEUR])
def test_delete_button_reserved_to_administrators(site, role):
    token = sign_in_as(site.sessions, role)

    at = open_contact(site, token)

    assert "Supprimer définitivement" not in main_button_labels(at)


def test_delete_dialog_names_what_is_lost(site):
    portal.create_portal_access(site.sessions, AGENT, site.lefevre, "anne.lefevre")
    token = sign_in_as(site.sessions, Role.ADMINISTRATEUR)

    at = click(open_contact(site, token), "Supprimer définitivement")

    texts = all_texts(at)
    assert f"Le contact **LEFÈVRE Anne** (n° {site.lefevre}) sera supprimé, avec :" in texts
    assert "- 2 rattachements, en cours et terminés\n- son accès à l'espace Infinitri (statut Invité)" in texts
    assert at.button(key=f"contact_{site.lefevre}_delete_confirm").disabled


def test_delete_after_confirmation_removes_contact(site):
    token = sign_in_as(site.sessions, Role.ADMINISTRATEUR)
    at = click(open_contact(site, token), "Supprimer définitivement")

    at.checkbox(key=f"contact_{site.lefevre}_delete_confirmed").check().run()
    at.button(key=f"contact_{site.lefevre}_delete_confirm").click().run()

    assert not at.exception
    assert [unescape_markdown(node.value) for node in at.success] == ["Le contact « LEFÈVRE Anne » a été supprimé définitivement."]
    with pytest.raises(NotFoundError):
        contacts.get_contact(site.sessions, ADMIN, site.lefevre)


def test_delete_cancel_keeps_contact(site):
    token = sign_in_as(site.sessions, Role.ADMINISTRATEUR)
    at = click(open_contact(site, token), "Supprimer définitivement")

    at.button(key=f"contact_{site.lefevre}_delete_cancel").click().run()

    assert contacts.get_contact(site.sessions, ADMIN, site.lefevre).id == site.lefevre
    assert f"contact_{site.lefevre}_delete_confirmed" not in [node.key for node in at.checkbox]

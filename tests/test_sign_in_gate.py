"""The sign-in gate of app.py, run through AppTest on an SQLite file: first start, sign-in, password change, sign-out."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from trackoe.access_views import AccountInput
from trackoe.permissions import Role
from trackoe.services import accounts, auth
from tests.actors import ADMIN
from tests.pages_support import APP_PATH, RUN_TIMEOUT_SECONDS, button, error_texts, sign_in_as

NEW_PASSWORD = "Premier-Demarrage-2026"


def run_app(token: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP_PATH), default_timeout=RUN_TIMEOUT_SECONDS)
    if token is not None:
        at.session_state["auth_token"] = token
    return at.run()


def fill_first_start(at: AppTest, password: str, confirmation: str) -> AppTest:
    at.text_input[0].input("admin")
    at.text_input[1].input("Alice Admin")
    at.text_input[2].input(password)
    at.text_input[3].input(confirmation)
    return button(at, "Créer le compte administrateur").click().run()


def session_state_values(at: AppTest) -> list[str]:
    return [str(value) for value in at.session_state.values()]


def test_empty_database_offers_first_start(app_sessions):
    at = run_app()

    assert [title.value for title in at.title] == ["Premier démarrage"]
    assert not at.exception


def test_first_start_creates_administrator(app_sessions):
    at = fill_first_start(run_app(), NEW_PASSWORD, NEW_PASSWORD)

    assert [title.value for title in at.title] == ["Connexion requise"]
    assert "est créé" in at.success[0].value
    assert not at.error
    assert auth.sign_in(app_sessions, "admin", NEW_PASSWORD).actor.role is Role.ADMINISTRATEUR
    assert NEW_PASSWORD not in "\n".join(session_state_values(at))


@pytest.mark.parametrize(
    ("password", "confirmation", "expected"),
    [
        (NEW_PASSWORD, "Autre-Mot-De-Passe-1", "Les deux mots de passe diffèrent."),
        ("court", "court", "Le mot de passe doit contenir au moins 12 caractères."),
    ],
)
def test_first_start_rejects_bad_password(app_sessions, password, confirmation, expected):
    at = fill_first_start(run_app(), password, confirmation)

    assert expected in error_texts(at)
    assert accounts.has_any_account(app_sessions) is False
    assert [at.text_input[0].value, at.text_input[1].value] == ["admin", "Alice Admin"]


def test_first_start_gone_once_an_account_exists(app_sessions):
    accounts.create_first_administrator(app_sessions, "admin", "Alice", NEW_PASSWORD)

    at = run_app()

    assert [title.value for title in at.title] == ["Connexion requise"]
    assert not at.text_input


def test_revoked_session_shows_sign_in_link(app_sessions):
    token = sign_in_as(app_sessions, Role.AGENT)
    auth.sign_out(app_sessions, token)

    at = run_app(token)

    assert [title.value for title in at.title] == ["Connexion requise"]
    assert not at.exception


def test_signed_in_user_reaches_contacts_list(app_sessions):
    token = sign_in_as(app_sessions, Role.LECTEUR)

    at = run_app(token)

    assert "Connexion requise" not in [title.value for title in at.title]
    assert any("Lecteur" in caption.value for caption in at.sidebar.caption)


def test_sidebar_links_to_sign_out_route(app_sessions):
    token = sign_in_as(app_sessions, Role.AGENT)

    at = run_app(token)

    assert any('href="/deconnexion"' in markdown.value for markdown in at.sidebar.markdown)


def test_temporary_password_must_be_changed_first(app_sessions):
    accounts.create_first_administrator(app_sessions, "admin", "Alice", NEW_PASSWORD)
    created = accounts.create_account(app_sessions, ADMIN, AccountInput("bruno", "Bruno", Role.AGENT.value))
    token = auth.sign_in(app_sessions, "bruno", created.temporary_password).token

    at = run_app(token)
    at.text_input[0].input(created.temporary_password)
    at.text_input[1].input("Nouveau-Secret-2027")
    at.text_input[2].input("Nouveau-Secret-2027")
    at = button(at, "Enregistrer le mot de passe").click().run()

    assert "Nouveau mot de passe" not in [title.value for title in at.title]
    assert auth.resolve_session(app_sessions, token).must_change_password is False
    stored_state = "\n".join(session_state_values(at))
    assert created.temporary_password not in stored_state
    assert "Nouveau-Secret-2027" not in stored_state

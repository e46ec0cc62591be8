"""The sign-in gate every page run passes: it resolves the session cookie into the signed-in Actor."""

from __future__ import annotations

import logging

import streamlit as st

from trackoe.bootstrap import AppContext
from trackoe.errors import DatabaseUnavailableError, TrackoeError
from trackoe.permissions import Actor
from trackoe.services import accounts, auth
from trackoe.session_tokens import COOKIE_NAME, unsign
from trackoe.ui.errors import run_action, show_field_error
from trackoe.ui.text import md

logger = logging.getLogger(__name__)

# A session token given by the test harness, which cannot set cookies; the browser path uses the cookie.
TOKEN_KEY = "auth_token"
ACTOR_KEY = "auth_actor"
SIGN_IN_PATH = "/connexion"
SIGN_OUT_PATH = "/deconnexion"
FIRST_START_ERRORS_KEY = "auth_first_start_errors"
FIRST_START_TYPED_KEY = "auth_first_start_typed"
FIRST_START_DONE_KEY = "auth_first_start_done"
PASSWORD_ERRORS_KEY = "auth_password_errors"


def session_token(context: AppContext) -> str | None:
    """Return the session token of this browser: from the signed cookie, else from the session state."""
    cookie = st.context.cookies.get(COOKIE_NAME)
    token = unsign(context.cookie_secret, cookie)
    if cookie and token is None:
        logger.warning("Session cookie with an invalid signature ignored")
    return token or st.session_state.get(TOKEN_KEY)


def current_actor() -> Actor:
    """Return the user signed in for this run; the router's gate has set it before any page runs."""
    return st.session_state[ACTOR_KEY]


def require_sign_in(context: AppContext) -> Actor:
    """Return the signed-in Actor, or show the first-start, sign-in or new-password screen and stop the run."""
    token = session_token(context)
    try:
        signed_in = auth.resolve_session(context.sessions, token)
        has_accounts = signed_in is not None or accounts.has_any_account(context.sessions)
    except DatabaseUnavailableError as error:
        signed_in_before: Actor | None = st.session_state.get(ACTOR_KEY)
        if signed_in_before is None or token is None:
            st.error(md(error.message))
            st.stop()
        # The session was valid on this browser's previous run. The page still draws, so what the
        # user typed stays in its form, and each of its service calls reports the outage.
        logger.warning("Session check of user %s skipped: database unreachable", signed_in_before.user_id)
        return signed_in_before
    except TrackoeError as error:
        st.error(md(error.message))
        st.stop()

    if signed_in is None:
        st.session_state.pop(ACTOR_KEY, None)
        if not has_accounts:
            _show_first_start(context)
        else:
            _show_sign_in_link()
        st.stop()

    if signed_in.must_change_password:
        _show_password_change(context, signed_in.actor, token)
        st.stop()

    st.session_state[ACTOR_KEY] = signed_in.actor
    return signed_in.actor


def _sign_in_link(label: str) -> None:
    # A same-tab link: Streamlit's own links open external targets in a new tab. The HTML is
    # a constant, so no user text reaches it.
    st.markdown(f'<a href="{SIGN_IN_PATH}" target="_self">{label}</a>', unsafe_allow_html=True)


def _show_sign_in_link() -> None:
    st.title("Connexion requise")
    created_username = st.session_state.pop(FIRST_START_DONE_KEY, None)
    if created_username is not None:
        st.success(f"Le compte administrateur {md(created_username)} est créé. Connectez-vous avec ce compte.")
    else:
        st.info("Votre session est terminée ou vous n'êtes pas connecté. Connectez-vous pour continuer.")
    _sign_in_link("Se connecter")


def _show_first_start(context: AppContext) -> None:
    st.title("Premier démarrage")
    st.info(
        "Aucun compte n'existe encore. Créez le premier compte administrateur : il pourra ensuite "
        "créer les comptes des agents et des lecteurs."
    )
    errors: dict[str, str] = st.session_state.get(FIRST_START_ERRORS_KEY, {})

    # The form clears on submit so no password stays in a widget; the names come back as defaults.
    typed = st.session_state.get(FIRST_START_TYPED_KEY, {})
    with st.form("first_start_form", clear_on_submit=True):
        username = st.text_input("Identifiant", value=typed.get("username", ""), max_chars=60)
        show_field_error(errors, "username")
        display_name = st.text_input("Nom affiché", value=typed.get("display_name", ""), max_chars=120)
        show_field_error(errors, "display_name")
        password = st.text_input("Mot de passe (12 caractères au moins)", type="password", max_chars=256)
        show_field_error(errors, "password")
        confirmation = st.text_input("Confirmation du mot de passe", type="password", max_chars=256)
        show_field_error(errors, "confirmation")
        submitted = st.form_submit_button("Créer le compte administrateur", type="primary")

    if not submitted:
        return

    st.session_state[FIRST_START_ERRORS_KEY] = {}
    st.session_state[FIRST_START_TYPED_KEY] = {"username": username, "display_name": display_name}
    if password != confirmation:
        st.session_state[FIRST_START_ERRORS_KEY] = {"confirmation": "Les deux mots de passe diffèrent."}
        st.rerun()

    created = run_action(
        lambda: accounts.create_first_administrator(context.sessions, username, display_name, password),
        context="auth.first_start",
        field_errors_key=FIRST_START_ERRORS_KEY,
    )
    if created is None:
        if st.session_state.get(FIRST_START_ERRORS_KEY):
            st.rerun()
        return

    st.session_state.pop(FIRST_START_TYPED_KEY, None)
    st.session_state[FIRST_START_DONE_KEY] = created.username
    st.rerun()


def _show_password_change(context: AppContext, actor: Actor, token: str | None) -> None:
    st.title("Nouveau mot de passe")
    st.info("Votre mot de passe est provisoire : choisissez-en un nouveau pour continuer.")
    errors: dict[str, str] = st.session_state.get(PASSWORD_ERRORS_KEY, {})

    with st.form("password_change_form", clear_on_submit=True):
        current = st.text_input("Mot de passe provisoire", type="password", max_chars=256)
        show_field_error(errors, "current_password")
        new_password = st.text_input("Nouveau mot de passe (12 caractères au moins)", type="password", max_chars=256)
        show_field_error(errors, "new_password")
        confirmation = st.text_input("Confirmation du nouveau mot de passe", type="password", max_chars=256)
        show_field_error(errors, "confirmation")
        submitted = st.form_submit_button("Enregistrer le mot de passe", type="primary")

    if not submitted:
        return

    st.session_state[PASSWORD_ERRORS_KEY] = {}
    if new_password != confirmation:
        st.session_state[PASSWORD_ERRORS_KEY] = {"confirmation": "Les deux mots de passe diffèrent."}
        st.rerun()

    changed = run_action(
        lambda: auth.change_own_password(context.sessions, actor, current, new_password, token or "") or True,
        context="auth.change_password",
        field_errors_key=PASSWORD_ERRORS_KEY,
    )
    if changed or st.session_state.get(PASSWORD_ERRORS_KEY):
        st.rerun()


def show_account_menu(actor: Actor) -> None:
    """Show who is signed in, with the sign-out link, in the sidebar.

    Sign-out is a link to the sign-out route rather than a button, because only an HTTP
    response can delete the HTTP-only cookie. The route also revokes the session on the server.
    """
    st.caption(f"Connecté : {md(actor.display_name)} · {actor.role.label}")
    st.markdown(f'<a href="{SIGN_OUT_PATH}" target="_self">Se déconnecter</a>', unsafe_allow_html=True)

"""The "Espace Infinitri" button of the contact page, its panel and the dialog of a new temporary password.

The panel keeps the PortalAccessView in the session state; the view contains no password and no hash.
A temporary password exists only as a local variable of the dialog's run: the dialog calls
the service itself, shows the password once, and no later run can show it again.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import streamlit as st

from trackoe.permissions import Actor, Permission, is_allowed
from trackoe.portal import MAX_IDENTIFIER_LENGTH, PortalAccessView, PortalStatus
from trackoe.services import portal
from trackoe.services.transaction import Sessions
from trackoe.ui.errors import run_action, show_field_error
from trackoe.ui.text import md

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
OPEN_LABEL = "Espace Infinitri"
CREATE_ACTION = "create"
RESET_ACTION = "reset"


def _keys(contact_id: int) -> dict[str, str]:
    prefix = f"contact_{contact_id}_portal"
    return {
        "view": f"{prefix}_view",
        "open": f"{prefix}_open",
        "close": f"{prefix}_close",
        "pending": f"{prefix}_pending",
        "identifier": f"{prefix}_identifier",
        "errors": f"{prefix}_errors",
    }


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        # SQLite returns the stored UTC time without its zone.
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")


def render_portal_access(sessions: Sessions, actor: Actor, contact_id: int) -> None:
    """Draw the "Espace Infinitri" button, or its panel once opened; nothing for users without the account setting.

    Each click on the button writes one journal entry through `portal.get_portal_access`. Reruns of
    an open panel reuse the view it loaded, so they write none.
    """
    if not is_allowed(actor, Permission.VIEW_PORTAL):
        return
    keys = _keys(contact_id)

    # Streamlit drops the state of widgets that a run did not draw, so a panel without its
    # "Fermer" button was left open on an earlier visit: it closes, and the next opening is journalled.
    if keys["view"] in st.session_state and keys["close"] not in st.session_state:
        del st.session_state[keys["view"]]

    pending = st.session_state.pop(keys["pending"], None)
    if pending is not None:
        _new_password_dialog(sessions, actor, contact_id, pending, st.session_state.get(keys["identifier"], ""))

    view: PortalAccessView | None = st.session_state.get(keys["view"])
    if view is None:
        if not st.button(OPEN_LABEL, icon=":material/key:", key=keys["open"], help="Identifiant et statut de l'accès du contact au portail des résidents."):
            return
        view = run_action(lambda: portal.get_portal_access(sessions, actor, contact_id), context="portal.view")
        if view is None:
            return
        st.session_state[keys["view"]] = view
        st.session_state.pop(keys["errors"], None)
        st.session_state[keys["identifier"]] = view.suggested_identifier

    with st.container(border=True):
        _render_panel(sessions, actor, view, keys)


def _render_panel(sessions: Sessions, actor: Actor, view: PortalAccessView, keys: dict[str, str]) -> None:
    st.markdown("**Espace Infinitri** · accès du contact au portail des résidents")

    if view.exists:
        st.markdown(f"Identifiant : **{md(view.identifier)}**")
        st.markdown(f"Statut : **{view.status.label}**")
        st.caption(
            f"Créé le {_moment(view.created_at)} · dernière connexion : {_moment(view.last_sign_in_at)} · "
            f"dernier nouveau mot de passe : {_moment(view.last_reset_at)}"
        )
        if view.must_change_password:
            st.caption("Le mot de passe actuel est provisoire : il devra être changé à la prochaine connexion.")
        st.caption("Le mot de passe n'est jamais affiché : seule son empreinte chiffrée est conservée.")
    else:
        st.markdown(f"Statut : **{view.status.label}** · ce contact n'a pas encore d'accès.")

    if is_allowed(actor, Permission.MANAGE_PORTAL):
        if view.exists:
            _render_access_buttons(sessions, actor, view, keys)
        else:
            _render_creation(keys)

    if st.button("Fermer", key=keys["close"], icon=":material/close:"):
        del st.session_state[keys["view"]]
        st.rerun()


def _request(keys: dict[str, str], action: str) -> None:
    # A button callback runs before the next run draws anything, so that run opens the dialog
    # first and then draws the panel with the access the dialog changed.
    st.session_state[keys["pending"]] = action


def _render_creation(keys: dict[str, str]) -> None:
    st.text_input(
        "Identifiant de l'accès",
        key=keys["identifier"],
        max_chars=MAX_IDENTIFIER_LENGTH,
        help="Sans espace ; la casse est ignorée pour vérifier qu'il n'est pas déjà pris.",
    )
    show_field_error(st.session_state.get(keys["errors"], {}), "identifier")
    st.button(
        "Créer l'accès",
        key=f"{keys['view']}_create",
        icon=":material/person_add:",
        type="primary",
        on_click=_request,
        args=(keys, CREATE_ACTION),
    )


def _render_access_buttons(sessions: Sessions, actor: Actor, view: PortalAccessView, keys: dict[str, str]) -> None:
    if view.status is PortalStatus.DISABLED:
        if st.button("Réactiver", key=f"{keys['view']}_enable", icon=":material/lock_open:"):
            _set_enabled(sessions, actor, view.contact_id, True, keys)
        return

    left, right = st.columns(2)
    left.button(
        "Générer un nouveau mot de passe",
        key=f"{keys['view']}_reset",
        icon=":material/password:",
        on_click=_request,
        args=(keys, RESET_ACTION),
    )
    if right.button("Désactiver l'accès", key=f"{keys['view']}_disable", icon=":material/lock:"):
        _set_enabled(sessions, actor, view.contact_id, False, keys)


def _set_enabled(sessions: Sessions, actor: Actor, contact_id: int, enabled: bool, keys: dict[str, str]) -> None:
    changed = run_action(
        lambda: portal.set_portal_access_enabled(sessions, actor, contact_id, enabled), context="portal.set_enabled"
    )
    if changed is not None:
        st.session_state[keys["view"]] = changed
        st.toast("L'accès est réactivé." if enabled else "L'accès est désactivé.")
        st.rerun()


@st.dialog("Mot de passe provisoire")
def _new_password_dialog(sessions: Sessions, actor: Actor, contact_id: int, action: str, identifier: str) -> None:
    # The dialog has no widget, so it never reruns on its own and the service runs once per request.
    keys = _keys(contact_id)
    st.session_state.pop(keys["errors"], None)
    if action == CREATE_ACTION:
        result = run_action(
            lambda: portal.create_portal_access(sessions, actor, contact_id, identifier),
            context="portal.create",
            field_errors_key=keys["errors"],
        )
    else:
        result = run_action(lambda: portal.reset_portal_password(sessions, actor, contact_id), context="portal.reset")
    if result is None:
        show_field_error(st.session_state.get(keys["errors"], {}), "identifier")
        st.caption("Aucun mot de passe n'a été créé. Fermez cette fenêtre pour corriger.")
        return

    st.session_state[keys["view"]] = result.access
    done = "L'accès est créé." if action == CREATE_ACTION else "Un nouveau mot de passe est généré."
    st.success(f"{done} Identifiant : {md(result.access.identifier)}")
    st.code(result.temporary_password, language=None)
    st.warning(
        "Ce mot de passe provisoire ne sera plus affiché : copiez-le maintenant (bouton de copie en haut à droite du cadre, visible au survol) "
        "et transmettez-le au contact. Il devra le changer à sa première connexion."
    )

"""Administration des comptes: the staff accounts, their creation, edition, disabling and password reset.

A temporary password lives only in a local variable of the run that generated it and in the
dialog that shows it. It is never put in st.session_state, so a rerun cannot show it again.
"""

import pandas as pd
import streamlit as st

from trackoe.access_views import AccountInput, AccountRow, NewPassword
from trackoe.permissions import DENIED_MESSAGES, ROLE_LABELS, Permission, Role, is_allowed
from trackoe.services import accounts
from trackoe.ui.auth import current_actor
from trackoe.ui.context import app_context
from trackoe.ui.errors import run_action, show_field_error
from trackoe.ui.history import format_moment
from trackoe.ui.routes import FLASH_KEY
from trackoe.ui.text import md, plural

context = app_context()
actor = current_actor()

CREATE_ERRORS_KEY = "admin_create_errors"
EDIT_ERRORS_KEY = "admin_edit_errors"
# Id of the account whose password-reset dialog is open, kept while the dialog's buttons rerun the page.
RESET_DIALOG_OPEN = "admin_reset_dialog_open"
JUST_CREATED_KEY = "admin_just_created"
ROLE_OPTIONS = [role.value for role in Role]
PORTAL_SETTING_LABEL = "Voir les identifiants de l'espace Infinitri"
PORTAL_SETTING_HELP = "Sans effet pour un lecteur, qui ne voit jamais ces identifiants."

ACCOUNT_COLUMNS = {
    "username": "Identifiant",
    "display_name": "Nom affiché",
    "role": "Rôle",
    "status": "Statut",
    "portal": "Identifiants Infinitri",
    "password": "Mot de passe",
    "created_at": "Créé le",
    "last_sign_in_at": "Dernière connexion",
}


def role_label(value: str) -> str:
    return ROLE_LABELS[Role(value)]


def show_password_notice(new_password: NewPassword) -> None:
    """Show a temporary password with its copy button and the notice that it will not be shown again."""
    st.markdown(f"Mot de passe provisoire du compte **{md(new_password.account.username)}** :")
    st.code(new_password.temporary_password, language=None)
    st.warning(
        "Notez-le ou copiez-le maintenant (bouton de copie en haut à droite du cadre, visible au survol) : il ne sera plus affiché. "
        "La personne devra le changer à sa première connexion."
    )


@st.dialog("Compte créé")
def show_created_account(new_password: NewPassword) -> None:
    st.success(f"Le compte {md(new_password.account.username)} est créé.")
    show_password_notice(new_password)


@st.dialog("Réinitialiser le mot de passe", on_dismiss=lambda: st.session_state.pop(RESET_DIALOG_OPEN, None))
def confirm_password_reset(account: AccountRow) -> None:
    """Ask for confirmation, then give the account a new temporary password and show it once."""
    st.markdown(
        f"Un nouveau mot de passe provisoire va remplacer celui du compte **{md(account.username)}**. "
        "Ses sessions ouvertes seront fermées."
    )
    confirm_column, cancel_column = st.columns(2)
    if cancel_column.button("Annuler", key=f"admin_reset_{account.id}_cancel"):
        st.session_state.pop(RESET_DIALOG_OPEN, None)
        st.rerun()
    if not confirm_column.button("Réinitialiser", type="primary", key=f"admin_reset_{account.id}_confirm"):
        return

    st.session_state.pop(RESET_DIALOG_OPEN, None)
    new_password = run_action(lambda: accounts.reset_password(context.sessions, actor, account.id), context="admin.reset_password")
    if new_password is not None:
        show_password_notice(new_password)


def accounts_frame(rows: list[AccountRow]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "username": row.username,
                "display_name": row.display_name,
                "role": row.role.label,
                "status": "Actif" if row.is_active else "Désactivé",
                "portal": "Oui" if row.can_view_portal else "Non",
                "password": "Provisoire" if row.must_change_password else "Choisi",
                "created_at": format_moment(row.created_at) if row.created_at is not None else "",
                "last_sign_in_at": format_moment(row.last_sign_in_at) if row.last_sign_in_at is not None else "Jamais",
            }
            for row in rows
        ],
        columns=list(ACCOUNT_COLUMNS),
    )
    return frame.rename(columns=ACCOUNT_COLUMNS)


def render_create_form() -> bool:
    """Draw the creation form; return True when this run created an account."""
    errors: dict[str, str] = st.session_state.get(CREATE_ERRORS_KEY, {})
    with st.form("admin_create_form", clear_on_submit=True):
        username = st.text_input("Identifiant", max_chars=60, key="admin_create_username")
        show_field_error(errors, "username")
        display_name = st.text_input("Nom affiché", max_chars=120, key="admin_create_display_name")
        show_field_error(errors, "display_name")
        role = st.selectbox(
            "Rôle", ROLE_OPTIONS, index=ROLE_OPTIONS.index(Role.AGENT.value), format_func=role_label, key="admin_create_role"
        )
        show_field_error(errors, "role")
        can_view_portal = st.checkbox(PORTAL_SETTING_LABEL, key="admin_create_portal", help=PORTAL_SETTING_HELP)
        submitted = st.form_submit_button("Créer le compte", type="primary")

    # Set by a creation and read by the next run only: a double click sends the cleared form
    # again, and that run replaces the dialog that showed the password.
    just_created = st.session_state.pop(JUST_CREATED_KEY, None)
    if not submitted:
        return False

    if just_created is not None and not username.strip() and not display_name.strip():
        st.warning(
            f"Le compte « {md(just_created)} » vient d'être créé. Si son mot de passe provisoire ne "
            "s'est pas affiché (double clic), réinitialisez-le depuis « Modifier un compte »."
        )
        return False

    st.session_state[CREATE_ERRORS_KEY] = {}
    form = AccountInput(username=username, display_name=display_name, role=role, can_view_portal=can_view_portal)
    new_password = run_action(
        lambda: accounts.create_account(context.sessions, actor, form),
        context="admin.create_account",
        field_errors_key=CREATE_ERRORS_KEY,
    )
    if new_password is None:
        if st.session_state.get(CREATE_ERRORS_KEY):
            st.rerun()
        return False
    st.session_state[JUST_CREATED_KEY] = new_password.account.username
    show_created_account(new_password)
    return True


def render_edit_form(account: AccountRow) -> None:
    # Keys carry the version, so the form shows the stored values again after each save.
    prefix = f"admin_edit_{account.id}_{account.version}"
    errors: dict[str, str] = st.session_state.get(EDIT_ERRORS_KEY, {})
    with st.form(f"{prefix}_form"):
        display_name = st.text_input("Nom affiché", value=account.display_name, max_chars=120, key=f"{prefix}_display_name")
        show_field_error(errors, "display_name")
        role = st.selectbox(
            "Rôle", ROLE_OPTIONS, index=ROLE_OPTIONS.index(account.role.value), format_func=role_label, key=f"{prefix}_role"
        )
        show_field_error(errors, "role")
        can_view_portal = st.checkbox(
            PORTAL_SETTING_LABEL, value=account.can_view_portal, key=f"{prefix}_portal", help=PORTAL_SETTING_HELP
        )
        is_active = st.checkbox(
            "Compte actif",
            value=account.is_active,
            key=f"{prefix}_active",
            help="Décochez pour désactiver le compte : ses sessions ouvertes sont fermées et il ne peut plus se connecter.",
        )
        submitted = st.form_submit_button("Enregistrer le compte", type="primary")

    if st.button("Réinitialiser le mot de passe", icon=":material/key:", key=f"admin_reset_{account.id}"):
        st.session_state[RESET_DIALOG_OPEN] = account.id
    # The dialog reopens on each run while the flag is set, so its buttons' clicks reach this script.
    if st.session_state.get(RESET_DIALOG_OPEN) == account.id:
        confirm_password_reset(account)

    if not submitted:
        return

    st.session_state[EDIT_ERRORS_KEY] = {}
    form = AccountInput(
        username=account.username, display_name=display_name, role=role, can_view_portal=can_view_portal, is_active=is_active
    )
    saved = run_action(
        lambda: accounts.update_account(context.sessions, actor, account.id, form, expected_version=account.version),
        context="admin.update_account",
        field_errors_key=EDIT_ERRORS_KEY,
    )
    if saved is not None:
        st.session_state[FLASH_KEY] = f"Le compte {md(saved.username)} est enregistré."
        st.rerun()
    if st.session_state.get(EDIT_ERRORS_KEY):
        st.rerun()


def render_accounts_table(rows: list[AccountRow]) -> None:
    st.caption(plural(len(rows), "compte", "comptes") + " · " + plural(sum(row.is_active for row in rows), "actif", "actifs"))
    st.dataframe(accounts_frame(rows), hide_index=True, width="stretch")


def render_page() -> None:
    st.title("Administration des comptes")
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)

    rows = run_action(lambda: accounts.list_accounts(context.sessions, actor), context="admin.list_accounts")
    if rows is None:
        return

    # The table is drawn in a slot, so an account created further down this run can be added to it
    # without a rerun, which would close the dialog holding the one-time password.
    table_slot = st.empty()
    with table_slot.container():
        render_accounts_table(rows)

    with st.expander("Créer un compte", icon=":material/person_add:"):
        st.caption(
            "Un mot de passe provisoire est généré et affiché une seule fois ; "
            "la personne le remplace à sa première connexion."
        )
        created = render_create_form()

    if created:
        refreshed = run_action(lambda: accounts.list_accounts(context.sessions, actor), context="admin.list_accounts")
        if refreshed is not None:
            rows = refreshed
            with table_slot.container():
                render_accounts_table(rows)

    st.subheader("Modifier un compte")
    account_by_id = {row.id: row for row in rows}
    chosen_id = st.selectbox(
        "Compte",
        list(account_by_id),
        index=None,
        placeholder="Choisissez un compte",
        format_func=lambda user_id: f"{account_by_id[user_id].username} · {account_by_id[user_id].display_name}",
        key="admin_account_choice",
    )
    if chosen_id is not None:
        render_edit_form(account_by_id[chosen_id])


if is_allowed(actor, Permission.MANAGE_ACCOUNTS):
    render_page()
else:
    st.error(DENIED_MESSAGES[Permission.MANAGE_ACCOUNTS])

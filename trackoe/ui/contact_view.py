"""Parts of the contact page shared by its editable and read-only forms: header, read-only fields,
deletion for good and the Historique section."""

from __future__ import annotations

import streamlit as st

from trackoe.normalise import format_phone
from trackoe.permissions import Actor, Permission, is_allowed
from trackoe.portal import PortalStatus
from trackoe.records import contact_type_label
from trackoe.services import contacts, portal
from trackoe.services.transaction import Sessions
from trackoe.ui.contact_form import TEXT_FIELDS
from trackoe.ui.contact_links import render_links_section
from trackoe.ui.errors import run_action
from trackoe.ui.history import render_history
from trackoe.ui.portal_panel import render_portal_access
from trackoe.ui.routes import (
    CONTACTS_LIST_PAGE,
    FLASH_KEY,
    HABITAT_ID_PARAM,
    HABITAT_PAGE,
    MULTIPLE_CONTACT_ICON,
    SIMPLE_CONTACT_ICON,
)
from trackoe.ui.text import md, plural
from trackoe.views import ContactDetail

# Contact id whose deletion dialog is open; the dialog reopens on each run while it is set.
DELETE_DIALOG_OPEN = "contact_delete_dialog_open"
EMPTY_FIELD = "—"


def render_contact_header(detail: ContactDetail) -> None:
    """Draw the contact's name, kind and type, the archive warning and, for a contact simple, its habitat."""
    icon = MULTIPLE_CONTACT_ICON if detail.is_multiple else SIMPLE_CONTACT_ICON
    kind = "Contact multiple" if detail.is_multiple else "Contact simple"
    st.title(f"{icon} {md(detail.display_name)}")
    st.caption(f"{kind} · {contact_type_label(detail.contact_type)} · n° {detail.id}")
    if detail.is_archived:
        st.warning("Ce contact est archivé : il n'apparaît plus dans les listes ni sur les fiches habitat.")
    if not detail.is_multiple and detail.habitat_id is not None:
        st.page_link(
            HABITAT_PAGE,
            label=f"Habitat : {md(detail.habitat_label)}",
            icon=":material/apartment:",
            query_params={HABITAT_ID_PARAM: str(detail.habitat_id)},
        )


def _field_values(detail: ContactDetail) -> list[tuple[str, str | None]]:
    values = {
        "last_name": detail.last_name,
        "first_name": detail.first_name,
        "company_name": detail.company_name,
        "phone_landline": format_phone(detail.phone_landline),
        "phone_mobile": format_phone(detail.phone_mobile),
        "email": detail.email,
        "address_line1": detail.address_line1,
        "address_line2": detail.address_line2,
        "postcode": detail.postcode,
        "city": detail.city,
    }
    return [
        ("Civilité", detail.civility),
        ("Type de contact", contact_type_label(detail.contact_type)),
        *((TEXT_FIELDS[field][0], value) for field, value in values.items()),
    ]


def render_contact_read_only(sessions: Sessions, actor: Actor, contact_id: int) -> None:
    """Draw a contact for a user who may not change it: fields as text, links without their forms, history."""
    detail = run_action(lambda: contacts.get_contact(sessions, actor, contact_id), context="contact.get_read_only")
    if detail is None:
        return

    render_contact_header(detail)
    render_portal_access(sessions, actor, detail.id)
    st.info("Votre compte permet la consultation seulement : la modification est réservée aux agents et aux administrateurs.")

    with st.container(border=True):
        fields = _field_values(detail)
        columns = st.columns(3)
        for position, (label, value) in enumerate(fields):
            columns[position % 3].markdown(f"**{label}**  \n{md(value) if value else EMPTY_FIELD}")
        st.markdown(f"**Commentaire**  \n{md(detail.comment) if detail.comment else EMPTY_FIELD}")

    if detail.is_multiple:
        render_links_section(sessions, actor, detail, can_edit=False)
    render_history_section(sessions, actor, detail.id)


def render_history_section(sessions: Sessions, actor: Actor, contact_id: int) -> None:
    """Draw the Historique section: the contact's journal entries, links and portal access included."""
    st.subheader("Historique")
    render_history(sessions, actor, contact_id=contact_id, key_prefix=f"contact_{contact_id}")


def _close_delete_dialog() -> None:
    st.session_state.pop(DELETE_DIALOG_OPEN, None)


def render_delete_button(sessions: Sessions, actor: Actor, detail: ContactDetail) -> None:
    """Draw "Supprimer définitivement" for administrateurs, and its confirmation dialog while it is open."""
    if not is_allowed(actor, Permission.DELETE_FOR_GOOD):
        return

    if st.button("Supprimer définitivement", icon=":material/delete_forever:", key=f"contact_{detail.id}_delete"):
        st.session_state[DELETE_DIALOG_OPEN] = detail.id
    # The dialog reopens on each run while the flag is set, so its checkbox and buttons reach this script.
    if st.session_state.get(DELETE_DIALOG_OPEN) == detail.id:
        status = run_action(
            lambda: portal.portal_status_before_deletion(sessions, actor, detail.id), context="contact.deletion_portal"
        )
        if status is not None:
            _confirm_deletion(sessions, actor, detail, status)


@st.dialog("Supprimer définitivement le contact", on_dismiss=_close_delete_dialog)
def _confirm_deletion(sessions: Sessions, actor: Actor, detail: ContactDetail, portal_status: PortalStatus) -> None:
    name = md(detail.display_name)
    links = plural(len(detail.links), "rattachement", "rattachements")
    if portal_status is PortalStatus.NEVER_INVITED:
        portal_line = "- aucun accès à l'espace Infinitri n'existe pour ce contact"
    else:
        portal_line = f"- son accès à l'espace Infinitri (statut {portal_status.label})"

    st.markdown(f"Le contact **{name}** (n° {detail.id}) sera supprimé, avec :")
    st.markdown(f"- {links}, en cours et terminés\n{portal_line}")
    st.warning(
        "Cette suppression est définitive : elle ne peut pas être annulée. Pour retirer un contact des listes "
        "en le gardant, archivez-le plutôt. Le journal garde la trace de la suppression."
    )
    confirmed = st.checkbox(
        f"Je confirme la suppression définitive de {name}, de ses rattachements et de son accès à l'espace Infinitri.",
        key=f"contact_{detail.id}_delete_confirmed",
    )

    confirm_column, cancel_column = st.columns(2)
    if confirm_column.button(
        "Confirmer la suppression", type="primary", disabled=not confirmed, key=f"contact_{detail.id}_delete_confirm"
    ):
        deleted = run_action(
            lambda: contacts.delete_contact_for_good(sessions, actor, detail.id) or True, context="contact.delete"
        )
        if deleted:
            _close_delete_dialog()
            st.session_state[FLASH_KEY] = f"Le contact « {name} » a été supprimé définitivement."
            st.switch_page(CONTACTS_LIST_PAGE)
    if cancel_column.button("Annuler", key=f"contact_{detail.id}_delete_cancel"):
        _close_delete_dialog()
        st.rerun()

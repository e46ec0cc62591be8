"""Contact multiple: the creation form, the edit form with the contact's rattachements, or a read-only view for lecteurs."""

import uuid

import streamlit as st

from trackoe.permissions import Permission, is_allowed
from trackoe.services import contacts, habitats
from trackoe.ui.contact_form import initial_values, load_values, read_contact_input, render_contact_fields, widget_key
from trackoe.ui.conflict import has_stale_edit, loaded_values_key, render_stale_edit, run_save
from trackoe.ui.contact_links import render_links_section
from trackoe.ui.contact_view import render_contact_header, render_contact_read_only, render_delete_button, render_history_section
from trackoe.ui.portal_panel import render_portal_access
from trackoe.ui.auth import current_actor
from trackoe.ui.context import app_context
from trackoe.ui.errors import run_action, run_read_keeping_last
from trackoe.ui.routes import (
    CONTACT_ID_PARAM,
    CONTACT_PAGE,
    CONTACTS_LIST_PAGE,
    FLASH_KEY,
    HABITAT_ID_PARAM,
    HABITAT_PAGE,
    MULTIPLE_CONTACT_ICON,
    SIMPLE_CONTACT_ICON,
    query_id,
)
from trackoe.ui.text import md

context = app_context()
actor = current_actor()
can_edit = is_allowed(actor, Permission.WRITE_RECORDS)

NEW_PREFIX = "contact_new"
NEW_ERRORS_KEY = "contact_new_errors"
NEW_TOKEN_KEY = "contact_new_token"
NEW_TOKEN_USED_KEY = "contact_new_token_used"
NEW_RESET_KEY = "contact_new_reset"
NEW_LAST_CREATED_KEY = "contact_new_last_created_id"

st.page_link(CONTACTS_LIST_PAGE, label="Retour à la liste des contacts", icon=":material/arrow_back:")

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

contact_id = query_id(st.query_params.get(CONTACT_ID_PARAM))
owner_habitat_id = query_id(st.query_params.get(HABITAT_ID_PARAM))


def render_creation() -> None:
    """Draw the creation form of a contact multiple, or of a contact simple when the URL names a habitat."""
    owner = None
    if owner_habitat_id is not None:
        owner = run_action(lambda: habitats.get_habitat(context.sessions, actor, owner_habitat_id), context="contact.owner")
        if owner is None:
            return
        st.page_link(
            HABITAT_PAGE,
            label=f"Retour à la fiche habitat {md(owner.code)}",
            icon=":material/apartment:",
            query_params={HABITAT_ID_PARAM: str(owner.id)},
        )
        st.title(f"{SIMPLE_CONTACT_ICON} Nouveau contact simple")
        st.caption(f"Ce contact appartiendra uniquement à l'habitat {md(owner.code)} · {md(owner.name)}.")
    else:
        st.title(f"{MULTIPLE_CONTACT_ICON} Nouveau contact multiple")

    # Widgets can only be emptied before they are drawn, so a creation empties them on the next visit.
    if st.session_state.pop(NEW_RESET_KEY, False):
        load_values(NEW_PREFIX, initial_values(None))

    if NEW_TOKEN_KEY not in st.session_state:
        st.session_state[NEW_TOKEN_KEY] = uuid.uuid4().hex

    errors = st.session_state.get(NEW_ERRORS_KEY, {})
    if errors:
        st.error("Le contact n'a pas été enregistré : corrigez les champs signalés.")

    with st.form("contact_new_form", enter_to_submit=False, border=True):
        render_contact_fields(NEW_PREFIX, errors, persist=True)
        submitted = st.form_submit_button("Enregistrer", type="primary", icon=":material/save:")

    if not submitted:
        # A token stays in force until its form has created a contact; a new form gets a new one.
        if st.session_state.get(NEW_TOKEN_USED_KEY):
            st.session_state[NEW_TOKEN_KEY] = uuid.uuid4().hex
            st.session_state[NEW_TOKEN_USED_KEY] = False
        return

    # A second click that arrives after the first created the contact opens that contact.
    last_created_id = st.session_state.get(NEW_LAST_CREATED_KEY)
    if st.session_state.get(NEW_TOKEN_USED_KEY) and last_created_id is not None:
        st.switch_page(CONTACT_PAGE, query_params={CONTACT_ID_PARAM: str(last_created_id)})

    st.session_state.pop(NEW_ERRORS_KEY, None)
    form = read_contact_input(NEW_PREFIX)
    created = run_action(
        lambda: contacts.create_contact(
            context.sessions,
            actor,
            form,
            creation_token=st.session_state[NEW_TOKEN_KEY],
            habitat_id=owner.id if owner is not None else None,
        ),
        context="contact.create",
        field_errors_key=NEW_ERRORS_KEY,
    )
    if created is None:
        if st.session_state.get(NEW_ERRORS_KEY):
            st.rerun()
        return

    st.session_state[NEW_TOKEN_USED_KEY] = True
    st.session_state[NEW_LAST_CREATED_KEY] = created.id
    st.session_state[NEW_RESET_KEY] = True
    st.session_state[FLASH_KEY] = f"Le contact « {md(created.display_name)} » a été créé."
    st.switch_page(CONTACT_PAGE, query_params={CONTACT_ID_PARAM: str(created.id)})


def render_edition(contact_id: int) -> None:
    """Draw a contact's edit form, its portal button, its archive and delete buttons, its rattachements and its history."""
    # While the database is unreachable the form stays drawn from the last loaded contact, with what was typed.
    detail = run_read_keeping_last(
        lambda: contacts.get_contact(context.sessions, actor, contact_id),
        context="contact.get",
        last_key=f"contact_{contact_id}_last_loaded",
    )
    if detail is None:
        return

    prefix = f"contact_{contact_id}"
    errors_key = f"{prefix}_errors"
    loaded_key = f"{prefix}_loaded_version"

    # Fill the widgets from the database when the contact is opened or after this page saved it.
    # Streamlit drops the state of widgets that a run did not draw, so a missing field means a new visit.
    # A change saved elsewhere meanwhile does not overwrite the typed values, and the save reports the conflict.
    if loaded_key not in st.session_state or widget_key(prefix, "last_name") not in st.session_state:
        load_values(prefix, initial_values(detail))
        st.session_state[loaded_key] = detail.version
        st.session_state[loaded_values_key(prefix)] = contacts.contact_fields(detail)
        st.session_state.pop(errors_key, None)

    render_contact_header(detail)
    render_portal_access(context.sessions, actor, detail.id)

    def save():
        return contacts.update_contact(
            context.sessions, actor, contact_id, read_contact_input(prefix),
            expected_version=st.session_state[loaded_key],
            expected_values=st.session_state.get(loaded_values_key(prefix)),
        )

    # Someone saved this contact after it was loaded: report their changes, offer to reload or reapply.
    saved = render_stale_edit(prefix, loaded_key, save, field_errors_key=errors_key)

    errors = st.session_state.get(errors_key, {})
    if errors:
        st.error("Les modifications n'ont pas été enregistrées : corrigez les champs signalés.")

    with st.form(f"{prefix}_form", enter_to_submit=False, border=True):
        render_contact_fields(prefix, errors, persist=False)
        submitted = st.form_submit_button("Enregistrer", type="primary", icon=":material/save:")

    if submitted:
        st.session_state.pop(errors_key, None)
        saved = run_save(prefix, save, field_errors_key=errors_key)
        if saved is None and (st.session_state.get(errors_key) or has_stale_edit(prefix)):
            st.rerun()
    if saved is not None:
        st.session_state.pop(loaded_key, None)
        st.session_state[FLASH_KEY] = "Les modifications ont été enregistrées."
        st.rerun()

    render_archive_button(detail.id, detail.is_archived)
    render_delete_button(context.sessions, actor, detail)

    if detail.is_multiple:
        render_links_section(context.sessions, actor, detail)
    render_history_section(context.sessions, actor, detail.id)


def render_archive_button(contact_id: int, is_archived: bool) -> None:
    """Draw "Archiver" or "Restaurer"; each has its own key and target state, so a stale click changes nothing."""
    target_archived = not is_archived
    label = "Archiver le contact" if target_archived else "Restaurer le contact"
    icon = ":material/archive:" if target_archived else ":material/unarchive:"
    action = "archive" if target_archived else "restore"

    if st.button(label, icon=icon, key=f"contact_{contact_id}_{action}"):
        changed = run_action(
            lambda: contacts.set_contact_archived(context.sessions, actor, contact_id, target_archived),
            context="contact.archive",
        )
        if changed is not None:
            # Archiving bumps the version by one. When that is the only change since the form was
            # loaded, the form may save over the new version. Otherwise someone else saved in
            # between, so the form keeps the old version and the next save reports their changes.
            loaded_key = f"contact_{contact_id}_loaded_version"
            if st.session_state.get(loaded_key) in (changed.version - 1, changed.version):
                st.session_state[loaded_key] = changed.version
            st.session_state[FLASH_KEY] = "Le contact a été archivé." if target_archived else "Le contact a été restauré."
            st.rerun()


if contact_id is None and st.query_params.get(CONTACT_ID_PARAM) is not None:
    st.error("L'adresse de cette page ne désigne pas un contact valide. Revenez à la liste des contacts.")
elif contact_id is None and owner_habitat_id is None and st.query_params.get(HABITAT_ID_PARAM) is not None:
    st.error("L'adresse de cette page ne désigne pas un habitat valide. Revenez à la liste des habitats.")
elif contact_id is None and not can_edit:
    st.info("La création de contacts est réservée aux agents et aux administrateurs : votre compte permet la consultation seulement.")
elif contact_id is None:
    render_creation()
elif not can_edit:
    render_contact_read_only(context.sessions, actor, contact_id)
else:
    render_edition(contact_id)

"""Fiche habitat: header, archive and delete buttons, then tabs (CONTACT lists every current contact, HISTORIQUE the journal)."""

import pandas as pd
import streamlit as st

from trackoe.permissions import Permission, is_allowed
from trackoe.services import habitats
from trackoe.ui.auth import current_actor
from trackoe.ui.context import app_context
from trackoe.ui.errors import run_action
from trackoe.ui.grid import GridColumn, show_grid
from trackoe.ui.history import render_history
from trackoe.ui.routes import (
    CONTACT_ID_PARAM,
    CONTACT_PAGE,
    EDIT_ICON,
    FLASH_KEY,
    HABITAT_ID_PARAM,
    HABITATS_LIST_PAGE,
    MULTIPLE_CONTACT_ICON,
    SIMPLE_CONTACT_ICON,
    query_id,
)
from trackoe.ui.text import md, plural

context = app_context()
actor = current_actor()

TAB_INFORMATION = "INFORMATIONS"
TAB_CONTACT = "CONTACT"
TAB_PREMISES = "LOGEMENTS ET LOCAUX"
TAB_HISTORY = "HISTORIQUE"

# Id of the habitat whose delete dialog is open, kept while the dialog's buttons rerun the page.
DELETE_DIALOG_OPEN = "habitat_delete_dialog_open"

can_write = is_allowed(actor, Permission.WRITE_RECORDS)
can_delete = is_allowed(actor, Permission.DELETE_FOR_GOOD)

CONTACT_COLUMNS = [
    GridColumn("icon", "", width=56, filterable=False),
    GridColumn("contact_type", "Type de contact", width=170),
    GridColumn("display_name", "Nom ou raison sociale", width=230),
    GridColumn("role", "Rôle", width=160),
    GridColumn("target", "Logement ou local", width=150),
    GridColumn("phone", "Téléphone", width=190),
    GridColumn("email", "Mail", width=220),
    GridColumn("primary", "Principal", width=100),
]

st.page_link(HABITATS_LIST_PAGE, label="Retour à la liste des habitats", icon=":material/arrow_back:")

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)


def render_contact_tab(habitat_id: int) -> None:
    rows = run_action(lambda: habitats.habitat_contacts(context.sessions, actor, habitat_id), context="habitat.contacts")
    if rows is None:
        return

    multiple_count = sum(1 for row in rows if row.is_multiple)
    st.caption(
        f"{plural(len(rows), 'contact en cours', 'contacts en cours')} : "
        f"{plural(multiple_count, 'contact multiple', 'contacts multiples')} {MULTIPLE_CONTACT_ICON}, "
        f"{plural(len(rows) - multiple_count, 'contact simple', 'contacts simples')} {SIMPLE_CONTACT_ICON}. "
        f"Cliquez sur {EDIT_ICON} pour ouvrir un contact."
    )
    if can_write and st.button("Créer un contact simple", icon=":material/person_add:", key="habitat_create_simple"):
        st.switch_page(CONTACT_PAGE, query_params={HABITAT_ID_PARAM: str(habitat_id)})

    if not rows:
        st.info("Aucun contact n'est rattaché à cet habitat.")
        return

    # Row ids stay stable while others edit the habitat: a link's id, or minus the id of a
    # contact simple (which has no link), so a click opens the contact it was made on.
    contact_by_row_id = {
        (row.link_id if row.link_id is not None else -row.contact_id): row.contact_id for row in rows
    }
    frame = pd.DataFrame(
        [
            {
                "id": row.link_id if row.link_id is not None else -row.contact_id,
                "icon": MULTIPLE_CONTACT_ICON if row.is_multiple else SIMPLE_CONTACT_ICON,
                "contact_type": row.contact_type,
                "display_name": row.display_name,
                "role": row.role,
                "target": row.target,
                "phone": row.phone,
                "email": row.email,
                "primary": "Oui" if row.is_primary else "",
            }
            for row in rows
        ],
        columns=["id", *(column.field for column in CONTACT_COLUMNS)],
    )
    opened_row_id = show_grid(
        frame,
        CONTACT_COLUMNS,
        key=f"habitat_{habitat_id}_contacts_grid",
        action_icon=EDIT_ICON,
        action_tooltip="Ouvrir le contact",
        height=min(560, 90 + 42 * len(rows)),
    )
    if opened_row_id is not None:
        opened_contact_id = contact_by_row_id.get(opened_row_id)
        if opened_contact_id is None:
            st.warning("Ce contact n'est plus rattaché à cet habitat. La liste vient d'être mise à jour.")
        else:
            st.switch_page(CONTACT_PAGE, query_params={CONTACT_ID_PARAM: str(opened_contact_id)})


def render_archive_button(habitat_id: int, is_archived: bool) -> None:
    """Draw the "Archiver" or "Restaurer" button. Each has its own key and target state, so a stale click changes nothing."""
    target_archived = not is_archived
    label = "Archiver l'habitat" if target_archived else "Restaurer l'habitat"
    icon = ":material/archive:" if target_archived else ":material/unarchive:"
    action = "archive" if target_archived else "restore"
    if st.button(label, icon=icon, key=f"habitat_{habitat_id}_{action}"):
        done = run_action(
            lambda: habitats.set_habitat_archived(context.sessions, actor, habitat_id, target_archived) or True,
            context="habitat.archive",
        )
        if done:
            st.session_state[FLASH_KEY] = "L'habitat a été archivé." if target_archived else "L'habitat a été restauré."
            st.rerun()


@st.dialog("Supprimer définitivement l'habitat", on_dismiss=lambda: st.session_state.pop(DELETE_DIALOG_OPEN, None))
def confirm_deletion(habitat_id: int) -> None:
    """Name what the deletion removes, counted, and delete the habitat once the user confirms."""
    impact = run_action(
        lambda: habitats.habitat_deletion_impact(context.sessions, actor, habitat_id), context="habitat.deletion_impact"
    )
    if impact is None:
        return

    st.markdown(f"L'habitat **{md(impact.code)} · {md(impact.name)}** sera supprimé, avec :")
    st.markdown(
        "\n".join(
            [
                f"- {plural(impact.dwellings, 'logement', 'logements')}",
                f"- {plural(impact.premises, 'local', 'locaux')}",
                f"- {plural(impact.simple_contacts, 'contact simple', 'contacts simples')}",
                f"- {plural(impact.links, 'rattachement', 'rattachements')} de contacts multiples",
            ]
        )
    )
    st.info(
        f"{plural(impact.multiple_contacts, 'contact multiple rattaché reste', 'contacts multiples rattachés restent')} "
        "dans la base : seul leur rattachement à cet habitat disparaît."
    )
    st.warning("Cette suppression est définitive : elle ne peut pas être annulée. Le journal en garde la trace.")

    confirm_column, cancel_column = st.columns(2)
    if confirm_column.button("Supprimer définitivement", type="primary", key=f"habitat_{habitat_id}_delete_confirm"):
        deleted = run_action(
            lambda: habitats.delete_habitat(context.sessions, actor, habitat_id) or True, context="habitat.delete"
        )
        if deleted:
            st.session_state.pop(DELETE_DIALOG_OPEN, None)
            st.session_state[FLASH_KEY] = f"L'habitat « {md(impact.code)} · {md(impact.name)} » a été supprimé définitivement."
            st.switch_page(HABITATS_LIST_PAGE)
    if cancel_column.button("Annuler", key=f"habitat_{habitat_id}_delete_cancel"):
        st.session_state.pop(DELETE_DIALOG_OPEN, None)
        st.rerun()


def render_record_buttons(habitat_id: int, is_archived: bool) -> None:
    """Draw the archive or restore button for agents and administrateurs, and the delete button for administrateurs."""
    if not can_write:
        return

    columns = st.columns([1, 1, 3])
    with columns[0]:
        render_archive_button(habitat_id, is_archived)
    if can_delete and columns[1].button(
        "Supprimer définitivement", icon=":material/delete_forever:", key=f"habitat_{habitat_id}_delete"
    ):
        st.session_state[DELETE_DIALOG_OPEN] = habitat_id
    # The dialog reopens on each run while the flag is set, so its buttons' clicks reach this script.
    if can_delete and st.session_state.get(DELETE_DIALOG_OPEN) == habitat_id:
        confirm_deletion(habitat_id)


def render_habitat(habitat_id: int) -> None:
    habitat = run_action(lambda: habitats.get_habitat(context.sessions, actor, habitat_id), context="habitat.get")
    if habitat is None:
        return

    st.title(f"{md(habitat.code)} · {md(habitat.name)}")
    dwelling_count = str(habitat.dwelling_count) if habitat.dwelling_count is not None else "—"
    header = st.columns([1, 2, 1, 2])
    for column, label, value in zip(
        header,
        ("Code", "Bailleur", "Logements", "Commune"),
        (habitat.code, habitat.landlord_name or "—", dwelling_count, f"{habitat.postcode} {habitat.city}".strip() or "—"),
        strict=True,
    ):
        column.caption(label)
        column.markdown(f"**{md(value)}**")
    st.text(habitat.address_line)
    if habitat.is_archived:
        st.warning("Cet habitat est archivé : il n'apparaît plus dans la liste des habitats ni dans les choix d'habitat.")
    render_record_buttons(habitat.id, habitat.is_archived)

    information, contact, premises, history = st.tabs(
        [TAB_INFORMATION, TAB_CONTACT, TAB_PREMISES, TAB_HISTORY], key="habitat_tab", default=TAB_CONTACT, bind="query-params"
    )
    with information:
        st.text(f"Adresse : {habitat.address_line or '—'}")
        st.text(f"Bailleur : {habitat.landlord_name or '—'}")
        st.text(f"Nombre de logements : {habitat.dwelling_count if habitat.dwelling_count is not None else '—'}")
        if habitat.latitude is not None and habitat.longitude is not None:
            latitude = f"{habitat.latitude:.6f}".replace(".", ",")
            longitude = f"{habitat.longitude:.6f}".replace(".", ",")
            st.text(f"Coordonnées GPS : latitude {latitude}, longitude {longitude}")
    with contact:
        render_contact_tab(habitat.id)
    with premises:
        if not habitat.dwellings and not habitat.premises:
            st.info("Aucun logement ni local n'est enregistré pour cet habitat.")
        for option in [*habitat.premises, *habitat.dwellings]:
            st.text(option.label)
    with history:
        render_history(context.sessions, actor, habitat_id=habitat.id, key_prefix=f"habitat_{habitat.id}")


habitat_id = query_id(st.query_params.get(HABITAT_ID_PARAM))
if habitat_id is None:
    st.error("L'adresse de cette page ne désigne pas un habitat valide. Revenez à la liste des habitats.")
else:
    render_habitat(habitat_id)

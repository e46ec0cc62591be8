"""Gestion des contacts multiples: search zone, paged AG Grid, and the button to create one."""

import pandas as pd
import streamlit as st

from trackoe.domain import CONTACT_TYPE_LABELS, ContactType
from trackoe.permissions import Permission, is_allowed
from trackoe.services import contacts, habitats
from trackoe.ui.auth import current_actor
from trackoe.ui.context import app_context
from trackoe.ui.errors import run_action
from trackoe.ui.grid import GridColumn, show_grid, show_paging_footer
from trackoe.ui.text import count_text, filters_digest
from trackoe.ui.routes import (
    CONTACT_ID_PARAM,
    CONTACT_PAGE,
    EDIT_ICON,
    FLASH_KEY,
    MULTIPLE_CONTACT_ICON,
)
from trackoe.views import SORT_ORDERS, ContactFilters

context = app_context()
actor = current_actor()
page_size = context.settings.page_size

st.title("Gestion des contacts multiples")

# Set by the contact page after a deletion for good, which sends the user back here.
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

# Leaving a contact with the browser's Back button can bring its id along; the list has no use for it.
if CONTACT_ID_PARAM in st.query_params:
    del st.query_params[CONTACT_ID_PARAM]

can_write = is_allowed(actor, Permission.WRITE_RECORDS)
if can_write and st.button("Créer un contact multiple", icon=":material/person_add:", type="primary", key="contacts_create"):
    st.switch_page(CONTACT_PAGE)

with st.container(border=True):
    first_row = st.columns([3, 2, 2])
    search_text = first_row[0].text_input(
        "Recherche",
        key="contacts_text",
        placeholder="Nom, prénom, raison sociale, e-mail, téléphone, adresse",
        persist_state="session",
        max_chars=200,
    )
    selected_types = first_row[1].multiselect(
        "Type de contact",
        [t.value for t in ContactType],
        key="contacts_types",
        format_func=lambda value: CONTACT_TYPE_LABELS[ContactType(value)],
        placeholder="Tous les types",
        persist_state="session",
    )
    place = first_row[2].text_input(
        "Commune ou code postal",
        key="contacts_place",
        placeholder="Gap, 75012, 05…",
        help="Début du nom de la commune ou du code postal, de l'adresse du contact ou d'un habitat rattaché.",
        persist_state="session",
        max_chars=100,
    )

    second_row = st.columns([3, 2, 2])
    habitat_text = second_row[0].text_input(
        "Habitat",
        key="contacts_habitat_text",
        placeholder="Code, nom ou adresse de l'habitat",
        persist_state="session",
        max_chars=200,
    )
    habitat_id = None
    if habitat_text.strip():
        matches = run_action(lambda: habitats.pick_habitats(context.sessions, actor, habitat_text), context="contacts_list.pick_habitats") or []
        if matches:
            chosen = second_row[0].selectbox(
                "Habitat trouvé",
                matches,
                key="contacts_habitat_choice",
                format_func=lambda row: f"{row.code} · {row.name} · {row.postcode} {row.city}",
            )
            habitat_id = chosen.id if chosen is not None else None
        else:
            second_row[0].warning("Aucun habitat ne correspond à ce texte.")
    sort = second_row[1].selectbox(
        "Trier par",
        list(SORT_ORDERS),
        key="contacts_sort",
        format_func=SORT_ORDERS.get,
        persist_state="session",
    )
    with second_row[2]:
        unlinked_only = st.checkbox("Rattaché à aucun habitat", key="contacts_unlinked", persist_state="session")
        include_archived = st.checkbox("Afficher les archivés", key="contacts_archived", persist_state="session")

filters = ContactFilters(
    text=search_text,
    contact_types=tuple(selected_types),
    habitat_id=habitat_id,
    place=place,
    unlinked_only=unlinked_only,
    include_archived=include_archived,
    sort=sort,
)

# One page selector per search, so a new search starts on its first page and a return
# to the list finds the page the user left.
page_key = f"contacts_page_{filters_digest(filters)}"

result = run_action(
    lambda: contacts.search_contacts(context.sessions, actor, filters, st.session_state.get(page_key, 1), page_size),
    context="contacts_list.search",
)

if result is not None:
    st.markdown(count_text(result.total, "contact trouvé", "contacts trouvés", "Aucun contact trouvé"))

    frame = pd.DataFrame(
        [
            {
                "id": row.id,
                "icon": MULTIPLE_CONTACT_ICON if row.is_multiple else "",
                "contact_type": row.contact_type,
                "company_name": row.company_name,
                "full_name": row.full_name,
                "phone": row.phone,
                "email": row.email,
                "address": row.address,
                "linked_habitat_count": row.linked_habitat_count,
                "status": "Archivé" if row.is_archived else "",
            }
            for row in result.rows
        ],
        columns=["id", "icon", "contact_type", "company_name", "full_name", "phone", "email", "address", "linked_habitat_count", "status"],
    )
    columns = [
        GridColumn("icon", "", width=56, filterable=False),
        *([GridColumn("status", "Statut", width=100)] if include_archived else []),
        GridColumn("contact_type", "Type de contact", width=170),
        GridColumn("company_name", "Raison sociale", width=200),
        GridColumn("full_name", "Nom et prénom", width=200),
        GridColumn("phone", "Téléphone", width=190),
        GridColumn("email", "Mail", width=220),
        GridColumn("address", "Adresse", width=300),
        GridColumn("linked_habitat_count", "Habitats", width=110, numeric=True),
    ]

    opened_id = show_grid(
        frame,
        columns,
        key=f"contacts_grid_{result.page}",
        action_icon=EDIT_ICON,
        action_tooltip="Ouvrir le contact",
    )
    if opened_id is not None:
        st.switch_page(CONTACT_PAGE, query_params={CONTACT_ID_PARAM: str(opened_id)})

    show_paging_footer(result, page_key, "contacts")

"""Habitats: a searchable list paged in the database; the house icon opens the fiche habitat."""

import pandas as pd
import streamlit as st

from trackoe.services import habitats
from trackoe.ui.auth import current_actor
from trackoe.ui.context import app_context
from trackoe.ui.errors import run_action
from trackoe.ui.grid import GridColumn, show_grid, show_paging_footer
from trackoe.ui.text import count_text, filters_digest
from trackoe.ui.routes import FLASH_KEY, HABITAT_ID_PARAM, HABITAT_PAGE, OPEN_HABITAT_ICON

context = app_context()
actor = current_actor()
page_size = context.settings.page_size

st.title("Habitats")

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

search_text = st.text_input(
    "Recherche",
    key="habitats_text",
    placeholder="Code, nom, adresse, code postal, commune ou bailleur",
    persist_state="session",
    max_chars=200,
)
include_archived = st.checkbox("Afficher les habitats archivés", key="habitats_archived", persist_state="session")

page_key = f"habitats_page_{filters_digest((search_text, include_archived))}"

result = run_action(
    lambda: habitats.search_habitats(
        context.sessions, actor, search_text, st.session_state.get(page_key, 1), page_size, include_archived=include_archived
    ),
    context="habitats_list.search",
)

if result is not None:
    st.markdown(count_text(result.total, "habitat trouvé", "habitats trouvés", "Aucun habitat trouvé"))

    frame = pd.DataFrame(
        [
            {
                "id": row.id,
                "code": row.code,
                "name": row.name,
                "address": row.address,
                "postcode": row.postcode,
                "city": row.city,
                "landlord_name": row.landlord_name,
                "dwelling_count": row.dwelling_count,
                "current_contact_count": row.current_contact_count,
                "status": "Archivé" if row.is_archived else "",
            }
            for row in result.rows
        ],
        columns=[
            "id", "code", "name", "address", "postcode", "city", "landlord_name", "dwelling_count", "current_contact_count", "status",
        ],
    )
    opened_id = show_grid(
        frame,
        [
            *([GridColumn("status", "Statut", width=100)] if include_archived else []),
            GridColumn("code", "Code", width=130),
            GridColumn("name", "Nom", width=280),
            GridColumn("address", "Adresse", width=260),
            GridColumn("postcode", "Code postal", width=110),
            GridColumn("city", "Commune", width=150),
            GridColumn("landlord_name", "Bailleur", width=150),
            GridColumn("dwelling_count", "Logements", width=110, numeric=True),
            GridColumn("current_contact_count", "Contacts", width=100, numeric=True),
        ],
        key=f"habitats_grid_{result.page}",
        action_icon=OPEN_HABITAT_ICON,
        action_tooltip="Ouvrir la fiche habitat",
    )
    if opened_id is not None:
        st.switch_page(HABITAT_PAGE, query_params={HABITAT_ID_PARAM: str(opened_id)})

    show_paging_footer(result, page_key, "habitats")

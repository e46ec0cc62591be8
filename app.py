"""TRACKOE contacts multiples: the router. Run with `streamlit run app.py`."""

import streamlit as st

from trackoe.ui.context import app_context
from trackoe.ui.routes import CONTACT_PAGE, CONTACTS_LIST_PAGE, HABITAT_PAGE, HABITATS_LIST_PAGE

st.set_page_config(page_title="TRACKOE · Contacts multiples", page_icon="👥", layout="wide")

app_context()

navigation = st.navigation(
    {
        "Habitats": [
            st.Page(
                CONTACTS_LIST_PAGE,
                title="Gestion des contacts multiples",
                icon="👥",
                url_path="contacts",
                default=True,
            ),
            st.Page(HABITATS_LIST_PAGE, title="Habitats", icon="🏢", url_path="habitats"),
            st.Page(CONTACT_PAGE, title="Contact multiple", url_path="contact", visibility="hidden"),
            st.Page(HABITAT_PAGE, title="Fiche habitat", url_path="habitat", visibility="hidden"),
        ]
    }
)
navigation.run()

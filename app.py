"""TRACKOE contacts multiples: the router. Run with `streamlit run app.py`."""

import streamlit as st

from trackoe.ui.context import app_context
from trackoe.ui.routes import CONTACT_PAGE, CONTACTS_LIST_PAGE, HABITAT_PAGE, HABITATS_LIST_PAGE

st.set_page_config(page_title="TRACKOE · Contacts multiples", page_icon="👥", layout="wide")

app_context()

contacts_list = st.Page(
    CONTACTS_LIST_PAGE, title="Gestion des contacts multiples", icon="👥", url_path="contacts", default=True
)
habitats_list = st.Page(HABITATS_LIST_PAGE, title="Habitats", icon="🏢", url_path="habitats")
contact = st.Page(CONTACT_PAGE, title="Contact multiple", icon="👥", url_path="contact")
habitat = st.Page(HABITAT_PAGE, title="Fiche habitat", icon="🏢", url_path="habitat")

# The menu is drawn here rather than by st.navigation: with Streamlit 1.67, opening a
# hidden page by its URL showed the pages/ folder's file names in the automatic menu.
navigation = st.navigation([contacts_list, habitats_list, contact, habitat], position="hidden")
with st.sidebar:
    st.markdown("**Habitats**")
    st.page_link(contacts_list)
    st.page_link(habitats_list)

navigation.run()

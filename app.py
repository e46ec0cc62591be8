"""TRACKOE contacts multiples: the router. Run with `streamlit run app.py`."""

import logging

import streamlit as st

from trackoe.permissions import Permission, is_allowed
from trackoe.ui.auth import require_sign_in, show_account_menu
from trackoe.ui.context import app_context
from trackoe.ui.routes import CONTACT_PAGE, CONTACTS_LIST_PAGE, HABITAT_PAGE, HABITATS_LIST_PAGE

logger = logging.getLogger(__name__)

st.set_page_config(page_title="TRACKOE · Contacts multiples", page_icon="👥", layout="wide")

try:
    context = app_context()
except Exception:
    # The context is cached only once it opens, so the next run tries the database again.
    logger.exception("Application start failed: database unreachable or not migratable")
    st.error(
        "La base de données est injoignable ou n'a pas pu être mise à jour. "
        "Réessayez dans quelques instants ; si le problème persiste, prévenez l'administrateur."
    )
    st.stop()

actor = require_sign_in(context)

# The default page is served at "/" whatever its url_path, so it gets none.
contacts_list = st.Page(CONTACTS_LIST_PAGE, title="Gestion des contacts multiples", icon="👥", default=True)
habitats_list = st.Page(HABITATS_LIST_PAGE, title="Habitats", icon="🏢", url_path="habitats")
contact = st.Page(CONTACT_PAGE, title="Contact multiple", icon="👥", url_path="contact")
habitat = st.Page(HABITAT_PAGE, title="Fiche habitat", icon="🏢", url_path="habitat")
habitats_import = st.Page("pages/habitats_import.py", title="Importer des habitats", icon="📥", url_path="import-habitats")
coverage = st.Page("pages/coverage.py", title="Couverture des habitats", icon="📊", url_path="couverture")
# Always registered: each administration page shows a refusal to users without the permission.
administration = st.Page("pages/administration.py", title="Comptes", icon="🔑", url_path="administration")
journal = st.Page("pages/journal.py", title="Journal", icon="📜", url_path="journal")

# The menu is drawn here rather than by st.navigation: with Streamlit 1.67, opening a
# hidden page by its URL showed the pages/ folder's file names in the automatic menu.
navigation = st.navigation(
    [contacts_list, habitats_list, contact, habitat, habitats_import, coverage, administration, journal], position="hidden"
)
with st.sidebar:
    st.markdown("**Habitats**")
    st.page_link(contacts_list)
    st.page_link(habitats_list)
    if is_allowed(actor, Permission.WRITE_RECORDS):
        st.page_link(habitats_import)
    st.markdown("**Pilotage**")
    st.page_link(coverage)
    if is_allowed(actor, Permission.MANAGE_ACCOUNTS):
        st.markdown("**Administration**")
        st.page_link(administration)
        st.page_link(journal)
    st.divider()
    show_account_menu(actor)

navigation.run()

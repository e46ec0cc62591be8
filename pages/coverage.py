"""Couverture des habitats: the managers' dashboard. Filters live in the URL; each tab runs its queries only when open."""

import streamlit as st

from trackoe.coverage_views import CoverageFilters
from trackoe.domain import LINK_ROLES
from trackoe.permissions import Permission, is_allowed
from trackoe.services import coverage, coverage_lists
from trackoe.ui import coverage_charts
from trackoe.ui.auth import current_actor
from trackoe.ui.context import app_context
from trackoe.ui.coverage_tables import show_count, show_exports, show_pages, show_table
from trackoe.ui.errors import run_action, show_field_error
from trackoe.ui.routes import CONTACT_ID_PARAM, CONTACT_PAGE, EDIT_ICON, HABITAT_ID_PARAM, HABITAT_PAGE, OPEN_HABITAT_ICON
from trackoe.ui.text import filters_digest

context = app_context()
actor = current_actor()
page_size = context.settings.page_size
sessions = context.sessions

TABS = ["Matrice", "Habitats sans rôle", "Contacts sans rattachement", "Rattachements à vérifier", "Contacts les plus rattachés", "Graphiques", "Carte"]
ROLES_ERRORS_KEY = "coverage_roles_errors"

st.title("Couverture des habitats")

options = run_action(lambda: coverage.filter_options(sessions, actor), context="coverage.options")
if options is None:
    st.stop()

with st.container(border=True):
    row = st.columns([3, 3, 2, 2])
    landlord = row[0].selectbox(
        "Bailleur", options.landlords, index=None, key="bailleur", placeholder="Tous les bailleurs", bind="query-params"
    )
    area = row[1].selectbox(
        "Commune ou arrondissement", options.areas, index=None, key="commune", placeholder="Toutes", bind="query-params"
    )
    postcode = row[2].text_input("Code postal", key="cp", placeholder="75012, 93…", max_chars=5, bind="query-params")
    with row[3]:
        gaps_only = st.checkbox("Seulement les habitats avec une lacune", key="lacunes", bind="query-params")
    st.caption("Les filtres sont dans l'adresse de la page : copiez-la pour partager exactement cette vue.")

filters = CoverageFilters(landlord=landlord or "", area=area or "", postcode=postcode, gaps_only=gaps_only)
digest = filters_digest(filters)
roles = options.required_roles

headline = run_action(lambda: coverage.headline(sessions, actor, filters), context="coverage.headline")
if headline is not None:
    figures = st.columns(5)
    for column, label, value in zip(
        figures,
        ("Habitats", "Logements", "Contacts multiples", "Contacts simples", "Rattachements en cours"),
        (headline.habitats, headline.dwellings, headline.contacts_multiples, headline.contacts_simples, headline.current_links),
        strict=True,
    ):
        column.metric(label, f"{value:,}".replace(",", "\u202f"))
    shares = st.columns(max(1, len(headline.coverage)))
    for column, role in zip(shares, headline.coverage):
        column.metric(f"Couverts : {role.role}", f"{role.share:.0%}".replace("%", "\u202f%"), help=f"{role.covered} habitats sur {role.habitats}")

if is_allowed(actor, Permission.MANAGE_SETTINGS):
    with st.expander("Rôles requis (réglage administrateur)"):
        with st.form("coverage_roles_form"):
            chosen = st.multiselect("Rôles requis", list(LINK_ROLES), default=roles, key="coverage_roles")
            show_field_error(st.session_state.get(ROLES_ERRORS_KEY, {}), "required_roles")
            if st.form_submit_button("Enregistrer les rôles requis"):
                st.session_state.pop(ROLES_ERRORS_KEY, None)
                saved = run_action(
                    lambda: coverage.set_required_roles(sessions, actor, chosen),
                    context="coverage.set_roles",
                    field_errors_key=ROLES_ERRORS_KEY,
                )
                if saved is not None:
                    st.toast("Rôles requis enregistrés.")
                    st.rerun()

tabs = st.tabs(TABS, key="vue", bind="query-params")


def open_habitat(habitat_id: int | None) -> None:
    if habitat_id is not None:
        st.switch_page(HABITAT_PAGE, query_params={HABITAT_ID_PARAM: str(habitat_id)})


def open_contact(contact_id: int | None) -> None:
    if contact_id is not None:
        st.switch_page(CONTACT_PAGE, query_params={CONTACT_ID_PARAM: str(contact_id)})


with tabs[0]:
    if tabs[0].open:
        page_key = f"coverage_matrix_page_{digest}"
        table = run_action(
            lambda: coverage.matrix(sessions, actor, filters, st.session_state.get(page_key, 1), page_size),
            context="coverage.matrix",
        )
        if table is not None:
            show_count(table, "habitat", "habitats", "Aucun habitat ne correspond aux filtres")
            show_exports(lambda: coverage.matrix(sessions, actor, filters, None), name="couverture des habitats", key="matrix")
            open_habitat(
                show_table(table, key=f"coverage_matrix_{table.page}", action_icon=OPEN_HABITAT_ICON, action_tooltip="Ouvrir la fiche habitat", highlight_gaps=True)
            )
            show_pages(table, page_key, "habitats")

with tabs[1]:
    if tabs[1].open:
        role = st.selectbox("Rôle manquant", roles, key="role", bind="query-params")
        page_key = f"coverage_missing_page_{digest}_{role}"
        table = run_action(
            lambda: coverage_lists.habitats_missing_role(sessions, actor, filters, role, st.session_state.get(page_key, 1), page_size),
            context="coverage.missing",
        )
        if table is not None:
            show_count(table, f"habitat sans {role}", f"habitats sans {role}", f"Tous les habitats filtrés ont un contact {role}")
            show_exports(
                lambda: coverage_lists.habitats_missing_role(sessions, actor, filters, role, None),
                name=f"habitats sans {role}",
                key="missing",
            )
            open_habitat(show_table(table, key=f"coverage_missing_{table.page}", action_icon=OPEN_HABITAT_ICON, action_tooltip="Ouvrir la fiche habitat"))
            show_pages(table, page_key, "habitats")

with tabs[2]:
    if tabs[2].open:
        st.caption("Contacts multiples non archivés sans aucun rattachement en cours ; les filtres d'habitat ne s'appliquent pas.")
        page_key = "coverage_unlinked_page"
        table = run_action(
            lambda: coverage_lists.unlinked_contacts(sessions, actor, st.session_state.get(page_key, 1), page_size),
            context="coverage.unlinked",
        )
        if table is not None:
            show_count(table, "contact sans rattachement", "contacts sans rattachement", "Tous les contacts multiples sont rattachés")
            show_exports(lambda: coverage_lists.unlinked_contacts(sessions, actor, None), name="contacts sans rattachement", key="unlinked")
            open_contact(show_table(table, key=f"coverage_unlinked_{table.page}", action_icon=EDIT_ICON, action_tooltip="Ouvrir le contact"))
            show_pages(table, page_key, "contacts")

with tabs[3]:
    if tabs[3].open:
        st.caption(
            "Rattachements terminés mais encore marqués principaux, et rattachements en cours vers un habitat archivé."
        )
        page_key = f"coverage_anomalies_page_{digest}"
        table = run_action(
            lambda: coverage_lists.link_anomalies(sessions, actor, filters, st.session_state.get(page_key, 1), page_size),
            context="coverage.anomalies",
        )
        if table is not None:
            show_count(table, "rattachement à vérifier", "rattachements à vérifier", "Aucun rattachement à vérifier")
            show_exports(lambda: coverage_lists.link_anomalies(sessions, actor, filters, None), name="rattachements a verifier", key="anomalies")
            contact_by_link = {row.id: row.contact_id for row in table.rows}
            link_id = show_table(table, key=f"coverage_anomalies_{table.page}", action_icon=EDIT_ICON, action_tooltip="Ouvrir le contact")
            open_contact(contact_by_link.get(link_id) if link_id is not None else None)
            show_pages(table, page_key, "rattachements")

with tabs[4]:
    if tabs[4].open:
        page_key = f"coverage_top_page_{digest}"
        table = run_action(
            lambda: coverage_lists.top_contacts(sessions, actor, filters, st.session_state.get(page_key, 1), page_size),
            context="coverage.top",
        )
        if table is not None:
            show_count(table, "contact rattaché", "contacts rattachés", "Aucun contact multiple rattaché à ces habitats")
            show_exports(lambda: coverage_lists.top_contacts(sessions, actor, filters, None), name="contacts les plus rattaches", key="top")
            open_contact(show_table(table, key=f"coverage_top_{table.page}", action_icon=EDIT_ICON, action_tooltip="Ouvrir le contact"))
            show_pages(table, page_key, "contacts")

with tabs[5]:
    if tabs[5].open:
        group_by = st.radio(
            "Couverture par", ["landlord", "area"], key="groupe", horizontal=True, bind="query-params",
            format_func={"landlord": "Bailleur", "area": "Commune ou arrondissement"}.get,
        )
        charts = run_action(lambda: coverage.charts(sessions, actor, filters, group_by), context="coverage.charts")
        if charts is not None:
            st.subheader("Couverture des rôles requis")
            coverage_charts.show_coverage_by_group(charts, "Bailleur" if group_by == "landlord" else "Commune")
            left, right = st.columns(2)
            with left:
                st.subheader("Contacts par type")
                coverage_charts.show_contacts_by_type(charts)
            with right:
                st.subheader("Habitats par nombre de contacts en cours")
                coverage_charts.show_habitats_by_contact_count(charts)

with tabs[6]:
    if tabs[6].open:
        points = run_action(lambda: coverage.map_points(sessions, actor, filters), context="coverage.map")
        if points is not None:
            st.caption(f"{len(points)} habitats localisés, colorés selon le nombre de rôles requis couverts.")
            coverage_charts.show_map(points)

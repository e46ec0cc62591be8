"""Journal des modifications: every journal entry, filtered and paged in the database, for administrateurs.

The filters are bound to the URL, so a filtered view of the journal is a link that can be shared.
"""

import datetime as dt

import streamlit as st

from trackoe.journal import AUDIT_ACTION_LABELS, RECORD_TYPE_LABELS, AuditAction, JournalFilters
from trackoe.permissions import DENIED_MESSAGES, Permission, is_allowed
from trackoe.services import journal
from trackoe.ui.auth import current_actor
from trackoe.ui.context import app_context
from trackoe.ui.errors import run_action
from trackoe.ui.grid import GRID_FILTER_HINT_NO_SEARCH, GridColumn, show_grid, show_paging_footer
from trackoe.ui.history import journal_frame
from trackoe.ui.routes import CONTACT_ID_PARAM, CONTACT_PAGE, HABITAT_ID_PARAM, HABITAT_PAGE
from trackoe.ui.text import count_text, filters_digest

context = app_context()
actor = current_actor()
page_size = context.settings.page_size

OPEN_RECORD_ICON = "🔎"
ACTION_OPTIONS = [action.value for action in AuditAction]
JOURNAL_COLUMNS = [
    GridColumn("occurred_at", "Date", width=140),
    GridColumn("username", "Utilisateur", width=130),
    GridColumn("action_label", "Action", width=170),
    GridColumn("record_label", "Fiche", width=120),
    GridColumn("record_id", "N°", width=80),
    GridColumn("summary", "Résumé", width=260, tooltip_field="summary"),
    GridColumn("changes", "Champs modifiés", width=360, tooltip_field="changes"),
]


def action_label(value: str) -> str:
    return AUDIT_ACTION_LABELS[AuditAction(value)]


def read_filters() -> JournalFilters | None:
    """Draw the filter zone and return the filters it sets, or None when the user list cannot be read."""
    users = run_action(lambda: journal.journal_users(context.sessions, actor), context="journal.users")
    if users is None:
        return None
    user_id_by_name = {user.username: user.user_id for user in users}
    display_name_by_name = {user.username: user.display_name for user in users}

    with st.container(border=True):
        first_row = st.columns([2, 2, 2])
        username = first_row[0].selectbox(
            "Utilisateur",
            list(user_id_by_name),
            index=None,
            placeholder="Tous les utilisateurs",
            format_func=lambda name: f"{name} · {display_name_by_name[name]}",
            key="journal_user",
            bind="query-params",
        )
        period = first_row[1].date_input(
            "Période",
            value=(),
            format="DD/MM/YYYY",
            help="Une date seule, ou une date de début et une date de fin, incluses (heure de Paris).",
            key="journal_period",
            bind="query-params",
        )
        actions = first_row[2].multiselect(
            "Action",
            ACTION_OPTIONS,
            format_func=action_label,
            placeholder="Toutes les actions",
            key="journal_actions",
            bind="query-params",
        )

        second_row = st.columns([2, 2, 2])
        record_type = second_row[0].selectbox(
            "Type de fiche",
            list(RECORD_TYPE_LABELS),
            index=None,
            placeholder="Tous les types",
            format_func=RECORD_TYPE_LABELS.get,
            key="journal_record_type",
            bind="query-params",
        )
        record_id = second_row[1].number_input(
            "N° de fiche",
            min_value=1,
            value=None,
            step=1,
            placeholder="Tous",
            help="Numéro du contact, de l'habitat, du rattachement ou du compte, selon le type de fiche.",
            key="journal_record_id",
            bind="query-params",
        )

    dates: tuple[dt.date, ...] = tuple(period) if isinstance(period, (tuple, list)) else ((period,) if period else ())
    return JournalFilters(
        user_id=user_id_by_name.get(username) if username is not None else None,
        date_from=dates[0] if dates else None,
        date_to=dates[-1] if dates else None,
        record_type=record_type,
        record_id=int(record_id) if record_id is not None else None,
        actions=tuple(actions),
    )


def open_record(row) -> None:
    """Open the contact or the fiche habitat that a journal entry concerns."""
    if row.contact_id is not None:
        st.switch_page(CONTACT_PAGE, query_params={CONTACT_ID_PARAM: str(row.contact_id)})
    if row.habitat_id is not None:
        st.switch_page(HABITAT_PAGE, query_params={HABITAT_ID_PARAM: str(row.habitat_id)})
    st.info("Cette entrée ne concerne ni un contact ni un habitat : il n'y a pas de fiche à ouvrir.")


def render_page() -> None:
    st.title("Journal des modifications")
    filters = read_filters()
    if filters is None:
        return

    # One page selector per set of filters, so a new filter starts on the first page.
    page_key = f"journal_page_{filters_digest(filters)}"
    result = run_action(
        lambda: journal.search_journal(context.sessions, actor, filters, st.session_state.get(page_key, 1), page_size),
        context="journal.search",
    )
    if result is None:
        return

    st.markdown(count_text(result.total, "entrée trouvée", "entrées trouvées", "Aucune entrée trouvée"))
    row_by_id = {row.id: row for row in result.rows}
    opened_id = show_grid(
        journal_frame(result.rows),
        JOURNAL_COLUMNS,
        key=f"journal_grid_{result.page}",
        action_icon=OPEN_RECORD_ICON,
        action_tooltip="Ouvrir la fiche concernée",
    )
    if opened_id is not None and opened_id in row_by_id:
        open_record(row_by_id[opened_id])

    show_paging_footer(result, page_key, "entrées", hint=GRID_FILTER_HINT_NO_SEARCH)


if is_allowed(actor, Permission.VIEW_JOURNAL):
    render_page()
else:
    st.error(DENIED_MESSAGES[Permission.VIEW_JOURNAL])

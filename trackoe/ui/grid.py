"""AG Grid tables whose action column (a pencil, a house) opens the record of its row."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from st_aggrid import AgGrid, DataReturnMode, JsCode

from trackoe.views import ResultPage

ACTION_FIELD = "action"

GRID_FILTER_HINT = (
    "Les filtres des colonnes (entonnoir) trient et filtrent les lignes de la page affichée ; "
    "la zone de recherche, elle, cherche dans toute la base."
)
# For lists filtered by the widgets above the grid rather than by a search box.
GRID_FILTER_HINT_NO_SEARCH = (
    "Les filtres des colonnes (entonnoir) trient et filtrent les lignes de la page affichée ; "
    "les filtres au-dessus du tableau, eux, portent sur toute la base."
)
ID_FIELD = "id"

# A click on the action cell selects its row, and only selection changes reach Python.
# The grid sends back the selected row's id alone, so the message stays a few bytes.
_OPEN_ON_ACTION_CLICK = JsCode(
    """
    function(event) {
        if (event.colDef.field === 'action') {
            event.node.setSelected(true, true);
        }
    }
    """
)
_RETURN_SELECTED_ID = JsCode(
    """
    function({streamlitRerunEventTriggerName, eventData}) {
        const rows = eventData.api.getSelectedRows();
        return {selected_id: rows.length ? rows[0].id : null};
    }
    """
)


@dataclass(frozen=True)
class GridColumn:
    """A column shown by the grid: the DataFrame field and its French header."""

    field: str
    header: str
    width: int | None = None
    numeric: bool = False
    tooltip_field: str | None = None
    filterable: bool = True


def _filter_type(column: GridColumn) -> str | bool:
    if not column.filterable:
        return False
    return "agNumberColumnFilter" if column.numeric else "agTextColumnFilter"


def _column_definition(column: GridColumn) -> dict:
    definition: dict = {
        "field": column.field,
        "headerName": column.header,
        "sortable": True,
        "resizable": True,
        "filter": _filter_type(column),
        "floatingFilter": False,
    }
    if column.width is not None:
        # Widths are proportions: the columns share the grid's width, none below its minimum.
        definition["flex"] = column.width
        definition["minWidth"] = min(column.width, 110)
    if column.tooltip_field is not None:
        definition["tooltipField"] = column.tooltip_field
    if column.numeric:
        definition["type"] = "numericColumn"
    return definition


def grid_options(columns: list[GridColumn], *, action_icon: str, action_tooltip: str) -> dict:
    """Return grid options: sortable, resizable, filterable columns and a leading action column."""
    action_column = {
        "field": ACTION_FIELD,
        "headerName": "",
        "width": 56,
        "pinned": "left",
        "sortable": False,
        "filter": False,
        "resizable": False,
        "headerTooltip": action_tooltip,
        "tooltipValueGetter": JsCode(f"function() {{ return {action_tooltip!r}; }}"),
        "cellStyle": {"cursor": "pointer", "textAlign": "center"},
    }
    return {
        "columnDefs": [action_column, *(_column_definition(column) for column in columns)],
        "defaultColDef": {"minWidth": 60},
        "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": False},
        "getRowId": JsCode("function(params) { return String(params.data.id); }"),
        "onCellClicked": _OPEN_ON_ACTION_CLICK,
        "tooltipShowDelay": 300,
        "suppressCellFocus": False,
        "localeText": FRENCH_LOCALE,
    }


def show_grid(frame: pd.DataFrame, columns: list[GridColumn], *, key: str, action_icon: str, action_tooltip: str, height: int = 520) -> int | None:
    """Show `frame` in AG Grid; return the id of the row whose action cell was clicked, else None.

    `frame` needs an integer `id` column; cells are rendered as text, never as HTML.
    """
    data = frame.copy()
    data[ACTION_FIELD] = action_icon

    response = AgGrid(
        data,
        gridOptions=grid_options(columns, action_icon=action_icon, action_tooltip=action_tooltip),
        height=height,
        key=key,
        update_on=["selectionChanged"],
        data_return_mode=DataReturnMode.CUSTOM,
        custom_jscode_for_grid_return=_RETURN_SELECTED_ID,
        allow_unsafe_jscode=True,
        show_toolbar=False,
        show_download_button=False,
        show_search=False,
        theme="streamlit",
    )

    selected_id = response.get("selected_id") if response is not None else None
    return int(selected_id) if selected_id is not None else None


def show_paging_footer(result: ResultPage, page_key: str, rows_label: str, *, hint: str = GRID_FILTER_HINT) -> None:
    """Show the page selector of a paged list (when it has several pages) and the column-filter hint."""
    if result.page_count > 1:
        st.caption(f"Page {result.page} sur {result.page_count} · {result.page_size} {rows_label} par page")
        st.pagination(result.page_count, key=page_key, persist_state="session")
    st.caption(hint)


FRENCH_LOCALE = {
    "noRowsToShow": "Aucune ligne à afficher",
    "loadingOoo": "Chargement…",
    "filterOoo": "Filtrer…",
    "equals": "Égal à",
    "notEqual": "Différent de",
    "contains": "Contient",
    "notContains": "Ne contient pas",
    "startsWith": "Commence par",
    "endsWith": "Se termine par",
    "blank": "Vide",
    "notBlank": "Non vide",
    "lessThan": "Inférieur à",
    "greaterThan": "Supérieur à",
    "lessThanOrEqual": "Inférieur ou égal à",
    "greaterThanOrEqual": "Supérieur ou égal à",
    "inRange": "Entre",
    "andCondition": "ET",
    "orCondition": "OU",
    "applyFilter": "Appliquer",
    "resetFilter": "Réinitialiser",
    "clearFilter": "Effacer",
    "sortAscending": "Tri croissant",
    "sortDescending": "Tri décroissant",
}

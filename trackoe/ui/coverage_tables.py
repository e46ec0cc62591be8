"""The dashboard's lists on screen: one page in AG Grid, a page selector, and CSV and XLSX exports of every row."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from st_aggrid import AgGrid, DataReturnMode, JsCode

from trackoe.coverage_views import GAP_TEXT, Table
from trackoe.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, export_file_name, to_csv, to_xlsx
from trackoe.ui.grid import ACTION_FIELD, GRID_FILTER_HINT_NO_SEARCH, GridColumn, grid_options, show_grid
from trackoe.ui.text import count_text

# Same contract as trackoe.ui.grid: only the selected row's id travels back to Python.
_RETURN_SELECTED_ID = JsCode(
    """
    function({streamlitRerunEventTriggerName, eventData}) {
        const rows = eventData.api.getSelectedRows();
        return {selected_id: rows.length ? rows[0].id : null};
    }
    """
)
_GAP_STYLE = JsCode(
    f"""
    function(params) {{
        if (params.value === {GAP_TEXT!r}) {{
            return {{backgroundColor: '#fde2e1', color: '#a4161a', fontWeight: 'bold'}};
        }}
        return null;
    }}
    """
)


def grid_columns(table: Table) -> list[GridColumn]:
    return [GridColumn(column.field, column.header, width=column.width, numeric=column.numeric) for column in table.columns]


def table_frame(table: Table) -> pd.DataFrame:
    """Return the page's rows as a DataFrame: the row id, then one column per table column."""
    fields = [column.field for column in table.columns]
    values = table.values()
    return pd.DataFrame(
        [{"id": row.id, **dict(zip(fields, row_values))} for row, row_values in zip(table.rows, values)],
        columns=["id", *fields],
    )


def show_table(table: Table, *, key: str, action_icon: str, action_tooltip: str, highlight_gaps: bool = False) -> int | None:
    """Show one page of `table`; return the id of the row whose action cell was clicked."""
    frame = table_frame(table)
    height = min(560, 90 + 42 * max(1, len(frame)))
    if not highlight_gaps:
        return show_grid(frame, grid_columns(table), key=key, action_icon=action_icon, action_tooltip=action_tooltip, height=height)

    options = grid_options(grid_columns(table), action_icon=action_icon, action_tooltip=action_tooltip)
    for definition in options["columnDefs"]:
        if str(definition.get("field", "")).startswith("role_"):
            definition["cellStyle"] = _GAP_STYLE
    data = frame.copy()
    data[ACTION_FIELD] = action_icon
    response = AgGrid(
        data,
        gridOptions=options,
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


def show_count(table: Table, singular: str, plural: str, none: str) -> None:
    st.markdown(count_text(table.total, singular, plural, none))


def show_pages(table: Table, page_key: str, rows_label: str) -> None:
    if table.page_count > 1:
        st.caption(f"Page {table.page} sur {table.page_count} · {table.page_size} {rows_label} par page")
        st.pagination(table.page_count, key=page_key)
    st.caption(GRID_FILTER_HINT_NO_SEARCH)


def show_exports(load_all: Callable[[], Table], *, name: str, key: str) -> None:
    """Offer the CSV and XLSX files of every row of the list; they are built when a button is clicked."""
    columns = st.columns(2, width=420)
    columns[0].download_button(
        "Exporter en CSV",
        data=lambda: _csv(load_all()),
        file_name=export_file_name(name, "csv"),
        mime=CSV_MEDIA_TYPE,
        icon=":material/download:",
        key=f"{key}_csv",
        on_click="ignore",
        help="Toutes les lignes filtrées, pour Excel en français (séparateur « ; », UTF-8).",
    )
    columns[1].download_button(
        "Exporter en Excel",
        data=lambda: _xlsx(load_all(), name),
        file_name=export_file_name(name, "xlsx"),
        mime=XLSX_MEDIA_TYPE,
        icon=":material/download:",
        key=f"{key}_xlsx",
        on_click="ignore",
        help="Toutes les lignes filtrées, au format .xlsx.",
    )


def _csv(table: Table) -> bytes:
    return to_csv(table.headers, table.values())


def _xlsx(table: Table, name: str) -> bytes:
    return to_xlsx(table.headers, table.values(), name)

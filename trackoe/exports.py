"""CSV and XLSX files of a list, built from its headers and rows. No Streamlit, no database.

CSV is written for French Excel: UTF-8 with a byte-order mark, `;` between fields, every
field in double quotes, CRLF line ends.

Cells are never formulas:
- XLSX: every text is written as a string cell, so "=1+1" or "+33 1 23 45 67 89" shows as
  typed and nothing is evaluated.
- CSV: a text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
  single quote (`'=1+1`), which spreadsheets show instead of evaluating the text. Phone
  numbers written as the application writes them ("+33 1 23 45 67 89", "+44 20 7946 0958",
  several joined by " / ") are the exception and stay as they are, so they still read as
  phone numbers: they hold only "+", digits, single spaces and " / ", so they name no
  function, cell or link, and no spreadsheet can compute anything harmful from them (Excel
  rejects "33 1 23" as a formula and keeps the text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from trackoe.normalise import search_key

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# One phone number: an optional "+", then digit groups separated by single spaces (two
# groups at least, so "+33123" alone, which a spreadsheet reads as a number, is not one).
_ONE_PHONE = r"\+?\d+(?: \d+)+"
PHONE_TEXT = re.compile(rf"{_ONE_PHONE}(?: / {_ONE_PHONE})*")

MAX_SHEET_TITLE = 31
MAX_COLUMN_WIDTH = 60

Value = str | int | float | dt.date | None


def is_phone_text(text: str) -> bool:
    """Return whether `text` is one or more phone numbers as the application writes them."""
    return PHONE_TEXT.fullmatch(text) is not None


def inert_csv_text(text: str) -> str:
    """Return `text` as a CSV cell that no spreadsheet evaluates (see the module's rules)."""
    if text.startswith(FORMULA_PREFIXES) and not is_phone_text(text):
        return "'" + text
    return text


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # French Excel reads a decimal comma.
        return repr(value).replace(".", ",")
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return inert_csv_text(str(value))


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Value]]) -> bytes:
    """Return the CSV file (UTF-8 with BOM, `;`, quoted fields) of `headers` and `rows`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([inert_csv_text(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Value) -> Value:
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, str):
        # XML cannot hold most control characters; openpyxl refuses them.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_text_safe(cell, value: Value) -> None:
    cell.value = _xlsx_value(value)
    if isinstance(cell.value, str):
        # openpyxl turns a text starting with "=" into a formula: force a string cell.
        cell.data_type = "s"


def sheet_title(title: str) -> str:
    """Return `title` as a valid sheet name: no []:*?/\\ and at most 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip("' ") or "Export"
    return cleaned[:MAX_SHEET_TITLE]


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Value]], title: str = "Export") -> bytes:
    """Return the XLSX workbook of `headers` and `rows`: one sheet, a bold frozen header row, texts as strings."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)

    bold = Font(bold=True)
    widths = [len(str(header)) for header in headers]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column)
        _write_text_safe(cell, header)
        cell.font = bold
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            _write_text_safe(cell, value)
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            if column <= len(widths) and value is not None:
                widths[column - 1] = max(widths[column - 1], len(str(value)))

    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_COLUMN_WIDTH, width + 2)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_file_name(stem: str, extension: str, today: dt.date | None = None) -> str:
    """Return a file name such as "habitats-sans-gardien-2026-12-04.csv", ASCII letters, digits and hyphens only."""
    slug = re.sub(r"[^a-z0-9]+", "-", search_key(stem)).strip("-") or "export"
    day = (today or dt.date.today()).isoformat()
    return f"{slug}-{day}.{extension}"

"""CSV and XLSX exports: read back as French Excel would, they give the screen's rows, and formulas stay text."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from tests.actors import READER
from tests.coverage_fixture import FORMULA_COMPANY, FOREIGN_PHONE_TEXT, seed_coverage
from trackoe.coverage import CoverageFilters
from trackoe.exports import export_file_name, inert_csv_text, is_phone_text, sheet_title, to_csv, to_xlsx
from trackoe.services import coverage, coverage_lists

PHONE = "+33 1 23 45 67 89"


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def read_xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def screen_text(value) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        (PHONE, PHONE),
        ("+44 20 7946 0958 / 06 12 34 56 78", "+44 20 7946 0958 / 06 12 34 56 78"),
        ("+33123456789", "'+33123456789"),
        ("+33-1-23", "'+33-1-23"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("Lefèvre", "Lefèvre"),
    ],
)
def test_csv_cells_are_inert(text, written):
    assert inert_csv_text(text) == written


def test_phone_text():
    assert is_phone_text(PHONE)
    assert not is_phone_text("+1+1")
    assert not is_phone_text("=33 1 23")


def test_csv_format_for_french_excel():
    data = to_csv(["Nom", "Téléphone", "Nombre"], [["Lefèvre; \"Anne\"\nligne 2", PHONE, 3], [None, "", 0]])

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == '"Nom";"Téléphone";"Nombre"'
    frame = read_csv(data)
    assert frame.values.tolist() == [["Lefèvre; \"Anne\"\nligne 2", PHONE, "3"], ["", "", "0"]]


def test_xlsx_writes_texts_as_strings():
    data = to_xlsx(["Nom", "Téléphone", "n", "date"], [["=1+1", PHONE, 3, dt.date(2026, 1, 2)], ["a\x01b", None, 0, None]])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[1]] == ["Nom", "Téléphone", "n", "date"]
    formula, phone, number, date = sheet[2]
    assert (formula.value, formula.data_type) == ("=1+1", "s")
    assert (phone.value, phone.data_type) == (PHONE, "s")
    assert (number.value, number.data_type) == (3, "n")
    assert date.value.date() == dt.date(2026, 1, 2)
    assert sheet["A3"].value == "ab"


def test_sheet_title_and_file_name():
    assert sheet_title("Habitats sans : Société/nettoyage [x]") == "Habitats sans   Société nettoya"
    assert export_file_name("Habitats sans Société de nettoyage", "csv", dt.date(2026, 12, 4)) == (
        "habitats-sans-societe-de-nettoyage-2026-12-04.csv"
    )


@pytest.fixture
def ids(sessions):
    return seed_coverage(sessions)


def _tables(sessions):
    filters = CoverageFilters()
    return {
        "matrix": coverage.matrix(sessions, READER, filters, page=None),
        "missing": coverage_lists.habitats_missing_role(sessions, READER, filters, "Gardien", page=None),
        "unlinked": coverage_lists.unlinked_contacts(sessions, READER, page=None),
        "anomalies": coverage_lists.link_anomalies(sessions, READER, filters, page=None),
        "top": coverage_lists.top_contacts(sessions, READER, filters, page=None),
    }


def test_every_list_exports_its_rows(sessions, ids):
    for name, table in _tables(sessions).items():
        expected = [[screen_text(value) for value in row] for row in table.values()]
        expected_csv = [[inert_csv_text(value) for value in row] for row in expected]

        frame = read_csv(to_csv(table.headers, table.values()))
        assert list(frame.columns) == table.headers, name
        assert frame.values.tolist() == expected_csv, name

        sheet = read_xlsx(to_xlsx(table.headers, table.values(), name))
        assert sheet[0] == table.headers, name
        assert [[screen_text(value) for value in row] for row in sheet[1:]] == expected, name
        assert len(sheet) - 1 == table.total, name


def test_formula_and_phone_come_back_as_text(sessions, ids):
    table = coverage_lists.unlinked_contacts(sessions, READER, page=None)
    company = table.headers.index("Raison sociale")
    phone = table.headers.index("Téléphone")

    frame = read_csv(to_csv(table.headers, table.values()))
    assert frame.iloc[0, company] == "'" + FORMULA_COMPANY
    assert frame.iloc[0, phone] == FOREIGN_PHONE_TEXT

    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(table.headers, table.values()))).active
    company_cell = sheet.cell(row=2, column=company + 1)
    phone_cell = sheet.cell(row=2, column=phone + 1)
    assert (company_cell.value, company_cell.data_type) == (FORMULA_COMPANY, "s")
    assert (phone_cell.value, phone_cell.data_type) == (FOREIGN_PHONE_TEXT, "s")


def test_filtered_export_holds_exactly_the_filtered_rows(sessions, ids):
    table = coverage_lists.habitats_missing_role(sessions, READER, CoverageFilters(landlord="Paris Habitat"), "Gardien", page=None)

    frame = read_csv(to_csv(table.headers, table.values()))
    assert frame["Code"].tolist() == ["BLE"]

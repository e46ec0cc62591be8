"""The habitats import's row-by-row report: malformed files, encodings, size limits and the import service."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.pages_support import button, open_page, sign_in_as, unescape_markdown, values_of
from trackoe import importer
from trackoe.errors import PermissionDeniedError
from trackoe.importer import ImportFileError, ImportProblem, check_habitats_data, read_file_bytes
from trackoe.limits import IMPORT_FILE_MAX_BYTES
from trackoe.access_models import AuditEvent
from trackoe.models import Contact, ContactLink, Habitat
from trackoe.permissions import Actor, Role
from trackoe.services.habitat_import import check_habitats_file, import_habitats_file

IMPORT_PAGE = "pages/habitats_import.py"
AGENT = Actor(user_id=1, username="agent", display_name="Agent", role=Role.AGENT)
READER = Actor(user_id=2, username="lecteur", display_name="Lecteur", role=Role.LECTEUR)

HEADER = "code;nom;adresse;code_postal;commune;bailleur;nb_logements;latitude;longitude\n"
VALID_ROW = "H1;Résidence Les Tilleuls;3 rue Victor Hugo;05000;Gap;Alpes Habitat;24;44.5594;6.0786\n"
SECOND_VALID_ROW = "H3;Cité Bellevue;;38000;Grenoble;;;;\n"


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def problem_tuples(report) -> list[tuple[int, str | None, bool]]:
    return [(problem.line, problem.column, problem.is_error) for problem in report.problems()]


# --- The report of one file, written nowhere -----------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected_problems", "message"),
    [
        pytest.param(
            HEADER.replace(";", "\t") + VALID_ROW.replace(";", "\t"),
            [(1, None, True)],
            "Séparateur non reconnu",
            id="tab-delimiter",
        ),
        pytest.param(
            HEADER.replace(";", "|") + VALID_ROW.replace(";", "|"),
            [(1, None, True)],
            "Séparateur non reconnu",
            id="pipe-delimiter",
        ),
        pytest.param(
            "code;adresse\nH1;3 rue Pasteur\n",
            [(1, None, True)],
            "Colonne « nom » manquante",
            id="missing-column-named",
        ),
        pytest.param(
            HEADER + VALID_ROW + "H2;Rés B;;7500;;;;;\n",
            [(3, "code_postal", True)],
            "Code postal invalide : « 7500 »",
            id="bad-postcode-column",
        ),
        pytest.param(
            HEADER + VALID_ROW + "H2;Rés B;;;;;;44.5;\n",
            [(3, "longitude", True)],
            "Coordonnées incomplètes",
            id="missing-longitude-column",
        ),
        pytest.param(
            HEADER + VALID_ROW + VALID_ROW,
            [(3, "code", True)],
            "Code « H1 » en double : déjà utilisé ligne 2",
            id="duplicated-row",
        ),
        pytest.param(
            HEADER + VALID_ROW + "\n;;;;;;;;\n" + SECOND_VALID_ROW + "\n\n",
            [(3, None, False), (4, None, False)],
            "Ligne vide ignorée.",
            id="blank-lines-between-rows",
        ),
        pytest.param(
            'code;nom\nH1;"Résidence\n' + "x" * 200_000 + "\n",
            [(2, None, True)],
            "un guillemet ouvert n'est jamais fermé",
            id="unclosed-quote-over-field-limit",
        ),
    ],
)
def test_report_lists_line_and_column(content, expected_problems, message):
    report = check_habitats_data(content.encode("utf-8"))

    assert problem_tuples(report) == expected_problems
    assert message in report.problems()[0].message


def test_report_lists_every_bad_row():
    content = HEADER + VALID_ROW + ";;;123;;;x;;\n" + "H2;Rés B;;;;;;95;6\n" + SECOND_VALID_ROW

    report = check_habitats_data(content.encode("utf-8"))

    assert problem_tuples(report) == [
        (3, "code", True),
        (3, "nom", True),
        (3, "code_postal", True),
        (3, "nb_logements", True),
        (4, "latitude", True),
    ]
    assert report.rows_read == 4
    assert report.rows_valid == 2
    assert report.rejected is False


@pytest.mark.parametrize(
    ("data", "rows_valid", "warning"),
    [
        pytest.param((HEADER + VALID_ROW).encode("utf-8"), 1, None, id="utf-8"),
        pytest.param((HEADER + VALID_ROW).encode("utf-8-sig"), 1, None, id="utf-8-with-bom"),
        pytest.param(
            (HEADER + "H2;Résidence Les Érables;;;;Œuvre Sociale;;;\n").encode("cp1252"),
            1,
            "Fichier lu en Windows-1252 (Excel) car il n'est pas en UTF-8 (ligne 2)",
            id="cp1252",
        ),
    ],
)
def test_encoding_detected(data, rows_valid, warning):
    report = check_habitats_data(data)

    assert report.errors == []
    assert report.rows_valid == rows_valid
    assert [message.split(" : ")[0] for _line, message in report.warnings] == ([warning] if warning else [])


def test_cp1252_file_keeps_accents(sessions):
    data = (HEADER + "H2;Résidence Les Érables;;;;Œuvre Sociale;;;\n").encode("cp1252")

    import_habitats_file(sessions, AGENT, data)

    with sessions() as session:
        habitat = session.scalars(select(Habitat)).one()
    assert habitat.name == "Résidence Les Érables"
    assert habitat.landlord_name == "Œuvre Sociale"


def test_unknown_encoding_rejected():
    # 0x81 is undefined in Windows-1252 and invalid as a UTF-8 start byte.
    data = (HEADER + VALID_ROW).encode("utf-8") + b"H2;R\x81sidence;;;;;;;\n"

    report = check_habitats_data(data)

    assert report.rejected is True
    assert report.rows_valid == 0
    assert [line for line, _message in report.errors] == [3]
    assert report.errors[0][1].startswith("Encodage du fichier non reconnu")


def test_file_over_size_limit_rejected():
    data = HEADER.encode("utf-8") + b"x" * IMPORT_FILE_MAX_BYTES

    report = check_habitats_data(data)

    assert report.rejected is True
    assert report.errors[0][1].startswith("Fichier trop volumineux : 20.0 Mo pour 20 Mo au plus.")


def test_path_over_size_limit_not_read(tmp_path):
    path = tmp_path / "habitats.csv"
    with path.open("wb") as file:
        file.truncate(IMPORT_FILE_MAX_BYTES + 1)

    with pytest.raises(ImportFileError) as raised:
        read_file_bytes(path)

    assert raised.value.message.startswith("Fichier trop volumineux")


def test_rows_over_limit_rejected(monkeypatch):
    monkeypatch.setattr(importer, "IMPORT_MAX_ROWS", 3)
    rows = "".join(f"H{index};Résidence {index}\n" for index in range(4))

    report = check_habitats_data(("code;nom\n" + rows).encode("utf-8"))

    assert report.rejected is True
    assert report.rows_valid == 0
    assert [line for line, _message in report.errors] == [5]
    assert report.errors[0][1].startswith("Trop de lignes : 3 lignes d'habitats au plus par import.")


def test_problem_has_line_column_message():
    report = check_habitats_data((HEADER + "H2;;;;;;;;\n").encode("utf-8"))

    assert report.problems() == [
        ImportProblem(2, "nom", "Nom manquant : chaque habitat doit avoir un nom (colonne « nom »).", True)
    ]


# --- Hostile files ---------------------------------------------------------------------------

CELL = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=15),
    st.sampled_from(["05000", "24", "44.5", "-2", "=1+2", "<b>", '"', '""', ";", ",", "\n", "\r", "\x00", ""]),
)
ROWS = st.lists(st.lists(CELL, max_size=11), max_size=8)


def csv_text(header: str, rows: list[list[str]], delimiter: str) -> str:
    lines = [header] + [delimiter.join(row) for row in rows]
    return "\n".join(lines)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=ROWS,
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]),
)
def test_hostile_file_reported_without_exception(rows, delimiter, encoding):
    text = csv_text(HEADER.strip().replace(";", delimiter), rows, delimiter)
    data = text.encode(encoding, errors="replace").replace(b"?", b"")

    report = check_habitats_data(data)

    assert report.rows_valid <= report.rows_read
    assert all(problem.line >= 1 and problem.message for problem in report.problems())
    if report.rejected:
        assert report.rows_valid == 0
        assert report.errors


@settings(deadline=None, max_examples=150)
@given(st.binary(max_size=400))
def test_random_bytes_reported_without_exception(data):
    report = check_habitats_data(data)

    assert report.rows_valid <= report.rows_read
    assert report.rejected or report.errors or report.rows_valid == report.rows_read


# --- The import service, on both databases --------------------------------------------------


def test_check_writes_nothing(sessions):
    data = (HEADER + VALID_ROW + SECOND_VALID_ROW).encode("utf-8")

    report = check_habitats_file(sessions, AGENT, data)

    assert report.rows_valid == 2
    assert count(sessions, Habitat) == 0
    assert count(sessions, Contact) == 0


def test_import_with_bad_row_writes_nothing(sessions):
    data = (HEADER + VALID_ROW + "H2;;;;;;;;\n" + SECOND_VALID_ROW).encode("utf-8")

    report = import_habitats_file(sessions, AGENT, data)

    assert report.errors == [(3, "Nom manquant : chaque habitat doit avoir un nom (colonne « nom »).")]
    assert report.rows_valid == 2
    assert count(sessions, Habitat) == 0
    assert count(sessions, Contact) == 0
    assert count(sessions, ContactLink) == 0


def test_import_valid_rows_only_writes_them(sessions):
    data = (HEADER + VALID_ROW + "H2;;;;;;;;\n" + SECOND_VALID_ROW).encode("utf-8")

    report = import_habitats_file(sessions, AGENT, data, valid_rows_only=True)

    assert report.habitats_created == 2
    assert count(sessions, Habitat) == 2
    assert count(sessions, ContactLink) == 1


def test_import_valid_rows_only_rejected_file_writes_nothing(sessions):
    data = HEADER.replace(";", "\t").encode("utf-8") + VALID_ROW.replace(";", "\t").encode("utf-8")

    report = import_habitats_file(sessions, AGENT, data, valid_rows_only=True)

    assert report.rejected is True
    assert count(sessions, Habitat) == 0


@pytest.mark.parametrize("service", [check_habitats_file, import_habitats_file])
def test_reader_denied(sessions, service):
    data = (HEADER + VALID_ROW).encode("utf-8")

    with pytest.raises(PermissionDeniedError) as raised:
        service(sessions, READER, data)

    assert raised.value.message.startswith("Votre compte permet la consultation seulement")
    assert count(sessions, Habitat) == 0


# --- The import page, through AppTest on an SQLite file ------------------------------------


def upload(at, data: bytes):
    at.file_uploader(key="habitats_import_file").set_value(("habitats.csv", data, "text/csv"))
    return at.run()


def report_rows(at) -> list[tuple[int, str, str, str]]:
    frame = at.dataframe[0].value
    return [tuple(row) for row in frame[["Ligne", "Colonne", "Type", "Message"]].itertuples(index=False)]


def test_page_reports_rows_and_imports_valid_ones(app_sessions):
    sign_in_as(app_sessions, Role.AGENT)
    at = open_page(IMPORT_PAGE)
    data = (HEADER + VALID_ROW + "H2;;;;;;;;\n" + SECOND_VALID_ROW).encode("utf-8")

    upload(at, data)

    assert not at.exception
    assert report_rows(at) == [(3, "nom", "Erreur", "Nom manquant : chaque habitat doit avoir un nom (colonne « nom »).")]
    assert count(app_sessions, Habitat) == 0

    button(at, "Importer les 2 lignes valides").click().run()

    assert not at.exception
    assert count(app_sessions, Habitat) == 2
    assert unescape_markdown(at.success[0].value).startswith("Import terminé : 2 habitats créés")


def test_page_rejected_file_offers_no_import(app_sessions):
    sign_in_as(app_sessions, Role.AGENT)
    at = open_page(IMPORT_PAGE)

    upload(at, b"code;adresse\nH1;3 rue Pasteur\n")

    assert not at.exception
    assert [row[:3] for row in report_rows(at)] == [(1, "", "Erreur")]
    assert [node.label for node in at.button if node.label.startswith("Importer")] == []


def test_page_shows_hostile_cell_as_text(app_sessions):
    sign_in_as(app_sessions, Role.AGENT)
    at = open_page(IMPORT_PAGE)

    upload(at, (HEADER + "H1;Rés;;<b>x</b>;;;;;\n").encode("utf-8"))

    assert report_rows(at)[0][3] == "Code postal invalide : « <b>x</b> ». Saisissez cinq chiffres, par exemple 05000."
    assert all("<b>" not in value for value in values_of(at.markdown))


def test_page_reader_sees_denial(app_sessions):
    sign_in_as(app_sessions, Role.LECTEUR)

    at = open_page(IMPORT_PAGE)

    assert not at.exception
    assert at.warning[0].value.startswith("Votre compte permet la consultation seulement")
    assert len(at.file_uploader) == 0


def test_import_writes_one_journal_entry(sessions):
    data = (HEADER + VALID_ROW + SECOND_VALID_ROW).encode("utf-8")

    import_habitats_file(sessions, AGENT, data)

    with sessions.begin() as session:
        entries = session.scalars(select(AuditEvent)).all()
    assert len(entries) == 1
    assert entries[0].user_id == AGENT.user_id
    assert entries[0].action == "create"
    assert entries[0].record_type == "habitat"
    assert "2 habitat(s) créé(s)" in entries[0].summary

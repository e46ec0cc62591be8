"""Imports of habitats: the Paris open-data file, the generic habitats file and their command line."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from tests.conftest import PARIS_CSV
from trackoe.config import PROJECT_ROOT
from trackoe.domain import ContactType
from trackoe.importer import LANDLORD_ROLE, import_habitats_csv, import_paris_csv, parse_paris_csv
from trackoe.models import Contact, ContactLink, Habitat
from trackoe.services import contacts
from trackoe.validation import ContactInput
from tests.actors import AGENT

# The Paris file writes "(vide)" in column bs when a programme has no landlord.
PARIS_NO_LANDLORD = {"", "(vide)"}

needs_paris_csv = pytest.mark.skipif(
    not PARIS_CSV.exists(),
    reason=f"Paris import tests skipped: {PARIS_CSV} is missing (the shared data folder sits beside the project).",
)


@pytest.fixture(scope="module")
def paris_rows() -> list[dict[str, str]]:
    """Return the rows of the real Paris file, read independently of the importer."""
    with PARIS_CSV.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file, delimiter=";"))


def count(sessions, model, *conditions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


def get_habitat(sessions, code: str) -> Habitat:
    with sessions() as session:
        return session.scalars(select(Habitat).where(Habitat.code == code)).one()


def landlord_links(sessions) -> list[tuple[str, str, bool, dt.date | None]]:
    """Return (habitat code, landlord raison sociale, primary, end date) of every Bailleur link."""
    query = (
        select(Habitat.code, Contact.company_name, ContactLink.is_primary, ContactLink.end_date)
        .join(ContactLink, ContactLink.habitat_id == Habitat.id)
        .join(Contact, Contact.id == ContactLink.contact_id)
        .where(ContactLink.role == LANDLORD_ROLE)
        .order_by(Habitat.code, ContactLink.id)
    )
    with sessions() as session:
        return [tuple(row) for row in session.execute(query)]


def write_csv(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "habitats.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- Paris file ---------------------------------------------------------------------------


@needs_paris_csv
def test_paris_import_creates_one_habitat_per_programme(sessions, paris_rows):
    programme_ids = {row["id_livraison"] for row in paris_rows}
    landlords = {row["bs"] for row in paris_rows if row["bs"] not in PARIS_NO_LANDLORD}
    programmes_with_landlord = {row["id_livraison"] for row in paris_rows if row["bs"] not in PARIS_NO_LANDLORD}

    report = import_paris_csv(sessions, PARIS_CSV)
    habitat = get_habitat(sessions, "PAR-2000011")
    known_links = [link for link in landlord_links(sessions) if link[0] == "PAR-2000011"]

    assert report.rows_read == len(paris_rows) == 4174
    assert report.errors == []
    assert report.habitats_created == len(programme_ids)
    assert count(sessions, Habitat) == len(programme_ids)
    assert report.landlords_created == len(landlords)
    assert count(sessions, Contact, Contact.contact_type == ContactType.BAILLEUR.value, Contact.is_multiple) == len(landlords)
    assert report.links_created == len(programmes_with_landlord)
    assert count(sessions, ContactLink, ContactLink.role == LANDLORD_ROLE, ContactLink.is_primary) == len(programmes_with_landlord)
    assert habitat.name == "16-20 RUE DES MEUNIERS (Logement familial)"
    assert habitat.address_line == "16-20 RUE DES MEUNIERS"
    assert habitat.postcode == "75012"
    assert habitat.city == "Paris"
    assert habitat.landlord_name == "RES.URB."
    assert habitat.dwelling_count == 62
    assert habitat.latitude == pytest.approx(48.83399817959342)
    assert habitat.longitude == pytest.approx(2.398175442412243)
    assert "meuniers" in habitat.search_text
    assert known_links == [("PAR-2000011", "RES.URB.", True, None)]


@needs_paris_csv
def test_parse_paris_merges_rows_sharing_an_id():
    parsed = parse_paris_csv(PARIS_CSV.read_text(encoding="utf-8-sig"))
    records = {record.code: record for record in parsed.records}

    # Programme 2002258 has rows of 1 and 14 dwellings; 2000900 has 240 then a correction of -8.
    assert records["PAR-2002258"].dwelling_count == 15
    assert records["PAR-2000900"].dwelling_count == 232
    assert any("2002258" in message and "2 lignes" in message for _line, message in parsed.warnings)


@needs_paris_csv
def test_parse_paris_repairs_prefixed_postcode():
    parsed = parse_paris_csv(PARIS_CSV.read_text(encoding="utf-8-sig"))
    records = {record.code: record for record in parsed.records}

    # The file writes "code_75020" for programme CPE10.
    assert records["PAR-CPE10"].postcode == "75020"
    assert any("code_75020" in message for _line, message in parsed.warnings)


@pytest.mark.parametrize(
    ("landlord", "expected"),
    [
        pytest.param("PARIS HABITAT", "PARIS HABITAT", id="named"),
        pytest.param("(vide)", None, id="open-data-empty-marker"),
        pytest.param("", None, id="blank"),
    ],
)
def test_parse_paris_reads_landlord(landlord, expected):
    text = (
        "id_livraison;adresse_programme;code_postal;ville;annee;bs;nb_logmt_total;arrdt;nature_programme;geo_point_2d\n"
        f"42;3 RUE DES ÉCOLES;75005;Paris;2020;{landlord};12;5;logement familial;48.85, 2.35\n"
    )

    parsed = parse_paris_csv(text)

    assert [record.landlord_name for record in parsed.records] == [expected]


@needs_paris_csv
def test_paris_reimport_changes_nothing(sessions):
    first = import_paris_csv(sessions, PARIS_CSV)
    links_before = count(sessions, ContactLink)

    second = import_paris_csv(sessions, PARIS_CSV)

    assert second.habitats_created == 0
    assert second.habitats_updated == 0
    assert second.habitats_unchanged == first.habitats_created
    assert second.landlords_created == 0
    assert second.links_created == 0
    assert second.links_ended == 0
    assert count(sessions, Habitat) == first.habitats_created
    assert count(sessions, ContactLink) == links_before


def test_paris_import_rejects_other_file(sessions, tmp_path):
    path = write_csv(tmp_path, "code;nom\nH1;Résidence\n")

    report = import_paris_csv(sessions, path)

    assert report.errors[0][0] == 1
    assert "Colonnes manquantes" in report.errors[0][1]
    assert count(sessions, Habitat) == 0


# --- Generic habitats file ----------------------------------------------------------------

HEADER = "code;nom;adresse;code_postal;commune;bailleur;nb_logements;latitude;longitude\n"
VALID_ROW = "H1;Résidence Les Tilleuls;3 rue Victor Hugo;05000;Gap;Alpes Habitat;24;44.5594;6.0786\n"


@pytest.mark.parametrize(
    ("content", "encoding", "line", "message"),
    [
        pytest.param(HEADER + VALID_ROW + ";Résidence B;;;;;;;\n", "utf-8", 3, "Code manquant", id="missing-code"),
        pytest.param(HEADER + VALID_ROW + "H2;;;;;;;;\n", "utf-8", 3, "Nom manquant", id="missing-name"),
        pytest.param(HEADER + VALID_ROW + "H2;Rés B;;7500;;;;;\n", "utf-8", 3, "Code postal invalide : « 7500 »", id="four-digit-postcode"),
        pytest.param(HEADER + VALID_ROW + "H2;Rés B;;75O12;;;;;\n", "utf-8", 3, "Code postal invalide", id="letter-in-postcode"),
        pytest.param(HEADER + VALID_ROW + "H2;Rés B;;;;;douze;;\n", "utf-8", 3, "Nombre de logements invalide : « douze »", id="words-as-count"),
        pytest.param(HEADER + VALID_ROW + "H2;Rés B;;;;;-4;;\n", "utf-8", 3, "Nombre de logements invalide", id="negative-count"),
        pytest.param(HEADER + VALID_ROW + "H2;Rés B;;;;;;95;6\n", "utf-8", 3, "Latitude invalide : « 95 »", id="latitude-out-of-range"),
        pytest.param(HEADER + VALID_ROW + "H2;Rés B;;;;;;44.5;nan\n", "utf-8", 3, "Longitude invalide", id="longitude-not-a-number"),
        pytest.param(HEADER + VALID_ROW + "H2;Rés B;;;;;;44.5;\n", "utf-8", 3, "Coordonnées incomplètes", id="latitude-without-longitude"),
        pytest.param(HEADER + VALID_ROW + "H1;Rés B;;;;;;;\n", "utf-8", 3, "Code « H1 » en double : déjà utilisé ligne 2", id="duplicate-code"),
        pytest.param(HEADER + VALID_ROW + "H2;Rés B;;;;;;;;;extra\n", "utf-8", 3, "Trop de valeurs", id="too-many-values"),
        pytest.param(HEADER + VALID_ROW + f"{'C' * 41};Rés B;;;;;;;\n", "utf-8", 3, "Code trop long : 41 caractères", id="long-code"),
        pytest.param("code;nom;surface\nH1;Rés A;40\n", "utf-8", 1, "Colonne inconnue « surface »", id="unknown-column"),
        pytest.param("code;adresse\nH1;3 rue Pasteur\n", "utf-8", 1, "Colonne « nom » manquante", id="missing-name-column"),
        pytest.param("", "utf-8", 1, "Le fichier est vide", id="empty-file"),
        pytest.param(HEADER.replace(";", "\t") + VALID_ROW.replace(";", "\t"), "utf-8", 1, "Séparateur non reconnu", id="tab-delimiter"),
    ],
)
def test_habitats_import_rejects_bad_file(sessions, tmp_path, content, encoding, line, message):
    path = write_csv(tmp_path, content, encoding)

    report = import_habitats_csv(sessions, path)

    assert [error_line for error_line, _text in report.errors] == [line]
    assert message in report.errors[0][1]
    assert report.habitats_created == 0
    assert count(sessions, Habitat) == 0
    assert count(sessions, Contact) == 0


def test_habitats_import_lists_every_row_error(sessions, tmp_path):
    path = write_csv(tmp_path, HEADER + ";;;123;;;x;;\n")

    report = import_habitats_csv(sessions, path)

    messages = [message for _line, message in report.errors]
    assert [line for line, _message in report.errors] == [2, 2, 2, 2]
    assert messages[0].startswith("Code manquant")
    assert messages[1].startswith("Nom manquant")
    assert messages[2].startswith("Code postal invalide")
    assert messages[3].startswith("Nombre de logements invalide")


@pytest.mark.parametrize(
    ("content", "encoding", "expected"),
    [
        pytest.param(
            HEADER + VALID_ROW,
            "utf-8",
            ("H1", "Résidence Les Tilleuls", "3 rue Victor Hugo", "05000", "Gap", "Alpes Habitat", 24, 44.5594, 6.0786),
            id="leading-zero-postcode-kept",
        ),
        pytest.param(
            "code,nom,code_postal,commune\nH1,\"Résidence Les Tilleuls, bâtiment A\",05000,Gap\n",
            "utf-8",
            ("H1", "Résidence Les Tilleuls, bâtiment A", None, "05000", "Gap", None, None, None, None),
            id="comma-delimiter",
        ),
        pytest.param(
            "Code;Nom;Code postal;Commune;Nb logements;Latitude;Longitude\nH1;L'Orée du Bois;38000;Grenoble;1 200;45,1885;5,7245\n",
            "utf-8-sig",
            ("H1", "L'Orée du Bois", None, "38000", "Grenoble", None, 1200, 45.1885, 5.7245),
            id="bom-french-header-decimal-comma",
        ),
        pytest.param(
            'code;nom;adresse\nH1;Résidence Bellevue;"12 rue Pasteur\r\n  bâtiment B"\n',
            "utf-8",
            ("H1", "Résidence Bellevue", "12 rue Pasteur bâtiment B", None, None, None, None, None, None),
            id="address-on-two-lines",
        ),
    ],
)
def test_habitats_import_reads_valid_file(sessions, tmp_path, content, encoding, expected):
    path = write_csv(tmp_path, content, encoding)

    report = import_habitats_csv(sessions, path)
    habitat = get_habitat(sessions, "H1")

    assert report.errors == []
    assert report.habitats_created == 1
    assert (
        habitat.code,
        habitat.name,
        habitat.address_line,
        habitat.postcode,
        habitat.city,
        habitat.landlord_name,
        habitat.dwelling_count,
        habitat.latitude,
        habitat.longitude,
    ) == expected


def test_valid_rows_only_skips_bad_rows(sessions, tmp_path):
    content = HEADER + VALID_ROW + "H2;;;;;;;;\n" + "H3;Cité Bellevue;;38000;Grenoble;;;;\n"
    path = write_csv(tmp_path, content)

    report = import_habitats_csv(sessions, path, valid_rows_only=True)

    assert report.habitats_created == 2
    assert report.errors == [(3, "Nom manquant : chaque habitat doit avoir un nom (colonne « nom »).")]
    assert count(sessions, Habitat) == 2


def test_valid_rows_only_rejects_bad_header(sessions, tmp_path):
    path = write_csv(tmp_path, "code;name\nH1;Résidence\n")

    report = import_habitats_csv(sessions, path, valid_rows_only=True)

    assert report.errors[0][0] == 1
    assert count(sessions, Habitat) == 0


def test_habitats_import_links_landlord_once(sessions, tmp_path):
    content = HEADER + VALID_ROW + "H2;Cité Bellevue;1 rue Pasteur;05000;Gap;Alpes Habitat;10;;\n"
    path = write_csv(tmp_path, content)

    first = import_habitats_csv(sessions, path)
    second = import_habitats_csv(sessions, path)

    assert (first.habitats_created, first.landlords_created, first.links_created) == (2, 1, 2)
    assert (second.habitats_created, second.habitats_unchanged, second.landlords_created, second.links_created) == (0, 2, 0, 0)
    assert landlord_links(sessions) == [("H1", "Alpes Habitat", True, None), ("H2", "Alpes Habitat", True, None)]


def test_habitats_import_reuses_existing_landlord_contact(sessions, tmp_path):
    existing = contacts.create_contact(sessions, AGENT, ContactInput(contact_type="bailleur", company_name="Alpes Habitat", phone_landline="04 92 51 00 00")
    )
    path = write_csv(tmp_path, HEADER + VALID_ROW)

    report = import_habitats_csv(sessions, path)

    assert report.landlords_created == 0
    assert count(sessions, Contact) == 1
    assert count(sessions, ContactLink, ContactLink.contact_id == existing.id) == 1


def test_habitats_import_updates_changed_habitat(sessions, tmp_path):
    import_habitats_csv(sessions, write_csv(tmp_path, HEADER + VALID_ROW, name="first.csv"))
    changed_row = VALID_ROW.replace("Résidence Les Tilleuls", "Résidence Les Grands Tilleuls").replace(";24;", ";30;")

    report = import_habitats_csv(sessions, write_csv(tmp_path, HEADER + changed_row, name="second.csv"))
    habitat = get_habitat(sessions, "H1")

    assert report.habitats_updated == 1
    assert habitat.name == "Résidence Les Grands Tilleuls"
    assert habitat.dwelling_count == 30
    assert "grands" in habitat.search_text
    assert habitat.version == 2


def test_habitats_import_ends_link_of_former_landlord(sessions, tmp_path):
    import_habitats_csv(sessions, write_csv(tmp_path, HEADER + VALID_ROW, name="first.csv"))
    moved_row = VALID_ROW.replace("Alpes Habitat", "Logis des Écrins")

    report = import_habitats_csv(sessions, write_csv(tmp_path, HEADER + moved_row, name="second.csv"))

    assert (report.landlords_created, report.links_created, report.links_ended) == (1, 1, 1)
    assert landlord_links(sessions) == [
        ("H1", "Alpes Habitat", True, dt.date.today()),
        ("H1", "Logis des Écrins", True, None),
    ]


# --- Command line -------------------------------------------------------------------------


def run_cli(database_url: str, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TRACKOE_DATABASE_URL": database_url, "TRACKOE_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "trackoe", *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_imports_habitats_into_new_sqlite_file(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"
    path = write_csv(tmp_path, HEADER + VALID_ROW + "H2;Cité Bellevue;;05000;Gap;;;;\n")

    result = run_cli(database_url, "import-habitats", str(path))

    assert result.returncode == 0, result.stderr
    assert "Habitats créés : 2, mis à jour : 0, inchangés : 0" in result.stdout
    assert "Bailleurs créés : 1" in result.stdout
    engine = create_engine(database_url)
    with engine.connect() as connection:
        # The command line never adds the demo data a new SQLite file gets from the web application.
        assert connection.scalar(select(func.count()).select_from(Habitat)) == 2
        assert connection.scalar(select(func.count()).select_from(Contact)) == 1
    engine.dispose()


def test_cli_lists_row_errors_and_fails(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"
    path = write_csv(tmp_path, HEADER + VALID_ROW + ";Résidence B;;;;;;;\n")

    result = run_cli(database_url, "import-habitats", str(path))

    assert result.returncode == 1
    assert "Ligne 3 : Code manquant" in result.stdout
    assert "Aucun habitat enregistré" in result.stdout
    assert "--valid-rows-only" in result.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(("import-habitats",), id="missing-file-argument"),
        pytest.param(("import-everything",), id="unknown-command"),
        pytest.param(("demo", "--habitats", "-3"), id="negative-habitat-count"),
    ],
)
def test_cli_rejects_bad_usage(tmp_path, arguments):
    result = run_cli(f"sqlite:///{tmp_path / 'cli.db'}", *arguments)

    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_cli_reports_missing_file(tmp_path):
    result = run_cli(f"sqlite:///{tmp_path / 'cli.db'}", "import-habitats", str(tmp_path / "absent.csv"))

    assert result.returncode == 1
    assert "Fichier introuvable" in result.stderr


@needs_paris_csv
def test_cli_imports_paris_file_by_default(tmp_path):
    result = run_cli(f"sqlite:///{tmp_path / 'cli.db'}", "import-paris")

    assert result.returncode == 0, result.stderr
    assert "Lignes lues : 4174" in result.stdout
    assert "Habitats créés : 4141" in result.stdout

"""Import of habitats from CSV files: the Paris social-housing open data and the generic habitats file.

Parsing is plain functions over text. The import functions own one transaction each and
also link every landlord (column `bs` or `bailleur`) as a contact multiple of type Bailleur.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from trackoe import repository
from trackoe.domain import ContactType
from trackoe.errors import TrackoeError
from trackoe.journal import AuditAction, record_event
from trackoe.limits import HABITAT_CODE_LENGTH, IMPORT_FILE_MAX_BYTES, IMPORT_FILE_MAX_MEGABYTES, IMPORT_MAX_ROWS
from trackoe.models import NAME_LENGTH, TEXT_LENGTH, Contact, ContactLink, Habitat
from trackoe.normalise import clean_text, search_key
from trackoe.permissions import Actor
from trackoe.records import refresh_contact_keys, refresh_habitat_keys
from trackoe.services.transaction import Sessions, transaction
from trackoe.validation import validate_postcode

logger = logging.getLogger(__name__)

PARIS_CODE_PREFIX = "PAR-"
PARIS_CITY = "Paris"
# The open data writes "(vide)" where a programme has no landlord.
PARIS_EMPTY_LANDLORD = "(vide)"
PARIS_REQUIRED_COLUMNS = ("id_livraison", "adresse_programme", "code_postal", "bs", "nb_logmt_total")

LANDLORD_ROLE = ContactType.BAILLEUR.label
CODE_LENGTH = HABITAT_CODE_LENGTH
# Delimiters that spreadsheets also write. A header read as one cell that contains one of
# them gets a message about the delimiter instead of "unknown column".
_OTHER_DELIMITERS = ("\t", "|")

# Columns of the generic habitats file, in documented order, with the label its messages use.
HABITAT_COLUMNS: dict[str, str] = {
    "code": "code",
    "nom": "nom",
    "adresse": "adresse",
    "code_postal": "code postal",
    "commune": "commune",
    "bailleur": "bailleur",
    "nb_logements": "nombre de logements",
    "latitude": "latitude",
    "longitude": "longitude",
}
HABITAT_REQUIRED_COLUMNS = ("code", "nom")
HABITAT_TEXT_LENGTHS = {
    "nom": TEXT_LENGTH,
    "adresse": TEXT_LENGTH,
    "commune": NAME_LENGTH,
    "bailleur": NAME_LENGTH,
}

_INTEGER = re.compile(r"^[0-9]+$")
_SIGNED_INTEGER = re.compile(r"^-?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
# Spaces that spreadsheets put between thousands: plain, no-break and narrow no-break.
_THOUSANDS_SEPARATORS = re.compile(r"[ \u00a0\u202f]")
_WHITESPACE_RUN = re.compile(r"\s+")


class ImportFileError(TrackoeError):
    """Failure to open an import file (missing or unreadable), with a French message."""


@dataclass
class ImportReport:
    """Counts of one import, and its problems as (line of the file, French message).

    Line 1 is the header. `errors` are rows that were not imported (or, when the file was
    rejected as a whole, why); `warnings` are rows imported after a correction, and notes
    on the file (its encoding, skipped empty lines). `columns` names the column of a
    problem, keyed by (line, message), when one column caused it.
    """

    rows_read: int = 0
    rows_valid: int = 0
    habitats_created: int = 0
    habitats_updated: int = 0
    habitats_unchanged: int = 0
    landlords_created: int = 0
    links_created: int = 0
    links_ended: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    columns: dict[tuple[int, str], str] = field(default_factory=dict)
    # True when the file as a whole is unusable (encoding, header, size): nothing may be written.
    rejected: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def habitats_written(self) -> int:
        return self.habitats_created + self.habitats_updated

    def problems(self) -> list[ImportProblem]:
        """Return every error and warning as one list ordered by line, errors first on a line."""
        problems = [ImportProblem(line, self.columns.get((line, text)), text, True) for line, text in self.errors]
        problems.extend(ImportProblem(line, self.columns.get((line, text)), text, False) for line, text in self.warnings)
        return sorted(problems, key=lambda problem: (problem.line, not problem.is_error))


@dataclass(frozen=True)
class ImportProblem:
    """One line of an import report: the file line, the column when one is at fault, the French message."""

    line: int
    column: str | None
    message: str
    is_error: bool


@dataclass(frozen=True)
class HabitatRecord:
    """One habitat read from a file, validated and normalised, not yet written."""

    row_number: int
    code: str
    name: str
    address_line: str | None = None
    postcode: str | None = None
    city: str | None = None
    landlord_name: str | None = None
    dwelling_count: int | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class ParsedFile:
    """Records parsed from a file with the problems found on the way."""

    records: list[HabitatRecord] = field(default_factory=list)
    rows_read: int = 0
    # True when the file as a whole is unusable (empty, wrong header): nothing may be written.
    rejected: bool = False
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    columns: dict[tuple[int, str], str] = field(default_factory=dict)

    def add_error(self, line: int, message: str, column: str | None = None) -> None:
        self.errors.append((line, message))
        if column is not None:
            self.columns[(line, message)] = column


# --- Reading files ------------------------------------------------------------------------


def read_file_bytes(path: Path) -> bytes:
    """Return the content of an import file; raise ImportFileError when it is missing, unreadable or too large."""
    try:
        size = Path(path).stat().st_size
        if size > IMPORT_FILE_MAX_BYTES:
            raise ImportFileError(file_too_large_message(size))
        return Path(path).read_bytes()
    except FileNotFoundError as error:
        raise ImportFileError(f"Fichier introuvable : {path}") from error
    except OSError as error:
        raise ImportFileError(f"Lecture impossible du fichier {path} : {error.strerror}.") from error


def file_too_large_message(size: int) -> str:
    return (
        f"Fichier trop volumineux : {size / 1024 / 1024:.1f} Mo pour {IMPORT_FILE_MAX_MEGABYTES} Mo au plus. "
        "Découpez-le en plusieurs fichiers et importez-les l'un après l'autre."
    )


def read_csv_text(path: Path) -> tuple[str | None, list[tuple[int, str]]]:
    """Return the text of a UTF-8 file (with or without BOM), or None and an error naming the line.

    Raise ImportFileError when the file cannot be opened.
    """
    data = read_file_bytes(path)
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        message = (
            "Le fichier n'est pas encodé en UTF-8 (premier caractère illisible ligne "
            f"{line}). Dans Excel, enregistrez-le au format « CSV UTF-8 (délimité par des "
            "virgules) », puis importez-le de nouveau."
        )
        return None, [(line, message)]


def decode_habitats_file(data: bytes) -> tuple[str | None, list[tuple[int, str]], list[tuple[int, str]]]:
    """Return the text of a habitats file with its errors and warnings (line 1 for the whole file).

    UTF-8, with or without BOM, is read as is. Other bytes are read as Windows-1252, the
    encoding of a plain "CSV" saved by a French Excel, with a warning to check the accents.
    A file larger than the import limit, or one that neither encoding reads, gives None.
    """
    if len(data) > IMPORT_FILE_MAX_BYTES:
        return None, [(1, file_too_large_message(len(data)))], []

    try:
        return data.decode("utf-8-sig"), [], []
    except UnicodeDecodeError as error:
        utf8_error = error

    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        message = (
            f"Encodage du fichier non reconnu (octet illisible ligne {line}) : ni UTF-8 ni Windows-1252. "
            "Dans Excel, enregistrez-le au format « CSV UTF-8 (délimité par des virgules) », puis importez-le de nouveau."
        )
        return None, [(line, message)], []

    line = data.count(b"\n", 0, utf8_error.start) + 1
    warning = (
        f"Fichier lu en Windows-1252 (Excel) car il n'est pas en UTF-8 (ligne {line}) : "
        "vérifiez les accents dans le rapport avant d'importer."
    )
    return text, [], [(1, warning)]


def detect_delimiter(text: str) -> str:
    """Return ";" or "," depending on which one the header line uses more (";" on a tie)."""
    header = text.split("\n", 1)[0]
    return "," if header.count(",") > header.count(";") else ";"


def iterate_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield each record with the file line it starts on; line 1 is the header."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next_line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvSyntaxError(next_line, str(error)) from error
        yield next_line, values
        next_line = reader.line_num + 1


class CsvSyntaxError(Exception):
    """A record the csv module cannot read (an unclosed quote running past the field size limit)."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"line {line}: {detail}")
        self.line = line


def header_key(name: str) -> str:
    """Return the key a header cell matches on: "Code postal" and "code_postal" both give "code_postal"."""
    return search_key(name).replace(" ", "_")


def _cell(values: list[str], index: int | None) -> str | None:
    if index is None or index >= len(values):
        return None
    return clean_text(values[index])


def _single_line(text: str | None) -> str | None:
    """Return the text on one line with runs of spaces made single, as an address field expects."""
    if text is None:
        return None
    return _WHITESPACE_RUN.sub(" ", text).strip() or None


# --- Paris social-housing open data ------------------------------------------------------


@dataclass
class _ParisRow:
    line: int
    delivery_id: str
    address: str | None
    postcode_raw: str | None
    city: str | None
    year: int
    landlord: str | None
    dwelling_count_raw: str | None
    district: str | None
    nature: str | None
    geo_point: str | None


def _paris_postcode(row: _ParisRow, warnings: list[tuple[int, str]]) -> str | None:
    errors: dict[str, str] = {}
    postcode = validate_postcode(row.postcode_raw, errors)
    if not errors:
        return postcode

    digits = re.sub(r"\D", "", row.postcode_raw or "")
    if len(digits) == 5:
        fixed = digits
    elif row.district and row.district.isdigit() and 1 <= int(row.district) <= 20:
        fixed = f"750{int(row.district):02d}"
    else:
        warnings.append((row.line, f"Code postal « {row.postcode_raw} » illisible : laissé vide."))
        return None

    warnings.append((row.line, f"Code postal « {row.postcode_raw} » corrigé en {fixed}."))
    return fixed


def _paris_coordinates(row: _ParisRow, warnings: list[tuple[int, str]]) -> tuple[float | None, float | None]:
    if not row.geo_point:
        return None, None

    parts = [part.strip() for part in row.geo_point.split(",")]
    if len(parts) == 2 and all(_DECIMAL.match(part) for part in parts):
        latitude, longitude = float(parts[0]), float(parts[1])
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            return latitude, longitude

    warnings.append((row.line, f"Coordonnées « {row.geo_point[:60]} » illisibles : laissées vides."))
    return None, None


def _paris_dwelling_count(rows: Sequence[_ParisRow], warnings: list[tuple[int, str]]) -> int | None:
    """Add up the dwelling counts of a programme's rows; a negative row is a correction of an earlier one."""
    total: int | None = None
    for row in rows:
        text = (row.dwelling_count_raw or "").replace(" ", "")
        if not text:
            continue
        if not _SIGNED_INTEGER.match(text):
            warnings.append((row.line, f"Nombre de logements « {text} » illisible : ignoré."))
            continue
        total = (total or 0) + int(text)

    if total is not None and total < 0:
        warnings.append((rows[0].line, f"Nombre de logements négatif ({total}) : laissé vide."))
        return None
    return total


def _paris_name(address: str, nature: str | None) -> str:
    if not nature:
        return address[:TEXT_LENGTH]
    label = nature[0].upper() + nature[1:]
    return f"{address} ({label})"[:TEXT_LENGTH]


def _paris_record(rows: list[_ParisRow], warnings: list[tuple[int, str]]) -> HabitatRecord:
    """Build the habitat of one programme from its rows (several when it was financed in several steps).

    The row with the most dwellings, then the latest year, names and places the habitat;
    the dwelling counts of all rows add up.
    """
    main = max(rows, key=lambda row: (_row_dwellings(row), row.year))
    if len(rows) > 1:
        lines = ", ".join(str(row.line) for row in rows)
        warnings.append(
            (
                rows[0].line,
                f"Identifiant {main.delivery_id} présent sur {len(rows)} lignes ({lines}) : "
                "regroupées en un seul habitat dont le nombre de logements est la somme des lignes.",
            )
        )

    address = _single_line(main.address) or main.delivery_id
    latitude, longitude = _paris_coordinates(main, warnings)
    landlord = main.landlord if main.landlord != PARIS_EMPTY_LANDLORD else None

    return HabitatRecord(
        row_number=rows[0].line,
        code=f"{PARIS_CODE_PREFIX}{main.delivery_id}",
        name=_paris_name(address, main.nature),
        address_line=address[:TEXT_LENGTH],
        postcode=_paris_postcode(main, warnings),
        city=main.city or PARIS_CITY,
        landlord_name=landlord[:NAME_LENGTH] if landlord else None,
        dwelling_count=_paris_dwelling_count(rows, warnings),
        latitude=latitude,
        longitude=longitude,
    )


def _row_dwellings(row: _ParisRow) -> int:
    text = (row.dwelling_count_raw or "").replace(" ", "")
    return int(text) if _SIGNED_INTEGER.match(text) else 0


def parse_paris_csv(text: str) -> ParsedFile:
    """Parse the Paris open-data file ("logements sociaux financés à Paris") into habitat records.

    One habitat per `id_livraison`: rows sharing an id are merged and reported as a warning.
    Rows without an id are reported as errors and skipped.
    """
    parsed = ParsedFile()
    rows = iterate_rows(text, ";")
    header_line = next(rows, None)
    if header_line is None:
        parsed.errors.append((1, "Le fichier est vide."))
        parsed.rejected = True
        return parsed

    header = {header_key(name): index for index, name in enumerate(header_line[1])}
    missing = [name for name in PARIS_REQUIRED_COLUMNS if name not in header]
    if missing:
        message = (
            f"Colonnes manquantes : {', '.join(missing)}. "
            "Ce n'est pas le fichier des logements sociaux financés à Paris."
        )
        parsed.errors.append((1, message))
        parsed.rejected = True
        return parsed

    programmes: dict[str, list[_ParisRow]] = {}
    for line, values in rows:
        if not any(value.strip() for value in values):
            continue
        parsed.rows_read += 1

        delivery_id = _cell(values, header["id_livraison"])
        if delivery_id is None:
            parsed.errors.append((line, "Identifiant id_livraison manquant : ligne ignorée."))
            continue

        year_text = _cell(values, header.get("annee")) or ""
        programmes.setdefault(delivery_id, []).append(
            _ParisRow(
                line=line,
                delivery_id=delivery_id,
                address=_cell(values, header["adresse_programme"]),
                postcode_raw=_cell(values, header["code_postal"]),
                city=_cell(values, header.get("ville")),
                year=int(year_text) if year_text.isdigit() else 0,
                landlord=_cell(values, header["bs"]),
                dwelling_count_raw=_cell(values, header["nb_logmt_total"]),
                district=_cell(values, header.get("arrdt")),
                nature=_cell(values, header.get("nature_programme")),
                geo_point=_cell(values, header.get("geo_point_2d")),
            )
        )

    for programme_rows in programmes.values():
        parsed.records.append(_paris_record(programme_rows, parsed.warnings))
    parsed.warnings.sort(key=lambda warning: warning[0])
    return parsed


# --- Generic habitats file ---------------------------------------------------------------


def _parse_count(text: str | None, errors: list[str]) -> int | None:
    if text is None:
        return None

    compact = _THOUSANDS_SEPARATORS.sub("", text)
    if not _INTEGER.match(compact):
        errors.append(
            f"Nombre de logements invalide : « {text[:20]} ». Saisissez un nombre entier positif ou nul, par exemple 24."
        )
        return None
    return int(compact)


def _parse_coordinate(text: str | None, label: str, limit: int, example: str, errors: list[str]) -> float | None:
    if text is None:
        return None

    compact = text.replace(" ", "").replace(",", ".")
    if not _DECIMAL.match(compact) or not -limit <= float(compact) <= limit:
        errors.append(
            f"{label} invalide : « {text[:30]} ». Saisissez un nombre décimal entre -{limit} et {limit}, par exemple {example}."
        )
        return None
    return float(compact)


def validate_habitat_row(
    values: dict[str, str | None], row_number: int
) -> tuple[HabitatRecord | None, list[tuple[str | None, str]]]:
    """Validate one row of the generic habitats file; return its record, or None and (column, French message) pairs."""
    errors: list[tuple[str | None, str]] = []

    code = values.get("code")
    if code is None:
        errors.append(("code", "Code manquant : chaque habitat doit avoir un code (colonne « code »)."))
    elif len(code) > CODE_LENGTH:
        errors.append(("code", f"Code trop long : {len(code)} caractères pour {CODE_LENGTH} au plus."))

    name = values.get("nom")
    if name is None:
        errors.append(("nom", "Nom manquant : chaque habitat doit avoir un nom (colonne « nom »)."))

    for column, max_length in HABITAT_TEXT_LENGTHS.items():
        text = values.get(column)
        if text is not None and len(text) > max_length:
            errors.append(
                (
                    column,
                    f"Texte trop long dans la colonne « {column} » : {len(text)} caractères pour {max_length} au plus.",
                )
            )

    postcode_errors: dict[str, str] = {}
    postcode = validate_postcode(values.get("code_postal"), postcode_errors)
    errors.extend(("code_postal", message) for message in postcode_errors.values())

    count_errors: list[str] = []
    dwelling_count = _parse_count(values.get("nb_logements"), count_errors)
    errors.extend(("nb_logements", message) for message in count_errors)
    coordinate_errors: dict[str, list[str]] = {"latitude": [], "longitude": []}
    latitude = _parse_coordinate(values.get("latitude"), "Latitude", 90, "48.8566", coordinate_errors["latitude"])
    longitude = _parse_coordinate(values.get("longitude"), "Longitude", 180, "2.3522", coordinate_errors["longitude"])
    errors.extend((column, message) for column, messages in coordinate_errors.items() for message in messages)
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        missing = "longitude" if values.get("longitude") is None else "latitude"
        errors.append(
            (missing, "Coordonnées incomplètes : renseignez la latitude et la longitude, ou aucune des deux.")
        )

    if errors:
        return None, errors

    assert code is not None and name is not None
    return (
        HabitatRecord(
            row_number=row_number,
            code=code,
            name=_single_line(name) or name,
            address_line=_single_line(values.get("adresse")),
            postcode=postcode,
            city=values.get("commune"),
            landlord_name=values.get("bailleur"),
            dwelling_count=dwelling_count,
            latitude=latitude,
            longitude=longitude,
        ),
        [],
    )


def _habitat_header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    errors: list[str] = []
    accepted = ", ".join(HABITAT_COLUMNS)

    for index, cell in enumerate(cells):
        key = header_key(cell)
        if not key:
            continue
        if key not in HABITAT_COLUMNS:
            errors.append(f"Colonne inconnue « {cell.strip()[:40]} ». Colonnes acceptées : {accepted}.")
        elif key in columns:
            errors.append(f"Colonne « {key} » présente deux fois dans l'en-tête.")
        else:
            columns[key] = index

    for required in HABITAT_REQUIRED_COLUMNS:
        if required not in columns:
            errors.append(
                f"Colonne « {required} » manquante dans l'en-tête (ligne 1). Colonnes acceptées : {accepted}."
            )
    return columns, errors


def parse_habitats_csv(text: str) -> ParsedFile:
    """Parse and validate a generic habitats file (`;` or `,`); see docs/habitats-csv.md.

    Every row is checked and each problem listed with its line and column. A file over
    IMPORT_MAX_ROWS rows, or one the csv module cannot read, is rejected as a whole.
    """
    parsed = ParsedFile()
    try:
        _parse_habitat_rows(text, parsed)
    except CsvSyntaxError as error:
        parsed.add_error(
            error.line,
            "Fichier CSV illisible à partir de cette ligne : un guillemet ouvert n'est jamais fermé. "
            "Vérifiez les guillemets de la ligne, puis importez le fichier de nouveau.",
        )
        parsed.rejected = True
    return parsed


def _parse_habitat_rows(text: str, parsed: ParsedFile) -> None:
    delimiter = detect_delimiter(text)
    rows = iterate_rows(text, delimiter)

    header_line = next(rows, None)
    if header_line is None or not any(cell.strip() for cell in header_line[1]):
        parsed.add_error(1, "Le fichier est vide : la première ligne doit nommer les colonnes.")
        parsed.rejected = True
        return

    header_cells = header_line[1]
    if len(header_cells) == 1 and any(other in header_cells[0] for other in _OTHER_DELIMITERS):
        parsed.add_error(
            1,
            "Séparateur non reconnu dans l'en-tête : séparez les colonnes par « ; » ou par « , » "
            "(pas par une tabulation ni par « | »).",
        )
        parsed.rejected = True
        return

    columns, header_errors = _habitat_header(header_cells)
    if header_errors:
        for message in header_errors:
            parsed.add_error(1, message)
        parsed.rejected = True
        return

    header_width = len(header_cells)
    first_line_of_code: dict[str, int] = {}
    empty_lines: list[int] = []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            empty_lines.append(line)
            continue
        # Empty lines are reported only between rows: Excel leaves some at the end of a file.
        parsed.warnings.extend((empty_line, "Ligne vide ignorée.") for empty_line in empty_lines)
        empty_lines.clear()

        parsed.rows_read += 1
        if parsed.rows_read > IMPORT_MAX_ROWS:
            parsed.add_error(
                line,
                f"Trop de lignes : {IMPORT_MAX_ROWS} lignes d'habitats au plus par import. "
                "Découpez le fichier en plusieurs fichiers et importez-les l'un après l'autre.",
            )
            parsed.rejected = True
            return

        if len(cells) > header_width and any(cell.strip() for cell in cells[header_width:]):
            parsed.add_error(
                line,
                f"Trop de valeurs : {len(cells)} colonnes pour {header_width} dans l'en-tête. "
                f"Vérifiez le séparateur (« {delimiter} ») et les guillemets.",
            )
            continue

        values = {column: _cell(cells, index) for column, index in columns.items()}
        record, messages = validate_habitat_row(values, line)
        if record is not None and record.code in first_line_of_code:
            messages = [("code", f"Code « {record.code} » en double : déjà utilisé ligne {first_line_of_code[record.code]}.")]
            record = None

        if record is None:
            for column, message in messages:
                parsed.add_error(line, message, column)
            continue
        first_line_of_code[record.code] = line
        parsed.records.append(record)


# --- Writing ------------------------------------------------------------------------------


def _apply_record(habitat: Habitat, record: HabitatRecord) -> bool:
    """Copy the record's fields onto the habitat; return True when any value changed."""
    values = {
        "name": record.name,
        "address_line": record.address_line,
        "postcode": record.postcode,
        "city": record.city,
        "landlord_name": record.landlord_name,
        "dwelling_count": record.dwelling_count,
        "latitude": record.latitude,
        "longitude": record.longitude,
    }
    changed = False
    for attribute, value in values.items():
        if getattr(habitat, attribute) != value:
            setattr(habitat, attribute, value)
            changed = True

    if changed:
        refresh_habitat_keys(habitat)
    return changed


def _landlord_contacts(session: Session, names: Iterable[str], report: ImportReport) -> dict[str, Contact]:
    """Return the landlord contact of each name, creating the missing ones."""
    contacts: dict[str, Contact] = {}
    for name in names:
        contact = repository.find_multiple_contact_by_company(session, name, ContactType.BAILLEUR.value)
        if contact is None:
            contact = Contact(is_multiple=True, contact_type=ContactType.BAILLEUR.value, company_name=name)
            refresh_contact_keys(contact)
            session.add(contact)
            report.landlords_created += 1
        contacts[name] = contact
    session.flush()
    return contacts


def link_landlords_in_session(
    session: Session,
    habitats: Sequence[Habitat],
    report: ImportReport,
    today: dt.date,
    previous_landlords: dict[int, str | None] | None = None,
) -> dict[str, Contact]:
    """Link each habitat to the contact multiple of its landlord (role Bailleur), inside the caller's transaction.

    A landlord contact is found by raison sociale or created. A habitat already linked to
    it gets no second link. When `previous_landlords` shows that a habitat's landlord
    changed, its current Bailleur link to the former landlord's contact ends on `today`.
    The habitats must be flushed (they need their ids). Return the landlord contacts by name.
    """
    previous_landlords = previous_landlords or {}
    names = [habitat.landlord_name for habitat in habitats if habitat.landlord_name]
    former_names = [name for name in previous_landlords.values() if name]
    contacts = _landlord_contacts(session, dict.fromkeys(names), report)
    former_contacts = {
        name: contact
        for name in dict.fromkeys(former_names)
        if (contact := repository.find_multiple_contact_by_company(session, name, ContactType.BAILLEUR.value))
    }

    current = repository.current_links_with_role(session, [habitat.id for habitat in habitats], LANDLORD_ROLE, today)
    linked_pairs = {(link.contact_id, link.habitat_id): link for link in current}

    new_links: list[ContactLink] = []
    for habitat in habitats:
        former_name = previous_landlords.get(habitat.id)
        if former_name and former_name != habitat.landlord_name and former_name in former_contacts:
            former_link = linked_pairs.get((former_contacts[former_name].id, habitat.id))
            if former_link is not None:
                former_link.end_date = max(today, former_link.start_date or today)
                report.links_ended += 1

        if not habitat.landlord_name:
            continue
        contact = contacts[habitat.landlord_name]
        if (contact.id, habitat.id) in linked_pairs:
            continue

        link = ContactLink(contact_id=contact.id, habitat_id=habitat.id, role=LANDLORD_ROLE, is_primary=True)
        new_links.append(link)
        linked_pairs[(contact.id, habitat.id)] = link

    session.add_all(new_links)
    session.flush()
    report.links_created += len(new_links)
    return contacts


def write_habitats_in_session(
    session: Session, records: Sequence[HabitatRecord], report: ImportReport, today: dt.date
) -> list[Habitat]:
    """Create or update one habitat per record (matched on code), then link their landlords."""
    existing = repository.find_habitats_by_codes(session, [record.code for record in records])

    habitats: list[Habitat] = []
    created: list[Habitat] = []
    previous_landlords: dict[int, str | None] = {}
    for record in records:
        habitat = existing.get(record.code)
        if habitat is None:
            habitat = Habitat(code=record.code)
            _apply_record(habitat, record)
            created.append(habitat)
        else:
            previous_landlords[habitat.id] = habitat.landlord_name
            if _apply_record(habitat, record):
                report.habitats_updated += 1
            else:
                report.habitats_unchanged += 1
        habitats.append(habitat)

    session.add_all(created)
    session.flush()
    report.habitats_created += len(created)

    link_landlords_in_session(session, habitats, report, today, previous_landlords)
    return habitats


def _report_of(parsed: ParsedFile) -> ImportReport:
    return ImportReport(
        rows_read=parsed.rows_read,
        rows_valid=0 if parsed.rejected else len(parsed.records),
        errors=parsed.errors,
        warnings=parsed.warnings,
        columns=parsed.columns,
        rejected=parsed.rejected,
    )


def _import(sessions: Sessions, parsed: ParsedFile, action: str, write: bool, actor: Actor | None = None) -> ImportReport:
    report = _report_of(parsed)
    if not write or not parsed.records:
        logger.info("%s wrote nothing: %s rows read, %s errors", action, report.rows_read, len(report.errors))
        return report

    with transaction(sessions, action) as session:
        write_habitats_in_session(session, parsed.records, report, dt.date.today())
        if actor is not None:
            # One entry per import: a line per habitat would bury the journal under thousands.
            record_event(
                session, actor, AuditAction.CREATE, "habitat", None,
                summary=(
                    f"Import de fichier : {report.habitats_created} habitat(s) créé(s), "
                    f"{report.habitats_updated} mis à jour, {report.links_created} rattachement(s) créé(s)"
                ),
            )

    logger.info(
        "%s: %s rows, %s habitats created, %s updated, %s unchanged, %s landlords created, "
        "%s links created, %s ended, %s errors, %s warnings",
        action,
        report.rows_read,
        report.habitats_created,
        report.habitats_updated,
        report.habitats_unchanged,
        report.landlords_created,
        report.links_created,
        report.links_ended,
        len(report.errors),
        len(report.warnings),
    )
    return report


def import_paris_csv(sessions: Sessions, path: Path) -> ImportReport:
    """Import the Paris social-housing file: one habitat "PAR-<id_livraison>" per programme.

    Running it again updates the habitats in place and adds no second landlord or link.
    Rows without an id are skipped and listed in `errors`; the others are imported.
    Raise ImportFileError when the file cannot be opened.
    """
    text, decoding_errors = read_csv_text(path)
    if text is None:
        return ImportReport(errors=decoding_errors)

    try:
        parsed = parse_paris_csv(text)
    except CsvSyntaxError as error:
        message = "Fichier CSV illisible à partir de cette ligne : un guillemet ouvert n'est jamais fermé."
        return ImportReport(errors=[(error.line, message)], rejected=True)
    return _import(sessions, parsed, "import_paris_csv", write=not parsed.rejected)


def import_habitats_csv(sessions: Sessions, path: Path, *, valid_rows_only: bool = False) -> ImportReport:
    """Import a generic habitats file (format in docs/habitats-csv.md), matching habitats on their code.

    Every row is validated first. When any row is invalid nothing is written, unless
    `valid_rows_only` is set: then the valid rows are written and the others listed in
    `errors`. A problem with the whole file (encoding, header) always writes nothing.
    Raise ImportFileError when the file cannot be opened.
    """
    return import_habitats_data(sessions, read_file_bytes(path), valid_rows_only=valid_rows_only)


def check_habitats_data(data: bytes) -> ImportReport:
    """Return the report of a habitats file's bytes: every problem and the count of valid rows. Write nothing."""
    return _report_of(_parse_habitats_data(data))


def _parse_habitats_data(data: bytes) -> ParsedFile:
    text, decoding_errors, decoding_warnings = decode_habitats_file(data)
    if text is None:
        return ParsedFile(rejected=True, errors=decoding_errors)

    parsed = parse_habitats_csv(text)
    parsed.warnings[:0] = decoding_warnings
    return parsed


def import_habitats_data(
    sessions: Sessions, data: bytes, *, valid_rows_only: bool = False, actor: Actor | None = None
) -> ImportReport:
    """Import the bytes of a habitats file under the rules of `import_habitats_csv`.

    The report lists every problem, with `rows_valid` the count of rows that would be (or were) written.
    """
    parsed = _parse_habitats_data(data)
    write = not parsed.rejected and (valid_rows_only or not parsed.errors)
    return _import(sessions, parsed, "import_habitats_csv", write=write, actor=actor)

"""Command line for staff and developers: migrations, habitat imports and demo data.

Run `python -m trackoe --help`. The database is the one TRACKOE_DATABASE_URL names. Unlike
the web application, these commands never add demo data on their own: only `demo` does.
Results are printed in French on standard output, logs go to standard error.
Exit status: 0 on success, 1 when the command failed or rejected rows, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from trackoe import demo
from trackoe.cli_accounts import ACCOUNT_COMMANDS, add_account_commands
from trackoe.config import DATABASE_URL_VARIABLE, PROJECT_ROOT, load_settings
from trackoe.database import create_app_engine, create_session_factory, migrate
from trackoe.errors import TrackoeError
from trackoe.importer import ImportReport, import_habitats_csv, import_paris_csv
from trackoe.services.transaction import Sessions

logger = logging.getLogger(__name__)

DEFAULT_PARIS_CSV = PROJECT_ROOT.parent / "shared" / "data" / "paris-logements-sociaux.csv"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# Problems printed per list; the rest are counted.
MAX_LISTED_ERRORS = 100
MAX_LISTED_WARNINGS = 20


def say(text: str = "") -> None:
    """Print one line of the command's result on standard output."""
    print(text, flush=True)


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trackoe",
        description=f"TRACKOE command line. The database is the SQLAlchemy URL in {DATABASE_URL_VARIABLE} "
        "(default: the SQLite file under var/); each command applies pending migrations first.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("migrate", help="Apply every pending database migration.")

    paris = commands.add_parser(
        "import-paris",
        help="Import the Paris social-housing open data as habitats (PAR-<id_livraison>) with their landlords.",
    )
    paris.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=DEFAULT_PARIS_CSV,
        help=f"CSV file to import (default: {DEFAULT_PARIS_CSV}).",
    )

    habitats = commands.add_parser(
        "import-habitats",
        help="Import a habitats CSV file (format: docs/habitats-csv.md). Writes nothing if any row is invalid.",
    )
    habitats.add_argument("file", type=Path, help="CSV file with columns code;nom;adresse;code_postal;...")
    habitats.add_argument(
        "--valid-rows-only",
        action="store_true",
        help="Import the valid rows and list the invalid ones instead of rejecting the whole file "
        "(the exit status is still 1 when a row was rejected).",
    )

    demo_parser = commands.add_parser(
        "demo",
        help="Add demo contacts around the stored habitats, creating demo habitats first when there are none.",
    )
    demo_parser.add_argument(
        "--habitats",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="Demo habitats to create first (default: 120 when the database has no habitat, else 0).",
    )
    demo_parser.add_argument(
        "--contacts-scale",
        type=_non_negative_float,
        default=1.0,
        metavar="X",
        help="Multiplier of the residents (contacts simples) per habitat: 2 to 6 at 1.0 (default 1.0).",
    )
    demo_parser.add_argument("--seed", type=int, default=None, metavar="S", help="Random seed, for reproducible data (default 2024).")
    add_account_commands(commands)
    return parser


def _print_problems(title: str, problems: list[tuple[int, str]], limit: int) -> None:
    if not problems:
        return

    say(f"{title} : {len(problems)}")
    for line, message in problems[:limit]:
        say(f"  Ligne {line} : {message}")
    if len(problems) > limit:
        say(f"  … et {len(problems) - limit} autres.")


def print_import_report(report: ImportReport, *, suggest_valid_rows_only: bool = False) -> None:
    """Print the counts and problems of an import in French."""
    say(f"Lignes lues : {report.rows_read}")
    say(
        f"Habitats créés : {report.habitats_created}, mis à jour : {report.habitats_updated}, "
        f"inchangés : {report.habitats_unchanged}"
    )
    say(f"Bailleurs créés : {report.landlords_created}")
    say(f"Rattachements créés : {report.links_created}, terminés : {report.links_ended}")
    _print_problems("Avertissements (lignes importées après correction)", report.warnings, MAX_LISTED_WARNINGS)
    _print_problems("Erreurs", report.errors, MAX_LISTED_ERRORS)

    if report.errors and report.habitats_written == 0 and report.habitats_unchanged == 0:
        advice = ", ou ajoutez --valid-rows-only pour importer les lignes valides" if suggest_valid_rows_only else ""
        say(f"Aucun habitat enregistré : corrigez les erreurs puis relancez l'import{advice}.")


def _open_database(database_url: str) -> tuple[Engine, Sessions]:
    engine = create_app_engine(database_url)
    migrate(engine)
    return engine, create_session_factory(engine)


def _run_migrate(_args: argparse.Namespace, engine: Engine, _sessions: Sessions) -> int:
    say(f"Base de données à jour : {engine.url.render_as_string(hide_password=True)}")
    return EXIT_OK


def _run_import_paris(args: argparse.Namespace, _engine: Engine, sessions: Sessions) -> int:
    report = import_paris_csv(sessions, args.path)
    print_import_report(report)
    return EXIT_FAILED if report.has_errors else EXIT_OK


def _run_import_habitats(args: argparse.Namespace, _engine: Engine, sessions: Sessions) -> int:
    report = import_habitats_csv(sessions, args.file, valid_rows_only=args.valid_rows_only)
    print_import_report(report, suggest_valid_rows_only=not args.valid_rows_only)
    return EXIT_FAILED if report.has_errors else EXIT_OK


def _run_demo(args: argparse.Namespace, _engine: Engine, sessions: Sessions) -> int:
    seed = demo.DEFAULT_SEED if args.seed is None else args.seed
    habitat_count = args.habitats
    if habitat_count is None:
        habitat_count = demo.DEFAULT_HABITAT_COUNT if demo.count_habitats(sessions) == 0 else 0

    if habitat_count:
        demo.generate_habitats(sessions, habitat_count, seed)
        say(f"Habitats de démonstration créés : {habitat_count}")

    report = demo.generate_contacts(sessions, seed, scale=args.contacts_scale)
    say(
        f"Contacts créés : {report.contacts_created} ({report.simple_contacts} contacts simples, "
        f"{report.multiple_contacts} contacts multiples)"
    )
    say(f"Rattachements créés : {report.links_created}, dont {report.ended_links} terminés")
    say(f"Gardiens : {report.caretakers} ; habitats sans gardien : {report.habitats_without_caretaker}")
    say(f"Contacts multiples rattachés à rien : {report.unlinked_contacts}")
    return EXIT_OK


COMMANDS = {
    "migrate": _run_migrate,
    "import-paris": _run_import_paris,
    "import-habitats": _run_import_habitats,
    "demo": _run_demo,
    **ACCOUNT_COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    args = build_parser().parse_args(argv)

    try:
        settings = load_settings()
    except ValueError as error:
        print(f"Configuration invalide : {error}", file=sys.stderr)
        return EXIT_USAGE

    logging.basicConfig(
        level=settings.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )

    engine: Engine | None = None
    try:
        engine, sessions = _open_database(settings.database_url)
        return COMMANDS[args.command](args, engine, sessions)
    except TrackoeError as error:
        logger.warning("Command %s failed: %s", args.command, error.message)
        print(error.message, file=sys.stderr)
        return EXIT_FAILED
    except SQLAlchemyError as error:
        logger.error("Command %s failed on the database: %s", args.command, error)
        print(
            f"Échec de la commande sur la base de données : {type(error).__name__}. "
            f"Vérifiez {DATABASE_URL_VARIABLE} et que la base est joignable ; le détail est dans le journal.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        if engine is not None:
            engine.dispose()

"""Command-line commands of staff accounts: create an administrateur."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import Engine

from trackoe.errors import ValidationError
from trackoe.services import accounts
from trackoe.services.transaction import Sessions

EXIT_OK = 0
EXIT_FAILED = 1


def add_account_commands(commands: argparse._SubParsersAction) -> None:
    """Register the account commands on the main parser's subcommands."""
    admin = commands.add_parser(
        "create-admin",
        help=(
            "Create an administrateur account: the first one, or another one at any time, since "
            "whoever runs this command already holds the database."
        ),
    )
    admin.add_argument("--username", required=True, help="Username to sign in with: 3 to 60 letters, digits, . _ - @.")
    admin.add_argument("--display-name", required=True, help="Name shown in the application and the journal.")
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="Read the password from the first line of standard input instead of prompting twice.",
    )


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")

    try:
        password = getpass.getpass("Mot de passe (12 caractères au moins) : ")
        confirmation = getpass.getpass("Confirmation : ")
    except EOFError:
        print(
            "Aucun mot de passe saisi : lancez la commande dans un terminal, ou passez le mot de "
            "passe sur l'entrée standard avec --password-stdin. Rien n'a été créé.",
            file=sys.stderr,
        )
        return None
    if confirmation != password:
        print("Les deux mots de passe diffèrent : rien n'a été créé.", file=sys.stderr)
        return None
    return password


def run_create_admin(args: argparse.Namespace, _engine: Engine, sessions: Sessions) -> int:
    """Create an administrateur; print the field errors in French and create nothing when the input is invalid."""
    password = _read_password(args)
    if password is None:
        return EXIT_FAILED

    try:
        account = accounts.create_administrator(sessions, args.username, args.display_name, password, first_only=False)
    except ValidationError as error:
        for message in error.field_errors.values():
            print(message, file=sys.stderr)
        return EXIT_FAILED

    print(f"Compte administrateur « {account.username} » créé (n° {account.id}).", flush=True)
    return EXIT_OK


ACCOUNT_COMMANDS = {"create-admin": run_create_admin}

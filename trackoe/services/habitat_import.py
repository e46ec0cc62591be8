"""Use cases of the habitats import page: check an uploaded CSV file, then import it."""

from __future__ import annotations

import logging

from trackoe.importer import ImportReport, check_habitats_data, import_habitats_data
from trackoe.permissions import Actor, Permission, require
from trackoe.services.transaction import Sessions

logger = logging.getLogger(__name__)


def check_habitats_file(sessions: Sessions, actor: Actor, data: bytes) -> ImportReport:
    """Return the report of an uploaded habitats file (every problem, the valid rows) without writing anything."""
    require(actor, Permission.WRITE_RECORDS)

    report = check_habitats_data(data)
    logger.info(
        "User %s checked a habitats file: %s bytes, %s rows, %s valid, %s errors",
        actor.user_id,
        len(data),
        report.rows_read,
        report.rows_valid,
        len(report.errors),
    )
    return report


def import_habitats_file(sessions: Sessions, actor: Actor, data: bytes, *, valid_rows_only: bool = False) -> ImportReport:
    """Import an uploaded habitats file in one transaction, under the rules of docs/habitats-csv.md.

    Nothing is written when a row is invalid unless `valid_rows_only` is set, and never when
    the file as a whole is rejected (encoding, header, size).
    """
    require(actor, Permission.WRITE_RECORDS)

    report = import_habitats_data(sessions, data, valid_rows_only=valid_rows_only, actor=actor)
    logger.info(
        "User %s imported a habitats file: %s created, %s updated, %s rows rejected",
        actor.user_id,
        report.habitats_created,
        report.habitats_updated,
        len({line for line, _message in report.errors}),
    )
    return report

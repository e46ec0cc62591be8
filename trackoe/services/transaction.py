"""The transaction every service runs in, and the translation of database faults into user errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from trackoe.errors import ConflictError, DatabaseUnavailableError, TrackoeError

logger = logging.getLogger(__name__)

Sessions = sessionmaker[Session]


@contextmanager
def transaction(sessions: Sessions, action: str) -> Iterator[Session]:
    """Run the block in one transaction: commit at the end, roll back on any error.

    Integrity faults and stale versions become ConflictError and lost connections
    DatabaseUnavailableError, both with a French message. `action` names the use case in the logs.
    """
    try:
        with sessions.begin() as session:
            yield session
    except StaleDataError as error:
        # The version check of a versioned row failed: someone saved it after this
        # transaction read it.
        logger.info("%s rejected: record changed meanwhile: %s", action, error)
        raise ConflictError(
            "Cet enregistrement a été modifié par quelqu'un d'autre entre-temps. "
            "Rechargez la page pour voir sa version actuelle."
        ) from error
    except IntegrityError as error:
        logger.warning("%s rejected by an integrity constraint: %s", action, error.orig)
        raise ConflictError(
            "L'enregistrement a été refusé car il contredit les données existantes "
            "(un habitat, logement ou local supprimé entre-temps, par exemple). Rechargez la page."
        ) from error
    except DataError as error:
        logger.warning("%s rejected by the database as invalid data: %s", action, error.orig)
        raise TrackoeError(
            "La base de données a refusé une valeur saisie (texte trop long ou caractère non "
            "accepté). Raccourcissez ou corrigez le texte, puis réessayez."
        ) from error
    except OperationalError as error:
        if error.connection_invalidated or _is_connection_fault(error):
            logger.error("%s failed: database unreachable: %s", action, error.orig)
            raise DatabaseUnavailableError() from error
        raise
    except DBAPIError as error:
        if error.connection_invalidated:
            logger.error("%s failed: database connection lost: %s", action, error.orig)
            raise DatabaseUnavailableError() from error
        raise


def _is_connection_fault(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(
        marker in text
        for marker in ("connection", "could not connect", "server closed", "terminating", "unable to open")
    )

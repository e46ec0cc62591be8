"""The journal of changes: writing an entry inside the caller's transaction, and reading entries back."""

from __future__ import annotations

import datetime as dt
import enum
import json
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from trackoe.access_models import AuditEvent, StaffUser
from trackoe.permissions import Actor


class AuditAction(enum.StrEnum):
    """Action a journal entry records; the value is stored, the label is shown."""

    CREATE = "create"
    UPDATE = "update"
    ARCHIVE = "archive"
    RESTORE = "restore"
    DELETE = "delete"
    LINK = "link"
    UNLINK = "unlink"
    END_LINK = "end_link"
    PORTAL_VIEW = "portal_view"
    PORTAL_CREATE = "portal_create"
    PORTAL_RESET = "portal_reset"
    PORTAL_DISABLE = "portal_disable"
    PORTAL_ENABLE = "portal_enable"
    ACCOUNT_CREATE = "account_create"
    ACCOUNT_UPDATE = "account_update"
    ACCOUNT_PASSWORD_RESET = "account_password_reset"
    SETTINGS_UPDATE = "settings_update"

    @property
    def label(self) -> str:
        return AUDIT_ACTION_LABELS[self]


AUDIT_ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.CREATE: "Création",
    AuditAction.UPDATE: "Modification",
    AuditAction.ARCHIVE: "Archivage",
    AuditAction.RESTORE: "Restauration",
    AuditAction.DELETE: "Suppression définitive",
    AuditAction.LINK: "Rattachement",
    AuditAction.UNLINK: "Suppression de rattachement",
    AuditAction.END_LINK: "Fin de rattachement",
    AuditAction.PORTAL_VIEW: "Consultation de l'accès Infinitri",
    AuditAction.PORTAL_CREATE: "Création de l'accès Infinitri",
    AuditAction.PORTAL_RESET: "Nouveau mot de passe Infinitri",
    AuditAction.PORTAL_DISABLE: "Désactivation de l'accès Infinitri",
    AuditAction.PORTAL_ENABLE: "Réactivation de l'accès Infinitri",
    AuditAction.ACCOUNT_CREATE: "Création de compte",
    AuditAction.ACCOUNT_UPDATE: "Modification de compte",
    AuditAction.ACCOUNT_PASSWORD_RESET: "Réinitialisation de mot de passe",
    AuditAction.SETTINGS_UPDATE: "Modification des réglages",
}

RECORD_TYPE_LABELS: dict[str, str] = {
    "contact": "Contact",
    "habitat": "Habitat",
    "link": "Rattachement",
    "portal": "Accès Infinitri",
    "account": "Compte",
    "setting": "Réglage",
}

# Time zone of the staff: the journal's date filters cover whole days of Paris time.
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# Fields that never enter the journal, whatever the record.
SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash"})


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for each field whose value differs, secrets left out."""
    changes: dict[str, list[Any]] = {}
    for field in dict.fromkeys([*before, *after]):
        if field in SECRET_FIELDS:
            continue
        old, new = before.get(field), after.get(field)
        if old != new:
            changes[field] = [_jsonable(old), _jsonable(new)]
    return changes


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def record_event(
    session: Session,
    actor: Actor,
    action: AuditAction,
    record_type: str,
    record_id: int | None,
    *,
    contact_id: int | None = None,
    habitat_id: int | None = None,
    summary: str = "",
    changes: Mapping[str, list[Any]] | None = None,
) -> None:
    """Add a journal entry to the caller's transaction, so that it commits or rolls back with the change."""
    session.add(
        AuditEvent(
            occurred_at=dt.datetime.now(dt.UTC),
            user_id=actor.user_id,
            username=actor.username,
            action=action.value,
            record_type=record_type,
            record_id=record_id,
            contact_id=contact_id,
            habitat_id=habitat_id,
            summary=summary[:255],
            changes=json.dumps(dict(changes), ensure_ascii=False) if changes else None,
        )
    )


@dataclass(frozen=True)
class JournalFilters:
    """Filters of the journal list; None or empty means any."""

    user_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    record_type: str | None = None
    record_id: int | None = None
    contact_id: int | None = None
    habitat_id: int | None = None
    actions: tuple[str, ...] = ()


def _filtered(filters: JournalFilters) -> Select:
    query = select(AuditEvent)
    if filters.user_id is not None:
        query = query.where(AuditEvent.user_id == filters.user_id)
    # Bounds are converted to UTC because SQLite stores the UTC wall-clock time without its offset.
    if filters.date_from is not None:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=PARIS).astimezone(dt.UTC)
        query = query.where(AuditEvent.occurred_at >= start)
    if filters.date_to is not None:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=PARIS).astimezone(dt.UTC)
        query = query.where(AuditEvent.occurred_at < end)
    if filters.record_type:
        query = query.where(AuditEvent.record_type == filters.record_type)
    if filters.record_id is not None:
        query = query.where(AuditEvent.record_id == filters.record_id)
    if filters.contact_id is not None:
        query = query.where(AuditEvent.contact_id == filters.contact_id)
    if filters.habitat_id is not None:
        query = query.where(AuditEvent.habitat_id == filters.habitat_id)
    if filters.actions:
        query = query.where(AuditEvent.action.in_(filters.actions))
    return query


def list_events(session: Session, filters: JournalFilters, offset: int, limit: int) -> tuple[list[AuditEvent], int]:
    """Return one page of journal entries, newest first, and the count of all entries matching `filters`."""
    query = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def list_staff_users(session: Session) -> list[tuple[int, str, str]]:
    """Return the id, username and display name of every staff account, disabled ones included, by username."""
    rows = session.execute(
        select(StaffUser.id, StaffUser.username, StaffUser.display_name).order_by(StaffUser.username_key)
    ).all()
    return [(user_id, username, display_name) for user_id, username, display_name in rows]

"""Use cases of the journal: the history of one record, and the whole journal for administrateurs."""

from __future__ import annotations

import json
import logging

from trackoe import journal
from trackoe.access_models import AuditEvent
from trackoe.access_views import JournalRow, JournalUser
from trackoe.journal import AUDIT_ACTION_LABELS, RECORD_TYPE_LABELS, AuditAction, JournalFilters
from trackoe.permissions import Actor, Permission, require
from trackoe.services.accounts import SYSTEM_ACTOR
from trackoe.services.transaction import Sessions, transaction
from trackoe.views import ResultPage, clamp_paging

logger = logging.getLogger(__name__)


def _journal_row(event: AuditEvent) -> JournalRow:
    try:
        action_label = AUDIT_ACTION_LABELS[AuditAction(event.action)]
    except ValueError:
        action_label = event.action
    changes = json.loads(event.changes) if event.changes else {}
    return JournalRow(
        id=event.id,
        occurred_at=event.occurred_at,
        username=event.username,
        action=event.action,
        action_label=action_label,
        record_type=event.record_type,
        record_label=RECORD_TYPE_LABELS.get(event.record_type, event.record_type),
        record_id=event.record_id,
        contact_id=event.contact_id,
        habitat_id=event.habitat_id,
        summary=event.summary,
        changes=changes,
    )


def _page(sessions: Sessions, filters: JournalFilters, page: int, page_size: int, action: str) -> ResultPage[JournalRow]:
    page, page_size = clamp_paging(page, page_size)
    with transaction(sessions, action) as session:
        events, total = journal.list_events(session, filters, offset=(page - 1) * page_size, limit=page_size)
        return ResultPage(rows=[_journal_row(event) for event in events], total=total, page=page, page_size=page_size)


def record_history(
    sessions: Sessions,
    actor: Actor,
    *,
    contact_id: int | None = None,
    habitat_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> ResultPage[JournalRow]:
    """Return the journal entries of one contact or one habitat (links included), newest first, for its Historique tab."""
    require(actor, Permission.READ)
    if (contact_id is None) == (habitat_id is None):
        raise ValueError("record_history needs exactly one of contact_id and habitat_id")

    filters = JournalFilters(contact_id=contact_id, habitat_id=habitat_id)
    return _page(sessions, filters, page, page_size, "record_history")


def search_journal(
    sessions: Sessions, actor: Actor, filters: JournalFilters, page: int, page_size: int
) -> ResultPage[JournalRow]:
    """Return one page of the whole journal matching `filters`, newest first; administrateurs only."""
    require(actor, Permission.VIEW_JOURNAL)
    return _page(sessions, filters, page, page_size, "search_journal")


def journal_users(sessions: Sessions, actor: Actor) -> list[JournalUser]:
    """Return the users the journal can be filtered on: every staff account by username, then the system actor."""
    require(actor, Permission.VIEW_JOURNAL)

    with transaction(sessions, "journal_users") as session:
        users = [JournalUser(user_id, username, display_name) for user_id, username, display_name in journal.list_staff_users(session)]
    users.append(JournalUser(SYSTEM_ACTOR.user_id, SYSTEM_ACTOR.username, SYSTEM_ACTOR.display_name))
    return users

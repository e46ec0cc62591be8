"""Use cases of habitats: list, read, pick, list their contacts, create and delete."""

from __future__ import annotations

import datetime as dt
import logging

from trackoe import repository
from trackoe.errors import NotFoundError
from trackoe.journal import AuditAction, record_event
from trackoe.models import Habitat
from trackoe.normalise import search_terms
from trackoe.permissions import Actor, Permission, require
from trackoe.records import contact_display_name, contact_phone_display, contact_type_label, habitat_address
from trackoe.services.transaction import Sessions, transaction
from trackoe.views import (
    HabitatContactRow,
    HabitatDeletionImpact,
    HabitatDetail,
    HabitatRow,
    ResultPage,
    TargetOption,
    clamp_paging,
)

logger = logging.getLogger(__name__)

PICKER_LIMIT = 20


def _habitat_row(habitat: Habitat, contact_count: int) -> HabitatRow:
    return HabitatRow(
        id=habitat.id,
        code=habitat.code,
        name=habitat.name,
        address=habitat.address_line or "",
        postcode=habitat.postcode or "",
        city=habitat.city or "",
        landlord_name=habitat.landlord_name or "",
        dwelling_count=habitat.dwelling_count,
        current_contact_count=contact_count or 0,
        is_archived=habitat.archived_at is not None,
    )


def search_habitats(
    sessions: Sessions, actor: Actor, text: str, page: int, page_size: int, *, include_archived: bool = False
) -> ResultPage[HabitatRow]:
    """Return page `page` (from 1) of the habitats matching `text`, with the count of all matches."""
    require(actor, Permission.READ)
    page, page_size = clamp_paging(page, page_size)

    with transaction(sessions, "search_habitats") as session:
        rows, total = repository.search_habitats(
            session,
            text,
            offset=(page - 1) * page_size,
            limit=page_size,
            today=dt.date.today(),
            include_archived=include_archived,
        )
        return ResultPage(
            rows=[_habitat_row(habitat, count) for habitat, count in rows],
            total=total,
            page=page,
            page_size=page_size,
        )


def pick_habitats(sessions: Sessions, actor: Actor, text: str) -> list[HabitatRow]:
    """Return the first habitats whose code, name or address matches `text`, for the link form."""
    require(actor, Permission.READ)
    # Text without a letter or digit gives no search term and would match every habitat.
    if not search_terms(text):
        return []

    with transaction(sessions, "pick_habitats") as session:
        return [_habitat_row(habitat, 0) for habitat in repository.pick_habitats(session, text, PICKER_LIMIT)]


def get_habitat(sessions: Sessions, actor: Actor, habitat_id: int) -> HabitatDetail:
    """Return a habitat with its logements and locaux; raise NotFoundError when it does not exist."""
    require(actor, Permission.READ)
    with transaction(sessions, "get_habitat") as session:
        habitat = repository.get_habitat(session, habitat_id)
        if habitat is None:
            raise NotFoundError(f"L'habitat n° {habitat_id} n'existe pas ou a été supprimé.")

        dwellings = [
            TargetOption(kind="dwelling", id=d.id, label=f"Logement {d.reference}")
            for d in repository.habitat_dwellings(session, habitat_id)
        ]
        premises = [
            TargetOption(kind="premises", id=p.id, label=p.name)
            for p in repository.habitat_premises(session, habitat_id)
        ]
        return HabitatDetail(
            id=habitat.id,
            code=habitat.code,
            name=habitat.name,
            address_line=habitat_address(habitat),
            postcode=habitat.postcode or "",
            city=habitat.city or "",
            landlord_name=habitat.landlord_name or "",
            dwelling_count=habitat.dwelling_count,
            latitude=habitat.latitude,
            longitude=habitat.longitude,
            is_archived=habitat.archived_at is not None,
            dwellings=dwellings,
            premises=premises,
        )


def habitat_contacts(sessions: Sessions, actor: Actor, habitat_id: int) -> list[HabitatContactRow]:
    """Return every current contact of a habitat, simple and multiple, for its CONTACT tab."""
    require(actor, Permission.READ)
    with transaction(sessions, "habitat_contacts") as session:
        rows: list[HabitatContactRow] = []
        for contact, link in repository.habitat_contacts(session, habitat_id, dt.date.today()):
            target = ""
            if link is not None and link.dwelling is not None:
                target = f"Logement {link.dwelling.reference}"
            elif link is not None and link.premises is not None:
                target = link.premises.name

            rows.append(
                HabitatContactRow(
                    contact_id=contact.id,
                    link_id=link.id if link is not None else None,
                    is_multiple=contact.is_multiple,
                    contact_type=contact_type_label(contact.contact_type),
                    display_name=contact_display_name(contact),
                    role=link.role if link is not None else contact_type_label(contact.contact_type),
                    target=target,
                    phone=contact_phone_display(contact),
                    email=contact.email or "",
                    is_primary=link.is_primary if link is not None else False,
                    since=link.start_date if link is not None else None,
                )
            )
        return rows


def _load_habitat(session, habitat_id: int) -> Habitat:
    habitat = repository.get_habitat(session, habitat_id)
    if habitat is None:
        raise NotFoundError(f"L'habitat n° {habitat_id} n'existe pas ou a été supprimé.")
    return habitat


def set_habitat_archived(sessions: Sessions, actor: Actor, habitat_id: int, archived: bool) -> None:
    """Archive a habitat (it leaves lists and pickers by default) or restore it; its links stay."""
    require(actor, Permission.WRITE_RECORDS)

    with transaction(sessions, "set_habitat_archived") as session:
        habitat = _load_habitat(session, habitat_id)
        if (habitat.archived_at is not None) == archived:
            return

        habitat.archived_at = dt.datetime.now(dt.UTC) if archived else None
        session.flush()
        record_event(
            session, actor, AuditAction.ARCHIVE if archived else AuditAction.RESTORE, "habitat", habitat.id,
            habitat_id=habitat.id, summary=f"{habitat.code} · {habitat.name}",
        )
        logger.info("User %s set habitat %s archived=%s", actor.user_id, habitat_id, archived)


def habitat_deletion_impact(sessions: Sessions, actor: Actor, habitat_id: int) -> HabitatDeletionImpact:
    """Count what `delete_habitat` would remove, for the confirmation dialog; administrateurs only."""
    require(actor, Permission.DELETE_FOR_GOOD)

    with transaction(sessions, "habitat_deletion_impact") as session:
        habitat = _load_habitat(session, habitat_id)
        counts = repository.habitat_deletion_counts(session, habitat_id)
        return HabitatDeletionImpact(habitat_id=habitat.id, code=habitat.code, name=habitat.name, **counts)


def delete_habitat(sessions: Sessions, actor: Actor, habitat_id: int) -> None:
    """Delete a habitat with its logements, locaux, contacts simples and links; contacts multiples stay.

    Only an administrateur may; the journal keeps a trace.
    """
    require(actor, Permission.DELETE_FOR_GOOD)

    with transaction(sessions, "delete_habitat") as session:
        habitat = _load_habitat(session, habitat_id)
        record_event(
            session, actor, AuditAction.DELETE, "habitat", habitat.id,
            habitat_id=habitat.id, summary=f"{habitat.code} · {habitat.name}",
        )
        session.delete(habitat)
        logger.info("User %s deleted habitat %s for good", actor.user_id, habitat_id)

"""Use cases of rattachements: add, end and remove the links of a contact multiple."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from trackoe import repository
from trackoe.errors import ConflictError, NotFoundError, ValidationError
from trackoe.journal import AuditAction, record_event
from trackoe.models import Contact, ContactLink
from trackoe.permissions import Actor, Permission, require
from trackoe.records import contact_display_name
from trackoe.services.transaction import Sessions, transaction
from trackoe.validation import LinkData

logger = logging.getLogger(__name__)


def _link_summary(link: ContactLink, contact: Contact, habitat_code: str) -> str:
    return f"{contact_display_name(contact)} → {habitat_code} ({link.role})"


def add_link_in_session(session: Session, actor: Actor, contact: Contact, data: LinkData, today: dt.date) -> ContactLink:
    """Add a link inside the caller's transaction after checking that its habitat and target exist."""
    if not contact.is_multiple:
        raise ConflictError("Un contact simple appartient à un seul habitat : il ne peut pas être rattaché à d'autres.")

    habitat = repository.get_habitat(session, data.habitat_id)
    if habitat is None:
        raise NotFoundError(f"L'habitat n° {data.habitat_id} n'existe pas ou a été supprimé.")

    if data.dwelling_id is not None:
        dwelling = repository.get_dwelling(session, data.dwelling_id)
        if dwelling is None or dwelling.habitat_id != habitat.id:
            raise ValidationError({"dwelling_id": "Ce logement n'appartient pas à l'habitat choisi."})
    if data.premises_id is not None:
        premises = repository.get_premises(session, data.premises_id)
        if premises is None or premises.habitat_id != habitat.id:
            raise ValidationError({"premises_id": "Ce local n'appartient pas à l'habitat choisi."})

    duplicate = repository.find_current_link(
        session, contact.id, habitat.id, data.dwelling_id, data.premises_id, data.role, today
    )
    if duplicate is not None:
        raise ConflictError(
            f"Ce contact est déjà rattaché à l'habitat {habitat.code} avec le rôle « {data.role} »."
        )

    link = ContactLink(
        contact_id=contact.id,
        habitat_id=habitat.id,
        dwelling_id=data.dwelling_id,
        premises_id=data.premises_id,
        role=data.role,
        is_primary=data.is_primary,
        start_date=data.start_date,
    )
    session.add(link)
    session.flush()
    record_event(
        session, actor, AuditAction.LINK, "link", link.id,
        contact_id=contact.id, habitat_id=habitat.id, summary=_link_summary(link, contact, habitat.code),
        changes={
            "role": [None, link.role],
            "dwelling_id": [None, link.dwelling_id],
            "premises_id": [None, link.premises_id],
            "is_primary": [None, link.is_primary],
            "start_date": [None, link.start_date.isoformat() if link.start_date else None],
        },
    )
    return link


def add_link(sessions: Sessions, actor: Actor, contact_id: int, data: LinkData) -> int:
    """Link a contact multiple to a habitat (or one of its logements or locaux); return the link's id."""
    require(actor, Permission.WRITE_RECORDS)

    with transaction(sessions, "add_link") as session:
        contact = repository.get_contact(session, contact_id)
        if contact is None:
            raise NotFoundError(f"Le contact n° {contact_id} n'existe pas ou a été supprimé.")

        link = add_link_in_session(session, actor, contact, data, dt.date.today())
        logger.info("Linked contact %s to habitat %s (link %s)", contact_id, data.habitat_id, link.id)
        return link.id


def _load_link(session: Session, contact_id: int, link_id: int) -> ContactLink:
    link = repository.get_link(session, link_id)
    if link is None or link.contact_id != contact_id:
        raise NotFoundError("Ce rattachement n'existe plus. Rechargez la page.")
    return link


def end_link(sessions: Sessions, actor: Actor, contact_id: int, link_id: int, end_date: dt.date) -> None:
    """Close a link on `end_date`; the link stays in the contact's history."""
    require(actor, Permission.WRITE_RECORDS)

    with transaction(sessions, "end_link") as session:
        link = _load_link(session, contact_id, link_id)
        if link.end_date is not None:
            raise ConflictError(f"Ce rattachement est déjà terminé depuis le {link.end_date:%d/%m/%Y}.")
        if link.start_date is not None and end_date < link.start_date:
            raise ValidationError(
                {"end_date": f"La date de fin doit suivre la date de début ({link.start_date:%d/%m/%Y})."}
            )

        link.end_date = end_date
        record_event(
            session, actor, AuditAction.END_LINK, "link", link.id,
            contact_id=contact_id, habitat_id=link.habitat_id,
            summary=_link_summary(link, link.contact, link.habitat.code),
            changes={"end_date": [None, end_date.isoformat()]},
        )
        logger.info("Ended link %s of contact %s on %s", link_id, contact_id, end_date.isoformat())


def remove_link(sessions: Sessions, actor: Actor, contact_id: int, link_id: int) -> None:
    """Delete a link entered by mistake; only the journal keeps a trace of it."""
    require(actor, Permission.WRITE_RECORDS)

    with transaction(sessions, "remove_link") as session:
        link = _load_link(session, contact_id, link_id)
        record_event(
            session, actor, AuditAction.UNLINK, "link", link.id,
            contact_id=contact_id, habitat_id=link.habitat_id,
            summary=_link_summary(link, link.contact, link.habitat.code),
        )
        session.delete(link)
        logger.info("Removed link %s of contact %s", link_id, contact_id)

"""Use cases of contacts: list, read, create, update, archive and restore."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from trackoe import repository
from trackoe.errors import ConflictError, NotFoundError, StaleEditError
from trackoe.journal import AuditAction, changed_fields, record_event
from trackoe.models import Contact, ContactLink, Habitat
from trackoe.permissions import Actor, Permission, require
from trackoe.records import (
    contact_address,
    contact_display_name,
    contact_full_name,
    contact_phone_display,
    contact_type_label,
    habitat_address,
    refresh_contact_keys,
)
from trackoe.services.links import add_link_in_session
from trackoe.services.transaction import Sessions, transaction
from trackoe.validation import ContactData, ContactInput, LinkData, validate_contact
from trackoe.views import ContactDetail, ContactFilters, ContactRow, LinkView, ResultPage, clamp_paging

logger = logging.getLogger(__name__)


def _today() -> dt.date:
    return dt.date.today()


def _contact_row(contact: Contact, linked_habitat_count: int) -> ContactRow:
    return ContactRow(
        id=contact.id,
        is_multiple=contact.is_multiple,
        contact_type=contact_type_label(contact.contact_type),
        company_name=contact.company_name or "",
        full_name=contact_full_name(contact),
        phone=contact_phone_display(contact),
        email=contact.email or "",
        address=contact_address(contact),
        linked_habitat_count=linked_habitat_count or 0,
        is_archived=contact.archived_at is not None,
    )


def search_contacts(
    sessions: Sessions, actor: Actor, filters: ContactFilters, page: int, page_size: int
) -> ResultPage[ContactRow]:
    """Return page `page` (from 1) of the contacts matching `filters`, with the count of all matches."""
    require(actor, Permission.READ)
    page, page_size = clamp_paging(page, page_size)

    with transaction(sessions, "search_contacts") as session:
        rows, total = repository.search_contacts(
            session, filters, offset=(page - 1) * page_size, limit=page_size, today=_today()
        )
        return ResultPage(
            rows=[_contact_row(contact, count) for contact, count in rows],
            total=total,
            page=page,
            page_size=page_size,
        )


def link_view(link: ContactLink, today: dt.date) -> LinkView:
    """Return the view of a link whose habitat, logement and local are loaded."""
    habitat: Habitat = link.habitat
    if link.dwelling is not None:
        target = f"Logement {link.dwelling.reference}"
    elif link.premises is not None:
        target = link.premises.name
    else:
        target = ""

    return LinkView(
        id=link.id,
        habitat_id=habitat.id,
        habitat_code=habitat.code,
        habitat_name=habitat.name,
        habitat_address=habitat_address(habitat),
        target=target,
        role=link.role,
        is_primary=link.is_primary,
        start_date=link.start_date,
        end_date=link.end_date,
        is_current=link.end_date is None or link.end_date > today,
    )


def _contact_detail(session: Session, contact: Contact) -> ContactDetail:
    today = _today()
    links = [link_view(link, today) for link in repository.contact_links(session, contact.id)]

    habitat_label = ""
    if contact.habitat_id is not None:
        owner = repository.get_habitat(session, contact.habitat_id)
        if owner is not None:
            habitat_label = f"{owner.code} · {owner.name}"

    return ContactDetail(
        id=contact.id,
        is_multiple=contact.is_multiple,
        contact_type=contact.contact_type,
        civility=contact.civility,
        last_name=contact.last_name,
        first_name=contact.first_name,
        company_name=contact.company_name,
        phone_landline=contact.phone_landline,
        phone_mobile=contact.phone_mobile,
        email=contact.email,
        address_line1=contact.address_line1,
        address_line2=contact.address_line2,
        postcode=contact.postcode,
        city=contact.city,
        comment=contact.comment,
        habitat_id=contact.habitat_id,
        habitat_label=habitat_label,
        display_name=contact_display_name(contact),
        is_archived=contact.archived_at is not None,
        version=contact.version,
        links=links,
    )


def _load_contact(session: Session, contact_id: int) -> Contact:
    contact = repository.get_contact(session, contact_id)
    if contact is None:
        raise NotFoundError(f"Le contact n° {contact_id} n'existe pas ou a été supprimé.")
    return contact


def get_contact(sessions: Sessions, actor: Actor, contact_id: int) -> ContactDetail:
    """Return a contact with its links; raise NotFoundError when it does not exist."""
    require(actor, Permission.READ)
    with transaction(sessions, "get_contact") as session:
        return _contact_detail(session, _load_contact(session, contact_id))


EDITABLE_FIELDS = (
    "contact_type",
    "civility",
    "last_name",
    "first_name",
    "company_name",
    "phone_landline",
    "phone_mobile",
    "email",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "comment",
)


def contact_fields(contact: Contact) -> dict[str, object]:
    """Return the values of the form's fields as stored, for the journal and conflict reports."""
    return {field: getattr(contact, field) for field in EDITABLE_FIELDS}


def _fields_changed_since(loaded: Mapping[str, object] | None, current: Mapping[str, object]) -> tuple[str, ...]:
    if loaded is None:
        return ()
    return tuple(field for field in EDITABLE_FIELDS if field in loaded and loaded[field] != current[field])


def _apply(contact: Contact, data: ContactData) -> None:
    contact.contact_type = data.contact_type.value
    contact.civility = data.civility
    contact.last_name = data.last_name
    contact.first_name = data.first_name
    contact.company_name = data.company_name
    contact.phone_landline = data.phone_landline
    contact.phone_mobile = data.phone_mobile
    contact.email = data.email
    contact.address_line1 = data.address_line1
    contact.address_line2 = data.address_line2
    contact.postcode = data.postcode
    contact.city = data.city
    contact.comment = data.comment
    refresh_contact_keys(contact)


def create_contact(
    sessions: Sessions,
    actor: Actor,
    form: ContactInput,
    *,
    creation_token: str | None = None,
    habitat_id: int | None = None,
    links: tuple[LinkData, ...] = (),
) -> ContactDetail:
    """Create a contact multiple, or a contact simple of `habitat_id`, with its links, in one transaction.

    A repeated call with the same `creation_token` (a double click on the form) returns the
    contact the first call created instead of creating a second one. Raise ValidationError
    on invalid input and NotFoundError when a habitat does not exist; nothing is written then.
    """
    require(actor, Permission.WRITE_RECORDS)
    data = validate_contact(form)

    try:
        return _insert_contact(sessions, actor, data, creation_token, habitat_id, links)
    except ConflictError:
        # Two submissions of one form at the same instant: the loser hits the unique token
        # and gets the winner's contact.
        if creation_token is None:
            raise
        with transaction(sessions, "create_contact.same_token") as session:
            existing = repository.find_contact_by_creation_token(session, creation_token)
            if existing is None:
                raise
            logger.info("Contact %s created by a concurrent submission of the same form", existing.id)
            return _contact_detail(session, existing)


def _insert_contact(
    sessions: Sessions,
    actor: Actor,
    data: ContactData,
    creation_token: str | None,
    habitat_id: int | None,
    links: tuple[LinkData, ...],
) -> ContactDetail:
    with transaction(sessions, "create_contact") as session:
        if creation_token is not None:
            existing = repository.find_contact_by_creation_token(session, creation_token)
            if existing is not None:
                logger.info("Contact %s already created by form token; not creating again", existing.id)
                return _contact_detail(session, existing)

        if habitat_id is not None and repository.get_habitat(session, habitat_id) is None:
            raise NotFoundError(f"L'habitat n° {habitat_id} n'existe pas ou a été supprimé.")

        contact = Contact(
            is_multiple=habitat_id is None, habitat_id=habitat_id, creation_token=creation_token
        )
        _apply(contact, data)
        session.add(contact)
        session.flush()

        record_event(
            session, actor, AuditAction.CREATE, "contact", contact.id,
            contact_id=contact.id, habitat_id=habitat_id,
            summary=contact_display_name(contact),
            changes=changed_fields({}, contact_fields(contact)),
        )
        for link in links:
            add_link_in_session(session, actor, contact, link, _today())

        logger.info("Created contact %s (multiple=%s, links=%s)", contact.id, contact.is_multiple, len(links))
        return _contact_detail(session, contact)


def update_contact(
    sessions: Sessions,
    actor: Actor,
    contact_id: int,
    form: ContactInput,
    *,
    expected_version: int | None = None,
    expected_values: Mapping[str, object] | None = None,
) -> ContactDetail:
    """Save the form over a contact; raise StaleEditError when someone saved it since `expected_version`.

    `expected_values` are the stored values the form was loaded with (`contact_fields`), so
    the error can name the fields the other person changed.
    """
    require(actor, Permission.WRITE_RECORDS)
    data = validate_contact(form)

    try:
        return _save_over(sessions, actor, contact_id, data, expected_version, expected_values)
    except ConflictError as error:
        # Another save committed between this one's read and its UPDATE, whose version check
        # then matched no row (StaleDataError): report it like a stale form.
        if expected_version is None or not isinstance(error.__cause__, StaleDataError):
            raise
        with transaction(sessions, "update_contact.stale") as session:
            contact = _load_contact(session, contact_id)
            raise _stale_edit_error(contact, expected_version, expected_values) from error


def _stale_edit_error(
    contact: Contact, expected_version: int, expected_values: Mapping[str, object] | None
) -> StaleEditError:
    current_values = contact_fields(contact)
    changed = _fields_changed_since(expected_values, current_values)
    logger.info(
        "Contact %s changed meanwhile (version %s, form %s, fields %s)",
        contact.id, contact.version, expected_version, list(changed),
    )
    return StaleEditError(contact.id, contact.version, current_values, changed)


def _save_over(
    sessions: Sessions,
    actor: Actor,
    contact_id: int,
    data: ContactData,
    expected_version: int | None,
    expected_values: Mapping[str, object] | None,
) -> ContactDetail:
    with transaction(sessions, "update_contact") as session:
        contact = _load_contact(session, contact_id)
        if expected_version is not None and contact.version != expected_version:
            raise _stale_edit_error(contact, expected_version, expected_values)

        before = contact_fields(contact)
        _apply(contact, data)
        changes = changed_fields(before, contact_fields(contact))
        if not changes:
            return _contact_detail(session, contact)

        session.flush()
        record_event(
            session, actor, AuditAction.UPDATE, "contact", contact.id,
            contact_id=contact.id, habitat_id=contact.habitat_id,
            summary=contact_display_name(contact), changes=changes,
        )
        logger.info("Updated contact %s: %s", contact_id, sorted(changes))
        return _contact_detail(session, contact)


def set_contact_archived(sessions: Sessions, actor: Actor, contact_id: int, archived: bool) -> ContactDetail:
    """Archive the contact (it leaves lists by default) or restore it."""
    require(actor, Permission.WRITE_RECORDS)

    with transaction(sessions, "set_contact_archived") as session:
        contact = _load_contact(session, contact_id)
        if (contact.archived_at is not None) == archived:
            return _contact_detail(session, contact)

        contact.archived_at = dt.datetime.now(dt.UTC) if archived else None
        session.flush()
        record_event(
            session, actor, AuditAction.ARCHIVE if archived else AuditAction.RESTORE, "contact", contact.id,
            contact_id=contact.id, habitat_id=contact.habitat_id, summary=contact_display_name(contact),
        )
        logger.info("Contact %s archived=%s", contact_id, archived)
        return _contact_detail(session, contact)




def delete_contact_for_good(sessions: Sessions, actor: Actor, contact_id: int) -> None:
    """Delete a contact with its links and portal access; only an administrateur may, and the journal keeps a trace."""
    require(actor, Permission.DELETE_FOR_GOOD)

    with transaction(sessions, "delete_contact_for_good") as session:
        contact = _load_contact(session, contact_id)
        link_count = len(contact.links)
        record_event(
            session, actor, AuditAction.DELETE, "contact", contact.id,
            contact_id=contact.id, habitat_id=contact.habitat_id,
            summary=f"{contact_display_name(contact)} ({link_count} rattachement(s) supprimé(s))",
            changes=changed_fields(contact_fields(contact), {}),
        )
        session.delete(contact)
        logger.info("User %s deleted contact %s and %s links for good", actor.user_id, contact_id, link_count)

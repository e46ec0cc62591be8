"""Every query of the application. Functions take a session; they neither open nor commit one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Table,
    Text,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, selectinload

from trackoe.models import Contact, ContactLink, Dwelling, Habitat, Premises
from trackoe.normalise import search_key, search_terms
from trackoe.views import ContactFilters

# FTS5 tables that the first migration creates on SQLite only; not part of the models.
_fts_metadata = MetaData()
CONTACT_FTS = Table(
    "contact_fts", _fts_metadata, Column("rowid", Integer), Column("search_text", Text)
)
HABITAT_FTS = Table(
    "habitat_fts", _fts_metadata, Column("rowid", Integer), Column("search_text", Text)
)

# Trigram indexes serve terms of three characters or more; shorter ones are scanned.
MIN_INDEXED_TERM_LENGTH = 3


def _like_pattern(term: str) -> str:
    # Terms are search keys, made of letters, digits and spaces only, so no LIKE wildcard needs escaping.
    return f"%{term}%"


def _text_conditions(session: Session, model, fts_table: Table, text: str) -> list[ColumnElement[bool]]:
    """Return one condition per search term: each must appear in the record's normalised search text."""
    is_sqlite = session.get_bind().dialect.name == "sqlite"
    conditions: list[ColumnElement[bool]] = []

    for term in search_terms(text):
        if is_sqlite and len(term) >= MIN_INDEXED_TERM_LENGTH:
            matching_ids = select(fts_table.c.rowid).where(
                fts_table.c.search_text.op("MATCH")(f'"{term}"')
            )
            conditions.append(model.id.in_(matching_ids))
        else:
            conditions.append(model.search_text.like(_like_pattern(term)))
    return conditions


def current_link_condition(today: dt.date) -> ColumnElement[bool]:
    """Return the condition of a link still in force on `today` (no end date, or one after today)."""
    return or_(ContactLink.end_date.is_(None), ContactLink.end_date > today)


def linked_habitat_count_column(today: dt.date):
    return (
        select(func.count(func.distinct(ContactLink.habitat_id)))
        .where(ContactLink.contact_id == Contact.id, current_link_condition(today))
        .correlate(Contact)
        .scalar_subquery()
    )


def _place_condition(place: str, today: dt.date) -> ColumnElement[bool] | None:
    """Match the start of a commune name or of a postcode on the contact or on a habitat it is linked to."""
    text = place.strip()
    if not text:
        return None

    compact = text.replace(" ", "")
    if compact.isdigit():
        own = Contact.postcode.like(f"{compact}%")
        habitat_match = Habitat.postcode.like(f"{compact}%")
    else:
        key = search_key(text)
        if not key:
            return None
        # A commune matches by the start of its name, so "saint" finds every Saint-… commune.
        prefix = f"{key}%"
        own = Contact.city_key.like(prefix)
        habitat_match = Habitat.city_key.like(prefix)

    via_link = exists(
        select(ContactLink.id)
        .join(Habitat, Habitat.id == ContactLink.habitat_id)
        .where(ContactLink.contact_id == Contact.id, current_link_condition(today), habitat_match)
    )
    via_owner = exists(
        select(Habitat.id).where(Habitat.id == Contact.habitat_id, habitat_match)
    )
    return or_(own, via_link, via_owner)


def _not_archived_condition(session: Session) -> ColumnElement[bool]:
    """Return the condition of a contact not archived, worded on SQLite so that its planner expects most contacts to match."""
    condition = Contact.archived_at.is_(None)
    if session.get_bind().dialect.name != "sqlite":
        return condition
    # Each archived contact has its own timestamp, so without STAT4 statistics SQLite takes
    # "archived_at IS NULL" for a selective condition and sought it in ix_contact_type_cover,
    # sorting every contact to open the list (80 ms at 100,000 contacts, 0.3 ms through
    # ix_contact_list_order: docs/benchmarks.md). likely() marks it as true for most rows.
    return func.likely(condition)


def contact_conditions(session: Session, filters: ContactFilters, today: dt.date) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions of the contacts list for `filters`."""
    conditions = _text_conditions(session, Contact, CONTACT_FTS, filters.text)

    if filters.is_multiple is not None:
        conditions.append(Contact.is_multiple.is_(filters.is_multiple))
    if not filters.include_archived:
        conditions.append(_not_archived_condition(session))
    if filters.contact_types:
        conditions.append(Contact.contact_type.in_(filters.contact_types))

    if filters.habitat_id is not None:
        conditions.append(
            or_(
                Contact.habitat_id == filters.habitat_id,
                exists(
                    select(ContactLink.id).where(
                        ContactLink.contact_id == Contact.id,
                        ContactLink.habitat_id == filters.habitat_id,
                        current_link_condition(today),
                    )
                ),
            )
        )

    place = _place_condition(filters.place, today)
    if place is not None:
        conditions.append(place)

    if filters.unlinked_only:
        conditions.append(
            ~exists(
                select(ContactLink.id).where(
                    ContactLink.contact_id == Contact.id, current_link_condition(today)
                )
            )
        )
    return conditions


def search_contacts(
    session: Session, filters: ContactFilters, *, offset: int, limit: int, today: dt.date
) -> tuple[list[tuple[Contact, int]], int]:
    """Return one page of matching contacts with their linked-habitat counts, and the count of all matches."""
    conditions = contact_conditions(session, filters, today)

    if filters.sort == "habitats":
        habitat_count = linked_habitat_count_column(today).label("linked_habitat_count")
        page_query = (
            select(Contact, habitat_count)
            .where(*conditions)
            .order_by(habitat_count.desc(), Contact.sort_key, Contact.id)
            .offset(offset)
            .limit(limit)
        )
        rows = [(contact, count) for contact, count in session.execute(page_query)]
    else:
        order_by = {
            "type": (Contact.contact_type, Contact.sort_key, Contact.id),
            "recent": (Contact.id.desc(),),
        }.get(filters.sort, (Contact.sort_key, Contact.id))
        page_query = select(Contact).where(*conditions).order_by(*order_by).offset(offset).limit(limit)
        page = list(session.scalars(page_query))

        # Counted for the page's contacts only: as a correlated column, SQLite would count
        # the links of every match before sorting them.
        counts = linked_habitat_counts(session, [contact.id for contact in page], today)
        rows = [(contact, counts.get(contact.id, 0)) for contact in page]

    total = session.scalar(select(func.count()).select_from(Contact).where(*conditions)) or 0
    return rows, total


def linked_habitat_counts(session: Session, contact_ids: list[int], today: dt.date) -> dict[int, int]:
    """Return the number of distinct habitats each contact is currently linked to (contacts without links absent)."""
    if not contact_ids:
        return {}

    query = (
        select(ContactLink.contact_id, func.count(func.distinct(ContactLink.habitat_id)))
        .where(ContactLink.contact_id.in_(contact_ids), current_link_condition(today))
        .group_by(ContactLink.contact_id)
    )
    return {contact_id: count for contact_id, count in session.execute(query)}


def get_contact(session: Session, contact_id: int) -> Contact | None:
    return session.get(Contact, contact_id)


def find_contact_by_creation_token(session: Session, token: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.creation_token == token))


def contact_links(session: Session, contact_id: int) -> list[ContactLink]:
    """Return every link of a contact, current first, with its habitat, logement and local loaded."""
    query = (
        select(ContactLink)
        .where(ContactLink.contact_id == contact_id)
        .options(
            selectinload(ContactLink.habitat),
            selectinload(ContactLink.dwelling),
            selectinload(ContactLink.premises),
        )
        .order_by(ContactLink.end_date.is_not(None), ContactLink.end_date.desc(), ContactLink.id)
    )
    return list(session.scalars(query))


def get_link(session: Session, link_id: int) -> ContactLink | None:
    return session.get(ContactLink, link_id)


def find_current_link(
    session: Session,
    contact_id: int,
    habitat_id: int,
    dwelling_id: int | None,
    premises_id: int | None,
    role: str,
    today: dt.date,
) -> ContactLink | None:
    """Return the current link with exactly this habitat, target and role, if there is one."""
    query = select(ContactLink).where(
        ContactLink.contact_id == contact_id,
        ContactLink.habitat_id == habitat_id,
        ContactLink.dwelling_id.is_(None) if dwelling_id is None else ContactLink.dwelling_id == dwelling_id,
        ContactLink.premises_id.is_(None) if premises_id is None else ContactLink.premises_id == premises_id,
        ContactLink.role == role,
        current_link_condition(today),
    )
    return session.scalars(query).first()


def get_habitat(session: Session, habitat_id: int) -> Habitat | None:
    return session.get(Habitat, habitat_id)


def get_dwelling(session: Session, dwelling_id: int) -> Dwelling | None:
    return session.get(Dwelling, dwelling_id)


def get_premises(session: Session, premises_id: int) -> Premises | None:
    return session.get(Premises, premises_id)


def habitat_dwellings(session: Session, habitat_id: int) -> list[Dwelling]:
    query = select(Dwelling).where(Dwelling.habitat_id == habitat_id).order_by(Dwelling.reference, Dwelling.id)
    return list(session.scalars(query))


def habitat_premises(session: Session, habitat_id: int) -> list[Premises]:
    query = select(Premises).where(Premises.habitat_id == habitat_id).order_by(Premises.name, Premises.id)
    return list(session.scalars(query))


def _habitat_conditions(session: Session, text: str, include_archived: bool) -> list[ColumnElement[bool]]:
    conditions = _text_conditions(session, Habitat, HABITAT_FTS, text)
    if not include_archived:
        conditions.append(Habitat.archived_at.is_(None))
    return conditions


def current_contact_count_column(today: dt.date):
    """Count the contacts of a habitat: its contacts simples and the multiples currently linked to it."""
    linked = (
        select(func.count(func.distinct(ContactLink.contact_id)))
        .join(Contact, Contact.id == ContactLink.contact_id)
        .where(
            ContactLink.habitat_id == Habitat.id,
            current_link_condition(today),
            Contact.archived_at.is_(None),
        )
        .correlate(Habitat)
        .scalar_subquery()
    )
    owned = (
        select(func.count(Contact.id))
        .where(Contact.habitat_id == Habitat.id, Contact.archived_at.is_(None))
        .correlate(Habitat)
        .scalar_subquery()
    )
    return linked + owned


def search_habitats(
    session: Session,
    text: str,
    *,
    offset: int,
    limit: int,
    today: dt.date,
    include_archived: bool = False,
) -> tuple[list[tuple[Habitat, int]], int]:
    """Return one page of matching habitats with their current contact counts, and the count of all matches."""
    conditions = _habitat_conditions(session, text, include_archived)
    contact_count = current_contact_count_column(today).label("current_contact_count")

    page_query = (
        select(Habitat, contact_count)
        .where(*conditions)
        .order_by(Habitat.sort_key, Habitat.id)
        .offset(offset)
        .limit(limit)
    )
    rows = [(habitat, count) for habitat, count in session.execute(page_query)]

    total = session.scalar(select(func.count()).select_from(Habitat).where(*conditions)) or 0
    return rows, total


def pick_habitats(session: Session, text: str, limit: int) -> list[Habitat]:
    """Return up to `limit` habitats matching `text`, for a picker."""
    conditions = _habitat_conditions(session, text, include_archived=False)
    query = select(Habitat).where(*conditions).order_by(Habitat.sort_key, Habitat.id).limit(limit)
    return list(session.scalars(query))


def habitat_contacts(session: Session, habitat_id: int, today: dt.date) -> list[tuple[Contact, ContactLink | None]]:
    """Return every current contact of a habitat: contacts simples first, then the multiples' links."""
    simple_query = (
        select(Contact)
        .where(Contact.habitat_id == habitat_id, Contact.archived_at.is_(None))
        .order_by(Contact.sort_key, Contact.id)
    )
    rows: list[tuple[Contact, ContactLink | None]] = [
        (contact, None) for contact in session.scalars(simple_query)
    ]

    link_query = (
        select(Contact, ContactLink)
        .join(ContactLink, ContactLink.contact_id == Contact.id)
        .where(
            ContactLink.habitat_id == habitat_id,
            current_link_condition(today),
            Contact.archived_at.is_(None),
        )
        .options(selectinload(ContactLink.dwelling), selectinload(ContactLink.premises))
        .order_by(ContactLink.role, ContactLink.is_primary.desc(), Contact.sort_key, ContactLink.id)
    )
    rows.extend((contact, link) for contact, link in session.execute(link_query))
    return rows


def find_habitat_by_code(session: Session, code: str) -> Habitat | None:
    return session.scalar(select(Habitat).where(Habitat.code == code))


def find_multiple_contact_by_company(session: Session, company_name: str, contact_type: str) -> Contact | None:
    query = select(Contact).where(
        Contact.is_multiple.is_(True),
        Contact.company_name == company_name,
        Contact.contact_type == contact_type,
    )
    return session.scalars(query.order_by(Contact.id)).first()


def count_rows(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def habitat_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Habitat.id).order_by(Habitat.id)))


def habitats_for_demo(session: Session) -> list[Habitat]:
    """Return every habitat with its coordinates, for the demo generator to place contacts near them."""
    return list(session.scalars(select(Habitat).where(Habitat.archived_at.is_(None)).order_by(Habitat.id)))


# Values per IN list, far below SQLite's default limit of 32,766 bound parameters (since SQLite 3.32).
IN_LIST_CHUNK_SIZE = 500


def _chunks(values: list, size: int = IN_LIST_CHUNK_SIZE):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def find_habitats_by_codes(session: Session, codes: list[str]) -> dict[str, Habitat]:
    """Return the habitats whose code is in `codes`, by code."""
    found: dict[str, Habitat] = {}
    for chunk in _chunks(list(dict.fromkeys(codes))):
        for habitat in session.scalars(select(Habitat).where(Habitat.code.in_(chunk))):
            found[habitat.code] = habitat
    return found


def current_links_with_role(session: Session, habitat_ids: list[int], role: str, today: dt.date) -> list[ContactLink]:
    """Return the current links with `role` to the habitats themselves (not to a logement or local)."""
    links: list[ContactLink] = []
    for chunk in _chunks(list(dict.fromkeys(habitat_ids))):
        query = select(ContactLink).where(
            ContactLink.habitat_id.in_(chunk),
            ContactLink.role == role,
            ContactLink.dwelling_id.is_(None),
            ContactLink.premises_id.is_(None),
            current_link_condition(today),
        )
        links.extend(session.scalars(query.order_by(ContactLink.id)))
    return links


def habitat_codes_with_prefix(session: Session, prefix: str) -> list[str]:
    """Return the codes starting with `prefix` (a literal: `%` and `_` match only themselves)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(Habitat.code).where(Habitat.code.like(f"{escaped}%", escape="\\")).order_by(Habitat.code)
    return list(session.scalars(query))


def dwellings_by_habitat(session: Session, habitat_ids: list[int]) -> dict[int, list[Dwelling]]:
    """Return the logements of each habitat in `habitat_ids` that has any, ordered by reference."""
    found: dict[int, list[Dwelling]] = {}
    for chunk in _chunks(list(dict.fromkeys(habitat_ids))):
        query = select(Dwelling).where(Dwelling.habitat_id.in_(chunk)).order_by(Dwelling.reference, Dwelling.id)
        for dwelling in session.scalars(query):
            found.setdefault(dwelling.habitat_id, []).append(dwelling)
    return found


def premises_by_habitat(session: Session, habitat_ids: list[int]) -> dict[int, list[Premises]]:
    """Return the locaux of each habitat in `habitat_ids` that has any, ordered by name."""
    found: dict[int, list[Premises]] = {}
    for chunk in _chunks(list(dict.fromkeys(habitat_ids))):
        query = select(Premises).where(Premises.habitat_id.in_(chunk)).order_by(Premises.name, Premises.id)
        for premises in session.scalars(query):
            found.setdefault(premises.habitat_id, []).append(premises)
    return found


def habitat_deletion_counts(session: Session, habitat_id: int) -> dict[str, int]:
    """Count what deleting a habitat removes (logements, locaux, contacts simples, links) and the contacts multiples it unlinks."""
    link_filter = ContactLink.habitat_id == habitat_id
    return {
        "dwellings": session.scalar(select(func.count()).where(Dwelling.habitat_id == habitat_id)) or 0,
        "premises": session.scalar(select(func.count()).where(Premises.habitat_id == habitat_id)) or 0,
        "simple_contacts": session.scalar(
            select(func.count()).where(Contact.habitat_id == habitat_id, Contact.is_multiple.is_(False))
        ) or 0,
        "links": session.scalar(select(func.count()).where(link_filter)) or 0,
        "multiple_contacts": session.scalar(select(func.count(func.distinct(ContactLink.contact_id))).where(link_filter)) or 0,
    }

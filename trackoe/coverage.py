"""Queries of the coverage dashboard: filters, covering contacts, headline figures, matrix, charts and map.

Definition used by every figure, cell, list, chart and export of the dashboard:

- A link is **current** on `today` when its end date is empty or after `today`
  (`repository.current_link_condition`).
- A habitat **covers** a role R when one of these exists. The first is a current link with
  role R, from a non-archived contact multiple, to the habitat or to one of its logements
  or locaux. The second is a non-archived contact simple of the habitat whose type de
  contact has the label R.
- The habitats counted are the non-archived ones that match the filters (landlord,
  commune or Paris arrondissement, start of the postcode).

Functions take a session and neither open nor commit one. Everything is counted in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session

from trackoe.domain import CONTACT_TYPE_LABELS
from trackoe.models import Contact, ContactLink, Habitat
from trackoe.normalise import search_key
from trackoe.repository import current_link_condition

# Paris postcodes and the arrondissement each one serves (75116 is the north of the 16th).
PARIS_ARRONDISSEMENTS: dict[str, str] = {
    f"750{number:02d}": f"Paris {number}{'er' if number == 1 else 'e'}" for number in range(1, 21)
}
PARIS_ARRONDISSEMENTS["75116"] = "Paris 16e"

NO_LANDLORD = "(sans bailleur)"
NO_AREA = "(sans commune)"

# Buckets of the chart "habitats by number of current contacts": 0, 1, ..., and this value or more.
CONTACT_COUNT_CAP = 10

_TYPE_VALUE_BY_LABEL: dict[str, str] = {label: contact_type.value for contact_type, label in CONTACT_TYPE_LABELS.items()}


@dataclass(frozen=True)
class CoverageFilters:
    """The dashboard's filters. Empty strings filter nothing; `gaps_only` narrows the matrix and map."""

    landlord: str = ""
    area: str = ""
    postcode: str = ""
    gaps_only: bool = False

    @property
    def narrows_habitats(self) -> bool:
        return bool(self.landlord or self.area or self.postcode.strip())


def area_column() -> ColumnElement[str]:
    """Return the SQL expression of a habitat's commune, or its arrondissement for a Paris postcode ("Paris 12e")."""
    return case(
        PARIS_ARRONDISSEMENTS,
        value=Habitat.postcode,
        else_=func.coalesce(Habitat.city, literal(NO_AREA)),
    )


def landlord_column() -> ColumnElement[str]:
    return func.coalesce(Habitat.landlord_name, literal(NO_LANDLORD))


def habitat_conditions(filters: CoverageFilters, *, include_archived: bool = False) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions on `Habitat` of the habitats the dashboard counts."""
    conditions: list[ColumnElement[bool]] = [] if include_archived else [Habitat.archived_at.is_(None)]
    if filters.landlord:
        if filters.landlord == NO_LANDLORD:
            conditions.append(Habitat.landlord_name.is_(None))
        else:
            conditions.append(Habitat.landlord_name == filters.landlord)
    if filters.area:
        conditions.append(area_column() == filters.area)
    postcode = "".join(character for character in filters.postcode if character.isdigit())[:5]
    if postcode:
        conditions.append(Habitat.postcode.like(f"{postcode}%"))
    return conditions


def filter_options(session: Session) -> tuple[list[str], list[str]]:
    """Return the landlords and the communes or arrondissements of the non-archived habitats, sorted."""
    landlord = landlord_column()
    landlords = session.scalars(select(landlord).distinct().where(Habitat.archived_at.is_(None))).all()
    area = area_column()
    areas = session.scalars(select(area).distinct().where(Habitat.archived_at.is_(None))).all()
    # Sorted here, not in SQL, so the order is the same whatever the database's collation.
    return sorted(landlords, key=_french_order), sorted(areas, key=_area_order)


def _french_order(text: str) -> tuple[str, str]:
    return (search_key(text), text)


def _area_order(text: str) -> tuple[int, int, str]:
    # Paris arrondissements in their numeric order, then the communes alphabetically.
    if text.startswith("Paris ") and text[6:].rstrip("er").isdigit():
        return (0, int(text[6:].rstrip("er")), "")
    return (1, 0, _french_order(text)[0])


def active_contact(contact_id) -> ColumnElement[bool]:
    """Return the condition that the contact `contact_id` is not archived, without joining `contact`.

    Archived contacts are few: the database collects their ids once (through
    ix_contact_archived) instead of looking up every link's contact.
    """
    return contact_id.not_in(select(Contact.id).where(Contact.archived_at.is_not(None)))


def counted_habitat(habitat_id, filters: CoverageFilters) -> ColumnElement[bool]:
    """Return the condition that the habitat `habitat_id` is counted under `filters`, without joining `habitat`.

    Without habitat filters this leaves out the few archived habitats, as `active_contact`
    does for contacts, so the database need not look up every link's habitat.
    """
    if not filters.narrows_habitats:
        return habitat_id.not_in(select(Habitat.id).where(Habitat.archived_at.is_not(None)))
    return habitat_id.in_(select(Habitat.id).where(*habitat_conditions(filters)))


def covering_contacts(roles: Sequence[str], today: dt.date) -> Select:
    """Return a SELECT of (habitat_id, role, contact_id): each contact covering one of `roles` for a habitat.

    A contact multiple linked twice with one role to one habitat appears twice; count distinct ids.
    """
    via_links = (
        select(
            ContactLink.habitat_id.label("habitat_id"),
            ContactLink.role.label("role"),
            ContactLink.contact_id.label("contact_id"),
        )
        .where(ContactLink.role.in_(list(roles)), current_link_condition(today), active_contact(ContactLink.contact_id))
    )
    labels_by_type = {_TYPE_VALUE_BY_LABEL[role]: role for role in roles if role in _TYPE_VALUE_BY_LABEL}
    if not labels_by_type:
        return via_links
    own = select(
        Contact.habitat_id.label("habitat_id"),
        case(labels_by_type, value=Contact.contact_type).label("role"),
        Contact.id.label("contact_id"),
    ).where(
        Contact.is_multiple.is_(False),
        Contact.contact_type.in_(list(labels_by_type)),
        Contact.archived_at.is_(None),
    )
    return union_all(via_links, own)


def covered_role_counts(roles: Sequence[str], today: dt.date):
    """Return a subquery (habitat_id, covered): how many of `roles` each covered habitat covers."""
    pairs = covering_contacts(roles, today).subquery("pairs")
    return (
        select(pairs.c.habitat_id, func.count(distinct(pairs.c.role)).label("covered"))
        .group_by(pairs.c.habitat_id)
        .subquery("covered")
    )


def gap_condition(roles: Sequence[str], today: dt.date) -> ColumnElement[bool]:
    """Return the condition of a habitat that misses at least one of `roles`."""
    counts = covered_role_counts(roles, today)
    complete = select(counts.c.habitat_id).where(counts.c.covered >= len(roles))
    return Habitat.id.not_in(complete)


def missing_role_condition(role: str, today: dt.date) -> ColumnElement[bool]:
    """Return the condition of a habitat that does not cover `role`."""
    pairs = covering_contacts([role], today).subquery("pairs")
    return Habitat.id.not_in(select(pairs.c.habitat_id))


@dataclass(frozen=True)
class HeadlineCounts:
    habitats: int
    dwellings: int
    contacts_multiples: int
    contacts_simples: int
    current_links: int
    covered_by_role: dict[str, int]


def headline(session: Session, filters: CoverageFilters, roles: Sequence[str], today: dt.date) -> HeadlineCounts:
    """Return the headline figures of the habitats matching `filters` (see the module's definitions).

    Contacts simples and current links count only non-archived contacts of counted habitats.
    Contacts multiples are every non-archived one without habitat filters, and those with a
    current link to a counted habitat otherwise.
    """
    conditions = habitat_conditions(filters)
    habitats, dwellings = session.execute(
        select(func.count(Habitat.id), func.coalesce(func.sum(Habitat.dwelling_count), 0)).where(*conditions)
    ).one()

    # One pass over the contacts for both counts of non-archived contacts.
    simples, every_multiple = session.execute(
        select(
            func.count(Contact.id).filter(Contact.is_multiple.is_(False), counted_habitat(Contact.habitat_id, filters)),
            func.count(Contact.id).filter(Contact.is_multiple.is_(True)),
        ).where(Contact.archived_at.is_(None))
    ).one()
    live_links = (
        select(ContactLink.contact_id)
        .where(
            current_link_condition(today),
            active_contact(ContactLink.contact_id),
            counted_habitat(ContactLink.habitat_id, filters),
        )
        .subquery()
    )
    if filters.narrows_habitats:
        links, multiples = session.execute(
            select(func.count(), func.count(distinct(live_links.c.contact_id)))
        ).one()
    else:
        links = session.scalar(select(func.count()).select_from(live_links))
        multiples = every_multiple

    covered: dict[str, int] = {role: 0 for role in roles}
    if roles:
        pairs = covering_contacts(roles, today).subquery("pairs")
        query = (
            select(pairs.c.role, func.count(distinct(pairs.c.habitat_id)))
            .where(counted_habitat(pairs.c.habitat_id, filters))
            .group_by(pairs.c.role)
        )
        covered.update({role: count for role, count in session.execute(query)})
    return HeadlineCounts(
        habitats=habitats or 0,
        dwellings=int(dwellings or 0),
        contacts_multiples=multiples or 0,
        contacts_simples=simples or 0,
        current_links=links or 0,
        covered_by_role=covered,
    )

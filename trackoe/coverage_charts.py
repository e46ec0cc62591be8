"""Grouped queries behind the dashboard's charts. Coverage follows the definitions of `trackoe.coverage`.

Functions take a session and neither open nor commit one; every figure is a SQL GROUP BY.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import case, distinct, func, select, union_all
from sqlalchemy.orm import Session

from trackoe.coverage import (
    CONTACT_COUNT_CAP,
    CoverageFilters,
    active_contact,
    area_column,
    counted_habitat,
    covering_contacts,
    habitat_conditions,
    landlord_column,
)
from trackoe.models import Contact, ContactLink, Habitat
from trackoe.repository import current_link_condition

GROUP_BY_LANDLORD = "landlord"
GROUP_BY_AREA = "area"


def contacts_by_type(session: Session) -> list[tuple[str, bool, int]]:
    """Return (contact type value, is multiple, count) of the non-archived contacts; habitat filters do not apply."""
    query = (
        select(Contact.contact_type, Contact.is_multiple, func.count(Contact.id))
        .where(Contact.archived_at.is_(None))
        .group_by(Contact.contact_type, Contact.is_multiple)
    )
    return [(contact_type, bool(is_multiple), count) for contact_type, is_multiple, count in session.execute(query)]


def habitats_by_contact_count(session: Session, filters: CoverageFilters, today: dt.date) -> dict[int, int]:
    """Return {number of current contacts: number of counted habitats}, the last bucket being CONTACT_COUNT_CAP or more.

    A habitat's current contacts are its non-archived contacts simples and the distinct
    non-archived contacts multiples currently linked to it, as on its CONTACT tab.
    """
    # The outer join below keeps only the counted habitats, so without habitat filters the
    # inner counts skip the per-row habitat check. A filter still narrows them early.
    linked_scope = [counted_habitat(ContactLink.habitat_id, filters)] if filters.narrows_habitats else []
    owned_scope = [counted_habitat(Contact.habitat_id, filters)] if filters.narrows_habitats else []
    linked = (
        select(ContactLink.habitat_id.label("habitat_id"), func.count(distinct(ContactLink.contact_id)).label("n"))
        .where(
            current_link_condition(today),
            active_contact(ContactLink.contact_id),
            *linked_scope,
        )
        .group_by(ContactLink.habitat_id)
    )
    owned = (
        select(Contact.habitat_id.label("habitat_id"), func.count(Contact.id).label("n"))
        .where(
            Contact.is_multiple.is_(False),
            Contact.archived_at.is_(None),
            *owned_scope,
        )
        .group_by(Contact.habitat_id)
    )
    parts = union_all(linked, owned).subquery("parts")
    per_habitat = (
        select(parts.c.habitat_id, func.sum(parts.c.n).label("n")).group_by(parts.c.habitat_id).subquery("per_habitat")
    )
    contacts = func.coalesce(per_habitat.c.n, 0)
    bucket = case((contacts >= CONTACT_COUNT_CAP, CONTACT_COUNT_CAP), else_=contacts).label("bucket")
    query = (
        select(bucket, func.count(Habitat.id))
        .select_from(Habitat)
        .outerjoin(per_habitat, per_habitat.c.habitat_id == Habitat.id)
        .where(*habitat_conditions(filters))
        .group_by(bucket)
    )
    return {int(value): count for value, count in session.execute(query)}


def coverage_by_group(
    session: Session, filters: CoverageFilters, roles: Sequence[str], today: dt.date, group_by: str
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Return the counted habitats per landlord (or commune/arrondissement) and, per (group, role), how many cover the role."""
    group = landlord_column() if group_by == GROUP_BY_LANDLORD else area_column()
    conditions = habitat_conditions(filters)
    habitats = {
        name: count
        for name, count in session.execute(select(group, func.count(Habitat.id)).where(*conditions).group_by(group))
    }
    covered: dict[tuple[str, str], int] = {}
    if roles:
        pairs = covering_contacts(roles, today).subquery("pairs")
        query = (
            select(group, pairs.c.role, func.count(distinct(Habitat.id)))
            .select_from(pairs)
            .join(Habitat, Habitat.id == pairs.c.habitat_id)
            .where(*conditions)
            .group_by(group, pairs.c.role)
        )
        covered = {(name, role): count for name, role, count in session.execute(query)}
    return habitats, covered

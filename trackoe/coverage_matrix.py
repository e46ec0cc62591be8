"""Queries of the coverage matrix and the map: habitats down the side, required roles across.

Coverage follows the definition of `trackoe.coverage`. Functions take a session and neither
open nor commit one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import distinct, func, literal, select
from sqlalchemy.orm import Session

from trackoe.coverage import (
    CoverageFilters,
    area_column,
    covered_role_counts,
    covering_contacts,
    gap_condition,
    habitat_conditions,
)
from trackoe.models import Contact, Habitat

IN_LIST_CHUNK_SIZE = 500


@dataclass(frozen=True)
class Cell:
    """Coverage of one role of one habitat: the number of covering contacts and the lowest of their ids."""

    count: int
    first_contact_id: int | None


@dataclass(frozen=True)
class MatrixHabitat:
    id: int
    code: str
    name: str
    postcode: str
    area: str
    landlord: str
    cells: dict[str, Cell]


def matrix_conditions(filters: CoverageFilters, roles: Sequence[str], today: dt.date) -> list:
    conditions = habitat_conditions(filters)
    if filters.gaps_only and roles:
        conditions.append(gap_condition(roles, today))
    return conditions


def matrix_page(
    session: Session,
    filters: CoverageFilters,
    roles: Sequence[str],
    today: dt.date,
    *,
    offset: int | None,
    limit: int | None,
) -> tuple[list[MatrixHabitat], int]:
    """Return the matrix rows in name order (one page, or all when `limit` is None) and the count of all rows."""
    conditions = matrix_conditions(filters, roles, today)
    query = (
        select(Habitat.id, Habitat.code, Habitat.name, Habitat.postcode, area_column(), Habitat.landlord_name)
        .where(*conditions)
        .order_by(Habitat.sort_key, Habitat.id)
    )
    if limit is not None:
        query = query.offset(offset or 0).limit(limit)
    habitat_rows = session.execute(query).all()
    total = session.scalar(select(func.count(Habitat.id)).where(*conditions)) or 0

    if limit is None:
        scope = select(Habitat.id).where(*conditions)
        cells = _cells(session, roles, today, scope)
    else:
        ids = [row[0] for row in habitat_rows]
        cells = {}
        for start in range(0, len(ids), IN_LIST_CHUNK_SIZE):
            cells.update(_cells(session, roles, today, ids[start : start + IN_LIST_CHUNK_SIZE]))

    rows = [
        MatrixHabitat(
            id=habitat_id,
            code=code,
            name=name,
            postcode=postcode or "",
            area=area or "",
            landlord=landlord or "",
            cells={role: cells.get((habitat_id, role), Cell(0, None)) for role in roles},
        )
        for habitat_id, code, name, postcode, area, landlord in habitat_rows
    ]
    return rows, total


def _cells(session: Session, roles: Sequence[str], today: dt.date, habitat_ids) -> dict[tuple[int, str], Cell]:
    """Return the cell of every covered (habitat, role) pair of the habitats `habitat_ids` (a list or a SELECT)."""
    if not roles:
        return {}
    pairs = covering_contacts(roles, today).subquery("pairs")
    query = (
        select(
            pairs.c.habitat_id,
            pairs.c.role,
            func.count(distinct(pairs.c.contact_id)),
            func.min(pairs.c.contact_id),
        )
        .where(pairs.c.habitat_id.in_(habitat_ids))
        .group_by(pairs.c.habitat_id, pairs.c.role)
    )
    return {
        (habitat_id, role): Cell(count, first_id)
        for habitat_id, role, count, first_id in session.execute(query)
    }


def contact_names(session: Session, contact_ids: Sequence[int]) -> dict[int, tuple[str | None, str | None, str | None]]:
    """Return (last name, first name, raison sociale) of each contact in `contact_ids`."""
    found: dict[int, tuple[str | None, str | None, str | None]] = {}
    unique = list(dict.fromkeys(contact_ids))
    for start in range(0, len(unique), IN_LIST_CHUNK_SIZE):
        chunk = unique[start : start + IN_LIST_CHUNK_SIZE]
        query = select(Contact.id, Contact.last_name, Contact.first_name, Contact.company_name).where(
            Contact.id.in_(chunk)
        )
        for contact_id, last_name, first_name, company_name in session.execute(query):
            found[contact_id] = (last_name, first_name, company_name)
    return found


@dataclass(frozen=True)
class MapPointRow:
    habitat_id: int
    code: str
    name: str
    latitude: float
    longitude: float
    covered_roles: int


def map_points(session: Session, filters: CoverageFilters, roles: Sequence[str], today: dt.date) -> list[MapPointRow]:
    """Return every matrix habitat that has coordinates, with how many required roles it covers."""
    counts = covered_role_counts(roles, today) if roles else None
    conditions = [
        *matrix_conditions(filters, roles, today),
        Habitat.latitude.is_not(None),
        Habitat.longitude.is_not(None),
    ]
    columns = [Habitat.id, Habitat.code, Habitat.name, Habitat.latitude, Habitat.longitude]
    if counts is None:
        query = select(*columns, literal(0)).where(*conditions)
    else:
        query = (
            select(*columns, func.coalesce(counts.c.covered, 0))
            .outerjoin(counts, counts.c.habitat_id == Habitat.id)
            .where(*conditions)
        )
    query = query.order_by(Habitat.id)
    return [
        MapPointRow(habitat_id, code, name, latitude, longitude, covered or 0)
        for habitat_id, code, name, latitude, longitude, covered in session.execute(query)
    ]

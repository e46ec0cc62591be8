"""Use cases of the coverage dashboard: required roles, filters, figures, charts, map and matrix.

Each function runs one transaction, checks the actor's permission and returns plain data.
Coverage follows the definition in `trackoe.coverage`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from types import SimpleNamespace

from trackoe import coverage, coverage_charts, coverage_matrix, coverage_roles
from trackoe.coverage import CONTACT_COUNT_CAP, CoverageFilters
from trackoe.coverage_views import (
    GAP_TEXT,
    MATRIX_FIXED_COLUMNS,
    Charts,
    CountBar,
    FilterOptions,
    GroupCoverage,
    Headline,
    MapPoint,
    MatrixRow,
    RoleCoverage,
    Table,
    TableColumn,
)
from trackoe.domain import LINK_ROLES
from trackoe.errors import ValidationError
from trackoe.journal import AuditAction, record_event
from trackoe.permissions import Actor, Permission, require
from trackoe.records import contact_display_name, contact_type_label
from trackoe.services.transaction import Sessions, transaction
from trackoe.views import clamp_paging

logger = logging.getLogger(__name__)


def _today() -> dt.date:
    return dt.date.today()


def required_roles(sessions: Sessions, actor: Actor) -> list[str]:
    """Return the roles every habitat should cover (default: Gardien, Bailleur, Société de nettoyage)."""
    require(actor, Permission.READ)
    with transaction(sessions, "coverage.required_roles") as session:
        return coverage_roles.load_required_roles(session)


def set_required_roles(sessions: Sessions, actor: Actor, roles: Sequence[str]) -> list[str]:
    """Store the required roles (administrateurs only) and journal the change; return them as stored."""
    require(actor, Permission.MANAGE_SETTINGS)
    unknown = [role for role in roles if role not in LINK_ROLES]
    if unknown:
        raise ValidationError({"required_roles": f"Rôle inconnu : {unknown[0]}."})
    cleaned = coverage_roles.clean_roles(roles)
    if not cleaned:
        raise ValidationError({"required_roles": "Choisissez au moins un rôle requis."})

    with transaction(sessions, "coverage.set_required_roles") as session:
        before = coverage_roles.load_required_roles(session)
        coverage_roles.save_required_roles(session, cleaned)
        record_event(
            session,
            actor,
            AuditAction.SETTINGS_UPDATE,
            "setting",
            None,
            summary="Rôles requis de la couverture : " + ", ".join(cleaned),
            changes={coverage_roles.REQUIRED_ROLES_KEY: [before, cleaned]},
        )
    logger.info("User %s set the required roles to %s", actor.user_id, cleaned)
    return cleaned


def filter_options(sessions: Sessions, actor: Actor) -> FilterOptions:
    """Return the choices of the filters (landlords, communes or arrondissements) and the required roles."""
    require(actor, Permission.READ)
    with transaction(sessions, "coverage.filter_options") as session:
        landlords, areas = coverage.filter_options(session)
        return FilterOptions(landlords, areas, coverage_roles.load_required_roles(session))


def headline(sessions: Sessions, actor: Actor, filters: CoverageFilters) -> Headline:
    """Return the headline figures and the share of habitats covered for each required role."""
    require(actor, Permission.READ)
    with transaction(sessions, "coverage.headline") as session:
        roles = coverage_roles.load_required_roles(session)
        counts = coverage.headline(session, filters, roles, _today())
        return Headline(
            habitats=counts.habitats,
            dwellings=counts.dwellings,
            contacts_multiples=counts.contacts_multiples,
            contacts_simples=counts.contacts_simples,
            current_links=counts.current_links,
            coverage=[RoleCoverage(role, counts.covered_by_role.get(role, 0), counts.habitats) for role in roles],
        )


def charts(sessions: Sessions, actor: Actor, filters: CoverageFilters, group_by: str) -> Charts:
    """Return the data of the three charts; `group_by` is "landlord" or "area" for the coverage chart."""
    require(actor, Permission.READ)
    today = _today()
    with transaction(sessions, "coverage.charts") as session:
        roles = coverage_roles.load_required_roles(session)
        by_type = [
            CountBar(contact_type_label(value), "Contact multiple" if is_multiple else "Contact simple", count)
            for value, is_multiple, count in coverage_charts.contacts_by_type(session)
        ]
        buckets = coverage_charts.habitats_by_contact_count(session, filters, today)
        by_count = [
            CountBar(f"{value}+" if value == CONTACT_COUNT_CAP else str(value), "", buckets.get(value, 0))
            for value in range(CONTACT_COUNT_CAP + 1)
        ]
        habitats, covered = coverage_charts.coverage_by_group(session, filters, roles, today, group_by)
        by_group = [
            GroupCoverage(group, role, count, covered.get((group, role), 0))
            for group, count in sorted(habitats.items(), key=lambda item: (-item[1], item[0]))
            for role in roles
        ]
        return Charts(sorted(by_type, key=lambda bar: (-bar.count, bar.label, bar.series)), by_count, by_group)


def map_points(sessions: Sessions, actor: Actor, filters: CoverageFilters) -> list[MapPoint]:
    """Return the habitats of the matrix that carry coordinates, each with its coverage ("2/3 rôles")."""
    require(actor, Permission.READ)
    with transaction(sessions, "coverage.map") as session:
        roles = coverage_roles.load_required_roles(session)
        return [
            MapPoint(
                point.habitat_id,
                point.code,
                point.name,
                point.latitude,
                point.longitude,
                f"{point.covered_roles}/{len(roles)} rôles",
            )
            for point in coverage_matrix.map_points(session, filters, roles, _today())
        ]


def matrix(sessions: Sessions, actor: Actor, filters: CoverageFilters, page: int | None, page_size: int = 0) -> Table:
    """Return one page of the coverage matrix, or every row when `page` is None (for an export).

    A cell contains the covering contact's name, "n contacts" when several cover the role,
    or GAP_TEXT when none does.
    """
    require(actor, Permission.READ)
    today = _today()
    with transaction(sessions, "coverage.matrix") as session:
        roles = coverage_roles.load_required_roles(session)
        if page is None:
            habitats, total = coverage_matrix.matrix_page(session, filters, roles, today, offset=None, limit=None)
            page, page_size = 1, 0
        else:
            page, page_size = clamp_paging(page, page_size)
            habitats, total = coverage_matrix.matrix_page(
                session, filters, roles, today, offset=(page - 1) * page_size, limit=page_size
            )

        single_ids = [
            cell.first_contact_id for habitat in habitats for cell in habitat.cells.values() if cell.count == 1
        ]
        names = coverage_matrix.contact_names(session, single_ids)

        def cell_text(cell: coverage_matrix.Cell) -> str:
            if cell.count == 0:
                return GAP_TEXT
            if cell.count > 1:
                return f"{cell.count} contacts"
            last_name, first_name, company_name = names.get(cell.first_contact_id, (None, None, None))
            person = SimpleNamespace(last_name=last_name, first_name=first_name, company_name=company_name)
            return contact_display_name(person)

        rows = [
            MatrixRow(
                id=habitat.id,
                code=habitat.code,
                name=habitat.name,
                postcode=habitat.postcode,
                area=habitat.area,
                landlord=habitat.landlord,
                cells=tuple(cell_text(habitat.cells[role]) for role in roles),
                gaps=tuple(habitat.cells[role].count == 0 for role in roles),
            )
            for habitat in habitats
        ]
        columns = [
            *MATRIX_FIXED_COLUMNS,
            *(TableColumn(f"role_{index}", role, width=170) for index, role in enumerate(roles)),
        ]
        return Table(columns, rows, total, page, page_size, extra={"roles": roles})

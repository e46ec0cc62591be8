"""Use cases of the dashboard's lists: one page (or every row, for an export) in one transaction.

`page=None` returns every row that matches, as the exports need. Coverage follows the
definition in `trackoe.coverage`.
"""

from __future__ import annotations

import datetime as dt

from trackoe import coverage_lists, coverage_roles
from trackoe.coverage import CoverageFilters
from trackoe.coverage_views import (
    GAP_HABITAT_COLUMNS,
    LINK_ANOMALY_COLUMNS,
    TOP_CONTACT_COLUMNS,
    UNLINKED_CONTACT_COLUMNS,
    ContactSummaryRow,
    GapHabitatRow,
    LinkAnomalyRow,
    Table,
)
from trackoe.errors import ValidationError
from trackoe.models import Contact
from trackoe.permissions import Actor, Permission, require
from trackoe.records import contact_address, contact_full_name, contact_phone_display, contact_type_label
from trackoe.services.transaction import Sessions, transaction
from trackoe.views import clamp_paging


def _paging(page: int | None, page_size: int) -> tuple[int, int, int, int | None]:
    """Return (page, page size, offset, limit); every row when `page` is None."""
    if page is None:
        return 1, 0, 0, None
    page, page_size = clamp_paging(page, page_size)
    return page, page_size, (page - 1) * page_size, page_size


def _date_text(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else ""


def _contact_row(contact: Contact, habitat_count: int = 0) -> ContactSummaryRow:
    return ContactSummaryRow(
        id=contact.id,
        contact_type=contact_type_label(contact.contact_type),
        company_name=contact.company_name or "",
        full_name=contact_full_name(contact),
        phone=contact_phone_display(contact),
        email=contact.email or "",
        address=contact_address(contact),
        habitat_count=habitat_count,
    )


def habitats_missing_role(
    sessions: Sessions, actor: Actor, filters: CoverageFilters, role: str, page: int | None, page_size: int = 0
) -> Table:
    """Return the habitats (matching the filters) that do not cover `role`, a required role."""
    require(actor, Permission.READ)
    page, page_size, offset, limit = _paging(page, page_size)
    with transaction(sessions, "coverage.habitats_missing_role") as session:
        if role not in coverage_roles.load_required_roles(session):
            raise ValidationError({"role": f"« {role} » n'est pas un rôle requis."})
        found, total = coverage_lists.habitats_missing_role(
            session, filters, role, dt.date.today(), offset=offset, limit=limit
        )
        rows = [
            GapHabitatRow(
                id=habitat_id,
                code=code,
                name=name,
                address=address or "",
                postcode=postcode or "",
                area=area or "",
                landlord=landlord or "",
                dwelling_count=dwelling_count,
            )
            for habitat_id, code, name, address, postcode, area, landlord, dwelling_count in found
        ]
        return Table(GAP_HABITAT_COLUMNS, rows, total, page, page_size)


def unlinked_contacts(sessions: Sessions, actor: Actor, page: int | None, page_size: int = 0) -> Table:
    """Return the non-archived contacts multiples with no current link (habitat filters do not apply)."""
    require(actor, Permission.READ)
    page, page_size, offset, limit = _paging(page, page_size)
    with transaction(sessions, "coverage.unlinked_contacts") as session:
        found, total = coverage_lists.unlinked_contacts(session, dt.date.today(), offset=offset, limit=limit)
        return Table(UNLINKED_CONTACT_COLUMNS, [_contact_row(contact) for contact in found], total, page, page_size)


def link_anomalies(sessions: Sessions, actor: Actor, filters: CoverageFilters, page: int | None, page_size: int = 0) -> Table:
    """Return the links to check: ended but still principal, and current links to archived habitats."""
    require(actor, Permission.READ)
    page, page_size, offset, limit = _paging(page, page_size)
    with transaction(sessions, "coverage.link_anomalies") as session:
        found, total = coverage_lists.link_anomalies(session, filters, dt.date.today(), offset=offset, limit=limit)
        rows = []
        for kind, link_id, contact_id, last_name, first_name, company, role, habitat_id, code, name, start, end in found:
            person = " ".join(part for part in ((last_name or "").upper(), first_name or "") if part)
            rows.append(
                LinkAnomalyRow(
                    id=link_id,
                    kind=kind,
                    contact_id=contact_id,
                    contact_name=person or company or "",
                    role=role,
                    habitat_id=habitat_id,
                    habitat_code=code,
                    habitat_name=name,
                    start_date=_date_text(start),
                    end_date=_date_text(end),
                )
            )
        return Table(LINK_ANOMALY_COLUMNS, rows, total, page, page_size)


def top_contacts(sessions: Sessions, actor: Actor, filters: CoverageFilters, page: int | None, page_size: int = 0) -> Table:
    """Return the contacts multiples by number of habitats (matching the filters) they currently serve, most first."""
    require(actor, Permission.READ)
    page, page_size, offset, limit = _paging(page, page_size)
    with transaction(sessions, "coverage.top_contacts") as session:
        found, total = coverage_lists.top_contacts(session, filters, dt.date.today(), offset=offset, limit=limit)
        rows = [_contact_row(contact, count) for contact, count in found]
        return Table(TOP_CONTACT_COLUMNS, rows, total, page, page_size)

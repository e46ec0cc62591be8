"""Plain read models that services return and pages render: nothing here touches the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Generic, TypeVar

RowT = TypeVar("RowT")

SORT_ORDERS = {
    "name": "Nom ou raison sociale",
    "type": "Type de contact",
    "habitats": "Nombre d'habitats (décroissant)",
    "recent": "Derniers créés",
}


@dataclass(frozen=True)
class ContactFilters:
    """The list's search and filter zone."""

    text: str = ""
    contact_types: tuple[str, ...] = ()
    habitat_id: int | None = None
    place: str = ""
    unlinked_only: bool = False
    include_archived: bool = False
    is_multiple: bool | None = True
    sort: str = "name"


MAX_PAGE_SIZE = 1000
MAX_PAGE_NUMBER = 1_000_000


def clamp_paging(page: int, page_size: int) -> tuple[int, int]:
    """Return `page` and `page_size` brought within 1..1,000,000 and 1..1,000, so any request maps to a valid query."""
    return min(max(1, page), MAX_PAGE_NUMBER), min(max(1, page_size), MAX_PAGE_SIZE)


@dataclass(frozen=True)
class ResultPage(Generic[RowT]):
    """One page of a paged search, with the count of every match."""

    rows: list[RowT]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class ContactRow:
    """A row of the contacts list."""

    id: int
    is_multiple: bool
    contact_type: str
    company_name: str
    full_name: str
    phone: str
    email: str
    address: str
    linked_habitat_count: int
    is_archived: bool


@dataclass(frozen=True)
class LinkView:
    """A rattachement as the contact page shows it."""

    id: int
    habitat_id: int
    habitat_code: str
    habitat_name: str
    habitat_address: str
    target: str
    role: str
    is_primary: bool
    start_date: dt.date | None
    end_date: dt.date | None
    is_current: bool


@dataclass(frozen=True)
class ContactDetail:
    """A contact with its form values, its display values and its links."""

    id: int
    is_multiple: bool
    contact_type: str
    civility: str | None
    last_name: str | None
    first_name: str | None
    company_name: str | None
    phone_landline: str | None
    phone_mobile: str | None
    email: str | None
    address_line1: str | None
    address_line2: str | None
    postcode: str | None
    city: str | None
    comment: str | None
    habitat_id: int | None
    habitat_label: str
    display_name: str
    is_archived: bool
    version: int
    links: list[LinkView] = field(default_factory=list)


@dataclass(frozen=True)
class HabitatRow:
    """A row of the habitats list."""

    id: int
    code: str
    name: str
    address: str
    postcode: str
    city: str
    landlord_name: str
    dwelling_count: int | None
    current_contact_count: int
    is_archived: bool = False


@dataclass(frozen=True)
class TargetOption:
    """A logement or local of a habitat, offered when narrowing a link."""

    kind: str
    id: int
    label: str


@dataclass(frozen=True)
class HabitatDetail:
    """A habitat's header with its logements and locaux."""

    id: int
    code: str
    name: str
    address_line: str
    postcode: str
    city: str
    landlord_name: str
    dwelling_count: int | None
    latitude: float | None
    longitude: float | None
    is_archived: bool
    dwellings: list[TargetOption] = field(default_factory=list)
    premises: list[TargetOption] = field(default_factory=list)


@dataclass(frozen=True)
class HabitatContactRow:
    """A current contact of a habitat, as the CONTACT tab lists it; `link_id` is None for a contact simple."""

    contact_id: int
    link_id: int | None
    is_multiple: bool
    contact_type: str
    display_name: str
    role: str
    target: str
    phone: str
    email: str
    is_primary: bool
    since: dt.date | None


@dataclass(frozen=True)
class HabitatDeletionImpact:
    """Counts of the records that deleting a habitat for good removes, and of the contacts multiples that stay but lose their links."""

    habitat_id: int
    code: str
    name: str
    dwellings: int
    premises: int
    simple_contacts: int
    links: int
    multiple_contacts: int

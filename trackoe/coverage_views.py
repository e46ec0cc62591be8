"""Plain read models of the coverage dashboard, and the columns each list shows and exports."""

from __future__ import annotations

from dataclasses import dataclass, field

from trackoe.coverage import CoverageFilters  # noqa: F401  (re-exported for pages)

GAP_TEXT = "Manquant"


@dataclass(frozen=True)
class TableColumn:
    """Column of a list: the row attribute, its French header, and whether it contains a number."""

    field: str
    header: str
    numeric: bool = False
    width: int | None = None


@dataclass(frozen=True)
class FilterOptions:
    landlords: list[str]
    areas: list[str]
    required_roles: list[str]


@dataclass(frozen=True)
class RoleCoverage:
    role: str
    covered: int
    habitats: int

    @property
    def share(self) -> float:
        return self.covered / self.habitats if self.habitats else 0.0


@dataclass(frozen=True)
class Headline:
    habitats: int
    dwellings: int
    contacts_multiples: int
    contacts_simples: int
    current_links: int
    coverage: list[RoleCoverage]


@dataclass(frozen=True)
class CountBar:
    """One bar of a chart: a label, an optional series, a count."""

    label: str
    series: str
    count: int


@dataclass(frozen=True)
class GroupCoverage:
    group: str
    role: str
    habitats: int
    covered: int

    @property
    def share(self) -> float:
        return self.covered / self.habitats if self.habitats else 0.0


@dataclass(frozen=True)
class Charts:
    contacts_by_type: list[CountBar]
    habitats_by_contact_count: list[CountBar]
    coverage_by_group: list[GroupCoverage]


@dataclass(frozen=True)
class MapPoint:
    habitat_id: int
    code: str
    name: str
    latitude: float
    longitude: float
    coverage: str


@dataclass(frozen=True)
class MatrixRow:
    """A habitat of the matrix; `cells` hold one text per required role, in the roles' order."""

    id: int
    code: str
    name: str
    postcode: str
    area: str
    landlord: str
    cells: tuple[str, ...]
    gaps: tuple[bool, ...]

    def value(self, column: str) -> object:
        if column.startswith("role_"):
            return self.cells[int(column[5:])]
        return getattr(self, column)


@dataclass(frozen=True)
class GapHabitatRow:
    id: int
    code: str
    name: str
    address: str
    postcode: str
    area: str
    landlord: str
    dwelling_count: int | None


@dataclass(frozen=True)
class ContactSummaryRow:
    id: int
    contact_type: str
    company_name: str
    full_name: str
    phone: str
    email: str
    address: str
    habitat_count: int = 0


@dataclass(frozen=True)
class LinkAnomalyRow:
    id: int
    kind: str
    contact_id: int
    contact_name: str
    role: str
    habitat_id: int
    habitat_code: str
    habitat_name: str
    start_date: str
    end_date: str


@dataclass(frozen=True)
class Table:
    """Rows ready for the screen and the exports: the same columns, the same values."""

    columns: list[TableColumn]
    rows: list
    total: int
    page: int = 1
    page_size: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        if not self.page_size:
            return 1
        return max(1, -(-self.total // self.page_size))

    def values(self) -> list[list[object]]:
        """Return each row's values in column order, as the exports write them."""
        return [[_value(row, column.field) for column in self.columns] for row in self.rows]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


def _value(row, name: str) -> object:
    if isinstance(row, MatrixRow):
        return row.value(name)
    return getattr(row, name)


MATRIX_FIXED_COLUMNS = [
    TableColumn("code", "Code", width=110),
    TableColumn("name", "Habitat", width=240),
    TableColumn("postcode", "Code postal", width=100),
    TableColumn("area", "Commune ou arrondissement", width=160),
    # Not "Bailleur", which is also a role column: the landlord named on the habitat's record.
    TableColumn("landlord", "Bailleur de l'habitat", width=160),
]

GAP_HABITAT_COLUMNS = [
    TableColumn("code", "Code", width=110),
    TableColumn("name", "Habitat", width=240),
    TableColumn("address", "Adresse", width=240),
    TableColumn("postcode", "Code postal", width=100),
    TableColumn("area", "Commune ou arrondissement", width=160),
    TableColumn("landlord", "Bailleur", width=160),
    TableColumn("dwelling_count", "Logements", numeric=True, width=100),
]

UNLINKED_CONTACT_COLUMNS = [
    TableColumn("contact_type", "Type de contact", width=160),
    TableColumn("company_name", "Raison sociale", width=200),
    TableColumn("full_name", "Nom et prénom", width=200),
    TableColumn("phone", "Téléphone", width=180),
    TableColumn("email", "Mail", width=220),
    TableColumn("address", "Adresse", width=260),
]

TOP_CONTACT_COLUMNS = [
    TableColumn("habitat_count", "Habitats", numeric=True, width=100),
    *UNLINKED_CONTACT_COLUMNS[:5],
]

LINK_ANOMALY_COLUMNS = [
    TableColumn("kind", "Anomalie", width=200),
    TableColumn("contact_name", "Contact", width=200),
    TableColumn("role", "Rôle", width=150),
    TableColumn("habitat_code", "Code habitat", width=110),
    TableColumn("habitat_name", "Habitat", width=220),
    TableColumn("start_date", "Début", width=100),
    TableColumn("end_date", "Fin", width=100),
]

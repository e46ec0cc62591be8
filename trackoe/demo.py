"""Demo data: habitats with logements and locaux, and the contacts around them, reproducible from a seed.

Names come from Faker's fr_FR provider plus a few names with apostrophes and hyphens;
places are real communes with their postcodes and approximate centres. Phones are random
numbers that pass phonenumbers' validation, so they look real but may belong to someone:
keep demo data out of production databases. Emails use the domains reserved for examples.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import phonenumbers
from faker import Faker
from sqlalchemy.orm import Session

from trackoe import repository
from trackoe.domain import PREMISES_KINDS, Civility, ContactType
from trackoe.importer import ImportReport, link_landlords_in_session
from trackoe.models import Contact, ContactLink, Dwelling, Habitat, Premises
from trackoe.normalise import phone_to_e164, search_key
from trackoe.records import refresh_contact_keys, refresh_habitat_keys
from trackoe.services.transaction import Sessions, transaction

logger = logging.getLogger(__name__)

DEFAULT_SEED = 2024
DEFAULT_HABITAT_COUNT = 120
DEMO_CODE_PREFIX = "DEMO-"

# Share of habitats left without a caretaker, and without a cleaning company.
CARETAKER_GAP_SHARE = 0.15
CLEANING_GAP_SHARE = 0.10
# Share of habitats that belong to a copropriété and so have a syndic.
SYNDIC_SHARE = 0.35
# Share of names drawn from NOTABLE_LAST_NAMES instead of Faker's list.
NOTABLE_NAME_SHARE = 0.12


@dataclass(frozen=True)
class Commune:
    name: str
    postcode: str
    latitude: float
    longitude: float
    weight: int


# Real communes with one of their postcodes and the approximate coordinates of their centre.
COMMUNES: tuple[Commune, ...] = (
    Commune("Gap", "05000", 44.5594, 6.0786, 14),
    Commune("Briançon", "05100", 44.8986, 6.6435, 6),
    Commune("Embrun", "05200", 44.5640, 6.4956, 4),
    Commune("Manosque", "04100", 43.8337, 5.7836, 6),
    Commune("Digne-les-Bains", "04000", 44.0925, 6.2356, 5),
    Commune("Grenoble", "38000", 45.1885, 5.7245, 14),
    Commune("Échirolles", "38130", 45.1436, 5.7189, 8),
    Commune("L'Isle-d'Abeau", "38080", 45.6197, 5.2267, 4),
    Commune("Valence", "26000", 44.9334, 4.8924, 8),
    Commune("Lyon", "69008", 45.7340, 4.8690, 12),
    Commune("Villeurbanne", "69100", 45.7719, 4.8902, 8),
    Commune("Vénissieux", "69200", 45.6975, 4.8867, 6),
    Commune("Saint-Étienne", "42000", 45.4397, 4.3872, 8),
    Commune("Aix-en-Provence", "13090", 43.5297, 5.4474, 6),
    Commune("Marseille", "13013", 43.3480, 5.4320, 10),
)

# Fictional social landlords; each commune mostly deals with one of them.
LANDLORDS: tuple[str, ...] = (
    "Alpes Habitat Social",
    "Logis des Écrins",
    "Habitat Rhône-Durance",
    "Foyer Dauphinois",
    "Cité Nouvelle Provence",
    "OPH Val-de-Drôme",
)

RESIDENCE_PREFIXES = ("Résidence", "Résidence", "Cité", "Ensemble", "Les Jardins de", "Le Clos de")
RESIDENCE_PLACES = (
    "Les Tilleuls", "Les Peupliers", "Le Belvédère", "Les Érables", "Les Marronniers", "Le Parc",
    "Les Cèdres", "Les Acacias", "La Roseraie", "Les Glycines", "Beau Soleil", "Les Alpilles",
    "Le Mont-Blanc", "La Fontaine", "Les Coteaux", "Saint-Exupéry", "Jean Moulin", "Bellevue",
    "Les Lilas", "Val Fleuri", "Les Capucins", "L'Orée du Bois", "Les Écrins", "Le Vercors",
    "Les Mûriers", "La Chênaie", "Pré-Fleuri", "Les Hirondelles", "Le Lac", "Les Sables",
)
STREETS = (
    "rue Victor Hugo", "avenue Jean Jaurès", "rue de la République", "boulevard Gambetta",
    "allée des Lilas", "chemin des Vignes", "rue Pasteur", "place de la Libération",
    "rue du Général de Gaulle", "avenue des Alpes", "rue Jean-Jacques Rousseau",
    "impasse des Mûriers", "rue de l'Église", "avenue du 8 Mai 1945", "route de Grenoble",
    "rue des Écoles", "boulevard de la Libération", "rue Émile Zola", "rue d'Italie",
    "allée Georges Brassens", "rue Anatole France", "avenue Maréchal Foch", "rue des Prés",
)
BUILDINGS = ("A", "B", "C", "D")

# Names that test what the product must handle: accents, apostrophes, hyphens, particles.
NOTABLE_LAST_NAMES = (
    "Lefèvre", "N'Diaye", "Le Gall-Hénaff", "D'Almeida", "Côté", "Saint-Hilaire", "Nguyễn",
    "Éluard", "L'Hôpital", "De La Fontaine", "Müller", "Ben Saïd", "O'Neill", "Faÿ",
)
NOTABLE_FIRST_NAMES_FEMALE = ("Anne-Sophie", "Marie-Hélène", "Zoé", "Maëlle", "Inès", "Aïcha")
NOTABLE_FIRST_NAMES_MALE = ("Jean-Pierre", "François-Xavier", "Jérôme", "Noël", "Anaël", "Loïc")

CLEANING_COMPANY_NAMES = (
    "Propreté des Alpes", "Nett'Habitat", "Clair & Net Services", "Brillance Dauphiné",
    "Hygiène Rhône-Alpes", "Éclat Provence Nettoyage", "Net'Immeubles", "Azur Propreté",
)
SYNDIC_NAMES = (
    "Cabinet Roux Syndic", "Foncia-Lemoine Gestion", "Syndic des Trois Vallées",
    "Gestion Immobilière d'Oisans", "Cabinet Martin & Associés", "Régie du Parc",
)
ENTERPRISES = (
    ("Ascenseurs Durance Maintenance", "Local technique"),
    ("Serrurerie Girard & Fils", None),
    ("Alpes Dératisation", "Cave"),
    ("Tri'Collect Services", "Local poubelles"),
    ("Vélo'Abri Aménagement", "Local vélos"),
    ("Chauffage Sud-Est Énergie", "Local technique"),
)
UNLINKED_ORGANISATIONS = (
    (ContactType.SOCIETE, "Cabinet d'expertise Boyer"),
    (ContactType.ENTREPRISE, "Plomberie Lefort"),
    (ContactType.DIVERS, "Association Les P'tits Loups"),
    (ContactType.SOCIETE, "Assurances Mutuelles de l'Isère"),
    (ContactType.DIVERS, "Comité de quartier Bellevue"),
    (ContactType.ENTREPRISE, "Peinture & Déco Rivière"),
)
RESIDENT_COMMENTS = (
    "Préfère être appelé le matin.",
    "Ne répond pas aux SMS.",
    "Personne à mobilité réduite : prévenir avant une intervention.",
    "Présidente de l'amicale des locataires.",
    "Parle aussi anglais.",
)
PERSON_EMAIL_DOMAINS = ("example.org", "example.com", "example.net")

# phonenumbers 9.0.43 rejects 070 to 072 as mobile prefixes and accepts 073 to 079. A drawn
# number that it still rejects (part of the 06 range) is drawn again.
MOBILE_PREFIXES = ("06", "06", "06", "073", "074", "075", "076", "077", "078", "079")
LANDLINE_PREFIXES = ("01", "02", "03", "04", "05")


@dataclass
class DemoReport:
    """Counts of the contacts and links that generate_contacts created."""

    contacts_created: int = 0
    simple_contacts: int = 0
    multiple_contacts: int = 0
    links_created: int = 0
    ended_links: int = 0
    caretakers: int = 0
    habitats_without_caretaker: int = 0
    unlinked_contacts: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


@dataclass
class _Site:
    """A habitat with its logements and locaux, as input of the contact generator."""

    habitat: Habitat
    dwellings: list[Dwelling]
    premises: list[Premises]

    @property
    def group_key(self) -> str:
        return self.habitat.postcode or self.habitat.city or ""


class _PeopleFactory:
    """Draw French people, phones and emails from one seeded Faker and one seeded Random."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)

    def person(self) -> tuple[str, str, str]:
        """Return (civility, last name, first name)."""
        is_female = self.rng.random() < 0.5
        if self.rng.random() < NOTABLE_NAME_SHARE:
            last_name = self.rng.choice(NOTABLE_LAST_NAMES)
        else:
            last_name = self.fake.last_name()

        if self.rng.random() < NOTABLE_NAME_SHARE:
            first_names = NOTABLE_FIRST_NAMES_FEMALE if is_female else NOTABLE_FIRST_NAMES_MALE
            first_name = self.rng.choice(first_names)
        else:
            first_name = self.fake.first_name_female() if is_female else self.fake.first_name_male()

        civility = Civility.MADAME.value if is_female else Civility.MONSIEUR.value
        return civility, last_name, first_name

    def phone(self, mobile: bool) -> str:
        """Return a random valid French number in E.164."""
        prefixes = MOBILE_PREFIXES if mobile else LANDLINE_PREFIXES
        while True:
            prefix = self.rng.choice(prefixes)
            digits = prefix + "".join(str(self.rng.randrange(10)) for _ in range(10 - len(prefix)))
            try:
                return phone_to_e164(digits)
            except (phonenumbers.NumberParseException, ValueError):
                continue

    def person_email(self, first_name: str, last_name: str) -> str:
        local = f"{search_key(first_name)}.{search_key(last_name)}".replace(" ", "-")
        if self.rng.random() < 0.3:
            local += str(self.rng.randint(1, 99))
        return f"{local}@{self.rng.choice(PERSON_EMAIL_DOMAINS)}"

    def date_between(self, today: dt.date, min_days_ago: int, max_days_ago: int) -> dt.date:
        return today - dt.timedelta(days=self.rng.randint(min_days_ago, max_days_ago))


def organisation_email(company_name: str, mailbox: str = "contact") -> str:
    """Return an address at the organisation's own domain under the reserved `.example` top-level domain."""
    return f"{mailbox}@{search_key(company_name).replace(' ', '-')}.example"


# --- Habitats -----------------------------------------------------------------------------


def _next_demo_number(session: Session) -> int:
    numbers = [
        int(code[len(DEMO_CODE_PREFIX) :])
        for code in repository.habitat_codes_with_prefix(session, DEMO_CODE_PREFIX)
        if code[len(DEMO_CODE_PREFIX) :].isdigit()
    ]
    return max(numbers, default=0) + 1


def _residence_name(rng: random.Random, used: dict[str, int]) -> str:
    prefix = rng.choice(RESIDENCE_PREFIXES)
    place = rng.choice(RESIDENCE_PLACES)
    if prefix.endswith(" de"):
        # "Les Jardins de" + "Les Tilleuls" reads "Les Jardins des Tilleuls" in French.
        name = f"{prefix[:-3]} {_with_de(place)}"
    else:
        name = f"{prefix} {place}"

    used[name] = used.get(name, 0) + 1
    if used[name] > 1:
        name = f"{name} {_roman(used[name])}"
    return name


def _with_de(place: str) -> str:
    if place.startswith("Les "):
        return "des " + place[4:]
    if place.startswith("Le "):
        return "du " + place[3:]
    if place.startswith("La "):
        return "de la " + place[3:]
    if place.startswith("L'"):
        return "de l'" + place[2:]
    if place[0] in "AEIOUÉÈ":
        return "d'" + place
    return "de " + place


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, numeral in numerals:
        while number >= value:
            text += numeral
            number -= value
    return text


def _floor_label(floor: int) -> str:
    if floor == 0:
        return "RDC"
    if floor == 1:
        return "1er étage"
    return f"{floor}e étage"


def _new_habitat(people: _PeopleFactory, number: int, commune: Commune, landlord: str, used_names: dict[str, int]) -> Habitat:
    rng = people.rng
    street_number = rng.randint(1, 160)
    suffix = " bis" if rng.random() < 0.08 else ""
    habitat = Habitat(
        code=f"{DEMO_CODE_PREFIX}{number:04d}",
        name=_residence_name(rng, used_names),
        address_line=f"{street_number}{suffix} {rng.choice(STREETS)}",
        postcode=commune.postcode,
        city=commune.name,
        landlord_name=landlord,
        dwelling_count=rng.randint(8, 180),
        # About one kilometre around the centre.
        latitude=round(commune.latitude + rng.gauss(0, 0.008), 6),
        longitude=round(commune.longitude + rng.gauss(0, 0.011), 6),
    )
    refresh_habitat_keys(habitat)

    # A few logements only, as a sample: dwelling_count gives the real size.
    building_count = rng.randint(1, 3)
    target_count = rng.randint(3, 8)
    references: set[str] = set()
    while len(references) < target_count:
        building = rng.choice(BUILDINGS[:building_count])
        floor = rng.randint(0, 6)
        reference = f"{building}-{floor}{rng.randint(1, 14):02d}"
        if reference in references:
            continue
        references.add(reference)
        habitat.dwellings.append(
            Dwelling(reference=reference, building=f"Bâtiment {building}", floor=_floor_label(floor))
        )

    # Every habitat has a bin room: the operator sorts waste there.
    other_kinds = [kind for kind in PREMISES_KINDS if kind != "Local poubelles"]
    for kind in ["Local poubelles", *rng.sample(other_kinds, rng.randint(0, 3))]:
        habitat.premises.append(Premises(name=kind, kind=kind))
    return habitat


def _complete_landlord(contact: Contact, people: _PeopleFactory, head_office: Habitat) -> None:
    """Give a landlord contact that has only its raison sociale a phone, an email and an address."""
    if contact.phone_landline or contact.email or not contact.company_name:
        return

    contact.phone_landline = people.phone(mobile=False)
    contact.email = organisation_email(contact.company_name, "accueil")
    contact.address_line1 = f"{people.rng.randint(1, 90)} {people.rng.choice(STREETS)}"
    contact.postcode = head_office.postcode
    contact.city = head_office.city
    refresh_contact_keys(contact)


def generate_habitats(sessions: Sessions, count: int, seed: int) -> int:
    """Create `count` demo habitats (codes DEMO-0001 and on) with logements, locaux and landlords; return the count.

    Codes continue after the highest DEMO- code already stored, so a second call adds habitats.
    """
    people = _PeopleFactory(seed)
    rng = people.rng
    commune_landlords = {commune.name: LANDLORDS[index % len(LANDLORDS)] for index, commune in enumerate(COMMUNES)}

    with transaction(sessions, "generate_habitats") as session:
        first_number = _next_demo_number(session)
        used_names: dict[str, int] = {}
        habitats: list[Habitat] = []
        for number in range(first_number, first_number + count):
            commune = rng.choices(COMMUNES, weights=[commune.weight for commune in COMMUNES])[0]
            landlord = commune_landlords[commune.name] if rng.random() < 0.75 else rng.choice(LANDLORDS)
            habitats.append(_new_habitat(people, number, commune, landlord, used_names))

        session.add_all(habitats)
        session.flush()
        report = ImportReport()
        landlords = link_landlords_in_session(session, habitats, report, dt.date.today())
        for name, contact in landlords.items():
            head_office = next(habitat for habitat in habitats if habitat.landlord_name == name)
            _complete_landlord(contact, people, head_office)

    logger.info("Generated %s demo habitats (%s landlords created)", count, report.landlords_created)
    return count


# --- Contacts -----------------------------------------------------------------------------


def _distance(first: Habitat, second: Habitat) -> float:
    # Equirectangular approximation: enough to rank neighbours within one commune.
    dx = (first.longitude - second.longitude) * math.cos(math.radians(first.latitude))
    dy = first.latitude - second.latitude
    return dx * dx + dy * dy


def _has_coordinates(habitat: Habitat) -> bool:
    return habitat.latitude is not None and habitat.longitude is not None


def _spatial_order(sites: list[_Site]) -> list[_Site]:
    """Order sites so that neighbours follow each other: per postcode, a nearest-neighbour walk."""
    groups: dict[str, list[_Site]] = {}
    for site in sites:
        groups.setdefault(site.group_key, []).append(site)

    ordered: list[_Site] = []
    for key in sorted(groups):
        remaining = groups[key]
        located = [site for site in remaining if _has_coordinates(site.habitat)]
        unlocated = [site for site in remaining if not _has_coordinates(site.habitat)]

        walk: list[_Site] = []
        if located:
            walk.append(located.pop(0))
            while located:
                nearest = min(range(len(located)), key=lambda index: _distance(walk[-1].habitat, located[index].habitat))
                walk.append(located.pop(nearest))
        ordered.extend(walk + unlocated)
    return ordered


def _consecutive_groups(sites: list[_Site]) -> list[list[_Site]]:
    """Split an ordered list where the postcode (or commune) changes, so no run crosses two places."""
    groups: list[list[_Site]] = []
    for site in sites:
        if groups and groups[-1][-1].group_key == site.group_key:
            groups[-1].append(site)
        else:
            groups.append([site])
    return groups


def _split_runs(sites: list[_Site], rng: random.Random, sizes: Sequence[int]) -> list[list[_Site]]:
    """Cut an ordered list into consecutive runs whose lengths are drawn from `sizes`."""
    runs: list[list[_Site]] = []
    index = 0
    while index < len(sites):
        size = rng.choice(sizes)
        runs.append(sites[index : index + size])
        index += size
    return runs


class _ContactBuilder:
    """Build contacts and links in memory; the caller adds them to a session."""

    def __init__(self, people: _PeopleFactory, today: dt.date, report: DemoReport) -> None:
        self.people = people
        self.rng = people.rng
        self.today = today
        self.report = report
        self.contacts: list[Contact] = []

    def add(self, contact: Contact) -> Contact:
        refresh_contact_keys(contact)
        self.contacts.append(contact)
        self.report.contacts_created += 1
        if contact.is_multiple:
            self.report.multiple_contacts += 1
        else:
            self.report.simple_contacts += 1
        self.report.by_type[contact.contact_type] = self.report.by_type.get(contact.contact_type, 0) + 1
        return contact

    def person(self, contact_type: ContactType, *, habitat: Habitat | None = None, email_domain: str | None = None) -> Contact:
        civility, last_name, first_name = self.people.person()
        contact = Contact(
            is_multiple=habitat is None,
            habitat_id=habitat.id if habitat is not None else None,
            contact_type=contact_type.value,
            civility=civility,
            last_name=last_name,
            first_name=first_name,
        )
        if self.rng.random() < 0.85:
            contact.phone_mobile = self.people.phone(mobile=True)
        if self.rng.random() < 0.3 or contact.phone_mobile is None:
            contact.phone_landline = self.people.phone(mobile=False)
        if email_domain is not None:
            contact.email = f"{search_key(first_name)}.{search_key(last_name)}".replace(" ", "-") + f"@{email_domain}"
        elif self.rng.random() < 0.6:
            contact.email = self.people.person_email(first_name, last_name)
        return self.add(contact)

    def organisation(self, contact_type: ContactType, company_name: str, located_at: Habitat | None = None) -> Contact:
        """Add an organisation whose address, when given a habitat, is in the habitat's commune."""
        contact = Contact(
            is_multiple=True,
            contact_type=contact_type.value,
            company_name=company_name,
            phone_landline=self.people.phone(mobile=False),
            email=organisation_email(company_name),
        )
        if located_at is not None:
            contact.address_line1 = f"{self.rng.randint(1, 90)} {self.rng.choice(STREETS)}"
            contact.postcode = located_at.postcode
            contact.city = located_at.city
        return self.add(contact)

    def link(
        self,
        contact: Contact,
        site: _Site,
        role: ContactType,
        *,
        is_primary: bool = False,
        target: Dwelling | Premises | None = None,
        ended: bool = False,
    ) -> ContactLink:
        if ended:
            start = self.people.date_between(self.today, 1500, 4000)
            end = start + dt.timedelta(days=self.rng.randint(180, 1200))
            end = min(end, self.today - dt.timedelta(days=30))
            self.report.ended_links += 1
        else:
            start = self.people.date_between(self.today, 30, 3650)
            end = None

        link = ContactLink(
            habitat_id=site.habitat.id,
            dwelling_id=target.id if isinstance(target, Dwelling) else None,
            premises_id=target.id if isinstance(target, Premises) else None,
            role=role.label,
            is_primary=is_primary,
            start_date=start,
            end_date=end,
        )
        contact.links.append(link)
        self.report.links_created += 1
        return link


def _add_caretakers(builder: _ContactBuilder, ordered: list[_Site]) -> None:
    """Give each run of 1 to 3 neighbouring habitats one caretaker; leave about 15 % of habitats without."""
    rng = builder.rng
    gap_count = round(len(ordered) * CARETAKER_GAP_SHARE)
    gaps = set(rng.sample(range(len(ordered)), gap_count))
    covered = [site for index, site in enumerate(ordered) if index not in gaps]
    uncovered = [site for index, site in enumerate(ordered) if index in gaps]
    builder.report.habitats_without_caretaker = len(uncovered)

    runs: list[list[_Site]] = []
    for group in _consecutive_groups(covered):
        runs.extend(_split_runs(group, rng, (1, 2, 2, 3, 3)))

    for run in runs:
        landlord = run[0].habitat.landlord_name
        domain = organisation_email(landlord).split("@")[1] if landlord else None
        caretaker = builder.person(ContactType.GARDIEN, email_domain=domain)
        builder.report.caretakers += 1
        for site in run:
            builder.link(caretaker, site, ContactType.GARDIEN, is_primary=True)

        if rng.random() < 0.1:
            former = builder.person(ContactType.GARDIEN)
            for site in run:
                builder.link(former, site, ContactType.GARDIEN, ended=True)
            builder.report.unlinked_contacts += 1
            if rng.random() < 0.5:
                former.archived_at = dt.datetime.combine(builder.today, dt.time(9), tzinfo=dt.UTC)

    # A third of the gaps are habitats whose caretaker left and was not replaced.
    for site in uncovered[: len(uncovered) // 3]:
        former = builder.person(ContactType.GARDIEN)
        builder.link(former, site, ContactType.GARDIEN, ended=True)
        builder.report.unlinked_contacts += 1


def _add_service_companies(
    builder: _ContactBuilder, ordered: list[_Site], contact_type: ContactType, names: Sequence[str], share: float, company_count: int
) -> None:
    """Spread companies over runs of neighbouring habitats covering `share` of them; a few earlier contracts ended."""
    rng = builder.rng
    served = [site for site in ordered if rng.random() < share]
    if not served:
        return

    companies: list[Contact] = []
    for index in range(company_count):
        name = names[index % len(names)]
        if index >= len(names):
            # More companies than names (large databases): number the extra ones.
            name = f"{name} {index // len(names) + 1}"
        companies.append(builder.organisation(contact_type, name, rng.choice(served).habitat))

    run_length = max(1, math.ceil(len(served) / len(companies) / 2))
    for index, run in enumerate(_split_runs(served, rng, (run_length,))):
        company = companies[index % len(companies)]
        for site in run:
            builder.link(company, site, contact_type, is_primary=True)
            if rng.random() < 0.05:
                builder.link(rng.choice(companies), site, contact_type, ended=True)


def _add_enterprises(builder: _ContactBuilder, sites: list[_Site]) -> None:
    """Add maintenance firms linked to the locaux they serve (or the habitat when it has none of that kind)."""
    rng = builder.rng
    for name, premises_kind in ENTERPRISES:
        company = builder.organisation(ContactType.ENTREPRISE, name, rng.choice(sites).habitat)
        for site in rng.sample(sites, min(len(sites), rng.randint(5, 25))):
            target = next((premises for premises in site.premises if premises.kind == premises_kind), None)
            builder.link(company, site, ContactType.ENTREPRISE, target=target)


def _add_communes(builder: _ContactBuilder, sites: list[_Site], max_communes: int = 20) -> None:
    """Add the town hall of each of the largest communes as a Collectivité linked to its habitats."""
    by_city: dict[str, list[_Site]] = {}
    for site in sites:
        if site.habitat.city:
            by_city.setdefault(site.habitat.city, []).append(site)

    largest = sorted(by_city, key=lambda city: (-len(by_city[city]), city))[:max_communes]
    for city in largest:
        article = "d'" if search_key(city)[:1] in ("a", "e", "i", "o", "u", "y") else "de "
        town_hall = builder.organisation(ContactType.COLLECTIVITE, f"Mairie {article}{city}", by_city[city][0].habitat)
        town_hall.address_line1 = "Hôtel de ville"
        for site in by_city[city]:
            builder.link(town_hall, site, ContactType.COLLECTIVITE)


def _add_area_managers(builder: _ContactBuilder, sites: list[_Site], count: int) -> None:
    """Add Responsables de secteur, each linked to every habitat of one to three postcodes (or communes)."""
    rng = builder.rng
    areas = sorted({site.group_key for site in sites})
    for _ in range(count):
        manager = builder.person(ContactType.RESPONSABLE, email_domain="trackoe.example")
        manager.comment = "Responsable de secteur."
        chosen = set(rng.sample(areas, min(len(areas), rng.randint(1, 3))))
        for site in sites:
            if site.group_key in chosen:
                builder.link(manager, site, ContactType.RESPONSABLE)


def _add_owners(builder: _ContactBuilder, sites: list[_Site], count: int) -> None:
    """Add private owners of logements in several habitats (links narrowed to a logement when there is one)."""
    rng = builder.rng
    for _ in range(count):
        owner = builder.person(ContactType.PROPRIETAIRE)
        for site in rng.sample(sites, min(len(sites), rng.randint(2, 4))):
            target = rng.choice(site.dwellings) if site.dwellings else None
            builder.link(owner, site, ContactType.PROPRIETAIRE, target=target)


def _add_unlinked(builder: _ContactBuilder, sites: list[_Site]) -> None:
    for contact_type, name in UNLINKED_ORGANISATIONS:
        builder.organisation(contact_type, name, builder.rng.choice(sites).habitat)
        builder.report.unlinked_contacts += 1

    person = builder.person(ContactType.SALARIE)
    person.comment = "Ancien salarié, à rattacher à son nouveau secteur."
    builder.report.unlinked_contacts += 1


def _add_residents(builder: _ContactBuilder, sites: list[_Site], scale: float) -> None:
    """Add the contacts simples of each habitat: residents, co-tenants and owner-occupiers."""
    rng = builder.rng
    types = (ContactType.HABITANT, ContactType.TIERS_SOLIDAIRE, ContactType.PROPRIETAIRE_PARTICULIER)
    for site in sites:
        habitat = site.habitat
        for _ in range(round(rng.randint(2, 6) * scale)):
            contact_type = rng.choices(types, weights=(85, 10, 5))[0]
            resident = builder.person(contact_type, habitat=habitat)
            resident.address_line1 = habitat.address_line
            resident.postcode = habitat.postcode
            resident.city = habitat.city
            if site.dwellings:
                dwelling = rng.choice(site.dwellings)
                resident.address_line2 = f"{dwelling.building or 'Bâtiment'}, logement {dwelling.reference}"
            if rng.random() < 0.08:
                resident.comment = rng.choice(RESIDENT_COMMENTS)


def _load_sites(session: Session) -> list[_Site]:
    habitats = repository.habitats_for_demo(session)
    ids = [habitat.id for habitat in habitats]
    dwellings = repository.dwellings_by_habitat(session, ids)
    premises = repository.premises_by_habitat(session, ids)
    return [_Site(habitat, dwellings.get(habitat.id, []), premises.get(habitat.id, [])) for habitat in habitats]


def generate_contacts(sessions: Sessions, seed: int, *, scale: float = 1.0, today: dt.date | None = None) -> DemoReport:
    """Create demo contacts around every habitat stored (not archived), reproducibly for one seed and set of habitats.

    Caretakers (Gardien) cover runs of 1 to 3 neighbouring habitats and leave about 15 % of
    habitats uncovered. Cleaning companies and syndics serve many habitats. Town halls,
    area managers, maintenance firms and owners add links of other kinds, some of them
    ended. A few contacts multiples stay unlinked. Each habitat gets 2 to 6 residents
    (contacts simples) times `scale`. With no habitat stored, nothing is created.
    """
    today = today or dt.date.today()
    people = _PeopleFactory(seed)
    report = DemoReport()

    with transaction(sessions, "generate_contacts") as session:
        sites = _load_sites(session)
        if not sites:
            logger.info("No habitat: no demo contact generated")
            return report

        builder = _ContactBuilder(people, today, report)
        ordered = _spatial_order(sites)
        company_count = max(2, min(40, len(sites) // 20))

        _add_caretakers(builder, ordered)
        _add_service_companies(builder, ordered, ContactType.SOCIETE_NETTOYAGE, CLEANING_COMPANY_NAMES, 1 - CLEANING_GAP_SHARE, company_count)
        _add_service_companies(builder, ordered, ContactType.SYNDIC, SYNDIC_NAMES, SYNDIC_SHARE, max(2, company_count * 2 // 3))
        _add_enterprises(builder, sites)
        _add_communes(builder, sites)
        _add_area_managers(builder, sites, count=max(2, min(10, len(sites) // 30)))
        _add_owners(builder, sites, count=max(2, min(20, len(sites) // 20)))
        _add_unlinked(builder, sites)
        _add_residents(builder, sites, scale)

        session.add_all(builder.contacts)
        session.flush()

    logger.info(
        "Generated %s demo contacts (%s simples, %s multiples) and %s links over %s habitats",
        report.contacts_created,
        report.simple_contacts,
        report.multiple_contacts,
        report.links_created,
        len(sites),
    )
    return report


def seed_first_start(sessions: Sessions) -> None:
    """Fill a new database with the default demo: 120 habitats, then about 600 contacts around them."""
    generate_habitats(sessions, DEFAULT_HABITAT_COUNT, DEFAULT_SEED)
    generate_contacts(sessions, DEFAULT_SEED)


def count_habitats(sessions: Sessions) -> int:
    """Return how many habitats are stored, archived ones included."""
    with transaction(sessions, "count_habitats") as session:
        return repository.count_rows(session, Habitat)

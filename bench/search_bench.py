"""Benchmark of the contacts list search on SQLite and PostgreSQL at production size.

Fills a fresh database with synthetic French data: by default 10,000 habitats, 100,000
contacts multiples and about two links per contact. Then times
`trackoe.services.contacts.search_contacts` exactly as the list page calls it: free text
plus a contact-type filter, first page of 200 rows and the count of all matches.

    .venv/bin/python bench/search_bench.py --backend both

With --prototype, a second database per backend gets the named changes, and the two are
timed turn about, so the before and after figures share the machine's noise.

PostgreSQL databases are created on the server of --postgres-url and dropped at the end;
SQLite files live in temporary folders removed at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from faker.providers.person.fr_FR import Provider as FakerPersonProvider
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import trackoe.repository  # noqa: E402
from trackoe.database import create_app_engine, create_session_factory, migrate  # noqa: E402
from trackoe.domain import ContactType  # noqa: E402
from trackoe.models import Contact, ContactLink, Habitat  # noqa: E402
from trackoe.normalise import format_phone, search_key  # noqa: E402
from trackoe.records import contact_type_label, refresh_contact_keys, refresh_habitat_keys  # noqa: E402
from trackoe.services.contacts import search_contacts  # noqa: E402
from trackoe.views import ContactFilters  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PAGE_SIZE = 200
INSERT_BATCH_SIZE = 5_000
QUERIES_PER_KIND = 10
TARGET_P95_MS = 50.0

# Pools the generator draws from. The names come from Faker's fr_FR lists, but a seeded
# random.Random picks from them because Faker's generator is too slow for 100,000 rows.
LAST_NAMES: tuple[str, ...] = tuple(FakerPersonProvider.last_names)
# Faker's 400 surnames are the most common ones in France. Alone they would give each name
# about 250 bearers per 100,000 contacts, where real surnames are far more varied. So half
# the contacts get a rarer surname built from these syllables (about 5,000 combinations).
SURNAME_STARTS = (
    "Ben", "Bou", "Ker", "Mar", "Char", "Dela", "Fer", "Gal", "Lam", "Mor", "Pel", "Ros", "Sal",
    "Tal", "Val", "Ab", "Cha", "Gui", "Her", "Jo", "Lu", "Ma", "Ri", "Vi", "Cas", "Dia", "Kon", "Ngu",
    "Tra", "Ha",
)
SURNAME_MIDDLES = ("", "a", "o", "i", "e", "ou")
SURNAME_ENDS = (
    "ard", "ault", "bert", "chet", "del", "din", "dou", "et", "ier", "in", "lin", "net", "ot",
    "oux", "rand", "riot", "san", "sier", "taud", "vel", "ane", "oui", "ssi", "yen", "oré", "ès",
    "ec", "ic",
)
COMMON_SURNAME_SHARE = 0.5
FIRST_NAMES_FEMALE: tuple[str, ...] = tuple(FakerPersonProvider.first_names_female)
FIRST_NAMES_MALE: tuple[str, ...] = tuple(FakerPersonProvider.first_names_male)

STREETS = (
    "rue Victor Hugo", "avenue Jean Jaurès", "boulevard Pasteur", "rue de la République",
    "place de la République", "rue Gambetta", "rue du Moulin", "allée des Tilleuls",
    "rue de Verdun", "avenue Émile Zola", "rue Pierre et Marie Curie", "rue de la Gare",
    "chemin des Vignes", "rue des Écoles", "avenue du Général Leclerc", "rue Jules Ferry",
    "rue Voltaire", "boulevard de Stalingrad", "rue Anatole France", "rue Paul Vaillant-Couturier",
    "avenue Henri Barbusse", "rue Louise Michel", "impasse des Lilas", "rue Saint-Denis",
    "rue de l'Église", "quai de la Marne", "rue Danielle Casanova", "avenue de la Liberté",
    "rue Aristide Briand", "rue du 8 Mai 1945", "cours Jean Moulin", "rue Lamartine",
    "rue des Châtaigniers", "allée Georges Brassens", "rue Édouard Vaillant", "rue Rouget de Lisle",
)
ADDRESS_COMPLEMENTS = ("Bâtiment A", "Bâtiment B", "Escalier 3", "Résidence Les Lilas", "Appartement 12", "BP 40")
CITIES = (
    ("75011", "Paris"), ("75013", "Paris"), ("75018", "Paris"), ("75019", "Paris"), ("75020", "Paris"),
    ("93200", "Saint-Denis"), ("93100", "Montreuil"), ("93300", "Aubervilliers"), ("93500", "Pantin"),
    ("94200", "Ivry-sur-Seine"), ("94400", "Vitry-sur-Seine"), ("94000", "Créteil"), ("92000", "Nanterre"),
    ("92230", "Gennevilliers"), ("92110", "Clichy"), ("95100", "Argenteuil"), ("95200", "Sarcelles"),
    ("91000", "Évry-Courcouronnes"), ("78200", "Mantes-la-Jolie"), ("77100", "Meaux"),
    ("93140", "Bondy"), ("93400", "Saint-Ouen-sur-Seine"), ("94500", "Champigny-sur-Marne"),
    ("92700", "Colombes"), ("95140", "Garges-lès-Gonesse"), ("93120", "La Courneuve"),
)
RESIDENCE_NAMES = (
    "Les Tilleuls", "Le Parc", "Les Lilas", "La Roseraie", "Les Peupliers", "Le Clos Fleuri",
    "Les Marronniers", "La Source", "Les Hauts de Seine", "Le Moulin", "Les Érables", "Bel Air",
    "La Cité Jardin", "Les Castors", "Le Verger", "Les Glycines", "Les Bleuets", "Pierre Sémard",
)
LANDLORDS = ("Paris Habitat", "Seine-Saint-Denis Habitat", "Valophis", "Hauts-de-Seine Habitat", "Immobilière 3F")
COMPANY_WORDS = (
    "Nettoyage", "Propreté", "Multiservices", "Bâtiment", "Ascenseurs", "Plomberie", "Électricité",
    "Gestion", "Immobilier", "Sécurité", "Espaces Verts", "Chauffage",
)
COMPANY_SUFFIXES = ("SARL", "SAS", "SA", "EURL", "et Fils", "Services", "Île-de-France")
EMAIL_DOMAINS = ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "hotmail.fr", "yahoo.fr")
COMMENTS = (
    "Joignable le matin uniquement.", "Préfère être contacté par courriel.",
    "Astreinte le week-end.", "Remplaçant pendant les congés d'été.", "Ne pas appeler après 18 h.",
)

# Share of each contact type among the contacts multiples, in percent.
CONTACT_TYPE_WEIGHTS: dict[ContactType, int] = {
    ContactType.HABITANT: 18,
    ContactType.PROPRIETAIRE: 6,
    ContactType.GARDIEN: 10,
    ContactType.SYNDIC: 5,
    ContactType.BAILLEUR: 2,
    ContactType.RESPONSABLE: 8,
    ContactType.SOCIETE_NETTOYAGE: 5,
    ContactType.SALARIE: 12,
    ContactType.DIVERS: 5,
    ContactType.TIERS_SOLIDAIRE: 5,
    ContactType.ENTREPRISE: 10,
    ContactType.SOCIETE: 6,
    ContactType.COLLECTIVITE: 2,
    ContactType.PROPRIETAIRE_PARTICULIER: 6,
}
COMPANY_TYPES = {
    ContactType.SYNDIC, ContactType.BAILLEUR, ContactType.SOCIETE_NETTOYAGE,
    ContactType.ENTREPRISE, ContactType.SOCIETE, ContactType.COLLECTIVITE,
}
# Links per contact (0 to 5) and their weights: 2.1 links per contact on average.
LINK_COUNT_WEIGHTS = (10, 25, 30, 20, 10, 5)

# Type filters the timed searches rotate through, as a user ticks them in the list.
TYPE_FILTERS: tuple[tuple[str, ...], ...] = (
    ("habitant",),
    ("gardien", "responsable"),
    ("syndic",),
    ("entreprise", "societe", "societe_nettoyage"),
    ("salarie",),
    ("proprietaire", "proprietaire_particulier"),
)
STREET_WORDS = ("Hugo", "Jaurès", "Pasteur", "République", "Gambetta", "Moulin", "Tilleuls", "Verdun", "Zola", "Curie")
TWO_LETTER_TERMS = ("ma", "le", "du", "be", "ro", "la", "da", "ch", "mo", "ga")

COUNT_LIMIT = 1_000

# Changes to the app that --prototype applies inside this process only, to measure them
# before they are made in trackoe/ or in a migration. docs/benchmarks.md lists the five
# changes first measured this way, which the app has since taken.
PROTOTYPES = {
    "count-limit": (
        f"count at most {COUNT_LIMIT + 1} matches (SELECT count(*) FROM (... LIMIT {COUNT_LIMIT + 1})), "
        f"so the list can show '{COUNT_LIMIT}+' instead of scanning every match"
    ),
}


@dataclass
class Dataset:
    habitats: list[dict]
    contacts: list[dict]
    links: list[dict]


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    contact_types: tuple[str, ...]


@dataclass
class Variant:
    """One database under test: the app as committed, or the app with prototypes applied."""

    label: str
    backend: str
    sessions: sessionmaker[Session]
    prototypes: set[str]
    load_seconds: float
    timings_ms: dict[str, list[float]] = field(default_factory=dict)
    totals: dict[str, list[int]] = field(default_factory=dict)


# --- Data generation -------------------------------------------------------------------


def _zipf_weights(count: int) -> list[float]:
    # Faker lists surnames from most to least common. With an exponent of 0.5 the first name
    # is 20 times as frequent as the 400th, and "Martin" ends up on about 1.3% of the
    # contacts. The curve is an estimate that errs towards more matches per name.
    return [1.0 / (rank + 1) ** 0.5 for rank in range(count)]


def _surname(rng: random.Random, surname_weights: list[float]) -> str:
    if rng.random() < COMMON_SURNAME_SHARE:
        return rng.choices(LAST_NAMES, surname_weights)[0]
    return rng.choice(SURNAME_STARTS) + rng.choice(SURNAME_MIDDLES) + rng.choice(SURNAME_ENDS)


def _mobile_number(rng: random.Random) -> str:
    return f"+33{rng.choice('67')}{rng.randrange(10**8):08d}"


def _landline_number(rng: random.Random) -> str:
    return f"+33{rng.choice('1234')}{rng.randrange(10**8):08d}"


def _email_local_part(*parts: str) -> str:
    return ".".join(search_key(part).replace(" ", "-") for part in parts if part)


def generate_habitats(rng: random.Random, count: int) -> list[dict]:
    """Return habitat rows with explicit ids 1..count and their derived search columns."""
    rows = []
    for index in range(1, count + 1):
        postcode, city = rng.choice(CITIES)
        habitat = SimpleNamespace(
            id=index,
            code=f"H{index:05d}",
            name=f"Résidence {rng.choice(RESIDENCE_NAMES)} {rng.randint(1, 40)}",
            address_line=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
            postcode=postcode,
            city=city,
            landlord_name=rng.choice(LANDLORDS),
            dwelling_count=rng.randint(4, 400),
            latitude=48.85 + rng.uniform(-0.25, 0.25),
            longitude=2.35 + rng.uniform(-0.35, 0.35),
            archived_at=None,
            version=1,
        )
        refresh_habitat_keys(habitat)
        rows.append(vars(habitat))
    return rows


def _person_fields(rng: random.Random, surname_weights: list[float]) -> dict:
    is_woman = rng.random() < 0.5
    return {
        "civility": "Mme" if is_woman else "M.",
        "last_name": _surname(rng, surname_weights),
        "first_name": rng.choice(FIRST_NAMES_FEMALE if is_woman else FIRST_NAMES_MALE),
    }


def generate_contact(rng: random.Random, contact_id: int, surname_weights: list[float], now: dt.datetime) -> dict:
    """Return one contact multiple row with the search text, sort key and city key the app would store."""
    contact_type = rng.choices(list(CONTACT_TYPE_WEIGHTS), list(CONTACT_TYPE_WEIGHTS.values()))[0]
    fields: dict = {"civility": None, "last_name": None, "first_name": None, "company_name": None}

    if contact_type in COMPANY_TYPES:
        owner = _surname(rng, surname_weights)
        fields["company_name"] = f"{rng.choice(COMPANY_WORDS)} {owner} {rng.choice(COMPANY_SUFFIXES)}"
        if rng.random() < 0.5:
            fields.update(_person_fields(rng, surname_weights))
        email = f"contact@{_email_local_part(fields['company_name'])}.fr" if rng.random() < 0.8 else None
    else:
        fields.update(_person_fields(rng, surname_weights))
        email = (
            f"{_email_local_part(fields['first_name'], fields['last_name'])}@{rng.choice(EMAIL_DOMAINS)}"
            if rng.random() < 0.6
            else None
        )

    postcode, city = rng.choice(CITIES)
    has_address = rng.random() < 0.8
    contact = SimpleNamespace(
        id=contact_id,
        is_multiple=True,
        contact_type=contact_type.value,
        **fields,
        phone_mobile=_mobile_number(rng) if rng.random() < 0.85 else None,
        phone_landline=_landline_number(rng) if rng.random() < 0.35 else None,
        email=email,
        address_line1=f"{rng.randint(1, 180)} {rng.choice(STREETS)}" if has_address else None,
        address_line2=rng.choice(ADDRESS_COMPLEMENTS) if has_address and rng.random() < 0.1 else None,
        postcode=postcode if has_address else None,
        city=city if has_address else None,
        comment=rng.choice(COMMENTS) if rng.random() < 0.1 else None,
        habitat_id=None,
        creation_token=None,
        archived_at=now - dt.timedelta(days=rng.randint(1, 900)) if rng.random() < 0.03 else None,
        version=1,
    )
    refresh_contact_keys(contact)
    return vars(contact)


def generate_links(
    rng: random.Random, contact: dict, habitat_count: int, next_id: int, today: dt.date
) -> list[dict]:
    """Return the links of one contact to distinct habitats: about 15% ended, a few ending later."""
    link_count = rng.choices(range(len(LINK_COUNT_WEIGHTS)), LINK_COUNT_WEIGHTS)[0]
    habitat_ids = rng.sample(range(1, habitat_count + 1), min(link_count, habitat_count))
    role = contact_type_label(contact["contact_type"])

    links = []
    for offset, habitat_id in enumerate(habitat_ids):
        start = today - dt.timedelta(days=rng.randint(30, 3650))
        roll = rng.random()
        if roll < 0.15:
            end = start + dt.timedelta(days=rng.randint(1, (today - start).days - 1))
        elif roll < 0.20:
            end = today + dt.timedelta(days=rng.randint(1, 365))
        else:
            end = None
        links.append(
            {
                "id": next_id + offset,
                "contact_id": contact["id"],
                "habitat_id": habitat_id,
                "dwelling_id": None,
                "premises_id": None,
                "role": role,
                "is_primary": offset == 0 and rng.random() < 0.5,
                "start_date": start,
                "end_date": end,
                "version": 1,
            }
        )
    return links


def generate_dataset(seed: int, habitat_count: int, contact_count: int) -> Dataset:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    surname_weights = _zipf_weights(len(LAST_NAMES))

    habitats = generate_habitats(rng, habitat_count)
    contacts = []
    links: list[dict] = []
    for contact_id in range(1, contact_count + 1):
        contact = generate_contact(rng, contact_id, surname_weights, now)
        contacts.append(contact)
        links.extend(generate_links(rng, contact, habitat_count, len(links) + 1, today))
    return Dataset(habitats=habitats, contacts=contacts, links=links)


# --- Queries ---------------------------------------------------------------------------


def _has_accent(value: str) -> bool:
    return search_key(value) != value.lower()


def build_queries(seed: int, dataset: Dataset) -> list[Query]:
    """Return QUERIES_PER_KIND realistic searches of each kind, each with a type filter."""
    rng = random.Random(seed + 1)
    surname_weights = _zipf_weights(len(LAST_NAMES))
    single_word_surnames = [
        (name, weight) for name, weight in zip(LAST_NAMES, surname_weights) if " " not in name and "-" not in name
    ]
    names, weights = zip(*single_word_surnames)

    def type_filter(index: int) -> tuple[str, ...]:
        return TYPE_FILTERS[index % len(TYPE_FILTERS)]

    queries: list[Query] = []
    for index in range(QUERIES_PER_KIND):
        surname = rng.choices(names, weights)[0]
        queries.append(Query("surname", surname, type_filter(index)))

        partial = rng.choices([name for name in names if len(name) >= 5], k=1)[0][:4].lower()
        queries.append(Query("surname_prefix_4", partial, type_filter(index + 1)))

        # A contact that exists, is not archived and has a mobile: the search must find it
        # when the filter is on its own type.
        while True:
            contact = rng.choice(dataset.contacts)
            if contact["phone_mobile"] and contact["archived_at"] is None:
                break
        queries.append(Query("phone", format_phone(contact["phone_mobile"]), (contact["contact_type"],)))

        queries.append(Query("street_word", STREET_WORDS[index % len(STREET_WORDS)], type_filter(index + 2)))
        queries.append(Query("two_letters", TWO_LETTER_TERMS[index % len(TWO_LETTER_TERMS)], type_filter(index + 3)))

    accented = sorted({name for name in LAST_NAMES + FIRST_NAMES_FEMALE + FIRST_NAMES_MALE if _has_accent(name) and " " not in name})
    for index, term in enumerate(rng.sample(accented, QUERIES_PER_KIND)):
        queries.append(Query("accented", term, type_filter(index + 4)))
    return queries


QUERY_KINDS = ("surname", "surname_prefix_4", "phone", "street_word", "two_letters", "accented")


# --- Databases -------------------------------------------------------------------------


@contextmanager
def sqlite_database(keep: bool) -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="trackoe_bench_"))
    url = f"sqlite:///{folder / 'bench.db'}"
    try:
        yield url
    finally:
        if keep:
            print(f"  kept SQLite database: {url}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_database(server_url: str, keep: bool) -> Iterator[str]:
    host = make_url(server_url).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"--postgres-url must point at a loopback server, not {host!r}")

    name = f"trackoe_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"  kept PostgreSQL database: {name}")
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _insert_in_batches(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), INSERT_BATCH_SIZE):
        connection.execute(insert(table), rows[start : start + INSERT_BATCH_SIZE])


def load_dataset(engine: Engine, dataset: Dataset) -> None:
    """Insert the dataset with Core executemany in one transaction, then refresh planner statistics.

    On SQLite the migration's triggers fill the FTS5 tables during the inserts, as in the app.
    """
    with engine.begin() as connection:
        _insert_in_batches(connection, Habitat.__table__, dataset.habitats)
        _insert_in_batches(connection, Contact.__table__, dataset.contacts)
        _insert_in_batches(connection, ContactLink.__table__, dataset.links)

        if engine.dialect.name == "postgresql":
            # Rows carry explicit ids: move the sequences past them.
            for table in ("habitat", "contact", "contact_link"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )

    if engine.dialect.name == "postgresql":
        # VACUUM also flushes the GIN pending lists, as autovacuum would on a live server.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO contact_fts(contact_fts) VALUES ('optimize')"))
            connection.execute(text("INSERT INTO habitat_fts(habitat_fts) VALUES ('optimize')"))
            connection.execute(text("ANALYZE"))
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# --- Prototypes ------------------------------------------------------------------------


def search_contacts_with_count_limit(session, filters, *, offset, limit, today):
    """Return what trackoe.repository.search_contacts returns, with a count that stops at COUNT_LIMIT + 1.

    The page and its linked-habitat counts come from the same queries as the repository's.
    Only the "name" sort is prototyped, the one the benchmark uses.
    """
    conditions = trackoe.repository.contact_conditions(session, filters, today)
    page_query = select(Contact).where(*conditions).order_by(Contact.sort_key, Contact.id).offset(offset).limit(limit)
    page = list(session.scalars(page_query))
    counts = trackoe.repository.linked_habitat_counts(session, [contact.id for contact in page], today)
    rows = [(contact, counts.get(contact.id, 0)) for contact in page]

    capped = select(Contact.id).where(*conditions).limit(COUNT_LIMIT + 1).subquery()
    return rows, session.scalar(select(func.count()).select_from(capped)) or 0


ORIGINAL_REPOSITORY_SEARCH = trackoe.repository.search_contacts


@contextmanager
def code_prototypes(prototypes: set[str]) -> Iterator[None]:
    """Swap in the prototyped Python functions for the duration of the block."""
    if "count-limit" in prototypes:
        trackoe.repository.search_contacts = search_contacts_with_count_limit
    try:
        yield
    finally:
        trackoe.repository.search_contacts = ORIGINAL_REPOSITORY_SEARCH


# --- Measurement -----------------------------------------------------------------------


def time_searches(variants: list[Variant], queries: list[Query], runs: int, warmup_passes: int) -> None:
    """Time `runs` searches of each kind on every variant and store the timings in the variants.

    Kinds and variants are interleaved, and the variants' order alternates from run to run,
    so the noise of a shared machine falls on every figure alike.
    """
    by_kind = {kind: [query for query in queries if query.kind == kind] for kind in QUERY_KINDS}

    for variant in variants:
        with code_prototypes(variant.prototypes):
            for _ in range(warmup_passes):
                for query in queries:
                    _run_search(variant.sessions, query)

    for run in range(runs):
        for kind, kind_queries in by_kind.items():
            query = kind_queries[run % len(kind_queries)]
            for variant in variants if run % 2 == 0 else reversed(variants):
                with code_prototypes(variant.prototypes):
                    started = time.perf_counter()
                    total = _run_search(variant.sessions, query)
                    elapsed_ms = (time.perf_counter() - started) * 1000
                variant.timings_ms.setdefault(kind, []).append(elapsed_ms)
                variant.totals.setdefault(kind, []).append(total)

    for variant in variants:
        with code_prototypes(variant.prototypes):
            missing_phones = [query for query in by_kind["phone"] if _run_search(variant.sessions, query) == 0]
        if missing_phones:
            raise RuntimeError(
                f"{len(missing_phones)} phone searches found no contact on {variant.backend} ({variant.label}); "
                "the data or the search is wrong"
            )


def _run_search(sessions, query: Query) -> int:
    filters = ContactFilters(text=query.text, contact_types=query.contact_types)
    page = search_contacts(sessions, filters, page=1, page_size=PAGE_SIZE)
    return page.total


def percentile(values: list[float], fraction: float) -> float:
    """Return the percentile by linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def print_result(variant: Variant) -> None:
    # Other processes share the machine: the load average shows how busy it was.
    load_1m, load_5m, _ = os.getloadavg()
    print(
        f"\n{variant.backend}, {variant.label}: data loaded in {variant.load_seconds:.1f} s "
        f"(machine load average {load_1m:.1f} / {load_5m:.1f} over 1 / 5 min)"
    )
    print(f"  {'query kind':<18} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'median matches':>15}")
    everything: list[float] = []
    for kind in QUERY_KINDS:
        timings = variant.timings_ms[kind]
        everything.extend(timings)
        print(
            f"  {kind:<18} {statistics.median(timings):>10.1f} {percentile(timings, 0.95):>8.1f}"
            f" {max(timings):>8.1f} {statistics.median(variant.totals[kind]):>15.0f}"
        )
    overall_p95 = percentile(everything, 0.95)
    verdict = "met" if overall_p95 < TARGET_P95_MS else "NOT met"
    print(
        f"  {'overall':<18} {statistics.median(everything):>10.1f} {overall_p95:>8.1f} {max(everything):>8.1f}"
        f"   target p95 < {TARGET_P95_MS:.0f} ms: {verdict}"
    )


def prepare_database(stack: ExitStack, backend: str, args: argparse.Namespace, dataset: Dataset) -> tuple[Engine, float]:
    """Create, migrate and fill one database, and return its engine and the load time in seconds."""
    if backend == "sqlite":
        url = stack.enter_context(sqlite_database(args.keep))
    else:
        url = stack.enter_context(postgres_database(args.postgres_url, args.keep))
    engine = create_app_engine(url)
    stack.callback(engine.dispose)
    migrate(engine)

    started = time.perf_counter()
    load_dataset(engine, dataset)
    return engine, time.perf_counter() - started


def run_backend(backend: str, args: argparse.Namespace, dataset: Dataset, queries: list[Query]) -> list[Variant]:
    """Time the app on one backend and, with --prototype, the prototypes on a second database beside it."""
    labelled = [("app as committed", set())]
    if args.prototypes:
        labelled.append(("with prototypes " + ", ".join(sorted(args.prototypes)), args.prototypes))

    with ExitStack() as stack:
        variants = []
        for label, prototypes in labelled:
            engine, load_seconds = prepare_database(stack, backend, args, dataset)
            variants.append(
                Variant(
                    label=label,
                    backend=backend,
                    sessions=create_session_factory(engine),
                    prototypes=prototypes,
                    load_seconds=load_seconds,
                )
            )
        time_searches(variants, queries, args.runs, args.warmup)
        return variants


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000, help="contacts multiples to insert (default 100000)")
    parser.add_argument("--habitats", type=int, default=10_000, help="habitats to insert (default 10000)")
    parser.add_argument("--runs", type=int, default=200, help="timed searches per query kind (default 200)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed passes over every query first (default 2)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="SQLAlchemy URL of a loopback PostgreSQL server")
    parser.add_argument("--seed", type=int, default=20261204, help="seed of the data and query generator")
    parser.add_argument("--keep", action="store_true", help="keep the databases and print where they are")
    parser.add_argument(
        "--prototype",
        default="",
        help=(
            "comma-separated changes to time against the app as committed, on a second database, "
            f"or 'all': {', '.join(PROTOTYPES)}"
        ),
    )
    args = parser.parse_args(argv)

    names = set(PROTOTYPES) if args.prototype == "all" else {name for name in args.prototype.split(",") if name}
    unknown = names - set(PROTOTYPES)
    if unknown:
        parser.error(f"unknown --prototype {', '.join(sorted(unknown))}; choose among {', '.join(PROTOTYPES)}")
    args.prototypes = names
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)

    started = time.perf_counter()
    dataset = generate_dataset(args.seed, args.habitats, args.contacts)
    print(
        f"Generated {len(dataset.habitats)} habitats, {len(dataset.contacts)} contacts and "
        f"{len(dataset.links)} links in {time.perf_counter() - started:.1f} s"
    )
    queries = build_queries(args.seed, dataset)
    if args.prototypes:
        print("Prototypes, timed on a second database interleaved with the app as committed:")
        for name in sorted(args.prototypes):
            print(f"  {name}: {PROTOTYPES[name]}")
    print(f"Timing {args.runs} searches per query kind, {len(QUERY_KINDS)} kinds, page size {PAGE_SIZE}")

    for backend in backends:
        for variant in run_backend(backend, args, dataset, queries):
            print_result(variant)


if __name__ == "__main__":
    main()

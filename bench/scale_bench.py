"""Side-by-side benchmark of the contacts list at 10,000, 100,000 and 1,000,000 contacts multiples.

For each size and backend (SQLite, PostgreSQL) it fills a fresh database with the data of
bench/search_bench.py (one habitat per ten contacts, about 2.1 links per contact, plus one
habitat with 500 current contacts), then measures:

- our list search (`trackoe.services.contacts.search_contacts`: free text plus a type
  filter, first page of 200 rows and the count of all matches), median and p95;
- three references for the same queries and data: the floor (the statements our
  repository emits, replayed through the bare driver), the naive approach (whole table
  into pandas, filtered there) and Datasette serving the same SQLite file (SQLite only);
- the fiche habitat's CONTACT tab query for the habitat with 500 contacts;
- the list page's full server-side run through Streamlit's AppTest;
- the time until the grid's rows are visible in headless Chromium, and the peak RSS of
  the Streamlit process serving the page.

    .venv/bin/python bench/scale_bench.py                      # every size, both backends
    .venv/bin/python bench/scale_bench.py --quick              # 10,000 contacts, few runs

PostgreSQL databases are named bench_scale_* and dropped at the end; SQLite files live in a
temporary folder removed at the end (unless --keep). Datasette runs from its own virtualenv,
bench/.venv-datasette, which the script creates on first use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import psycopg
from sqlalchemy import Engine, create_engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError as SqlAlchemyOperationalError
from sqlalchemy.pool import NullPool

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(BENCH_DIR))

import search_bench  # noqa: E402
from search_bench import (  # noqa: E402
    LAST_NAMES,
    PAGE_SIZE,
    QUERY_KINDS,
    Query,
    build_queries,
    generate_contact,
    generate_habitats,
    generate_links,
    percentile,
)
from trackoe.database import create_app_engine, create_session_factory, migrate  # noqa: E402
from trackoe.errors import DatabaseUnavailableError  # noqa: E402
from trackoe.models import Contact, ContactLink, Habitat  # noqa: E402
from trackoe.normalise import search_terms  # noqa: E402
from trackoe.permissions import Actor, Role  # noqa: E402
from trackoe.records import refresh_habitat_keys  # noqa: E402
from trackoe.services import contacts as contact_services  # noqa: E402
from trackoe.services import habitats as habitat_services  # noqa: E402
from trackoe.views import ContactFilters  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
CONTACTS_PER_HABITAT = 10
BIG_HABITAT_CONTACTS = 500
LOAD_CHUNK_CONTACTS = 50_000
SEED = 20261204

DATASETTE_VENV = BENCH_DIR / ".venv-datasette"
DATASETTE_REQUIREMENT = "datasette>=0.65,<0.66"
# Datasette stops a query after 1 s by default and then returns no count. The benchmark
# lets every query finish, so that its times compare with ours.
DATASETTE_TIME_LIMIT_MS = 120_000
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
GRID_FRAME = 'iframe[title="st_aggrid.AgGrid.agGrid"]'
LIST_TITLE = "Gestion des contacts multiples"
SERVER_START_TIMEOUT_S = 120
BROWSER_STEP_TIMEOUT_MS = 120_000

# The benchmark reads as a Lecteur, the role with the fewest rights.
BENCH_ACTOR = Actor(user_id=0, username="bench", display_name="Bench", role=Role.LECTEUR)
BENCH_USERNAME = "bench"
BENCH_PASSWORD = "Mesure-de-vitesse-2026"

# Targets of the benchmark.
TARGET_P95_MS = 50.0
TARGET_FLOOR_RATIO = 2.0
TARGET_NAIVE_SPEEDUP = 20.0
TARGET_DATASETTE_SPEEDUP = 10.0
TARGET_APPTEST_MS = 300.0
TARGET_RSS_MB = 400.0

# Columns the naive approach reads: those the grid shows plus those it filters and sorts on.
NAIVE_SQL = (
    "SELECT id, is_multiple, contact_type, company_name, last_name, first_name, civility, "
    "phone_mobile, phone_landline, email, address_line1, address_line2, postcode, city, "
    "search_text, sort_key, archived_at FROM contact"
)


def call_service(function: Callable, sessions, *args):
    """Call a service with the bench actor when it takes one (second parameter `actor`), else without."""
    parameters = list(inspect.signature(function).parameters)
    if len(parameters) > 1 and parameters[1] == "actor":
        return function(sessions, BENCH_ACTOR, *args)
    return function(sessions, *args)


# --- Data ------------------------------------------------------------------------------


@dataclass
class GeneratedData:
    """Counts of the generated rows, the big habitat's id and the contacts the queries are drawn from.

    The rows themselves are streamed into the databases and not kept.
    """

    habitat_count: int
    contact_count: int
    link_count: int
    big_habitat_id: int
    query_contacts: list[dict]


def generate_chunks(seed: int, contact_count: int) -> Iterator[tuple[str, list[dict]]]:
    """Yield (table, rows) chunks of one dataset, the same rows search_bench would generate.

    The contacts and their links come in chunks of LOAD_CHUNK_CONTACTS contacts so that a
    million contacts never sit in memory at once. The last chunks add one habitat with
    BIG_HABITAT_CONTACTS current links, for the CONTACT tab.
    """
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    surname_weights = search_bench._zipf_weights(len(LAST_NAMES))
    habitat_count = max(1, contact_count // CONTACTS_PER_HABITAT)

    yield "habitat", generate_habitats(rng, habitat_count)

    next_link_id = 1
    active_ids: list[int] = []
    contacts: list[dict] = []
    links: list[dict] = []
    for contact_id in range(1, contact_count + 1):
        contact = generate_contact(rng, contact_id, surname_weights, now)
        contacts.append(contact)
        contact_links = generate_links(rng, contact, habitat_count, next_link_id, today)
        links.extend(contact_links)
        next_link_id += len(contact_links)
        if contact["archived_at"] is None:
            active_ids.append(contact_id)
        if len(contacts) == LOAD_CHUNK_CONTACTS:
            yield "contact", contacts
            yield "contact_link", links
            contacts, links = [], []
    if contacts:
        yield "contact", contacts
        yield "contact_link", links

    big = SimpleNamespace(
        id=habitat_count + 1, code="HGRAND", name="Résidence Le Grand Ensemble",
        address_line="1 avenue de la Liberté", postcode="93200", city="Saint-Denis",
        landlord_name="Seine-Saint-Denis Habitat", dwelling_count=900, latitude=48.93,
        longitude=2.36, archived_at=None, version=1,
    )
    refresh_habitat_keys(big)
    yield "habitat", [vars(big)]

    chosen = rng.sample(active_ids, min(BIG_HABITAT_CONTACTS, len(active_ids)))
    yield "contact_link", [
        {
            "id": next_link_id + offset, "contact_id": contact_id, "habitat_id": big.id,
            "dwelling_id": None, "premises_id": None, "role": "Gardien" if offset % 10 == 0 else "Habitant",
            "is_primary": offset == 0, "start_date": today - dt.timedelta(days=rng.randint(30, 3650)),
            "end_date": None, "version": 1,
        }
        for offset, contact_id in enumerate(chosen)
    ]


# --- Databases and fast loading ----------------------------------------------------------


@contextmanager
def sqlite_database(folder: Path, size: int, keep: bool) -> Iterator[str]:
    path = folder / f"bench_scale_{size}.db"
    try:
        yield f"sqlite:///{path}"
    finally:
        if keep:
            print(f"  kept SQLite database: {path}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def postgres_database(server_url: str, size: int, keep: bool) -> Iterator[str]:
    host = make_url(server_url).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"--postgres-url must point at a loopback server, not {host!r}")

    name = f"bench_scale_{size}_{uuid.uuid4().hex[:8]}"
    # A fresh connection for each statement: the server may have been restarted during a long run.
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"  kept PostgreSQL database: {name}")
        else:
            wait_for_database(server_url)
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class BulkLoader:
    """Load one migrated database fast: secondary indexes and FTS triggers off during the inserts.

    The indexes and triggers are read from the database itself before they are dropped and
    created again from that same SQL afterwards, so the loaded database has exactly the
    schema the migrations gave it.
    """

    TABLES = ("habitat", "contact", "contact_link")

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.saved_sql: list[str] = []
        self.raw = engine.raw_connection()

    def begin(self) -> None:
        cursor = self.raw.cursor()
        if self.dialect == "sqlite":
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('habitat', 'contact', 'contact_link') "
                "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
            )
            objects = cursor.fetchall()
            for kind, name, sql in objects:
                cursor.execute(f'DROP {kind.upper()} "{name}"')
                self.saved_sql.append(sql)
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            # Unique and primary-key indexes stay: constraints depend on them.
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "LEFT JOIN pg_constraint c ON c.conname = i.indexname "
                "WHERE i.schemaname = 'public' AND i.tablename IN ('habitat', 'contact', 'contact_link') "
                "AND c.conname IS NULL"
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                self.saved_sql.append(definition)
        self.raw.commit()

    def insert(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        if self.dialect == "sqlite":
            # SQLAlchemy's own bind processing keeps dates and booleans in the format the app stores.
            table_object = {"habitat": Habitat, "contact": Contact, "contact_link": ContactLink}[table].__table__
            with self.engine.begin() as connection:
                connection.execute(insert(table_object), rows)
            return

        columns = list(rows[0])
        cursor = self.raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
        self.raw.commit()

    def finish(self) -> None:
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for sql in self.saved_sql:
            cursor.execute(sql)
        if self.dialect == "sqlite":
            for table in ("contact", "habitat"):
                cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
                cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
            self.raw.commit()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            for table in self.TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            self.raw.commit()
        self.raw.close()
        if self.dialect == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))


def load_databases(engines: dict[str, Engine], seed: int, contact_count: int) -> tuple[GeneratedData, dict[str, float]]:
    """Generate the dataset once and stream it into every engine; return what the timing needs and the load times."""
    loaders = {backend: BulkLoader(engine) for backend, engine in engines.items()}
    load_seconds = dict.fromkeys(engines, 0.0)
    for backend, loader in loaders.items():
        started = time.perf_counter()
        loader.begin()
        load_seconds[backend] += time.perf_counter() - started

    counts = {"habitat": 0, "contact": 0, "contact_link": 0}
    query_contacts: list[dict] = []
    big_habitat_id = 0
    for table, rows in generate_chunks(seed, contact_count):
        counts[table] += len(rows)
        if table == "contact":
            query_contacts.extend(
                {key: row[key] for key in ("id", "phone_mobile", "archived_at", "contact_type")} for row in rows
            )
        if table == "habitat" and len(rows) == 1:
            big_habitat_id = rows[0]["id"]
        for backend, loader in loaders.items():
            started = time.perf_counter()
            loader.insert(table, rows)
            load_seconds[backend] += time.perf_counter() - started

    for backend, loader in loaders.items():
        started = time.perf_counter()
        loader.finish()
        load_seconds[backend] += time.perf_counter() - started

    data = GeneratedData(
        habitat_count=counts["habitat"],
        contact_count=counts["contact"],
        link_count=counts["contact_link"],
        big_habitat_id=big_habitat_id,
        query_contacts=query_contacts,
    )
    return data, load_seconds


# --- The four ways of running one search ---------------------------------------------------


@dataclass
class SearchResult:
    ids: list[int]
    total: int


class OurSearch:
    """The app's own service, as the list page calls it."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = create_session_factory(engine)

    def run(self, query: Query) -> SearchResult:
        filters = ContactFilters(text=query.text, contact_types=query.contact_types)
        page = call_service(contact_services.search_contacts, self.sessions, filters, 1, PAGE_SIZE)
        return SearchResult([row.id for row in page.rows], page.total)

    def capture_statements(self, query: Query) -> list[tuple[str, object]]:
        """Return the statements and parameters one search sends to the driver, in order."""
        statements: list[tuple[str, object]] = []

        def record(_connection, _cursor, statement, parameters, _context, _executemany):
            statements.append((statement, parameters))

        event.listen(self.engine, "before_cursor_execute", record)
        try:
            self.run(query)
        finally:
            event.remove(self.engine, "before_cursor_execute", record)
        return statements


class CappedSearch(OurSearch):
    """Our service with the count stopped at search_bench.COUNT_LIMIT + 1 matches, the list showing "1 000+" above.

    A prototype for a product decision, not the app: search_bench swaps the repository
    function in for the duration of each call.
    """

    def run(self, query: Query) -> SearchResult:
        with search_bench.code_prototypes({"count-limit"}):
            return super().run(query)


class FloorSearch:
    """The statements our repository emits for a search, replayed through the bare driver.

    The connection gets the same settings as the app's (memory-mapped reads on SQLite,
    custom plans on PostgreSQL), so the difference to ours is the app's Python work.
    """

    def __init__(self, database_url: str, ours: OurSearch):
        self.ours = ours
        self.database_url = database_url
        self.connection = self.connect()
        self.statements: dict[Query, list[tuple[str, object]]] = {}

    def connect(self):
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(url.database)
            connection.execute("PRAGMA mmap_size=268435456")
            return connection
        connection = psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database)
        connection.execute("SET plan_cache_mode = force_custom_plan")
        connection.commit()
        return connection

    def reconnect(self) -> None:
        try:
            self.connection.close()
        except psycopg.Error:
            pass
        self.connection = self.connect()

    def run(self, query: Query) -> SearchResult:
        if query not in self.statements:
            self.statements[query] = self.ours.capture_statements(query)
        cursor = self.connection.cursor()
        results = []
        for statement, parameters in self.statements[query]:
            cursor.execute(statement, parameters)
            results.append(cursor.fetchall())
        self.connection.commit()
        # The first statement selects the page (id first), the last one counts.
        return SearchResult([row[0] for row in results[0]], results[-1][0][0])

    def close(self) -> None:
        self.connection.close()


class NaiveSearch:
    """The whole contact table read into pandas on every search, filtered, sorted and cut there."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def read(self) -> pd.DataFrame:
        with self.engine.connect() as connection:
            return pd.read_sql(text(NAIVE_SQL), connection)

    @staticmethod
    def filter(frame: pd.DataFrame, query: Query) -> SearchResult:
        mask = frame["is_multiple"].astype(bool) & frame["archived_at"].isna()
        mask &= frame["contact_type"].isin(query.contact_types)
        for term in search_terms(query.text):
            mask &= frame["search_text"].str.contains(term, regex=False)
        matches = frame[mask].sort_values(["sort_key", "id"])
        return SearchResult(matches["id"].head(PAGE_SIZE).tolist(), len(matches))

    def run(self, query: Query) -> SearchResult:
        return self.filter(self.read(), query)


class DatasetteSearch:
    """Datasette serving the same SQLite file, queried through its table JSON API."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    @staticmethod
    def parameters(query: Query) -> list[tuple[str, str]]:
        """Return the query string of the equivalent filter.

        A term of three characters or more goes to the FTS5 trigram table through
        `_search` (Datasette quotes it, which makes a substring match, as ours). A shorter
        term, which a trigram index cannot serve, is a `search_text__contains` (LIKE) filter,
        as in our repository.
        """
        parameters = [
            ("is_multiple__exact", "1"),
            ("archived_at__isnull", "1"),
            ("contact_type__in", ",".join(query.contact_types)),
            ("_sort", "sort_key"),
            ("_size", str(PAGE_SIZE)),
            ("_shape", "objects"),
            ("_nofacet", "1"),
            ("_nosuggest", "1"),
        ]
        long_terms = []
        for term in search_terms(query.text):
            if len(term) >= 3:
                long_terms.append(term)
            else:
                parameters.append(("search_text__contains", term))
        if long_terms:
            parameters.append(("_search", " ".join(long_terms)))
        return parameters

    def url(self, query: Query) -> str:
        return f"{self.base_url}/bench/contact.json?{urllib.parse.urlencode(self.parameters(query))}"

    def run(self, query: Query) -> SearchResult:
        with urllib.request.urlopen(self.url(query), timeout=DATASETTE_TIME_LIMIT_MS / 1000 + 30) as response:
            body = json.load(response)
        return SearchResult([row["id"] for row in body["rows"]], body["filtered_table_rows_count"])


# --- Processes: Datasette and Streamlit ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with code {process.returncode}; log: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not respond within {timeout_s} s; log: {log_path.read_text()[-2000:]}")


def ensure_datasette() -> Path:
    """Return the datasette executable, creating bench/.venv-datasette with pip on first use."""
    executable = DATASETTE_VENV / "bin" / "datasette"
    if not executable.exists():
        print(f"Installing {DATASETTE_REQUIREMENT} into {DATASETTE_VENV} ...")
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", DATASETTE_REQUIREMENT], check=True)
    return executable


@contextmanager
def datasette_server(database_path: Path, work_folder: Path) -> Iterator[str]:
    """Serve `database_path` as database "bench" on a free loopback port, with contact_fts declared."""
    executable = ensure_datasette()
    served = work_folder / "bench.db"
    if served.exists() or served.is_symlink():
        served.unlink()
    served.symlink_to(database_path)
    metadata = work_folder / "datasette-metadata.json"
    metadata.write_text(json.dumps(
        {"databases": {"bench": {"tables": {"contact": {"fts_table": "contact_fts", "fts_pk": "id"}}}}}
    ))
    port = free_port()
    log_path = work_folder / "datasette.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(executable), "serve", str(served), "--host", "127.0.0.1", "--port", str(port),
                "--metadata", str(metadata), "--setting", "sql_time_limit_ms", str(DATASETTE_TIME_LIMIT_MS),
                "--setting", "max_returned_rows", str(PAGE_SIZE),
            ],
            stdout=log, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base_url}/-/versions.json", process, log_path, SERVER_START_TIMEOUT_S)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def streamlit_entry_point() -> str:
    """Return the script the server runs: server.py once the sign-in gate exists, else app.py."""
    return "server.py" if (PROJECT_ROOT / "server.py").exists() else "app.py"


def sign_in_available() -> bool:
    try:
        import trackoe.services.accounts  # noqa: F401
        import trackoe.services.auth  # noqa: F401
    except ImportError:
        return False
    return True


def create_bench_account(database_url: str) -> None:
    """Create the bench's staff account in a database that has none yet."""
    from trackoe.services import accounts

    engine = create_app_engine(database_url)
    try:
        accounts.create_first_administrator(create_session_factory(engine), BENCH_USERNAME, "Bench", BENCH_PASSWORD)
    finally:
        engine.dispose()


def sign_in_token(database_url: str) -> str:
    from trackoe.services import auth

    engine = create_app_engine(database_url)
    try:
        return auth.sign_in(create_session_factory(engine), BENCH_USERNAME, BENCH_PASSWORD).token
    finally:
        engine.dispose()


@contextmanager
def streamlit_server(database_url: str, work_folder: Path) -> Iterator[tuple[str, int]]:
    """Start the app on a free loopback port over `database_url`; yield its URL and process id."""
    port = free_port()
    environment = {**os.environ, "TRACKOE_DATABASE_URL": database_url, "TRACKOE_SEED_DEMO": "0"}
    log_path = work_folder / f"streamlit-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(PROJECT_ROOT / ".venv" / "bin" / "streamlit"), "run", streamlit_entry_point(),
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
            cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/_stcore/health", process, log_path, SERVER_START_TIMEOUT_S)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def memory_mb(pid: int) -> tuple[float, float, float, float]:
    """Return a process's resident set size now and at its peak, then its anonymous and file-backed parts now, in MB.

    The file-backed part (RssFile) is mostly the SQLite file mapped by `PRAGMA mmap_size`:
    page cache shared with every process reading the file, but counted in this RSS.
    """
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"], values["RssAnon"], values["RssFile"]


# --- Resilience to a PostgreSQL restart -------------------------------------------------

# Other work on the machine may restart the shared PostgreSQL server during a long run.
# A call that loses its connection waits for the server, reconnects and runs again, and
# only the attempt that succeeded is timed.
CONNECTION_ERRORS = (SqlAlchemyOperationalError, psycopg.OperationalError, DatabaseUnavailableError)
SERVER_WAIT_S = 300
MAX_ATTEMPTS = 3


def wait_for_database(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return
    deadline = time.monotonic() + SERVER_WAIT_S
    while True:
        try:
            psycopg.connect(
                host=url.host, port=url.port or 5432, user=url.username, dbname=url.database, connect_timeout=5
            ).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def run_resilient(result: "BackendResult", database_url: str, function: Callable, *args):
    """Return (milliseconds, value) of `function(*args)`, run again after a lost database connection."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return timed(function, *args)
        except CONNECTION_ERRORS as error:
            if attempt == MAX_ATTEMPTS:
                raise
            result.reconnections += 1
            print(f"  lost the database connection ({type(error).__name__}); waiting for the server to run again")
            wait_for_database(database_url)
            owner = getattr(function, "__self__", None)
            if hasattr(owner, "reconnect"):
                owner.reconnect()
    raise AssertionError("unreachable")


# --- Measurements ------------------------------------------------------------------------


@dataclass
class Timings:
    by_kind: dict[str, list[float]] = field(default_factory=dict)

    def add(self, kind: str, milliseconds: float) -> None:
        self.by_kind.setdefault(kind, []).append(milliseconds)

    def all(self, exclude: str = "") -> list[float]:
        return [value for kind, values in self.by_kind.items() if kind != exclude for value in values]

    def median(self) -> float:
        return statistics.median(self.all())

    def p95(self, exclude: str = "") -> float:
        return percentile(self.all(exclude), 0.95)


@dataclass
class BackendResult:
    backend: str
    size: int
    load_seconds: float
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)
    searches: dict[str, Timings] = field(default_factory=dict)
    naive_read_ms: list[float] = field(default_factory=list)
    naive_filter_ms: list[float] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    contact_tab_ms: list[float] = field(default_factory=list)
    contact_tab_rows: int = 0
    apptest_ms: list[float] = field(default_factory=list)
    apptest_search_ms: list[float] = field(default_factory=list)
    browser_ms: list[float] = field(default_factory=list)
    rss_mb: tuple[float, float, float, float] | None = None
    signed_in: bool = False
    reconnections: int = 0


def timed(function: Callable, *args) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args)
    return (time.perf_counter() - started) * 1000, value


def check_same(result: BackendResult, label: str, query: Query, expected: SearchResult, actual: SearchResult) -> None:
    """Record a difference in count or first page between a reference and ours.

    Datasette sorts by sort_key alone (its `_sort` takes one column), so contacts with the
    same name may come in another order: only its count and page length are compared.
    """
    if label == "datasette":
        same = actual.total == expected.total and len(actual.ids) == len(expected.ids)
    elif label == "capped":
        same = actual.total == min(expected.total, search_bench.COUNT_LIMIT + 1) and actual.ids == expected.ids
    else:
        same = actual.total == expected.total and actual.ids == expected.ids
    if not same:
        result.mismatches.append(
            f"{label} differs from ours on {query.kind} {query.text!r} {query.contact_types}: "
            f"total {actual.total} vs {expected.total}, same first page: {actual.ids == expected.ids}"
        )


def time_searches(
    result: BackendResult, database_url: str, methods: dict[str, object], queries: list[Query], runs: int
) -> None:
    """Time `runs` searches of each kind with every method, interleaved so the machine's noise falls on all."""
    by_kind = {kind: [query for query in queries if query.kind == kind] for kind in QUERY_KINDS}

    # One untimed pass checks that every method returns the same page and count as ours.
    for query in queries:
        _, expected = run_resilient(result, database_url, methods["ours"].run, query)
        for label, method in methods.items():
            if label != "ours":
                _, actual = run_resilient(result, database_url, method.run, query)
                check_same(result, label, query, expected, actual)

    labels = list(methods)
    for run in range(runs):
        for kind, kind_queries in by_kind.items():
            query = kind_queries[run % len(kind_queries)]
            for label in labels if run % 2 == 0 else reversed(labels):
                milliseconds, _ = run_resilient(result, database_url, methods[label].run, query)
                result.searches.setdefault(label, Timings()).add(kind, milliseconds)


def time_naive(result: BackendResult, naive: NaiveSearch, queries: list[Query], runs: int, expected: OurSearch) -> None:
    """Time the naive approach: read the whole table, then filter, `runs` times per query kind."""
    by_kind = {kind: [query for query in queries if query.kind == kind] for kind in QUERY_KINDS}
    frame = naive.read()
    for query in queries:
        check_same(result, "naive", query, expected.run(query), naive.filter(frame, query))
    del frame

    for run in range(runs):
        for kind, kind_queries in by_kind.items():
            query = kind_queries[run % len(kind_queries)]
            read_ms, frame = run_resilient(result, str(naive.engine.url.render_as_string(hide_password=False)), naive.read)
            filter_ms, _ = timed(naive.filter, frame, query)
            del frame
            result.naive_read_ms.append(read_ms)
            result.naive_filter_ms.append(filter_ms)
            result.searches.setdefault("naive", Timings()).add(kind, read_ms + filter_ms)


def time_contact_tab(result: BackendResult, sessions, habitat_id: int, runs: int) -> None:
    rows = call_service(habitat_services.habitat_contacts, sessions, habitat_id)
    result.contact_tab_rows = len(rows)
    for _ in range(runs):
        milliseconds, _ = run_resilient(
            result, sessions.kw["bind"].url.render_as_string(hide_password=False),
            call_service, habitat_services.habitat_contacts, sessions, habitat_id,
        )
        result.contact_tab_ms.append(milliseconds)


def time_apptest(result: BackendResult, database_url: str, runs: int, token: str | None) -> None:
    """Time full runs of the router and the list page through AppTest, warm: the first run is not counted.

    Runs of the page as opened (no search: the first page of every contact and their
    count) and runs with a search, as the user types one.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    previous = {name: os.environ.get(name) for name in ("TRACKOE_DATABASE_URL", "TRACKOE_SEED_DEMO")}
    os.environ["TRACKOE_DATABASE_URL"] = database_url
    os.environ["TRACKOE_SEED_DEMO"] = "0"
    st.cache_resource.clear()
    try:
        def new_app() -> AppTest:
            at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
            if token is not None:
                at.session_state["auth_token"] = token
            return at

        new_app().run()
        for _ in range(runs):
            at = new_app()
            milliseconds, at = timed(at.run)
            if at.exception or LIST_TITLE not in [element.value for element in at.title]:
                raise RuntimeError(f"AppTest did not show the list page: {at.exception or [t.value for t in at.title]}")
            result.apptest_ms.append(milliseconds)

            at.text_input(key="contacts_text").set_value("martin")
            at.multiselect(key="contacts_types").set_value(["gardien", "responsable"])
            milliseconds, at = timed(at.run)
            result.apptest_search_ms.append(milliseconds)
    finally:
        st.cache_resource.clear()
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def time_browser(result: BackendResult, database_url: str, work_folder: Path, runs: int, gated: bool) -> None:
    """Time, in a new browser context each run, from opening the list page to its grid's first row being visible."""
    from playwright.sync_api import sync_playwright

    with streamlit_server(database_url, work_folder) as (url, pid), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for run in range(runs + 1):
                context = browser.new_context()
                page = context.new_page()
                page.set_default_timeout(BROWSER_STEP_TIMEOUT_MS)
                if gated:
                    page.goto(f"{url}/connexion")
                    page.get_by_label("Identifiant", exact=True).fill(BENCH_USERNAME)
                    page.get_by_label("Mot de passe", exact=True).fill(BENCH_PASSWORD)
                    page.get_by_role("button", name="Se connecter").click()
                    page.wait_for_load_state("networkidle")

                started = time.perf_counter()
                page.goto(url)
                page.frame_locator(GRID_FRAME).locator(".ag-center-cols-container .ag-row").first.wait_for(state="visible")
                milliseconds = (time.perf_counter() - started) * 1000
                # The first open also starts the app (migration check, engine): not counted.
                if run > 0:
                    result.browser_ms.append(milliseconds)
                context.close()
        finally:
            browser.close()
        result.rss_mb = memory_mb(pid)


# --- One size --------------------------------------------------------------------------


def run_size(size: int, args: argparse.Namespace, work_folder: Path) -> list[BackendResult]:
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        for backend in args.backends:
            if backend == "sqlite":
                urls[backend] = stack.enter_context(sqlite_database(work_folder, size, args.keep))
            else:
                urls[backend] = stack.enter_context(postgres_database(args.postgres_url, size, args.keep))

        engines = {}
        for backend, url in urls.items():
            engine = create_app_engine(url)
            stack.callback(engine.dispose)
            migrate(engine)
            engines[backend] = engine

        started = time.perf_counter()
        data, load_seconds = load_databases(engines, args.seed, size)
        print(
            f"\n== {size:,} contacts: {data.habitat_count:,} habitats, {data.link_count:,} links; "
            f"generated and loaded in {time.perf_counter() - started:.0f} s "
            f"({', '.join(f'{b} {s:.0f} s' for b, s in load_seconds.items())} of it in the databases)"
        )
        queries = build_queries(args.seed, SimpleNamespace(contacts=data.query_contacts))
        del data.query_contacts[:]

        results = []
        for backend, engine in engines.items():
            result = BackendResult(backend=backend, size=size, load_seconds=load_seconds[backend])
            ours = OurSearch(engine)
            floor = FloorSearch(urls[backend], ours)
            methods: dict[str, object] = {"ours": ours, "floor": floor}
            if args.capped_count:
                methods["capped"] = CappedSearch(engine)
            with ExitStack() as backend_stack:
                backend_stack.callback(floor.close)
                if backend == "sqlite" and not args.no_datasette:
                    base_url = backend_stack.enter_context(
                        datasette_server(Path(make_url(urls[backend]).database), work_folder)
                    )
                    methods["datasette"] = DatasetteSearch(base_url)
                time_searches(result, urls[backend], methods, queries, args.runs)

            if args.naive_runs > 0:
                time_naive(result, NaiveSearch(engine), queries, args.naive_runs, ours)
            time_contact_tab(result, ours.sessions, data.big_habitat_id, args.runs)

            token = None
            if sign_in_available():
                create_bench_account(urls[backend])
                token = sign_in_token(urls[backend])
                result.signed_in = True
            if not args.no_apptest:
                time_apptest(result, urls[backend], args.page_runs, token)
            if not args.no_browser:
                time_browser(result, urls[backend], work_folder, args.page_runs, gated=result.signed_in)
            result.load_average = os.getloadavg()
            print_result(result)
            results.append(result)
        return results


def run_existing(database_url: str, args: argparse.Namespace) -> None:
    """Time our search and the floor on a database kept by an earlier run, to measure a change before and after."""
    engine = create_app_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, phone_mobile, archived_at, contact_type FROM contact WHERE is_multiple ORDER BY id")
            ).mappings().all()
            big_habitat_id = connection.execute(text("SELECT id FROM habitat WHERE code = 'HGRAND'")).scalar()
        # The same contacts in the same order give build_queries the same queries as the run that loaded them.
        queries = build_queries(args.seed, SimpleNamespace(contacts=[dict(row) for row in rows]))
        result = BackendResult(backend=engine.dialect.name, size=len(rows), load_seconds=0.0)
        ours = OurSearch(engine)
        floor = FloorSearch(database_url, ours)
        try:
            time_searches(result, database_url, {"ours": ours, "floor": floor}, queries, args.runs)
        finally:
            floor.close()
        if big_habitat_id is not None:
            time_contact_tab(result, ours.sessions, big_habitat_id, args.runs)
        result.load_average = os.getloadavg()
        print_result(result)
    finally:
        engine.dispose()


# --- Report ------------------------------------------------------------------------------


def ratio_text(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.1f}×" if denominator else "n/a"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def print_result(result: BackendResult) -> None:
    load_1m, load_5m, _ = result.load_average
    print(
        f"\n{result.backend}, {result.size:,} contacts (load {result.load_seconds:.0f} s; "
        f"load average {load_1m:.1f} / {load_5m:.1f} over 1 / 5 min)"
    )
    print(f"  {'search':<10} {'median ms':>10} {'p95 ms':>9} {'runs':>6}")
    for label, timings in result.searches.items():
        print(f"  {label:<10} {timings.median():>10.1f} {timings.p95():>9.1f} {len(timings.all()):>6}")
    if result.naive_read_ms:
        print(
            f"  naive = read {statistics.median(result.naive_read_ms):.1f} ms + "
            f"filter {statistics.median(result.naive_filter_ms):.1f} ms (medians)"
        )

    for label in ("ours", "capped"):
        if label in result.searches:
            timings = result.searches[label]
            print(f"  {label} per kind, median / p95 ms: " + ", ".join(
                f"{kind} {statistics.median(timings.by_kind[kind]):.1f} / {percentile(timings.by_kind[kind], 0.95):.1f}"
                for kind in QUERY_KINDS
            ))
            print(f"  {label} p95 without two-letter terms: {timings.p95(exclude='two_letters'):.1f} ms")
    ours = result.searches["ours"]
    for label in ("floor", "naive", "datasette"):
        if label not in result.searches:
            continue
        other = result.searches[label]
        print(
            f"  {label} / ours: median {ratio_text(other.median(), ours.median())}, "
            f"p95 {ratio_text(other.p95(), ours.p95())} (ours / {label}: median "
            f"{ratio_text(ours.median(), other.median())}, p95 {ratio_text(ours.p95(), other.p95())})"
        )

    print(f"  target search p95 < {TARGET_P95_MS:.0f} ms: {verdict(ours.p95() < TARGET_P95_MS)} ({ours.p95():.1f} ms)")
    floor = result.searches.get("floor")
    if floor:
        ratio = ours.median() / floor.median()
        print(f"  target ours <= {TARGET_FLOOR_RATIO:.0f}x the floor (median): {verdict(ratio <= TARGET_FLOOR_RATIO)} ({ratio:.2f}x)")
    naive = result.searches.get("naive")
    if naive:
        speedup = naive.median() / ours.median()
        print(f"  target >= {TARGET_NAIVE_SPEEDUP:.0f}x faster than naive (median): {verdict(speedup >= TARGET_NAIVE_SPEEDUP)} ({speedup:.0f}x)")
    datasette = result.searches.get("datasette")
    if datasette:
        speedup = datasette.median() / ours.median()
        print(f"  target >= {TARGET_DATASETTE_SPEEDUP:.0f}x faster than Datasette (median): {verdict(speedup >= TARGET_DATASETTE_SPEEDUP)} ({speedup:.1f}x)")

    if result.contact_tab_ms:
        print(
            f"  CONTACT tab ({result.contact_tab_rows} rows): median {statistics.median(result.contact_tab_ms):.1f} ms, "
            f"p95 {percentile(result.contact_tab_ms, 0.95):.1f} ms"
        )
    gate = "signed in" if result.signed_in else "no sign-in gate"
    if result.apptest_ms:
        median = statistics.median(result.apptest_ms)
        print(
            f"  AppTest list page ({gate}): median {median:.0f} ms opened, "
            f"{statistics.median(result.apptest_search_ms):.0f} ms with a search; "
            f"target < {TARGET_APPTEST_MS:.0f} ms: {verdict(median < TARGET_APPTEST_MS)}"
        )
    if result.browser_ms:
        print(
            f"  Chromium time to grid rows ({gate}): median {statistics.median(result.browser_ms):.0f} ms "
            f"(min {min(result.browser_ms):.0f}, max {max(result.browser_ms):.0f}, {len(result.browser_ms)} runs)"
        )
    if result.rss_mb:
        rss, peak, anonymous, file_backed = result.rss_mb
        print(
            f"  Streamlit RSS {rss:.0f} MB ({anonymous:.0f} MB anonymous, {file_backed:.0f} MB file-backed), "
            f"peak {peak:.0f} MB; target < {TARGET_RSS_MB:.0f} MB: {verdict(peak < TARGET_RSS_MB)}"
        )
    if result.reconnections:
        print(f"  {result.reconnections} timed calls ran again after the database server restarted")
    for line in result.mismatches[:10]:
        print(f"  MISMATCH {line}")
    if len(result.mismatches) > 10:
        print(f"  ... {len(result.mismatches) - 10} more mismatches")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(size) for size in DEFAULT_SIZES), help="comma-separated contact counts (default 10000,100000,1000000)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="SQLAlchemy URL of a loopback PostgreSQL server")
    parser.add_argument("--runs", type=int, default=50, help="timed searches per query kind and method (default 50)")
    parser.add_argument("--naive-runs", type=int, default=2, help="timed naive searches per query kind, 0 to skip them (default 2)")
    parser.add_argument("--page-runs", type=int, default=5, help="timed AppTest runs and browser opens (default 5)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the data and query generator")
    parser.add_argument("--keep", action="store_true", help="keep the databases and print where they are")
    parser.add_argument("--quick", action="store_true", help="10,000 contacts and few runs, to check the script")
    parser.add_argument("--no-datasette", action="store_true", help="skip the Datasette reference")
    parser.add_argument("--no-apptest", action="store_true", help="skip the AppTest runs of the list page")
    parser.add_argument("--no-browser", action="store_true", help="skip Chromium and the RSS measure")
    parser.add_argument(
        "--capped-count", action="store_true",
        help=f"also time our search with the count stopped at {search_bench.COUNT_LIMIT + 1} (a prototype)",
    )
    parser.add_argument("--json-out", metavar="PATH", default="", help="write every timing to this JSON file")
    parser.add_argument(
        "--existing", metavar="URL", default="",
        help="time only our search and the floor on a database kept with --keep (SQLAlchemy URL), then stop",
    )
    args = parser.parse_args(argv)

    if args.quick:
        args.sizes, args.runs, args.naive_runs, args.page_runs = "10000", 5, 1, 2
    args.size_list = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    args.backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    if not args.no_browser and not args.existing and not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} is missing: apt-get install -y chromium, or pass --no-browser")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    if args.existing:
        run_existing(args.existing, args)
        return
    print(
        f"Sizes {', '.join(f'{size:,}' for size in args.size_list)} on {', '.join(args.backends)}; "
        f"{args.runs} searches per kind and method, {len(QUERY_KINDS)} kinds, page size {PAGE_SIZE}"
    )
    work_folder = Path(tempfile.mkdtemp(prefix="bench_scale_"))
    results: list[BackendResult] = []
    try:
        for size in args.size_list:
            results.extend(run_size(size, args, work_folder))
            if args.json_out:
                Path(args.json_out).write_text(json.dumps([asdict(result) for result in results], indent=1))
    finally:
        if args.keep:
            print(f"Work folder kept: {work_folder}")
        else:
            shutil.rmtree(work_folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark of the coverage dashboard's queries on SQLite and PostgreSQL at production size.

Fills a fresh database per backend with 20,000 habitats, 200,000 contacts (120,000
contacts multiples, 80,000 contacts simples) and exactly 400,000 links, reusing the
generators of bench/search_bench.py. Then times every service call the page
pages/coverage.py makes, as the page makes it (signed in as an administrateur), and the
full exports, and prints the median and the slowest run of each.

    .venv/bin/python bench/coverage_bench.py --backend both

PostgreSQL databases are created on the server of --postgres-url and dropped at the end;
SQLite files live in temporary folders removed at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "bench"))

from search_bench import (  # noqa: E402
    DEFAULT_POSTGRES_URL,
    Dataset,
    _zipf_weights,
    generate_contact,
    generate_habitats,
    load_dataset,
    postgres_database,
    sqlite_database,
)

from trackoe.coverage import CoverageFilters  # noqa: E402
from trackoe.database import create_app_engine, create_session_factory, migrate  # noqa: E402
from trackoe.permissions import Actor, Role  # noqa: E402
from trackoe.records import contact_type_label  # noqa: E402
from trackoe.services import coverage, coverage_lists  # noqa: E402

ACTOR = Actor(user_id=1, username="bench", display_name="Bench", role=Role.ADMINISTRATEUR)
PAGE_SIZE = 200
TARGET_PAGE_SECONDS = 1.0
SIMPLE_TYPES = (("habitant", 70), ("proprietaire", 15), ("gardien", 10), ("bailleur", 5))
ARCHIVED_HABITAT_SHARE = 0.02


def generate(seed: int, habitat_count: int, multiple_count: int, simple_count: int, link_count: int) -> Dataset:
    """Return the dataset: habitats, contacts multiples, contacts simples and exactly `link_count` links."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    weights = _zipf_weights(400)

    habitats = generate_habitats(rng, habitat_count)
    for habitat in habitats:
        if rng.random() < ARCHIVED_HABITAT_SHARE:
            habitat["archived_at"] = now
    contacts = [generate_contact(rng, contact_id, weights, now) for contact_id in range(1, multiple_count + 1)]
    types, type_weights = zip(*SIMPLE_TYPES)
    for contact_id in range(multiple_count + 1, multiple_count + simple_count + 1):
        contact = generate_contact(rng, contact_id, weights, now)
        contact.update(is_multiple=False, habitat_id=rng.randint(1, habitat_count), contact_type=rng.choices(types, type_weights)[0])
        if contact["last_name"] is None:
            contact["last_name"] = "Habitant"
        contacts.append(contact)

    links: list[dict] = []
    seen: set[tuple[int, int]] = set()
    while len(links) < link_count:
        contact = contacts[rng.randrange(multiple_count)]
        habitat_id = rng.randint(1, habitat_count)
        if (contact["id"], habitat_id) in seen:
            continue
        seen.add((contact["id"], habitat_id))
        start = today - dt.timedelta(days=rng.randint(30, 3650))
        roll = rng.random()
        end = None
        if roll < 0.15:
            end = start + dt.timedelta(days=rng.randint(1, (today - start).days - 1))
        elif roll < 0.20:
            end = today + dt.timedelta(days=rng.randint(1, 365))
        links.append(
            {
                "id": len(links) + 1, "contact_id": contact["id"], "habitat_id": habitat_id, "dwelling_id": None,
                "premises_id": None, "role": contact_type_label(contact["contact_type"]),
                "is_primary": rng.random() < 0.3, "start_date": start, "end_date": end, "version": 1,
            }
        )
    return Dataset(habitats=habitats, contacts=contacts, links=links)


def page_calls(sessions, landlord: str) -> dict[str, Callable[[], object]]:
    """Return the service calls of one view of the dashboard, by name, in the page's order."""
    everything = CoverageFilters()
    one_landlord = CoverageFilters(landlord=landlord)
    return {
        "filter options": lambda: coverage.filter_options(sessions, ACTOR),
        "headline": lambda: coverage.headline(sessions, ACTOR, everything),
        "matrix page 1": lambda: coverage.matrix(sessions, ACTOR, everything, 1, PAGE_SIZE),
        "matrix, gaps only": lambda: coverage.matrix(sessions, ACTOR, CoverageFilters(gaps_only=True), 1, PAGE_SIZE),
        "missing Gardien": lambda: coverage_lists.habitats_missing_role(sessions, ACTOR, everything, "Gardien", 1, PAGE_SIZE),
        "unlinked contacts": lambda: coverage_lists.unlinked_contacts(sessions, ACTOR, 1, PAGE_SIZE),
        "links to check": lambda: coverage_lists.link_anomalies(sessions, ACTOR, everything, 1, PAGE_SIZE),
        "top contacts": lambda: coverage_lists.top_contacts(sessions, ACTOR, everything, 1, PAGE_SIZE),
        "charts by landlord": lambda: coverage.charts(sessions, ACTOR, everything, "landlord"),
        "charts by area": lambda: coverage.charts(sessions, ACTOR, everything, "area"),
        "map": lambda: coverage.map_points(sessions, ACTOR, everything),
        "landlord: headline": lambda: coverage.headline(sessions, ACTOR, one_landlord),
        "landlord: missing Gardien": lambda: coverage_lists.habitats_missing_role(sessions, ACTOR, one_landlord, "Gardien", 1, PAGE_SIZE),
    }


def export_calls(sessions) -> dict[str, Callable[[], object]]:
    everything = CoverageFilters()
    return {
        "export: matrix, all rows": lambda: coverage.matrix(sessions, ACTOR, everything, None),
        "export: missing Gardien": lambda: coverage_lists.habitats_missing_role(sessions, ACTOR, everything, "Gardien", None),
    }


# The page runs the filter choices and the headline figures, then only the open tab's calls.
VIEW_BASE = ("filter options", "headline")
TAB_CALLS = {
    "Matrice": ("matrix page 1",),
    "Habitats sans rôle": ("missing Gardien",),
    "Contacts sans rattachement": ("unlinked contacts",),
    "Rattachements à vérifier": ("links to check",),
    "Contacts les plus rattachés": ("top contacts",),
    "Graphiques": ("charts by landlord",),
    "Carte": ("map",),
}


def time_calls(calls: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    for call in calls.values():
        call()
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def run_backend(backend: str, args: argparse.Namespace, dataset: Dataset) -> None:
    with ExitStack() as stack:
        if backend == "sqlite":
            url = stack.enter_context(sqlite_database(args.keep))
        else:
            url = stack.enter_context(postgres_database(args.postgres_url, args.keep))
        engine = create_app_engine(url)
        stack.callback(engine.dispose)
        migrate(engine)
        started = time.perf_counter()
        load_dataset(engine, dataset)
        load_seconds = time.perf_counter() - started
        sessions = create_session_factory(engine)

        landlord = coverage.filter_options(sessions, ACTOR).landlords[0]
        calls = {**page_calls(sessions, landlord), **export_calls(sessions)}
        timings = time_calls(calls, args.runs)

        load_1m, load_5m, _ = os.getloadavg()
        print(f"\n{backend}: loaded in {load_seconds:.1f} s; load average {load_1m:.1f} / {load_5m:.1f} (1 / 5 min)")
        print(f"  {'call':<28} {'median ms':>10} {'max ms':>8}")
        for name, values in timings.items():
            print(f"  {name:<28} {statistics.median(values):>10.1f} {max(values):>8.1f}")
        page_names = [name for name in calls if not name.startswith("export")]
        whole = sum(statistics.median(timings[name]) for name in page_names)
        views = {
            tab: sum(statistics.median(timings[name]) for name in (*VIEW_BASE, *names))
            for tab, names in TAB_CALLS.items()
        }
        slowest = max(views, key=views.get)
        target = TARGET_PAGE_SECONDS * 1000
        print(f"  {'sum, every page call':<28} {whole:>10.1f}   under {target:.0f} ms: {whole < target}")
        print(f"  {'slowest view: ' + slowest:<28} {views[slowest]:>10.1f}   under {target:.0f} ms: {views[slowest] < target}")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--habitats", type=int, default=20_000)
    parser.add_argument("--multiples", type=int, default=120_000, help="contacts multiples (default 120000)")
    parser.add_argument("--simples", type=int, default=80_000, help="contacts simples (default 80000)")
    parser.add_argument("--links", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of every call (default 7)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="SQLAlchemy URL of a loopback PostgreSQL server")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--keep", action="store_true", help="keep the databases and print where they are")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    started = time.perf_counter()
    dataset = generate(args.seed, args.habitats, args.multiples, args.simples, args.links)
    print(
        f"Generated {len(dataset.habitats)} habitats, {len(dataset.contacts)} contacts and "
        f"{len(dataset.links)} links in {time.perf_counter() - started:.1f} s; {args.runs} timed runs per call"
    )
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run_backend(backend, args, dataset)


if __name__ == "__main__":
    main()

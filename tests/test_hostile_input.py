"""Hostile input and concurrent use: services on both databases, pages through AppTest.

Each input must either be stored and found again by search as typed, or be rejected with a
French message and nothing written. Invisible characters (NUL, lone surrogates, format
characters such as zero-width spaces and direction marks) are removed before storing.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import text

from tests.pages_support import add_contact, add_link, button, grid, grid_frame, open_page, values_of
from trackoe import repository
from trackoe.errors import ConflictError, NotFoundError, ValidationError
from trackoe.models import Habitat
from trackoe.records import refresh_habitat_keys
from trackoe.services import contacts, habitats, links
from trackoe.ui.text import md
from trackoe.validation import ContactInput, validate_link
from trackoe.views import ContactFilters
from tests.actors import ADMIN, AGENT

CONTACT_PAGE = "pages/contact.py"
HABITAT_PAGE = "pages/habitat.py"

# Seconds a thread waits at a barrier before the test gives up, so a broken race never hangs the suite.
BARRIER_TIMEOUT_S = 20
THREAD_JOIN_TIMEOUT_S = 120


def create_habitat(sessions, code: str, name: str = "Résidence", city: str | None = "Gap") -> int:
    with sessions.begin() as session:
        habitat = Habitat(code=code, name=name, postcode="05000", city=city)
        refresh_habitat_keys(habitat)
        session.add(habitat)
        session.flush()
        return habitat.id


def create_person(sessions, last_name: str, **fields: str):
    return contacts.create_contact(sessions, AGENT, ContactInput(contact_type="gardien", last_name=last_name, **fields))


def search_ids(sessions, query: str) -> list[int]:
    return [row.id for row in contacts.search_contacts(sessions, AGENT, ContactFilters(text=query), 1, 50).rows]


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(text(f"SELECT count(*) FROM {table}"))


def run_together(actions: list[Callable[[], object]]) -> list[object]:
    """Run each action in its own thread, all released at once, and return each result or raised exception."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def worker(index: int) -> None:
        barrier.wait(timeout=BARRIER_TIMEOUT_S)
        try:
            results[index] = actions[index]()
        except Exception as error:  # noqa: BLE001 - the tests assert on what each thread got
            results[index] = error

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_JOIN_TIMEOUT_S)
    return results


def pause_after(monkeypatch, function_name: str, parties: int) -> None:
    """Make the first `parties` calls of `repository.<function_name>` wait for each other.

    Every caller then acts on what it read before any of them writes: the widest window of a
    check-then-insert race, reproduced on every run instead of by chance. Later calls (a
    service's own retry, for example) run without waiting.
    """
    original = getattr(repository, function_name)
    barrier = threading.Barrier(parties)
    lock = threading.Lock()
    calls = 0

    def paused(*args, **kwargs):
        nonlocal calls
        result = original(*args, **kwargs)
        with lock:
            calls += 1
            waits = calls <= parties
        if waits:
            barrier.wait(timeout=BARRIER_TIMEOUT_S)
        return result

    monkeypatch.setattr(repository, function_name, paused)


# Text that must be stored as typed and found again: SQL, HTML, formulas, LIKE and FTS5 syntax.
VERBATIM_NAMES = [
    pytest.param("'; DROP TABLE contact; --", id="sql"),
    pytest.param("<script>alert(1)</script> Dupont", id="html"),
    pytest.param("=HYPERLINK(\"http://exemple.fr\") Dupont", id="formula_equals"),
    pytest.param("+Dupont", id="formula_plus"),
    pytest.param("-Dupont", id="formula_minus"),
    pytest.param("@Dupont", id="formula_at"),
    pytest.param("100% Propre", id="like_percent"),
    pytest.param("Under_score", id="like_underscore"),
    pytest.param("Back\\slash", id="backslash"),
    pytest.param('Dupont "NEAR(" AND -x*', id="fts5_syntax"),
    pytest.param("👨\u200d👩\u200d👧 Famille Dupont", id="emoji"),
    pytest.param("L’Hôpital-d’Orée", id="curly_apostrophes"),
    pytest.param("e" * 120, id="max_length"),
]


@pytest.mark.parametrize("name", VERBATIM_NAMES)
def test_hostile_name_stored_and_found(sessions, name):
    create_person(sessions, "Témoin")
    created = create_person(sessions, name)

    fetched = contacts.get_contact(sessions, AGENT, created.id)

    assert fetched.last_name == name
    assert search_ids(sessions, name) == [created.id]


def test_nul_bytes_removed_before_storing(sessions):
    created = create_person(sessions, "Du\x00pont", comment="ligne\x00 une")

    fetched = contacts.get_contact(sessions, AGENT, created.id)

    assert fetched.last_name == "Dupont"
    assert fetched.comment == "ligne une"
    assert search_ids(sessions, "Dupont") == [created.id]


@pytest.mark.parametrize(
    "query",
    ["%", "_", "\\", '"', "*", "NEAR(", "AND", "-", "'; DROP TABLE contact; --", "\x00", "x" * 5000, "a\u200b"],
)
def test_search_syntax_does_not_raise(sessions, engine, query):
    create_person(sessions, "Dupont")

    contacts.search_contacts(sessions, AGENT, ContactFilters(text=query, place=query), 1, 50)
    habitats.search_habitats(sessions, AGENT, query, 1, 50)
    habitats.pick_habitats(sessions, AGENT, query)

    assert count(engine, "contact") == 1


@pytest.mark.parametrize("blank", ["   ", "\xa0\u3000", "\t"])
def test_blank_name_rejected(sessions, engine, blank):
    with pytest.raises(ValidationError) as raised:
        create_person(sessions, blank)

    assert raised.value.field_errors["last_name"] == "Saisissez un nom ou une raison sociale."
    assert count(engine, "contact") == 0


def test_ten_thousand_chars_rejected(sessions, engine):
    with pytest.raises(ValidationError) as raised:
        create_person(sessions, "a" * 10_000)

    assert raised.value.field_errors["last_name"] == "Texte trop long : 10000 caractères pour 120 au plus."
    assert count(engine, "contact") == 0


@pytest.mark.parametrize("phone", ["+33 6 12 34 56 78 99", "0612", "06 12 34 56 7a", "+" + "1" * 40])
def test_invalid_phone_rejected(sessions, engine, phone):
    with pytest.raises(ValidationError) as raised:
        create_person(sessions, "Dupont", phone_mobile=phone)

    assert raised.value.field_errors["phone_mobile"].startswith("Numéro de téléphone invalide")
    assert count(engine, "contact") == 0


def test_foreign_phone_found_by_digits(sessions):
    created = create_person(sessions, "Smith", phone_mobile="+1 202 555 0143")

    assert search_ids(sessions, "+1 202 555 0143") == [created.id]
    assert search_ids(sessions, "2025550143") == [created.id]


def test_unicode_email_domain_stored(sessions):
    created = create_person(sessions, "Dupont", email="  Élodie@Café.FR ")

    assert contacts.get_contact(sessions, AGENT, created.id).email == "élodie@café.fr"


def test_postcode_with_spaces_compacted(sessions):
    created = create_person(sessions, "Dupont", postcode=" 75 012 ")

    assert contacts.get_contact(sessions, AGENT, created.id).postcode == "75012"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200f\u200e", "\ufeff", "\u2060"])
def test_invisible_name_rejected(sessions, engine, invisible):
    with pytest.raises(ValidationError):
        create_person(sessions, invisible)

    assert count(engine, "contact") == 0


def test_long_city_with_expanding_letters(sessions, engine, request):

    try:
        created = create_person(sessions, "Dupont", city="ß" * 120)
    except ValidationError:
        assert count(engine, "contact") == 0
        return

    assert contacts.get_contact(sessions, AGENT, created.id).city == "ß" * 120


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Du\ud800pont", "Dupont"),
        ("Dupont\u200fMartin", "DupontMartin"),
        ("\u202eDupont", "Dupont"),
        ("Du\u200bpont", "Dupont"),
    ],
)
def test_invisible_characters_removed_before_storing(sessions, typed, stored):
    created = create_person(sessions, typed)

    fetched = contacts.get_contact(sessions, AGENT, created.id)

    assert fetched.last_name == stored
    assert search_ids(sessions, stored) == [created.id]


def test_huge_page_number_returns_empty_page(sessions):
    create_person(sessions, "Dupont")

    result = contacts.search_contacts(sessions, AGENT, ContactFilters(), 10**17, 200)

    assert result.rows == []
    assert result.total == 1


def test_many_search_terms_do_not_raise(sessions, engine, request):
    create_person(sessions, "Dupont")

    result = contacts.search_contacts(sessions, AGENT, ContactFilters(text=" ".join(f"w{i}" for i in range(1200))), 1, 50)

    assert result.total == 0


@pytest.mark.parametrize("typed", ["%", "?", "-", "***"])
def test_picker_ignores_text_without_letters(sessions, typed):
    create_habitat(sessions, "H1")

    assert habitats.pick_habitats(sessions, AGENT, typed) == []


# Concurrency


def test_eight_threads_create_and_link(sessions, engine):
    habitat_ids = [create_habitat(sessions, f"H{index}") for index in range(10)]

    def create_link_and_update(worker: int) -> Callable[[], int]:
        def action() -> int:
            for step in range(10):
                created = contacts.create_contact(sessions, AGENT,
                    ContactInput(contact_type="gardien", last_name=f"Gardien {worker} {step}"),
                    creation_token=f"worker-{worker}-{step}",
                    links=(validate_link(habitat_ids[step], "Gardien"),),
                )
                links.add_link(sessions, AGENT, created.id, validate_link(habitat_ids[(step + 1) % 10], "Syndic"))
                contacts.update_contact(sessions, AGENT,
                    created.id,
                    ContactInput(contact_type="gardien", last_name=f"Gardien {worker} {step} bis"),
                    expected_version=created.version,
                )
            return worker

        return action

    results = run_together([create_link_and_update(worker) for worker in range(8)])

    assert results == list(range(8))
    assert count(engine, "contact") == 80
    assert count(engine, "contact_link") == 160


@pytest.mark.parametrize("operation", ["end", "remove", "end_and_remove"])
def test_same_link_changed_twice_at_once(sessions, engine, operation):
    habitat_id = create_habitat(sessions, "H1")
    contact = create_person(sessions, "Dupont")
    link_id = links.add_link(sessions, AGENT, contact.id, validate_link(habitat_id, "Gardien"))
    end = lambda: links.end_link(sessions, AGENT, contact.id, link_id, dt.date.today())  # noqa: E731
    remove = lambda: links.remove_link(sessions, AGENT, contact.id, link_id)  # noqa: E731
    actions = {"end": [end, end], "remove": [remove, remove], "end_and_remove": [end, remove]}[operation]

    results = run_together(actions)

    assert results.count(None) >= 1, results
    failures = [result for result in results if result is not None]
    assert all(isinstance(failure, (ConflictError, NotFoundError)) for failure in failures), failures
    # An end that commits first makes the removal's version stale, so the ended link may stay.
    removed = any(action is remove and result is None for action, result in zip(actions, results, strict=True))
    assert count(engine, "contact_link") == (0 if removed else 1)


def test_stale_version_update_rejected(sessions):
    created = create_person(sessions, "Dupont")
    contacts.update_contact(sessions, AGENT, created.id, ContactInput(contact_type="gardien", last_name="Durand"), expected_version=created.version)

    with pytest.raises(ConflictError):
        contacts.update_contact(sessions, AGENT, created.id, ContactInput(contact_type="gardien", last_name="Martin"), expected_version=created.version)

    assert contacts.get_contact(sessions, AGENT, created.id).last_name == "Durand"


def test_updates_with_same_version_one_wins(sessions):
    created = create_person(sessions, "Dupont")

    def save(name: str) -> Callable[[], object]:
        return lambda: contacts.update_contact(sessions, AGENT, created.id, ContactInput(contact_type="gardien", last_name=name), expected_version=created.version
        )

    results = run_together([save("Durand"), save("Martin")])

    conflicts = [result for result in results if isinstance(result, ConflictError)]
    saved = [result for result in results if not isinstance(result, Exception)]
    assert len(conflicts) == 1, results
    assert len(saved) == 1, results
    assert contacts.get_contact(sessions, AGENT, created.id).last_name == saved[0].last_name


def test_habitat_deleted_while_linking(sessions, engine):
    habitat_ids = [create_habitat(sessions, f"V{index}") for index in range(15)]
    contact_ids = [create_person(sessions, f"Lien {index}").id for index in range(4)]

    def link_all(contact_id: int) -> Callable[[], list[Exception]]:
        def action() -> list[Exception]:
            failures = []
            for habitat_id in habitat_ids:
                try:
                    links.add_link(sessions, AGENT, contact_id, validate_link(habitat_id, "Gardien"))
                except Exception as error:  # noqa: BLE001 - collected for the assertion below
                    failures.append(error)
            return failures

        return action

    def delete_all() -> list[Exception]:
        for habitat_id in habitat_ids:
            habitats.delete_habitat(sessions, ADMIN, habitat_id)
        return []

    results = run_together([*(link_all(contact_id) for contact_id in contact_ids), delete_all])

    failures = [failure for result in results for failure in result]
    assert all(isinstance(failure, (ConflictError, NotFoundError)) for failure in failures), failures
    assert count(engine, "habitat") == 0
    assert count(engine, "contact_link") == 0
    assert count(engine, "contact") == 4


def test_same_link_added_at_once_kept_once(sessions, engine, monkeypatch):
    habitat_id = create_habitat(sessions, "H1")
    contact = create_person(sessions, "Dupont")
    pause_after(monkeypatch, "find_current_link", 2)
    add = lambda: links.add_link(sessions, AGENT, contact.id, validate_link(habitat_id, "Gardien"))  # noqa: E731

    results = run_together([add, add])

    assert count(engine, "contact_link") == 1
    assert sum(isinstance(result, ConflictError) for result in results) == 1, results


def test_same_token_race_gives_one_contact(sessions, engine, monkeypatch):
    pause_after(monkeypatch, "find_contact_by_creation_token", 2)
    form = ContactInput(contact_type="syndic", company_name="Syndic Dupont")
    create = lambda: contacts.create_contact(sessions, AGENT, form, creation_token="same-form")  # noqa: E731

    results = run_together([create, create])

    assert all(not isinstance(result, Exception) for result in results), results
    assert len({result.id for result in results}) == 1
    assert count(engine, "contact") == 1


# Pages through AppTest, on an SQLite file


@pytest.mark.parametrize(
    ("page_file", "param", "value"),
    [
        (CONTACT_PAGE, "contact_id", "-1"),
        (CONTACT_PAGE, "contact_id", "1 OR 1=1"),
        (CONTACT_PAGE, "contact_id", "1;DROP TABLE contact"),
        (CONTACT_PAGE, "contact_id", "999999999999"),
        (CONTACT_PAGE, "contact_id", "99999999999999999999"),
        (CONTACT_PAGE, "habitat_id", "abc"),
        (CONTACT_PAGE, "habitat_id", "<script>"),
        (HABITAT_PAGE, "habitat_id", "abc"),
        (HABITAT_PAGE, "habitat_id", "1e9"),
        (HABITAT_PAGE, "habitat_id", "0x10"),
    ],
)
def test_hostile_url_shows_french_error(page_sessions, page_file, param, value):
    at = open_page(page_file, **{param: value})

    assert not at.exception
    assert len(at.error) == 1


@pytest.mark.parametrize(
    ("page_file", "param", "value"),
    [(CONTACT_PAGE, "contact_id", "²"), (CONTACT_PAGE, "habitat_id", "³"), (HABITAT_PAGE, "habitat_id", "①")],
)
def test_unicode_digit_id_shows_french_error(page_sessions, page_file, param, value):
    at = open_page(page_file, **{param: value})

    assert not at.exception
    assert len(at.error) == 1


def test_hostile_form_values_kept_verbatim(page_sessions):
    values = {
        "last_name": "'; DROP TABLE contact; --",
        "first_name": "=1+2",
        "company_name": "<img src=x onerror=alert(1)>",
        "address_line1": "[lien](http://exemple.fr) **gras**",
        "city": "Saint-Étienne 👨\u200d👩\u200d👧",
    }
    at = open_page(CONTACT_PAGE)
    at.selectbox(key="contact_new_contact_type").set_value("gardien")
    for field, value in values.items():
        at.text_input(key=f"contact_new_{field}").input(value)

    button(at, "Enregistrer").click().run()

    assert not at.exception
    contact_id = at.query_params["contact_id"]
    for field, value in values.items():
        assert at.text_input(key=f"contact_{contact_id}_{field}").value == value, field


@pytest.mark.parametrize(
    ("field", "typed"),
    [("phone_mobile", "**gras**"), ("email", "![image](http://127.0.0.1:9/x.png)"), ("postcode", "$x^2$")],
)
def test_field_error_quotes_typed_text_literally(page_sessions, field, typed):
    at = open_page(CONTACT_PAGE)
    at.selectbox(key="contact_new_contact_type").set_value("gardien")
    at.text_input(key="contact_new_last_name").input("Dupont")
    at.text_input(key=f"contact_new_{field}").input(typed)

    button(at, "Enregistrer").click().run()

    errors = values_of(at.error)
    assert len(errors) == 2, errors
    assert all(typed not in error for error in errors), errors


def test_markdown_escape_covers_entities():
    escaped = md("Dupont &amp; Fils &lt;b&gt;")

    assert re.search(r"(?<!\\)&", escaped) is None, escaped


def test_stale_archive_click_keeps_archived(page_sessions):
    contact = add_contact(page_sessions, contact_type="syndic", last_name="Martin")
    at = open_page(CONTACT_PAGE, contact_id=str(contact.id))
    contacts.set_contact_archived(page_sessions, AGENT, contact.id, True)

    button(at, "Archiver le contact").click().run()

    assert contacts.get_contact(page_sessions, AGENT, contact.id).is_archived is True


def test_habitat_grid_opens_clicked_contact(page_sessions):
    habitat_id = create_habitat(page_sessions, "H1", "Les Tilleuls")
    durand = add_contact(page_sessions, contact_type="habitant", last_name="Durand", habitat_id=habitat_id)
    at = open_page(HABITAT_PAGE, habitat_id=str(habitat_id))
    key = f"habitat_{habitat_id}_contacts_grid"
    frame = grid_frame(grid(at, key))
    durand_row = int(frame.loc[frame["display_name"] == "DURAND", "id"].iloc[0])
    add_contact(page_sessions, contact_type="habitant", last_name="Aubert", habitat_id=habitat_id)

    at.session_state[key] = {"selected_id": durand_row}
    at.run()

    assert at.query_params.get("contact_id") == str(durand.id)


def test_removed_link_click_raises_nothing(page_sessions):
    habitat_id = create_habitat(page_sessions, "H1", "Les Tilleuls")
    kept_habitat_id = create_habitat(page_sessions, "H2", "Les Cèdres")
    contact = add_contact(page_sessions, contact_type="gardien", last_name="Lefèvre")
    link_id = add_link(page_sessions, contact.id, habitat_id)
    # A second link keeps the grid on the page after the first one is removed.
    add_link(page_sessions, contact.id, kept_habitat_id)
    at = open_page(CONTACT_PAGE, contact_id=str(contact.id))
    links.remove_link(page_sessions, AGENT, contact.id, link_id)

    at.session_state[f"contact_{contact.id}_links_grid"] = {"selected_id": link_id}
    at.run()

    assert not at.exception

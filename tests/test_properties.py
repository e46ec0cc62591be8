"""Property-based tests of every validator and normaliser, over hostile text.

The inputs mix arbitrary Unicode (lone surrogates included), control characters, 10,000-character
strings, empty and blank strings, SQL and HTML fragments and spreadsheet formula prefixes.
Every function must return without an unexpected exception, its result must be stable when
fed back to it, and what it keeps must still be found by search.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from trackoe.domain import ContactType
from trackoe.errors import ValidationError
from trackoe.limits import SEARCH_TEXT_LENGTH
from trackoe.models import COMMENT_LENGTH, NAME_LENGTH, TEXT_LENGTH, Contact
from trackoe.normalise import (
    build_search_text,
    clean_line,
    clean_text,
    format_phone,
    phone_query_digits,
    phone_to_e164,
    search_key,
    search_terms,
)
from trackoe.permissions import Actor, Role
from trackoe.services import contacts
from trackoe.validation import (
    ContactData,
    ContactInput,
    contact_input_fields,
    validate_contact,
    validate_email_address,
    validate_postcode,
)
from trackoe.views import ContactFilters

PURE_EXAMPLES = 150
LONG_TEXT_LENGTH = 10_000

HOSTILE_FRAGMENTS = [
    "'; DROP TABLE contact; --",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt;",
    "=1+2",
    "=HYPERLINK(\"http://exemple.fr\")",
    "+33",
    "-2",
    "@SUM(A1)",
    "\t=cmd",
    "%",
    "_",
    "\\",
    '"',
    "*",
    "NEAR(",
    "\x00",
    "\x1b[31m",
    "\x85",
    "\x9f",
    "\u2028",
    "\u2029",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\u200d",
    "\ud800",
    "e\u0301",
    "\u0301",
    "ß",
    "İ",
    "ﬁ",
    "Œuvre",
    "L’Hôpital",
    "06 12 34 56 78",
    "12-14",
    "05000",
    "anne@exemple.fr",
    "👨\u200d👩\u200d👧",
    " ",
    "\xa0",
    "\u3000",
    "\n",
    "\r\n",
]

# Any code point, surrogates and control characters included.
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
FRAGMENT_MIX = st.lists(
    st.one_of(st.sampled_from(HOSTILE_FRAGMENTS), st.text(ANY_CHARACTER, max_size=12)), max_size=8
).map("".join)
LONG_TEXT = st.text(ANY_CHARACTER, min_size=1, max_size=4).map(lambda unit: (unit * LONG_TEXT_LENGTH)[:LONG_TEXT_LENGTH])
BLANK_TEXT = st.text(st.sampled_from(" \t\n\r\xa0\u2028\u3000\u200b\ufeff\x00"), max_size=20)
HOSTILE_TEXT = st.one_of(st.text(ANY_CHARACTER), FRAGMENT_MIX, LONG_TEXT, BLANK_TEXT, st.just(""))

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LINE_SEPARATORS = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
SEARCH_KEY_CHARACTERS = re.compile(r"^[^\W_]+( [^\W_]+)*$")
FRENCH_FIELD_MESSAGES = (
    "Choisissez le type de contact.",
    "Civilité invalide",
    "Saisissez un nom ou une raison sociale.",
    "Ce nom ne contient aucune lettre ni aucun chiffre",
    "Texte trop long",
    "Numéro de téléphone invalide",
    "Adresse e-mail invalide",
    "Code postal invalide",
)


def is_surrogate(character: str) -> bool:
    return unicodedata.category(character) == "Cs"


def pure(test):
    """Apply the example count and no deadline of the tests over pure functions."""
    return settings(deadline=None, max_examples=PURE_EXAMPLES)(test)


# --- clean_text and clean_line ------------------------------------------------------------


@pure
@given(HOSTILE_TEXT)
@example("e\u200b\u0301")
@example("a\x85b")
def test_clean_text_idempotent(value):
    once = clean_text(value)

    twice = clean_text(once)

    assert twice == once


@pure
@given(HOSTILE_TEXT)
@example("e\u200b\u0301")
@example("\x9fDupont")
def test_clean_text_drops_invisible_characters(value):
    """The cleaned text is NFC, trimmed, and has no control, format (but ZWJ) or surrogate character."""
    cleaned = clean_text(value)

    if cleaned is None:
        return
    assert cleaned == cleaned.strip() != ""
    assert unicodedata.is_normalized("NFC", cleaned)
    assert CONTROL_CHARACTERS.search(cleaned) is None
    assert not any(is_surrogate(character) for character in cleaned)
    assert all(unicodedata.category(character) != "Cf" or character == "\u200d" for character in cleaned)


@pure
@given(HOSTILE_TEXT)
def test_clean_text_keeps_visible_text(value):
    """Every letter and digit typed survives cleaning, in order, once composed to NFC."""
    printable = "".join(c for c in value if unicodedata.category(c) not in ("Cs", "Cc", "Cf"))
    visible = "".join(c for c in unicodedata.normalize("NFC", printable) if c.isalnum())

    cleaned = clean_text(value) or ""

    assert "".join(character for character in cleaned if character.isalnum()) == visible


PRINTABLE_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=200
).map(lambda text: unicodedata.normalize("NFC", text).strip())


AS_TYPED_FRAGMENTS = [
    text
    for text in HOSTILE_FRAGMENTS
    if text.isprintable() and text == text.strip() and unicodedata.is_normalized("NFC", text)
]


@pure
@given(st.one_of(PRINTABLE_TEXT, st.sampled_from(AS_TYPED_FRAGMENTS)))
def test_printable_text_kept_as_typed(value):
    """Printable NFC text without outer spaces is stored exactly as typed, by both cleaners."""
    expected = value or None

    assert clean_text(value) == expected
    assert clean_line(value) == expected


@pure
@given(HOSTILE_TEXT)
@example("Rue\u2028Pasteur")
@example("Rue\x85Pasteur")
def test_clean_line_single_line_and_idempotent(value):
    once = clean_line(value)

    twice = clean_line(once)

    assert twice == once
    assert once is None or LINE_SEPARATORS.search(once) is None
    assert once is None or len(once.splitlines()) == 1


# --- Search keys and terms ----------------------------------------------------------------


@pure
@given(HOSTILE_TEXT)
def test_search_key_idempotent_lowercase_words(value):
    key = search_key(value)

    again = search_key(key)

    assert again == key
    assert key == "" or SEARCH_KEY_CHARACTERS.match(key)


@pure
@given(HOSTILE_TEXT)
def test_search_terms_safe_for_like_and_fts(value):
    """Terms are 20 at most, non-empty, without spaces, LIKE wildcards or FTS5 quotes."""
    terms = search_terms(value)

    assert len(terms) <= 20
    assert len(set(terms)) == len(terms)
    for term in terms:
        assert term
        assert not set(term) & set(' %_\\"*')


@pure
@given(HOSTILE_TEXT)
@example("12-14")
@example("Résidence 112-114 avenue")
@example("0612 34")
@example("+1 23")
def test_stored_text_found_by_its_own_terms(value):
    """A field stored as `clean_line(value)` is found by searching that same text."""
    stored = clean_line(value)
    if stored is None:
        return

    search_text = build_search_text(stored)

    for term in search_terms(stored):
        assert term in search_text, (term, search_text)


@pure
@given(HOSTILE_TEXT)
@example("0033")
@example("+33 00")
def test_phone_query_digits_only_digits(value):
    digits = phone_query_digits(value)

    assert digits is None or (digits.isascii() and digits.isdigit() and len(digits) >= 4)


# --- Phones -------------------------------------------------------------------------------

PHONE_TEXT = st.one_of(
    HOSTILE_TEXT,
    st.text(alphabet="0123456789 +.-()/", max_size=30),
    st.from_regex(r"0[1-79]( ?[0-9]{2}){4}", fullmatch=True),
    st.from_regex(r"\+(33|1|32|41|44|49)[ .]?[0-9]{6,12}", fullmatch=True),
)


def stored_phone(raw: str) -> str | None:
    """Return what the contact form stores for `raw`, or None when it rejects it with a French message."""
    form = ContactInput(contact_type=ContactType.GARDIEN.value, last_name="Dupont", phone_mobile=raw)
    try:
        return validate_contact(form).phone_mobile
    except ValidationError as error:
        assert error.field_errors["phone_mobile"].startswith("Numéro de téléphone invalide")
        return None


@pure
@given(PHONE_TEXT)
@example("+" + "1" * 40)
@example("0" * LONG_TEXT_LENGTH)
def test_phone_displayed_form_gives_same_number(raw):
    """A stored phone shown as `format_phone` and saved again stays the same E.164 number."""
    e164 = stored_phone(raw)
    if e164 is None:
        return

    shown = format_phone(e164)

    assert e164.startswith("+")
    assert phone_to_e164(e164) == e164
    assert stored_phone(shown) == e164


# --- Emails and postcodes -----------------------------------------------------------------

EMAIL_TEXT = st.one_of(
    HOSTILE_TEXT,
    st.emails(),
    st.emails().map(lambda email: f"  {email.upper()} "),
    st.sampled_from(["Élodie@Café.FR", "a@b", "a@xn--caf-dma.fr", "İ@exemple.fr", "a@" + "b" * 300 + ".fr"]),
)


@pure
@given(EMAIL_TEXT)
def test_email_valid_or_french_error_and_idempotent(raw):
    errors: dict[str, str] = {}

    email = validate_email_address(raw, errors)

    if email is None:
        assert errors == {} or errors["email"].startswith("Adresse e-mail invalide")
        return
    assert errors == {}
    assert email == email.strip().lower()
    assert validate_email_address(email, {}) == email


POSTCODE_TEXT = st.one_of(HOSTILE_TEXT, st.from_regex(r" ?[0-9]{2} ?[0-9]{3} ?", fullmatch=True), st.text("0123456789 ", max_size=8))


@pure
@given(POSTCODE_TEXT)
@example("７５０１２")
@example("٧٥٠١٢")
def test_postcode_five_ascii_digits_or_french_error(raw):
    errors: dict[str, str] = {}

    postcode = validate_postcode(raw, errors)

    if postcode is None:
        assert errors == {} or errors["postcode"].startswith("Code postal invalide")
        return
    assert re.fullmatch(r"[0-9]{5}", postcode)
    assert validate_postcode(postcode, {}) == postcode


# --- The whole contact form ---------------------------------------------------------------

FORM_VALUE = st.one_of(st.none(), HOSTILE_TEXT)
TEXT_FIELD_LIMITS = {
    "last_name": NAME_LENGTH,
    "first_name": NAME_LENGTH,
    "company_name": TEXT_LENGTH,
    "email": TEXT_LENGTH,
    "address_line1": TEXT_LENGTH,
    "address_line2": TEXT_LENGTH,
    "city": NAME_LENGTH,
    "comment": COMMENT_LENGTH,
}


def contact_forms() -> st.SearchStrategy[ContactInput]:
    typed = {name: FORM_VALUE for name in contact_input_fields() if name not in ("contact_type", "civility")}
    return st.builds(
        ContactInput,
        contact_type=st.one_of(st.sampled_from([t.value for t in ContactType]), HOSTILE_TEXT),
        civility=st.one_of(st.none(), st.sampled_from(["M.", "Mme", ""]), HOSTILE_TEXT),
        **typed,
    )


def resubmitted(data: ContactData) -> ContactInput:
    """Return the form as the edit page fills it from a stored contact (phones formatted)."""
    return ContactInput(
        contact_type=data.contact_type.value,
        civility=data.civility,
        last_name=data.last_name,
        first_name=data.first_name,
        company_name=data.company_name,
        phone_landline=format_phone(data.phone_landline),
        phone_mobile=format_phone(data.phone_mobile),
        email=data.email,
        address_line1=data.address_line1,
        address_line2=data.address_line2,
        postcode=data.postcode,
        city=data.city,
        comment=data.comment,
    )


@settings(deadline=None, max_examples=200)
@given(contact_forms())
@example(ContactInput(contact_type="gardien", last_name="a" * LONG_TEXT_LENGTH))
@example(ContactInput(contact_type="gardien", last_name="=1+2", first_name="<b>x</b>"))
def test_contact_form_valid_or_french_errors(form):
    """The form either validates, within every column's length, or is rejected field by field in French."""
    try:
        data = validate_contact(form)
    except ValidationError as error:
        assert error.field_errors
        for field, message in error.field_errors.items():
            assert message.startswith(FRENCH_FIELD_MESSAGES), (field, message)
        return

    for field, max_length in TEXT_FIELD_LIMITS.items():
        value = getattr(data, field)
        assert value is None or 0 < len(value) <= max_length, field
    assert validate_contact(resubmitted(data)) == data


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("e\u200b\u0301", "é", id="format-character-between-letter-and-accent"),
        pytest.param("\x9fDupont", "Dupont", id="c1-control-character"),
        pytest.param("Du\x85pont", "Dupont", id="next-line-control-character"),
    ],
)
def test_clean_text_regressions(typed, stored):
    cleaned = clean_text(typed)

    assert cleaned == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("Rue\u2028Pasteur", "Rue Pasteur", id="line-separator"),
        pytest.param("Rue\u2029Pasteur", "Rue Pasteur", id="paragraph-separator"),
    ],
)
def test_clean_line_regressions(typed, stored):
    cleaned = clean_line(typed)

    assert cleaned == stored


@pytest.mark.parametrize(
    "stored",
    ["12-14", "Résidence 112-114 avenue", "0612 34", "06.12.34.56.78 bureau"],
)
def test_phone_like_words_found_by_search(stored):
    search_text = build_search_text(stored)

    terms = search_terms(stored)

    assert all(term in search_text for term in terms), (terms, search_text)


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        pytest.param("1" * LONG_TEXT_LENGTH, ["1" * SEARCH_TEXT_LENGTH], id="long-digits"),
        pytest.param("a" * LONG_TEXT_LENGTH, ["a" * SEARCH_TEXT_LENGTH], id="long-word"),
    ],
)
def test_search_text_cut_to_limit(query, terms):
    result = search_terms(query)

    assert result == terms


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        pytest.param("0033", ["0033"], id="country-code-alone"),
        pytest.param("+33 00", ["33", "00"], id="country-code-and-zeros"),
        pytest.param("0033 6 12 34 56 78", ["0612345678"], id="full-number"),
    ],
)
def test_country_code_alone_not_a_phone_query(query, terms):
    result = search_terms(query)

    assert result == terms


# --- Create and update services, on both databases ----------------------------------------

SERVICE_EXAMPLES = 50
AGENT = Actor(user_id=1, username="agent", display_name="Agent", role=Role.AGENT)
NAME_TEXT = st.one_of(HOSTILE_TEXT, PRINTABLE_TEXT, st.sampled_from(HOSTILE_FRAGMENTS))


def optional(valid: st.SearchStrategy[str], hostile: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    # Mostly empty or valid values, so that about half the forms are stored and searched.
    return st.one_of(st.none(), valid, valid, hostile)


def service_forms() -> st.SearchStrategy[ContactInput]:
    return st.builds(
        ContactInput,
        contact_type=st.sampled_from([t.value for t in ContactType]),
        last_name=st.one_of(PRINTABLE_TEXT.map(lambda text: text[:NAME_LENGTH]), NAME_TEXT),
        first_name=optional(PRINTABLE_TEXT.map(lambda text: text[:NAME_LENGTH]), NAME_TEXT),
        company_name=optional(st.sampled_from(HOSTILE_FRAGMENTS), NAME_TEXT),
        phone_mobile=optional(st.from_regex(r"06( ?[0-9]{2}){4}", fullmatch=True), PHONE_TEXT),
        email=optional(st.emails(), EMAIL_TEXT),
        address_line1=optional(FRAGMENT_MIX.map(lambda text: text[:TEXT_LENGTH]), NAME_TEXT),
        postcode=optional(st.from_regex(r"[0-9]{5}", fullmatch=True), POSTCODE_TEXT),
        city=optional(PRINTABLE_TEXT.map(lambda text: text[:NAME_LENGTH]), NAME_TEXT),
        comment=st.one_of(st.none(), HOSTILE_TEXT),
    )


def contact_total(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Contact))


def found_ids(sessions, query: str) -> list[int]:
    page = contacts.search_contacts(sessions, AGENT, ContactFilters(text=query), 1, 1000)
    return [row.id for row in page.rows]


def assert_stored_as_validated(sessions, detail, form: ContactInput) -> None:
    """Assert the stored contact is `validate_contact(form)`: the typed text after clean_line, or clean_text for the comment."""
    data = validate_contact(form)
    stored = contacts.get_contact(sessions, AGENT, detail.id)

    for field in ("last_name", "first_name", "company_name", "address_line1", "city"):
        assert getattr(stored, field) == clean_line(getattr(form, field)), field
    assert stored.comment == clean_text(form.comment)
    assert (stored.phone_mobile, stored.email, stored.postcode) == (data.phone_mobile, data.email, data.postcode)
    for name in (stored.last_name, stored.company_name, stored.city):
        if name is not None and search_terms(name):
            assert detail.id in found_ids(sessions, name), name


def save_or_reject(sessions, action, form: ContactInput):
    """Run `action`; return its contact, or None when it raised ValidationError with French messages and wrote nothing."""
    before = contact_total(sessions)
    try:
        return action(form)
    except ValidationError as error:
        event(f"rejected fields: {sorted(error.field_errors)}")
        for field, message in error.field_errors.items():
            assert message.startswith(FRENCH_FIELD_MESSAGES), (field, message)
        assert contact_total(sessions) == before
        return None


@settings(
    deadline=None,
    max_examples=SERVICE_EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=service_forms(), second=service_forms())
@example(
    first=ContactInput(contact_type="gardien", last_name="12-14", city="ß" * NAME_LENGTH),
    second=ContactInput(contact_type="syndic", last_name="a" * LONG_TEXT_LENGTH),
)
def test_create_update_store_or_reject(sessions, first, second):
    """Each form is stored as validated and found by search, or rejected in French with nothing written."""
    created = save_or_reject(sessions, lambda form: contacts.create_contact(sessions, AGENT, form), first)
    event("created" if created is not None else "creation rejected")
    if created is None:
        return
    assert_stored_as_validated(sessions, created, first)

    updated = save_or_reject(
        sessions,
        lambda form: contacts.update_contact(sessions, AGENT, created.id, form, expected_version=created.version),
        second,
    )

    if updated is None:
        assert contacts.get_contact(sessions, AGENT, created.id).version == created.version
        return
    assert_stored_as_validated(sessions, updated, second)

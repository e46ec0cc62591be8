"""Unit tests of trackoe.normalise: text cleaning, search keys and phone numbers."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from trackoe.normalise import (
    build_search_text,
    clean_text,
    format_phone,
    format_phone_with_library,
    phone_query_digits,
    phone_search_digits,
    phone_to_e164,
    search_key,
    search_terms,
)

DECOMPOSED_LEFEVRE = "Lefe\u0301vre"
FRENCH_MOBILE_FORMATS = [
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "0033612345678",
    "0033 6 12 34 56 78",
    "0612345678",
    " 06 12 34 56 78 ",
]
SEARCH_KEY_CHARACTERS = re.compile(r"^[^\W_]+( [^\W_]+)*$")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Lefèvre", "lefevre"),
        (DECOMPOSED_LEFEVRE, "lefevre"),
        ("LEFEVRE", "lefevre"),
        ("N'Diaye", "n diaye"),
        ("N’Diaye", "n diaye"),
        ("Jean-Pierre", "jean pierre"),
        ("L’Hôpital", "l hopital"),
        ("  Saint-Étienne  ", "saint etienne"),
        ("Œuvre", "oeuvre"),
        ("Straße", "strasse"),
        ("Østergaard", "ostergaard"),
        ("Łukasz", "lukasz"),
        ("Иванов", "иванов"),
        ("snake_case%", "snake case"),
        ("Bât. A, 2e étage", "bat a 2e etage"),
        ("<script>alert(1)</script>", "script alert 1 script"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_search_key_folds_case_accents_punctuation(value, expected):
    key = search_key(value)

    assert key == expected


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (DECOMPOSED_LEFEVRE, "Lefèvre"),
        ("LEFEVRE", "Lefèvre"),
        ("lefevre", "Lefèvre"),
        ("N'Diaye", "N’Diaye"),
        ("jean pierre", "Jean-Pierre"),
        ("JEAN–PIERRE", "Jean-Pierre"),
    ],
)
def test_search_key_equal_for_spellings(typed, stored):
    typed_key = search_key(typed)

    stored_key = search_key(stored)

    assert typed_key == stored_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Anne  ", "Anne"),
        (DECOMPOSED_LEFEVRE, "Lef\u00e9vre"),
        ("N’Diaye", "N’Diaye"),
        ("N'Diaye", "N'Diaye"),
        ("Jean-Pierre", "Jean-Pierre"),
        ("DUPONT", "DUPONT"),
        ("a\x00b\x07c", "abc"),
        ("ligne 1\nligne 2", "ligne 1\nligne 2"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ('=HYPERLINK("http://exemple.fr","clic")', '=HYPERLINK("http://exemple.fr","clic")'),
        ("None", "None"),
        (5000, "5000"),
    ],
)
def test_clean_text_trims_and_keeps_text(value, expected):
    cleaned = clean_text(value)

    assert cleaned == expected


@pytest.mark.parametrize("value", [DECOMPOSED_LEFEVRE, "Lefe\x01\u0301vre"])
def test_clean_text_composes_decomposed_accent(value):
    cleaned = clean_text(value)

    assert len(cleaned) == len("Lef\u00e9vre")


@pytest.mark.parametrize("value", [None, "", " ", "   ", "\t", "\n", "\u00a0", " \x00 "])
def test_clean_text_empty_becomes_none(value):
    cleaned = clean_text(value)

    assert cleaned is None


@pytest.mark.parametrize("value", FRENCH_MOBILE_FORMATS)
def test_phone_to_e164_accepts_french_formats(value):
    e164 = phone_to_e164(value)

    assert e164 == "+33612345678"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01 23 45 67 89", "+33123456789"),
        ("04.92.51.00.00", "+33492510000"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+32 12 34 56 78", "+3212345678"),
    ],
)
def test_phone_to_e164_other_numbers(value, expected):
    e164 = phone_to_e164(value)

    assert e164 == expected


@pytest.mark.parametrize(
    "value",
    ["12", "0612", "06 12 34 56", "+33 6 12 34 56 78 99", "abc", "06 12 34 56 7A", "00000000000", ""],
)
def test_phone_to_e164_rejects_invalid(value):
    with pytest.raises((ValueError, phonenumbers.NumberParseException)):
        phone_to_e164(value)


@pytest.mark.parametrize("value", FRENCH_MOBILE_FORMATS)
def test_phone_query_digits_same_for_every_format(value):
    digits = phone_query_digits(value)

    assert digits == "0612345678"


@pytest.mark.parametrize("value", FRENCH_MOBILE_FORMATS)
def test_phone_query_matches_stored_digits(value):
    stored_digits = phone_search_digits(phone_to_e164(value))

    query_digits = phone_query_digits(value)

    assert query_digits == stored_digits


@pytest.mark.parametrize(
    "value",
    ["Lefèvre", "06", "123", "12 rue Victor Hugo", "Anne 06 12 34 56 78", "", "   "],
)
def test_phone_query_digits_none_for_other_text(value):
    digits = phone_query_digits(value)

    assert digits is None


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+33612345678", "06 12 34 56 78"),
        ("+33123456789", "01 23 45 67 89"),
        ("+442079460958", "+44 20 7946 0958"),
        ("not a number", "not a number"),
        ("", ""),
        (None, ""),
    ],
)
def test_format_phone_displays_french_style(e164, expected):
    displayed = format_phone(e164)

    assert displayed == expected


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+33612345678", "0612345678"),
        ("+442079460958", "442079460958"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_search_digits_national_for_france(e164, expected):
    digits = phone_search_digits(e164)

    assert digits == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Lefèvre", ["lefevre"]),
        (DECOMPOSED_LEFEVRE, ["lefevre"]),
        ("Jean-Pierre LEFÈVRE", ["jean", "pierre", "lefevre"]),
        ("N’Diaye", ["n", "diaye"]),
        ("lefevre Lefèvre", ["lefevre"]),
        ("+33 6 12 34 56 78", ["0612345678"]),
        ("Anne 0612345678", ["anne", "0612345678"]),
        ("Gap 05000", ["gap", "05000"]),
        ("Lo", ["lo"]),
        ("", []),
        ("   ", []),
        (None, []),
        ("' - ’", []),
    ],
)
def test_search_terms_splits_query(query, expected):
    terms = search_terms(query)

    assert terms == expected


def test_build_search_text_contains_keys_and_phone_digits():
    text = build_search_text("Lefèvre", None, "N’Diaye & Fils", "", phones=("+33612345678", None))

    assert text == "lefevre n diaye fils 0612345678"


@settings(deadline=None)
@given(st.text())
def test_search_key_idempotent(value):
    once = search_key(value)

    twice = search_key(once)

    assert twice == once


@settings(deadline=None)
@given(st.text())
def test_search_key_is_casefolded(value):
    key = search_key(value)

    assert key == "" or SEARCH_KEY_CHARACTERS.match(key)
    # casefold, not lower: Cherokee letters casefold to their upper-case form.
    assert key == key.casefold()


@settings(deadline=None)
@given(st.text())
@example("e\x01\u0301")
def test_clean_text_idempotent(value):
    once = clean_text(value)

    twice = clean_text(once)

    assert twice == once


@settings(deadline=None)
@given(st.text())
def test_clean_text_none_or_trimmed(value):
    cleaned = clean_text(value)

    assert cleaned is None or cleaned == cleaned.strip() != ""


@settings(deadline=None, max_examples=500)
@given(st.from_regex(r"\+33[1-79][0-9]{8}", fullmatch=True))
def test_format_phone_fast_path_matches_library(e164):
    fast = format_phone(e164)

    library = format_phone_with_library(e164)

    assert fast == library

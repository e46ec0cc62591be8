"""Normalisation of names, phones, emails and search text: plain functions, no I/O."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

DEFAULT_PHONE_REGION = "FR"

# Anything but a letter or a digit of any script separates words, "_" included. So a key
# never contains a LIKE wildcard, and keys stay safe inside an FTS5 phrase.
_WORD_SEPARATORS = re.compile(r"[\W_]+")
# Latin letters that Unicode does not decompose into a base letter and an accent.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t", "œ": "oe", "æ": "ae"}
)
_FRENCH_E164_PAIRS = re.compile(r"\+33([1-79][0-9]{8})")
_PHONE_LIKE_QUERY = re.compile(r"^\+?[0-9][0-9 .\-/()]*$")
# C0 controls but tab and line breaks, DEL, and the C1 controls that a cp1252 file read as
# Latin-1 brings in (U+0085 "next line" among them).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates cannot be encoded in UTF-8, so no database accepts them.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]+")
ZERO_WIDTH_JOINER = "\u200d"
MAX_SEARCH_TERMS = 20
MIN_PHONE_QUERY_DIGITS = 4
# Characters of a search box's text that search reads; the search boxes accept no more.
MAX_SEARCH_TEXT_LENGTH = 200


def _drop_invisible_formatting(text: str) -> str:
    # Format characters (zero-width spaces, direction overrides, BOM) make a name look blank
    # or reversed; the zero-width joiner stays because emoji sequences need it.
    return "".join(c for c in text if c == ZERO_WIDTH_JOINER or unicodedata.category(c) != "Cf")


def clean_text(value: object) -> str | None:
    """Return `value` as NFC text with outer spaces and control characters removed, or None when empty.

    The text stays as typed otherwise, so names keep their accents, apostrophes and case.
    """
    if value is None:
        return None

    # Control and format characters go before composing, because removing one between a
    # letter and a combining accent would leave a decomposed pair behind.
    text = _CONTROL_CHARACTERS.sub("", _SURROGATES.sub("", str(value)))
    text = unicodedata.normalize("NFC", _drop_invisible_formatting(text)).strip()
    return text or None


def clean_line(value: object) -> str | None:
    """Return `clean_text(value)` with tabs and line breaks turned into spaces, for one-line fields."""
    text = clean_text(value)
    if text is None:
        return None
    return _LINE_BREAKS.sub(" ", text)


def search_key(value: object) -> str:
    """Return the form of `value` that search compares: no accents, lower case, words split by one space.

    Letters of every script are kept ("Иванов" gives "иванов"); Latin letters without a
    Unicode decomposition are spelled plainly ("Łukasz" gives "lukasz", "Øster" "oster").

    Precomposed and decomposed accents, straight and curly apostrophes, hyphens and any other
    punctuation all fold to the same key, so "L’Hôpital" and "l'hopital" both give "l hopital".
    """
    if value is None:
        return ""

    value = _SURROGATES.sub("", str(value))
    # Case folding can yield precomposed letters again, so decompose once more after it.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", str(value)).casefold())
    without_accents = "".join(c for c in folded if not unicodedata.combining(c))
    latin = without_accents.translate(_LETTERS_WITHOUT_DECOMPOSITION)
    return _WORD_SEPARATORS.sub(" ", latin).strip()


def parse_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> phonenumbers.PhoneNumber:
    """Parse a phone number typed any usual way; raise `phonenumbers.NumberParseException` or ValueError."""
    number = phonenumbers.parse(value, region)
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number: {value!r}")
    return number


def phone_to_e164(value: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """Return the E.164 form of a valid phone number, such as +33612345678."""
    return phonenumbers.format_number(parse_phone(value, region), phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str:
    """Return a stored E.164 number as people in France write it: 06 12 34 56 78, or international abroad."""
    if not e164:
        return ""

    # Lists format hundreds of numbers per page and phonenumbers takes about 34 µs each, so
    # French numbers outside 08 (which phonenumbers groups differently) are sliced directly.
    match = _FRENCH_E164_PAIRS.fullmatch(e164)
    if match:
        digits = "0" + match[1]
        return " ".join(digits[index : index + 2] for index in range(0, 10, 2))
    return format_phone_with_library(e164)


def format_phone_with_library(e164: str) -> str:
    """Return `format_phone`'s result computed by phonenumbers alone, for any number."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164

    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search_digits(e164: str | None) -> str:
    """Return the digits search matches for a stored number: the national form for French numbers (0612345678)."""
    if not e164:
        return ""

    digits = re.sub(r"\D", "", e164)
    if e164.startswith("+33"):
        return "0" + digits[2:]
    return digits


def phone_query_digits(query: str) -> str | None:
    """Return the digits to look for when `query` is written like a phone number, else None.

    "+33 6 12 34 56 78", "0033612345678" and "06.12.34.56.78" all give "0612345678"; a query
    needs at least four digits to count as a phone number.
    """
    text = query.strip()
    if not _PHONE_LIKE_QUERY.match(text):
        return None

    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_QUERY_DIGITS:
        return None

    # A French national number never starts with 0 after the country code, so a 0 there is
    # the trunk prefix that "+33 (0)6 12 34 56 78" writes in brackets.
    if text.startswith("+33"):
        national = "0" + digits[2:].removeprefix("0")
    elif digits.startswith("0033"):
        national = "0" + digits[4:].removeprefix("0")
    elif digits.startswith("33") and len(digits) == 11:
        national = "0" + digits[2:]
    else:
        national = digits
    # "0033" alone would give "0", a term that every record with a zero matches.
    return national if len(national) >= MIN_PHONE_QUERY_DIGITS else None


def search_terms(query: str | None) -> list[str]:
    """Split a search box's first 200 characters into the keys that must all appear in a record's search text (the first 20)."""
    if not query or not query.strip():
        return []

    query = query[:MAX_SEARCH_TEXT_LENGTH]
    phone_digits = phone_query_digits(query)
    if phone_digits is not None:
        return [phone_digits]

    terms: list[str] = []
    for word in query.split():
        digits = phone_query_digits(word)
        key = digits if digits is not None else search_key(word)
        terms.extend(part for part in key.split() if part and part not in terms)

    # Every term adds a condition; SQLite rejects a query deeper than 1,000 expressions.
    return terms[:MAX_SEARCH_TERMS]


def build_search_text(*parts: object, phones: tuple[str | None, ...] = ()) -> str:
    """Return the normalised text that the search of a record scans: every part's key and every phone's digits."""
    keys = [search_key(part) for part in parts if part]
    # A part written like a phone number ("12-14") also gives its digits run together ("1214"),
    # unless its key is those digits already (a postcode).
    for part in parts:
        digits = _phone_like_digits(str(part)) if part else ""
        if digits and digits != search_key(part):
            keys.append(digits)
    keys.extend(phone_search_digits(phone) for phone in phones if phone)
    return " ".join(key for key in keys if key)


def _phone_like_digits(text: str) -> str:
    """Return the digits `search_terms` looks for when it meets `text`, or a word of it, written like a phone number.

    Without them, "12-14 rue Pasteur" is stored as "12 14 rue pasteur" while the query
    "12-14" searches "1214", and the record typed is not found.
    NOTE: no migration recomputes stored search text, so older records get these digits at their next save.
    """
    found: list[str] = []
    for candidate in (text, *text.split()):
        digits = phone_query_digits(candidate)
        if digits is not None and digits not in found:
            found.append(digits)
    return " ".join(found)

"""Unit tests of trackoe.validation: the contact and link forms as users type them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackoe.domain import LINK_ROLES, ContactType
from trackoe.errors import ValidationError
from trackoe.validation import (
    FIELD_LENGTHS,
    ContactData,
    ContactInput,
    contact_input_fields,
    validate_contact,
    validate_link,
)

OPTIONAL_TEXT_FIELDS = [
    "civility",
    "first_name",
    "company_name",
    "phone_landline",
    "phone_mobile",
    "email",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "comment",
]
FREE_TEXT_FIELDS = ["last_name", "first_name", "company_name", "address_line1", "address_line2", "city", "comment"]
EMPTY_VALUES = [None, "", " ", "   ", "\t", "\u00a0"]
INERT_TEXTS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '=HYPERLINK("http://exemple.fr/piege","Cliquez ici")',
    "=1+1",
    "+SUM(A1:A2)",
    "@SUM(A1)",
    "-2+3",
    "Robert'); DROP TABLE contact;--",
]


def contact_form(**overrides) -> ContactInput:
    """Return a valid contact form with `overrides` applied."""
    values = {"contact_type": "gardien", "last_name": "Lefèvre"}
    values.update(overrides)
    return ContactInput(**values)


def field_errors(form: ContactInput) -> dict[str, str]:
    """Validate `form`, expecting a ValidationError, and return its field errors."""
    with pytest.raises(ValidationError) as raised:
        validate_contact(form)
    return raised.value.field_errors


@pytest.mark.parametrize(
    "phone",
    ["06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "0033612345678", "0612345678"],
)
@pytest.mark.parametrize("field", ["phone_mobile", "phone_landline"])
def test_contact_phone_stored_as_e164(field, phone):
    data = validate_contact(contact_form(**{field: phone}))

    assert getattr(data, field) == "+33612345678"


@pytest.mark.parametrize("phone", ["12", "0612", "06 12 34 56", "abc", "06 12 34 56 78 90 12", "+33 6"])
def test_contact_invalid_phone_rejected(phone):
    errors = field_errors(contact_form(phone_mobile=phone))

    assert "phone_mobile" in errors
    assert errors["phone_mobile"].startswith("Numéro de téléphone invalide")
    assert "06 12 34 56 78" in errors["phone_mobile"]


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("anne.lefevre@exemple.fr", "anne.lefevre@exemple.fr"),
        ("  Anne.LEFEVRE@Exemple.FR  ", "anne.lefevre@exemple.fr"),
        ("CONTACT@SYNDIC-ALPES.FR", "contact@syndic-alpes.fr"),
        ("prenom+tag@exemple.fr", "prenom+tag@exemple.fr"),
    ],
)
def test_contact_email_trimmed_and_lowercased(email, expected):
    data = validate_contact(contact_form(email=email))

    assert data.email == expected


@pytest.mark.parametrize(
    "email",
    ["anne", "anne@", "@exemple.fr", "anne@@exemple.fr", "anne lefevre@exemple.fr", "anne@exemple", "<b>@exemple.fr"],
)
def test_contact_invalid_email_rejected(email):
    errors = field_errors(contact_form(email=email))

    assert "email" in errors
    assert errors["email"].startswith("Adresse e-mail invalide")


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [("05000", "05000"), (" 05000 ", "05000"), ("05 000", "05000"), ("75012", "75012"), ("97400", "97400")],
)
def test_contact_postcode_keeps_leading_zero(postcode, expected):
    data = validate_contact(contact_form(postcode=postcode))

    assert data.postcode == expected


@pytest.mark.parametrize("postcode", ["5000", "750012", "ABCDE", "0500A", "05-000", "5e+03"])
def test_contact_invalid_postcode_rejected(postcode):
    errors = field_errors(contact_form(postcode=postcode))

    assert "postcode" in errors
    assert errors["postcode"].startswith("Code postal invalide")


@pytest.mark.parametrize("value", EMPTY_VALUES)
@pytest.mark.parametrize("field", OPTIONAL_TEXT_FIELDS)
def test_contact_empty_field_becomes_none(field, value):
    data = validate_contact(contact_form(**{field: value}))

    assert getattr(data, field) is None


@pytest.mark.parametrize("value", EMPTY_VALUES)
def test_contact_blank_last_name_none_with_company(value):
    data = validate_contact(contact_form(last_name=value, company_name="Propreté des Alpes"))

    assert data.last_name is None


@pytest.mark.parametrize("contact_type", [None, "", "   ", "inconnu", "GARDIEN_CHEF"])
def test_contact_type_required(contact_type):
    errors = field_errors(contact_form(contact_type=contact_type))

    assert errors["contact_type"] == "Choisissez le type de contact."


@pytest.mark.parametrize("contact_type", list(ContactType))
def test_contact_every_type_accepted(contact_type):
    data = validate_contact(contact_form(contact_type=contact_type.value))

    assert data.contact_type is contact_type


@pytest.mark.parametrize(
    ("last_name", "company_name"),
    [(None, None), ("", ""), ("  ", "\t"), (None, "   ")],
)
def test_contact_name_or_company_required(last_name, company_name):
    errors = field_errors(contact_form(last_name=last_name, company_name=company_name))

    assert errors["last_name"] == "Saisissez un nom ou une raison sociale."


@pytest.mark.parametrize(
    ("last_name", "company_name"),
    [("Lefèvre", None), (None, "Propreté des Alpes"), ("N’Diaye", "SCI N’Diaye")],
)
def test_contact_name_or_company_enough(last_name, company_name):
    data = validate_contact(contact_form(last_name=last_name, company_name=company_name))

    assert (data.last_name, data.company_name) == (last_name, company_name)


@pytest.mark.parametrize(("field", "max_length"), sorted(FIELD_LENGTHS.items()))
def test_contact_overlong_field_rejected(field, max_length):
    errors = field_errors(contact_form(**{field: "x" * (max_length + 1)}))

    assert field in errors


@pytest.mark.parametrize(
    ("field", "max_length"),
    sorted((field, length) for field, length in FIELD_LENGTHS.items() if field != "email"),
)
def test_contact_field_at_max_length_accepted(field, max_length):
    data = validate_contact(contact_form(**{field: "x" * max_length}))

    assert len(getattr(data, field)) == max_length


@pytest.mark.parametrize("field", ["last_name", "city", "comment"])
def test_contact_overlong_message_gives_lengths(field):
    max_length = FIELD_LENGTHS[field]

    errors = field_errors(contact_form(**{field: "é" * (max_length + 5)}))

    assert errors[field] == f"Texte trop long : {max_length + 5} caractères pour {max_length} au plus."


def test_contact_length_counts_trimmed_text():
    padded = "  " + "x" * FIELD_LENGTHS["last_name"] + "  "

    data = validate_contact(contact_form(last_name=padded))

    assert data.last_name == "x" * FIELD_LENGTHS["last_name"]


@pytest.mark.parametrize("text", INERT_TEXTS)
@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
def test_contact_markup_and_formulas_kept_verbatim(field, text):
    data = validate_contact(contact_form(**{field: text}))

    assert getattr(data, field) == text


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("last_name", "  N’Diaye  ", "N’Diaye"),
        ("last_name", "N'Diaye", "N'Diaye"),
        ("last_name", "Lefe\u0301vre", "Lef\u00e9vre"),
        ("first_name", "Jean-Pierre", "Jean-Pierre"),
        ("company_name", "SCI L’Oustau", "SCI L’Oustau"),
        ("city", "Saint-Étienne-en-Dévoluy", "Saint-Étienne-en-Dévoluy"),
        ("comment", "None", "None"),
        ("comment", "nan", "nan"),
    ],
)
def test_contact_text_trimmed_otherwise_as_typed(field, typed, expected):
    data = validate_contact(contact_form(**{field: typed}))

    assert getattr(data, field) == expected


@pytest.mark.parametrize(("civility", "expected"), [("M.", "M."), ("Mme", "Mme"), (" Mme ", "Mme"), ("", None)])
def test_contact_civility_accepted(civility, expected):
    data = validate_contact(contact_form(civility=civility))

    assert data.civility == expected


@pytest.mark.parametrize("civility", ["Mr", "Madame", "Mlle"])
def test_contact_invalid_civility_rejected(civility):
    errors = field_errors(contact_form(civility=civility))

    assert "civility" in errors


def test_contact_every_invalid_field_reported_at_once():
    form = ContactInput(contact_type="", phone_mobile="12", email="anne@", postcode="5000")

    errors = field_errors(form)

    assert set(errors) == {"contact_type", "last_name", "phone_mobile", "email", "postcode"}


def test_validation_error_message_french():
    with pytest.raises(ValidationError) as raised:
        validate_contact(contact_form(postcode="ABCDE"))

    assert raised.value.message == "Le formulaire contient des erreurs : corrigez les champs signalés."


@pytest.mark.parametrize("role", LINK_ROLES)
def test_link_every_role_accepted(role):
    data = validate_link(7, role)

    assert data.role == role


def test_link_role_trimmed():
    data = validate_link(7, "  Gardien ")

    assert data.role == "Gardien"


@pytest.mark.parametrize(
    ("habitat_id", "role", "dwelling_id", "premises_id", "field"),
    [
        (None, "Gardien", None, None, "habitat_id"),
        (7, None, None, None, "role"),
        (7, "", None, None, "role"),
        (7, "gardien", None, None, "role"),
        (7, "Concierge", None, None, "role"),
        (7, "Gardien", 3, 4, "dwelling_id"),
    ],
)
def test_link_invalid_input_rejected(habitat_id, role, dwelling_id, premises_id, field):
    with pytest.raises(ValidationError) as raised:
        validate_link(habitat_id, role, dwelling_id=dwelling_id, premises_id=premises_id)

    assert field in raised.value.field_errors


def test_link_keeps_target_and_flags():
    data = validate_link(7, "Gardien", dwelling_id=3, is_primary=True)

    assert (data.habitat_id, data.dwelling_id, data.premises_id, data.is_primary) == (7, 3, None, True)


FORM_TEXT = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789 +.-()", max_size=25),
    st.sampled_from(["06 12 34 56 78", "anne@exemple.fr", "05000", "Lefe\u0301vre", "=1+1", "M.", "Mme"]),
)


@settings(deadline=None, max_examples=300)
@given(
    contact_type=st.one_of(st.sampled_from([t.value for t in ContactType]), st.text()),
    values=st.fixed_dictionaries({name: FORM_TEXT for name in contact_input_fields() if name != "contact_type"}),
)
def test_validate_contact_returns_or_raises_validation_error(contact_type, values):
    form = ContactInput(contact_type=contact_type, **values)

    try:
        result = validate_contact(form)
    except ValidationError as error:
        result = error

    assert isinstance(result, ContactData | ValidationError)

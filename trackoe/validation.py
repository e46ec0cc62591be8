"""Validation of what users type into the contact, link and habitat forms: plain functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from trackoe.domain import LINK_ROLES, Civility, ContactType
from trackoe.errors import ValidationError
from trackoe.models import COMMENT_LENGTH, NAME_LENGTH, TEXT_LENGTH
from trackoe.normalise import clean_line, clean_text, phone_to_e164

POSTCODE_PATTERN = re.compile(r"^[0-9]{5}$")
FIELD_LENGTHS = {
    "last_name": NAME_LENGTH,
    "first_name": NAME_LENGTH,
    "company_name": TEXT_LENGTH,
    "email": TEXT_LENGTH,
    "address_line1": TEXT_LENGTH,
    "address_line2": TEXT_LENGTH,
    "city": NAME_LENGTH,
    "comment": COMMENT_LENGTH,
}


@dataclass
class ContactInput:
    """The contact form as typed: every value is raw text (or None) straight from the widgets."""

    contact_type: str | None = None
    civility: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    company_name: str | None = None
    phone_landline: str | None = None
    phone_mobile: str | None = None
    email: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postcode: str | None = None
    city: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class ContactData:
    """A validated contact: trimmed text or None, phones in E.164, email lower-cased."""

    contact_type: ContactType
    civility: str | None
    last_name: str | None
    first_name: str | None
    company_name: str | None
    phone_landline: str | None
    phone_mobile: str | None
    email: str | None
    address_line1: str | None
    address_line2: str | None
    postcode: str | None
    city: str | None
    comment: str | None


def _validate_phone(raw: str | None, errors: dict[str, str], field: str) -> str | None:
    text = clean_text(raw)
    if text is None:
        return None

    try:
        return phone_to_e164(text)
    except (phonenumbers.NumberParseException, ValueError):
        errors[field] = (
            f"Numéro de téléphone invalide : « {text[:40]} ». "
            "Saisissez par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
        )
        return None


def validate_email_address(raw: str | None, errors: dict[str, str], field: str = "email") -> str | None:
    """Return the email trimmed and lower-cased, or record a French error for `field`."""
    text = clean_text(raw)
    if text is None:
        return None

    try:
        validated = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        errors[field] = f"Adresse e-mail invalide : « {text[:60]} ». Exemple : prenom.nom@exemple.fr."
        return None
    return validated.normalized.lower()


def validate_postcode(raw: str | None, errors: dict[str, str], field: str = "postcode") -> str | None:
    """Return a five-digit postcode as text (a leading zero survives), or record a French error."""
    text = clean_text(raw)
    if text is None:
        return None

    compact = text.replace(" ", "")
    if not POSTCODE_PATTERN.match(compact):
        errors[field] = f"Code postal invalide : « {text[:20]} ». Saisissez cinq chiffres, par exemple 05000."
        return None
    return compact


def _check_lengths(form: ContactInput, errors: dict[str, str]) -> None:
    for field, max_length in FIELD_LENGTHS.items():
        text = clean_text(getattr(form, field))
        if text is not None and len(text) > max_length:
            errors[field] = f"Texte trop long : {len(text)} caractères pour {max_length} au plus."


def validate_contact(form: ContactInput) -> ContactData:
    """Return the validated contact, or raise ValidationError with a French message per invalid field."""
    errors: dict[str, str] = {}

    contact_type: ContactType | None = None
    try:
        contact_type = ContactType(clean_text(form.contact_type) or "")
    except ValueError:
        errors["contact_type"] = "Choisissez le type de contact."

    civility = clean_text(form.civility)
    if civility is not None and civility not in {c.value for c in Civility}:
        errors["civility"] = "Civilité invalide : choisissez M. ou Mme."

    last_name = clean_line(form.last_name)
    company_name = clean_line(form.company_name)
    if last_name is None and company_name is None:
        errors["last_name"] = "Saisissez un nom ou une raison sociale."
    for field, name in (("last_name", last_name), ("company_name", company_name)):
        if name is not None and not any(character.isalnum() for character in name):
            errors[field] = "Ce nom ne contient aucune lettre ni aucun chiffre : corrigez-le."

    _check_lengths(form, errors)
    phone_landline = _validate_phone(form.phone_landline, errors, "phone_landline")
    phone_mobile = _validate_phone(form.phone_mobile, errors, "phone_mobile")
    email = validate_email_address(form.email, errors)
    postcode = validate_postcode(form.postcode, errors)

    if errors:
        raise ValidationError(errors)

    assert contact_type is not None
    return ContactData(
        contact_type=contact_type,
        civility=civility,
        last_name=last_name,
        first_name=clean_line(form.first_name),
        company_name=company_name,
        phone_landline=phone_landline,
        phone_mobile=phone_mobile,
        email=email,
        address_line1=clean_line(form.address_line1),
        address_line2=clean_line(form.address_line2),
        postcode=postcode,
        city=clean_line(form.city),
        comment=clean_text(form.comment),
    )


def contact_input_fields() -> list[str]:
    """Return the names of the contact form's fields, in form order."""
    return [field.name for field in fields(ContactInput)]


@dataclass(frozen=True)
class LinkData:
    """A validated rattachement to add."""

    habitat_id: int
    dwelling_id: int | None
    premises_id: int | None
    role: str
    is_primary: bool
    start_date: dt.date | None


def validate_link(
    habitat_id: int | None,
    role: str | None,
    *,
    dwelling_id: int | None = None,
    premises_id: int | None = None,
    is_primary: bool = False,
    start_date: dt.date | None = None,
) -> LinkData:
    """Return the validated link, or raise ValidationError with a French message per invalid field."""
    errors: dict[str, str] = {}

    if habitat_id is None:
        errors["habitat_id"] = "Choisissez l'habitat à rattacher."
    role_text = clean_text(role)
    if role_text not in LINK_ROLES:
        errors["role"] = "Choisissez le rôle du contact pour cet habitat."
    if dwelling_id is not None and premises_id is not None:
        errors["dwelling_id"] = "Choisissez un logement ou un local, pas les deux."

    if errors:
        raise ValidationError(errors)

    assert habitat_id is not None and role_text is not None
    return LinkData(
        habitat_id=habitat_id,
        dwelling_id=dwelling_id,
        premises_id=premises_id,
        role=role_text,
        is_primary=is_primary,
        start_date=start_date,
    )

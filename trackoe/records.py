"""Derived columns of records (names, search text, sort keys) and their display values."""

from __future__ import annotations

from trackoe.domain import ContactType
from trackoe.models import NAME_LENGTH, TEXT_LENGTH, Contact, Habitat
from trackoe.normalise import build_search_text, format_phone, search_key


def contact_display_name(contact: Contact) -> str:
    """Return "NOM Prénom", or the raison sociale when the contact has no name."""
    person = " ".join(
        part for part in ((contact.last_name or "").upper(), contact.first_name or "") if part
    )
    return person or contact.company_name or ""


def contact_full_name(contact: Contact) -> str:
    return " ".join(
        part for part in ((contact.last_name or "").upper(), contact.first_name or "") if part
    )


def contact_type_label(value: str) -> str:
    try:
        return ContactType(value).label
    except ValueError:
        return value


def contact_phone_display(contact: Contact) -> str:
    phones = [format_phone(contact.phone_mobile), format_phone(contact.phone_landline)]
    return " / ".join(phone for phone in phones if phone)


def contact_address(contact: Contact) -> str:
    place = " ".join(part for part in (contact.postcode, contact.city) if part)
    parts = (contact.address_line1, contact.address_line2, place)
    return ", ".join(part for part in parts if part)


def habitat_address(habitat: Habitat) -> str:
    place = " ".join(part for part in (habitat.postcode, habitat.city) if part)
    return ", ".join(part for part in (habitat.address_line, place) if part)


def refresh_contact_keys(contact: Contact) -> None:
    """Recompute the search text, sort key and city key of a contact from its fields."""
    contact.search_text = build_search_text(
        contact.last_name,
        contact.first_name,
        contact.company_name,
        contact.email,
        contact.address_line1,
        contact.address_line2,
        contact.postcode,
        contact.city,
        phones=(contact.phone_landline, contact.phone_mobile),
    )
    sort_name = contact.company_name if not contact.last_name else contact.last_name
    contact.sort_key = search_key(f"{sort_name} {contact.first_name or ''}")[:TEXT_LENGTH]
    # Folding can lengthen text ("ß" gives "ss"), so keys are cut to their column's size.
    contact.city_key = search_key(contact.city)[:NAME_LENGTH] or None


def refresh_habitat_keys(habitat: Habitat) -> None:
    """Recompute the search text, sort key and city key of a habitat from its fields."""
    habitat.search_text = build_search_text(
        habitat.code,
        habitat.name,
        habitat.address_line,
        habitat.postcode,
        habitat.city,
        habitat.landlord_name,
    )
    habitat.sort_key = search_key(habitat.name)[:TEXT_LENGTH]
    habitat.city_key = search_key(habitat.city)[:NAME_LENGTH] or None

"""The contact form shared by creation and editing: fields, French labels and messages beside them."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from trackoe.domain import CONTACT_TYPE_LABELS, Civility, ContactType
from trackoe.models import COMMENT_LENGTH, NAME_LENGTH, TEXT_LENGTH
from trackoe.normalise import format_phone
from trackoe.ui.errors import show_field_error
from trackoe.validation import ContactInput
from trackoe.views import ContactDetail

NO_CIVILITY = ""
CIVILITY_OPTIONS = [NO_CIVILITY, *(c.value for c in Civility)]
TYPE_OPTIONS = [t.value for t in ContactType]

TEXT_FIELDS: dict[str, tuple[str, int, str | None]] = {
    "last_name": ("Nom", NAME_LENGTH, None),
    "first_name": ("Prénom", NAME_LENGTH, None),
    "company_name": ("Raison sociale", TEXT_LENGTH, "Nom de la société ou de l'organisme."),
    "phone_landline": ("Téléphone fixe", 30, "Par exemple 01 23 45 67 89."),
    "phone_mobile": ("Téléphone mobile", 30, "Par exemple 06 12 34 56 78."),
    "email": ("E-mail", TEXT_LENGTH, None),
    "address_line1": ("Numéro et voie", TEXT_LENGTH, None),
    "address_line2": ("Complément d'adresse", TEXT_LENGTH, "Bâtiment, escalier, boîte postale…"),
    "postcode": ("Code postal", 10, "Cinq chiffres, par exemple 05000."),
    "city": ("Commune", NAME_LENGTH, None),
}


def widget_key(prefix: str, field: str) -> str:
    return f"{prefix}_{field}"


def initial_values(contact: ContactDetail | None) -> dict[str, str | None]:
    """Return the form's starting values: empty for a new contact, the stored ones (phones formatted) otherwise."""
    if contact is None:
        values: dict[str, str | None] = {field: "" for field in TEXT_FIELDS}
        values.update(contact_type=None, civility=NO_CIVILITY, comment="")
        return values

    return {
        "contact_type": contact.contact_type,
        "civility": contact.civility or NO_CIVILITY,
        "last_name": contact.last_name or "",
        "first_name": contact.first_name or "",
        "company_name": contact.company_name or "",
        "phone_landline": format_phone(contact.phone_landline),
        "phone_mobile": format_phone(contact.phone_mobile),
        "email": contact.email or "",
        "address_line1": contact.address_line1 or "",
        "address_line2": contact.address_line2 or "",
        "postcode": contact.postcode or "",
        "city": contact.city or "",
        "comment": contact.comment or "",
    }


def load_values(prefix: str, values: dict[str, str | None]) -> None:
    """Put `values` into the form's widgets before they are drawn."""
    for field, value in values.items():
        st.session_state[widget_key(prefix, field)] = value


def _text(prefix: str, field: str, errors: dict[str, str], persist: bool) -> None:
    label, max_chars, help_text = TEXT_FIELDS[field]
    st.text_input(
        label,
        key=widget_key(prefix, field),
        max_chars=max_chars,
        help=help_text,
        persist_state="session" if persist else None,
    )
    show_field_error(errors, field)


def render_contact_fields(prefix: str, errors: dict[str, str], *, persist: bool) -> None:
    """Draw the contact fields inside the caller's `st.form`, each followed by its error, if any."""
    persist_state = "session" if persist else None

    top = st.columns([1, 2])
    with top[0]:
        st.selectbox(
            "Civilité",
            CIVILITY_OPTIONS,
            key=widget_key(prefix, "civility"),
            format_func=lambda value: value or "—",
            persist_state=persist_state,
        )
        show_field_error(errors, "civility")
    with top[1]:
        st.selectbox(
            "Type de contact *",
            TYPE_OPTIONS,
            key=widget_key(prefix, "contact_type"),
            index=None,
            placeholder="Choisissez un type",
            format_func=lambda value: CONTACT_TYPE_LABELS[ContactType(value)],
            persist_state=persist_state,
        )
        show_field_error(errors, "contact_type")

    names = st.columns(3)
    for column, field in zip(names, ("last_name", "first_name", "company_name"), strict=True):
        with column:
            _text(prefix, field, errors, persist)
    st.caption("Un nom ou une raison sociale est obligatoire.")

    contact_columns = st.columns(3)
    for column, field in zip(contact_columns, ("phone_landline", "phone_mobile", "email"), strict=True):
        with column:
            _text(prefix, field, errors, persist)

    _text(prefix, "address_line1", errors, persist)
    _text(prefix, "address_line2", errors, persist)
    place = st.columns([1, 2])
    with place[0]:
        _text(prefix, "postcode", errors, persist)
    with place[1]:
        _text(prefix, "city", errors, persist)

    st.text_area(
        "Commentaire",
        key=widget_key(prefix, "comment"),
        max_chars=COMMENT_LENGTH,
        persist_state=persist_state,
    )
    show_field_error(errors, "comment")


def read_contact_input(prefix: str) -> ContactInput:
    """Return what the form's widgets hold, as typed."""
    value: Callable[[str], str | None] = lambda field: st.session_state.get(widget_key(prefix, field))
    return ContactInput(
        contact_type=value("contact_type"),
        civility=value("civility") or None,
        last_name=value("last_name"),
        first_name=value("first_name"),
        company_name=value("company_name"),
        phone_landline=value("phone_landline"),
        phone_mobile=value("phone_mobile"),
        email=value("email"),
        address_line1=value("address_line1"),
        address_line2=value("address_line2"),
        postcode=value("postcode"),
        city=value("city"),
        comment=value("comment"),
    )

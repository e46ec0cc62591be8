"""Portal accesses (espace Infinitri): statuses, the views services return, identifier rules and queries."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackoe.access_models import PortalAccount
from trackoe.errors import ValidationError
from trackoe.model_base import NAME_LENGTH
from trackoe.models import Contact
from trackoe.normalise import clean_line, search_key

MIN_IDENTIFIER_LENGTH = 3
MAX_IDENTIFIER_LENGTH = NAME_LENGTH


class PortalStatus(enum.StrEnum):
    """Status of a contact's portal access; the value is stored, the label is shown.

    NEVER_INVITED is never stored: it is the status of a contact without a portal_account row.
    """

    NEVER_INVITED = "jamais_invite"
    INVITED = "invite"
    ACTIVE = "actif"
    DISABLED = "desactive"

    @property
    def label(self) -> str:
        return PORTAL_STATUS_LABELS[self]


PORTAL_STATUS_LABELS: dict[PortalStatus, str] = {
    PortalStatus.NEVER_INVITED: "Jamais invité",
    PortalStatus.INVITED: "Invité",
    PortalStatus.ACTIVE: "Actif",
    PortalStatus.DISABLED: "Désactivé",
}


@dataclass(frozen=True)
class PortalAccessView:
    """A contact's portal access as the panel shows it: never the password or its hash.

    `identifier` is None and `status` NEVER_INVITED when the contact has no access yet;
    `suggested_identifier` then prefills the creation form.
    """

    contact_id: int
    contact_name: str
    identifier: str | None
    status: PortalStatus
    must_change_password: bool
    created_at: dt.datetime | None
    last_sign_in_at: dt.datetime | None
    last_reset_at: dt.datetime | None
    suggested_identifier: str

    @property
    def exists(self) -> bool:
        return self.identifier is not None


@dataclass(frozen=True)
class NewPortalPassword:
    """A temporary portal password, to show once to the user who generated it and to store nowhere in clear."""

    access: PortalAccessView
    # Left out of repr so that a logged or printed result never shows the password.
    temporary_password: str = field(repr=False)


def identifier_key(identifier: str) -> str:
    """Return the case-insensitive key of an identifier, which the unique index compares."""
    return unicodedata.normalize("NFC", identifier).casefold()


def validate_identifier(value: object) -> str:
    """Return the cleaned identifier, or raise ValidationError with a French message on field "identifier"."""
    identifier = clean_line(value) or ""
    if len(identifier) < MIN_IDENTIFIER_LENGTH:
        problem = f"L'identifiant doit compter au moins {MIN_IDENTIFIER_LENGTH} caractères."
    elif len(identifier) > MAX_IDENTIFIER_LENGTH:
        problem = f"L'identifiant ne peut pas dépasser {MAX_IDENTIFIER_LENGTH} caractères."
    elif any(character.isspace() for character in identifier):
        problem = "L'identifiant ne doit pas contenir d'espace : utilisez un point ou un tiret."
    else:
        return identifier
    raise ValidationError({"identifier": problem})


def suggest_identifier(contact: Contact) -> str:
    """Return an identifier to propose: the contact's email, else "prenom.nom" or the raison sociale without accents."""
    email = clean_line(contact.email)
    if email and MIN_IDENTIFIER_LENGTH <= len(email) <= MAX_IDENTIFIER_LENGTH and " " not in email:
        return email.lower()

    for name in (f"{contact.first_name or ''} {contact.last_name or ''}", contact.company_name):
        suggestion = search_key(name).replace(" ", ".")[:MAX_IDENTIFIER_LENGTH]
        if len(suggestion) >= MIN_IDENTIFIER_LENGTH:
            return suggestion
    return f"contact{contact.id}"


def get_account(session: Session, contact_id: int) -> PortalAccount | None:
    return session.scalar(select(PortalAccount).where(PortalAccount.contact_id == contact_id))


def identifier_taken(session: Session, key: str) -> bool:
    """Return whether an access already uses the identifier whose key is `key`."""
    return session.scalar(select(PortalAccount.id).where(PortalAccount.identifier_key == key)) is not None

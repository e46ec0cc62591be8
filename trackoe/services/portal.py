"""Use cases of a contact's portal access (espace Infinitri): view, create, new password, disable and enable.

Passwords are stored as argon2 hashes only. A temporary password leaves these functions once,
in the NewPortalPassword they return, and reaches no log and no journal entry.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from trackoe import portal, repository
from trackoe.access_models import PortalAccount
from trackoe.errors import ConflictError, NotFoundError, ValidationError
from trackoe.journal import AuditAction, record_event
from trackoe.models import Contact
from trackoe.passwords import generate_temporary_password, hash_password
from trackoe.permissions import Actor, Permission, require
from trackoe.portal import NewPortalPassword, PortalAccessView, PortalStatus
from trackoe.records import contact_display_name
from trackoe.services.transaction import Sessions, transaction

logger = logging.getLogger(__name__)

RECORD_TYPE = "portal"


def _load_contact(session: Session, contact_id: int) -> Contact:
    contact = repository.get_contact(session, contact_id)
    if contact is None:
        raise NotFoundError(f"Le contact n° {contact_id} n'existe pas ou a été supprimé.")
    return contact


def _load_account(session: Session, contact_id: int) -> PortalAccount:
    account = portal.get_account(session, contact_id)
    if account is None:
        raise NotFoundError("Ce contact n'a pas encore d'accès à l'espace Infinitri : créez-le d'abord.")
    return account


def _suggestion(session: Session, contact: Contact) -> str:
    suggestion = portal.suggest_identifier(contact)
    if portal.identifier_taken(session, portal.identifier_key(suggestion)):
        suffix = f"-{contact.id}"
        suggestion = suggestion[: portal.MAX_IDENTIFIER_LENGTH - len(suffix)] + suffix
    return suggestion


def _view(session: Session, contact: Contact, account: PortalAccount | None) -> PortalAccessView:
    if account is None:
        return PortalAccessView(
            contact_id=contact.id,
            contact_name=contact_display_name(contact),
            identifier=None,
            status=PortalStatus.NEVER_INVITED,
            must_change_password=False,
            created_at=None,
            last_sign_in_at=None,
            last_reset_at=None,
            suggested_identifier=_suggestion(session, contact),
        )
    return PortalAccessView(
        contact_id=contact.id,
        contact_name=contact_display_name(contact),
        identifier=account.identifier,
        status=PortalStatus(account.status),
        must_change_password=account.must_change_password,
        created_at=account.created_at,
        last_sign_in_at=account.last_sign_in_at,
        last_reset_at=account.last_reset_at,
        suggested_identifier=account.identifier,
    )


def _record(session: Session, actor: Actor, action: AuditAction, contact: Contact, account: PortalAccount | None, **details) -> None:
    record_event(
        session, actor, action, RECORD_TYPE, account.id if account is not None else None,
        contact_id=contact.id, habitat_id=contact.habitat_id,
        summary=contact_display_name(contact), **details,
    )


def get_portal_access(sessions: Sessions, actor: Actor, contact_id: int) -> PortalAccessView:
    """Return the contact's portal access and write a PORTAL_VIEW journal entry, since each consultation is traced."""
    require(actor, Permission.VIEW_PORTAL)

    with transaction(sessions, "get_portal_access") as session:
        contact = _load_contact(session, contact_id)
        account = portal.get_account(session, contact_id)
        _record(session, actor, AuditAction.PORTAL_VIEW, contact, account)
        logger.info("User %s viewed the portal access of contact %s", actor.user_id, contact_id)
        return _view(session, contact, account)


def create_portal_access(sessions: Sessions, actor: Actor, contact_id: int, identifier: str) -> NewPortalPassword:
    """Create the contact's access with status "invité" and a temporary password to change at first sign-in.

    Raise ValidationError when the identifier is invalid or used by another access, case ignored.
    Raise ConflictError when the contact is archived or already has an access. Nothing is written then.
    """
    require(actor, Permission.MANAGE_PORTAL)
    identifier = portal.validate_identifier(identifier)
    temporary_password = generate_temporary_password()
    # Hashing takes tens of milliseconds, so it runs before the transaction opens.
    password_hash = hash_password(temporary_password)

    with transaction(sessions, "create_portal_access") as session:
        contact = _load_contact(session, contact_id)
        if contact.archived_at is not None:
            raise ConflictError("Ce contact est archivé : restaurez-le avant de lui créer un accès à l'espace Infinitri.")
        if portal.get_account(session, contact_id) is not None:
            raise ConflictError("Ce contact a déjà un accès à l'espace Infinitri. Rechargez la page pour le voir.")
        key = portal.identifier_key(identifier)
        if portal.identifier_taken(session, key):
            raise ValidationError(
                {"identifier": f"L'identifiant « {identifier} » est déjà utilisé par un autre accès à l'espace Infinitri : choisissez-en un autre."}
            )

        account = PortalAccount(
            contact_id=contact_id,
            identifier=identifier,
            identifier_key=key,
            status=PortalStatus.INVITED.value,
            password_hash=password_hash,
            must_change_password=True,
        )
        session.add(account)
        session.flush()
        _record(
            session, actor, AuditAction.PORTAL_CREATE, contact, account,
            changes={"identifier": [None, identifier], "status": [None, PortalStatus.INVITED.value]},
        )
        logger.info("User %s created portal access %s for contact %s", actor.user_id, account.id, contact_id)
        return NewPortalPassword(access=_view(session, contact, account), temporary_password=temporary_password)


def reset_portal_password(sessions: Sessions, actor: Actor, contact_id: int) -> NewPortalPassword:
    """Give the contact's access a new temporary password to change at first sign-in; its status stays.

    Raise NotFoundError when the contact has no access and ConflictError when the access is disabled.
    """
    require(actor, Permission.MANAGE_PORTAL)
    temporary_password = generate_temporary_password()
    password_hash = hash_password(temporary_password)

    with transaction(sessions, "reset_portal_password") as session:
        contact = _load_contact(session, contact_id)
        account = _load_account(session, contact_id)
        if account.status == PortalStatus.DISABLED:
            raise ConflictError(
                "L'accès de ce contact à l'espace Infinitri est désactivé : réactivez-le avant de générer un nouveau mot de passe."
            )

        account.password_hash = password_hash
        account.must_change_password = True
        account.last_reset_at = dt.datetime.now(dt.UTC)
        session.flush()
        _record(session, actor, AuditAction.PORTAL_RESET, contact, account)
        logger.info("User %s reset the password of portal access %s (contact %s)", actor.user_id, account.id, contact_id)
        return NewPortalPassword(access=_view(session, contact, account), temporary_password=temporary_password)


def set_portal_access_enabled(sessions: Sessions, actor: Actor, contact_id: int, enabled: bool) -> PortalAccessView:
    """Disable the contact's access, or enable it again: "actif" if the contact has signed in once, else "invité".

    A call that would not change the status writes nothing. Raise NotFoundError when the contact has no access.
    """
    require(actor, Permission.MANAGE_PORTAL)

    with transaction(sessions, "set_portal_access_enabled") as session:
        contact = _load_contact(session, contact_id)
        account = _load_account(session, contact_id)
        before = PortalStatus(account.status)
        if enabled:
            if before is not PortalStatus.DISABLED:
                return _view(session, contact, account)
            after = PortalStatus.ACTIVE if account.last_sign_in_at is not None else PortalStatus.INVITED
        else:
            if before is PortalStatus.DISABLED:
                return _view(session, contact, account)
            after = PortalStatus.DISABLED

        account.status = after.value
        session.flush()
        _record(
            session, actor, AuditAction.PORTAL_ENABLE if enabled else AuditAction.PORTAL_DISABLE, contact, account,
            changes={"status": [before.value, after.value]},
        )
        logger.info("User %s set portal access %s (contact %s) to %s", actor.user_id, account.id, contact_id, after.value)
        return _view(session, contact, account)


def portal_status_before_deletion(sessions: Sessions, actor: Actor, contact_id: int) -> PortalStatus:
    """Return the status of the contact's access, for the confirmation of a deletion for good.

    It reveals no identifier and writes no journal entry, so it needs DELETE_FOR_GOOD rather than VIEW_PORTAL.
    """
    require(actor, Permission.DELETE_FOR_GOOD)

    with transaction(sessions, "portal_status_before_deletion") as session:
        _load_contact(session, contact_id)
        account = portal.get_account(session, contact_id)
        return PortalStatus(account.status) if account is not None else PortalStatus.NEVER_INVITED

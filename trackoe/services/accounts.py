"""Use cases of staff accounts: first administrator, creation, edition, password reset."""

from __future__ import annotations

import logging
import re

from sqlalchemy import func, select

from trackoe.access_models import AppSetting, StaffUser
from trackoe.access_views import AccountInput, AccountRow, NewPassword
from trackoe.errors import ConflictError, NotFoundError, ValidationError
from trackoe.journal import AuditAction, changed_fields, record_event
from trackoe.normalise import clean_line
from trackoe.passwords import generate_temporary_password, hash_password, password_problem
from trackoe.permissions import Actor, Permission, Role, require
from trackoe.services.auth import revoke_user_sessions, username_key
from trackoe.services.transaction import Sessions, transaction

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{2,59}")

FIRST_ADMINISTRATOR_SETTING = "auth.first_administrator"
FIRST_ADMINISTRATOR_EXISTS = (
    "Un compte existe déjà : le premier administrateur ne peut être créé qu'une fois. "
    "Connectez-vous, ou demandez un compte à un administrateur."
)

# The command line and the first-start screen act as this actor in the journal.
SYSTEM_ACTOR = Actor(user_id=0, username="système", display_name="Système", role=Role.ADMINISTRATEUR)


def _account_row(user: StaffUser) -> AccountRow:
    return AccountRow(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        is_active=user.is_active,
        can_view_portal=user.can_view_portal,
        must_change_password=user.must_change_password,
        created_at=user.created_at,
        last_sign_in_at=user.last_sign_in_at,
        version=user.version,
    )


def _account_fields(user: StaffUser) -> dict[str, object]:
    return {
        "display_name": user.display_name,
        "role": user.role,
        "is_active": user.is_active,
        "can_view_portal": user.can_view_portal,
    }


def validate_account(form: AccountInput) -> tuple[str, str, Role]:
    """Return the cleaned username, display name and role of the form, or raise ValidationError."""
    errors: dict[str, str] = {}
    username = clean_line(form.username) or ""
    display_name = clean_line(form.display_name) or ""

    if not USERNAME_PATTERN.fullmatch(username):
        errors["username"] = (
            "L'identifiant doit compter 3 à 60 caractères : lettres sans accent, chiffres, "
            "point, tiret, tiret bas ou @, en commençant par une lettre ou un chiffre."
        )
    if not display_name:
        errors["display_name"] = "Le nom affiché est obligatoire."
    elif len(display_name) > 120:
        errors["display_name"] = "Le nom affiché ne peut pas dépasser 120 caractères."
    try:
        role = Role(form.role)
    except ValueError:
        errors["role"] = "Choisissez un rôle : administrateur, agent ou lecteur."
        role = Role.LECTEUR

    if errors:
        raise ValidationError(errors)
    return username, display_name, role


def has_any_account(sessions: Sessions) -> bool:
    """Return whether at least one staff account exists; the first-start screen is offered only when none does."""
    with transaction(sessions, "has_any_account") as session:
        return (session.scalar(select(func.count()).select_from(StaffUser)) or 0) > 0


def _insert_account(session, username: str, display_name: str, role: Role, password_hash: str, **flags) -> StaffUser:
    if session.scalar(select(StaffUser.id).where(StaffUser.username_key == username_key(username))) is not None:
        raise ValidationError({"username": f"L'identifiant « {username} » est déjà pris."})

    user = StaffUser(
        username=username,
        username_key=username_key(username),
        display_name=display_name,
        role=role.value,
        password_hash=password_hash,
        is_active=True,
        **flags,
    )
    session.add(user)
    session.flush()
    return user


def create_first_administrator(sessions: Sessions, username: str, display_name: str, password: str) -> AccountRow:
    """Create the first administrateur from the first-start screen; raise ConflictError once any account exists."""
    return create_administrator(sessions, username, display_name, password, first_only=True)


def create_administrator(
    sessions: Sessions, username: str, display_name: str, password: str, *, first_only: bool
) -> AccountRow:
    """Create an administrateur with the password chosen by the person at the keyboard.

    The server's command line calls it with `first_only=False`, because its user already has
    access to the database. The first-start screen passes True.
    """
    username, display_name, _role = validate_account(AccountInput(username, display_name, Role.ADMINISTRATEUR.value))
    problem = password_problem(password, username=username)
    if problem is not None:
        raise ValidationError({"password": problem})

    try:
        return _insert_administrator(sessions, username, display_name, password, first_only)
    except ConflictError as error:
        if first_only:
            # Two first-start forms sent at once: the second hits the marker row's key.
            raise ConflictError(FIRST_ADMINISTRATOR_EXISTS) from error
        raise


def _insert_administrator(sessions: Sessions, username: str, display_name: str, password: str, first_only: bool) -> AccountRow:
    with transaction(sessions, "create_administrator") as session:
        if first_only:
            # The marker insert comes first: it takes SQLite's write lock at once, and its
            # primary key lets one of two simultaneous first-start forms through.
            session.add(AppSetting(key=FIRST_ADMINISTRATOR_SETTING, value=username))
            session.flush()
            if (session.scalar(select(func.count()).select_from(StaffUser)) or 0) > 0:
                raise ConflictError(FIRST_ADMINISTRATOR_EXISTS)

        user = _insert_account(
            session, username, display_name, Role.ADMINISTRATEUR, hash_password(password), can_view_portal=True
        )
        record_event(
            session, SYSTEM_ACTOR, AuditAction.ACCOUNT_CREATE, "account", user.id,
            summary=f"Administrateur {username}" + (" (premier démarrage)" if first_only else " (ligne de commande)"),
        )
        logger.info("Administrator account %s created (first start: %s)", user.id, first_only)
        return _account_row(user)


def list_accounts(sessions: Sessions, actor: Actor) -> list[AccountRow]:
    """Return every staff account, by username."""
    require(actor, Permission.MANAGE_ACCOUNTS)

    with transaction(sessions, "list_accounts") as session:
        return [_account_row(user) for user in session.scalars(select(StaffUser).order_by(StaffUser.username_key))]


def create_account(sessions: Sessions, actor: Actor, form: AccountInput) -> NewPassword:
    """Create an account with a temporary password, returned once and to be changed at first sign-in."""
    require(actor, Permission.MANAGE_ACCOUNTS)
    username, display_name, role = validate_account(form)
    temporary_password = generate_temporary_password()

    with transaction(sessions, "create_account") as session:
        user = _insert_account(
            session,
            username,
            display_name,
            role,
            hash_password(temporary_password),
            can_view_portal=form.can_view_portal and role is not Role.LECTEUR,
            must_change_password=True,
        )
        record_event(
            session, actor, AuditAction.ACCOUNT_CREATE, "account", user.id,
            summary=f"Compte {username} ({role.label})",
            changes=changed_fields({}, _account_fields(user)),
        )
        logger.info("User %s created account %s", actor.user_id, user.id)
        return NewPassword(account=_account_row(user), temporary_password=temporary_password)


def _load_account(session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFoundError(f"Le compte n° {user_id} n'existe pas.")
    return user


def update_account(sessions: Sessions, actor: Actor, user_id: int, form: AccountInput, *, expected_version: int) -> AccountRow:
    """Change an account's display name, role, portal setting and active flag; the username stays."""
    require(actor, Permission.MANAGE_ACCOUNTS)
    _username, display_name, role = validate_account(form)

    with transaction(sessions, "update_account") as session:
        user = _load_account(session, user_id)
        if user.version != expected_version:
            raise ConflictError("Ce compte a été modifié entre-temps par un autre administrateur. Rechargez la page.")
        if user.id == actor.user_id and (role is not Role.ADMINISTRATEUR or not form.is_active):
            raise ValidationError({"role": "Vous ne pouvez pas retirer vos propres droits d'administrateur ni désactiver votre compte."})

        before = _account_fields(user)
        user.display_name = display_name
        user.role = role.value
        user.can_view_portal = form.can_view_portal and role is not Role.LECTEUR
        user.is_active = form.is_active
        changes = changed_fields(before, _account_fields(user))
        if not changes:
            return _account_row(user)

        if not user.is_active or "role" in changes:
            revoke_user_sessions(session, user.id)
        session.flush()
        record_event(session, actor, AuditAction.ACCOUNT_UPDATE, "account", user.id, summary=f"Compte {user.username}", changes=changes)
        logger.info("User %s updated account %s: %s", actor.user_id, user.id, sorted(changes))
        return _account_row(user)


def reset_password(sessions: Sessions, actor: Actor, user_id: int) -> NewPassword:
    """Give an account a new temporary password, shown once; its open sessions end."""
    require(actor, Permission.MANAGE_ACCOUNTS)
    temporary_password = generate_temporary_password()

    with transaction(sessions, "reset_password") as session:
        user = _load_account(session, user_id)
        user.password_hash = hash_password(temporary_password)
        user.must_change_password = True
        revoke_user_sessions(session, user.id)
        session.flush()
        record_event(session, actor, AuditAction.ACCOUNT_PASSWORD_RESET, "account", user.id, summary=f"Compte {user.username}")
        logger.info("User %s reset the password of account %s", actor.user_id, user.id)
        return NewPassword(account=_account_row(user), temporary_password=temporary_password)

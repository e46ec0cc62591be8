"""Staff roles, the actions each role may perform, and the check every service makes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from trackoe.errors import PermissionDeniedError


class Role(enum.StrEnum):
    """Role of a staff account; the value is stored, the label is shown."""

    ADMINISTRATEUR = "administrateur"
    AGENT = "agent"
    LECTEUR = "lecteur"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ADMINISTRATEUR: "Administrateur",
    Role.AGENT: "Agent",
    Role.LECTEUR: "Lecteur",
}


class Permission(enum.StrEnum):
    """An action a service checks before it reads or writes."""

    READ = "read"
    WRITE_RECORDS = "write_records"
    VIEW_PORTAL = "view_portal"
    MANAGE_PORTAL = "manage_portal"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_JOURNAL = "view_journal"
    DELETE_FOR_GOOD = "delete_for_good"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATEUR: frozenset(Permission),
    Role.AGENT: frozenset({Permission.READ, Permission.WRITE_RECORDS, Permission.VIEW_PORTAL, Permission.MANAGE_PORTAL}),
    Role.LECTEUR: frozenset({Permission.READ}),
}

# Permissions that also need the account setting "voir les identifiants de l'espace Infinitri".
PORTAL_PERMISSIONS = frozenset({Permission.VIEW_PORTAL, Permission.MANAGE_PORTAL})

DENIED_MESSAGES: dict[Permission, str] = {
    Permission.READ: "Votre compte ne permet pas de consulter ces données.",
    Permission.WRITE_RECORDS: "Votre compte permet la consultation seulement : la modification est réservée aux agents et aux administrateurs.",
    Permission.VIEW_PORTAL: "Votre compte ne permet pas de voir les identifiants de l'espace Infinitri.",
    Permission.MANAGE_PORTAL: "Votre compte ne permet pas de gérer les accès à l'espace Infinitri.",
    Permission.MANAGE_ACCOUNTS: "La gestion des comptes est réservée aux administrateurs.",
    Permission.MANAGE_SETTINGS: "Les réglages sont réservés aux administrateurs.",
    Permission.VIEW_JOURNAL: "Le journal complet est réservé aux administrateurs.",
    Permission.DELETE_FOR_GOOD: "La suppression définitive est réservée aux administrateurs.",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in staff user on whose behalf a service runs, as loaded from the server-side session."""

    user_id: int
    username: str
    display_name: str
    role: Role
    can_view_portal: bool = False


def is_allowed(actor: Actor, permission: Permission) -> bool:
    """Return whether `actor` may perform `permission`, account setting included."""
    if permission not in ROLE_PERMISSIONS[actor.role]:
        return False
    if permission in PORTAL_PERMISSIONS:
        return actor.can_view_portal
    return True


def require(actor: Actor, permission: Permission) -> None:
    """Raise PermissionDeniedError, with a French message, unless `actor` may perform `permission`."""
    if not is_allowed(actor, permission):
        raise PermissionDeniedError(DENIED_MESSAGES[permission], user_id=actor.user_id, permission=permission.value)

"""The required roles of the coverage dashboard, stored in `app_setting` as a JSON list of role labels."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from trackoe.domain import LINK_ROLES
from trackoe.models import AppSetting

logger = logging.getLogger(__name__)

REQUIRED_ROLES_KEY = "coverage.required_roles"
DEFAULT_REQUIRED_ROLES: tuple[str, ...] = ("Gardien", "Bailleur", "Société de nettoyage")


def clean_roles(roles: Sequence[str]) -> list[str]:
    """Return the known role labels of `roles`, first occurrence kept, in the given order."""
    return [role for role in dict.fromkeys(roles) if role in LINK_ROLES]


def load_required_roles(session: Session) -> list[str]:
    """Return the stored required roles, or the default when the setting is missing or unreadable."""
    setting = session.get(AppSetting, REQUIRED_ROLES_KEY)
    if setting is None:
        return list(DEFAULT_REQUIRED_ROLES)
    try:
        stored = json.loads(setting.value)
    except ValueError:
        logger.warning("Setting %s is not JSON; using the default roles", REQUIRED_ROLES_KEY)
        return list(DEFAULT_REQUIRED_ROLES)
    if not isinstance(stored, list):
        return list(DEFAULT_REQUIRED_ROLES)
    roles = clean_roles([role for role in stored if isinstance(role, str)])
    return roles or list(DEFAULT_REQUIRED_ROLES)


def save_required_roles(session: Session, roles: Sequence[str]) -> None:
    """Store `roles` (already validated) inside the caller's transaction."""
    value = json.dumps(list(roles), ensure_ascii=False)
    setting = session.get(AppSetting, REQUIRED_ROLES_KEY)
    if setting is None:
        session.add(AppSetting(key=REQUIRED_ROLES_KEY, value=value))
    else:
        setting.value = value

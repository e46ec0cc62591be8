"""Plain data that the access services return: accounts, sign-in results, journal rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trackoe.permissions import Actor, Role


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the token to put in the cookie and the user it stands for."""

    token: str
    actor: Actor
    must_change_password: bool
    expires_at: dt.datetime


@dataclass(frozen=True)
class AccountRow:
    """A staff account as the administration page shows it; never the password hash."""

    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool
    can_view_portal: bool
    must_change_password: bool
    created_at: dt.datetime | None
    last_sign_in_at: dt.datetime | None
    version: int


@dataclass(frozen=True)
class AccountInput:
    """Input of the administration form that creates or edits an account."""

    username: str
    display_name: str
    role: str
    can_view_portal: bool = False
    is_active: bool = True


@dataclass(frozen=True)
class NewPassword:
    """A temporary password, shown once to the person who generated it and stored nowhere in clear."""

    account: AccountRow
    temporary_password: str


@dataclass(frozen=True)
class JournalRow:
    """One journal entry as lists show it."""

    id: int
    occurred_at: dt.datetime
    username: str
    action: str
    action_label: str
    record_type: str
    record_label: str
    record_id: int | None
    contact_id: int | None
    habitat_id: int | None
    summary: str
    changes: dict[str, list]


@dataclass(frozen=True)
class JournalUser:
    """A user the journal can be filtered on: a staff account, or the system actor of the command line."""

    user_id: int
    username: str
    display_name: str

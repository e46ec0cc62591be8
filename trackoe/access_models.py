"""SQLAlchemy models of staff accounts, their sessions, portal accesses, the journal and settings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from trackoe.model_base import NAME_LENGTH, TEXT_LENGTH, Base

USERNAME_LENGTH = 60
HASH_LENGTH = 255


class AppSetting(Base):
    """A setting an administrateur changes in the application, stored as text (JSON for lists)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class StaffUser(Base):
    """An internal user of the application (agent, utilisateur); the password is an argon2 hash."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH))
    # Lower-case form of the username: sign-in ignores case and two accounts cannot differ by case only.
    username_key: Mapped[str] = mapped_column(String(USERNAME_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    can_view_portal: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class StaffSession(Base):
    """A server-side sign-in session; the browser's cookie carries its token, the table only its SHA-256."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SignInThrottle(Base):
    """Failed sign-ins of one username, existing or not, so that a lockout reveals nothing."""

    __tablename__ = "sign_in_throttle"

    username_key: Mapped[str] = mapped_column(String(USERNAME_LENGTH), primary_key=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PortalAccount(Base):
    """The residents' portal login of a contact (espace Infinitri); the password is an argon2 hash."""

    __tablename__ = "portal_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), unique=True)
    identifier: Mapped[str] = mapped_column(String(NAME_LENGTH))
    identifier_key: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_reset_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AuditEvent(Base):
    """One entry of the journal: who did what to which record, when, with the changed fields.

    `user_id` has no foreign key so that entries outlive the accounts and records they name.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH))
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int | None] = mapped_column(Integer)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    habitat_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(TEXT_LENGTH), default="")
    # JSON object {field: [old, new]} for an update; NULL otherwise.
    changes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_audit_event_contact", "contact_id", "occurred_at"),
        Index("ix_audit_event_habitat", "habitat_id", "occurred_at"),
        Index("ix_audit_event_user", "user_id", "occurred_at"),
    )

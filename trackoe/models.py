"""SQLAlchemy models of habitats, logements, locaux, contacts and their links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trackoe.model_base import COMMENT_LENGTH, NAME_LENGTH, TEXT_LENGTH, Base  # noqa: F401


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Habitat(TimestampMixin, Base):
    """A residence or building group (habitat)."""

    __tablename__ = "habitat"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    address_line: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    postcode: Mapped[str | None] = mapped_column(String(5), index=True)
    city: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    city_key: Mapped[str | None] = mapped_column(String(NAME_LENGTH), index=True)
    landlord_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    dwelling_count: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_key: Mapped[str] = mapped_column(String(TEXT_LENGTH), default="", index=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    dwellings: Mapped[list[Dwelling]] = relationship(
        back_populates="habitat", cascade="all, delete-orphan", passive_deletes=True
    )
    premises: Mapped[list[Premises]] = relationship(
        back_populates="habitat", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}


class Dwelling(Base):
    """One dwelling (logement) of a habitat."""

    __tablename__ = "dwelling"

    id: Mapped[int] = mapped_column(primary_key=True)
    habitat_id: Mapped[int] = mapped_column(
        ForeignKey("habitat.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str] = mapped_column(String(60))
    building: Mapped[str | None] = mapped_column(String(60))
    floor: Mapped[str | None] = mapped_column(String(20))

    habitat: Mapped[Habitat] = relationship(back_populates="dwellings")


class Premises(Base):
    """A room or space of a habitat (local): bin room, bike room, caretaker's lodge."""

    __tablename__ = "premises"

    id: Mapped[int] = mapped_column(primary_key=True)
    habitat_id: Mapped[int] = mapped_column(
        ForeignKey("habitat.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    kind: Mapped[str | None] = mapped_column(String(60))

    habitat: Mapped[Habitat] = relationship(back_populates="premises")


class Contact(TimestampMixin, Base):
    """A person or organisation: a contact simple (one habitat) or a contact multiple (linked to many)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    is_multiple: Mapped[bool] = mapped_column(Boolean, default=True)
    contact_type: Mapped[str] = mapped_column(String(40))
    civility: Mapped[str | None] = mapped_column(String(10))
    last_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    first_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    company_name: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    phone_landline: Mapped[str | None] = mapped_column(String(20))
    phone_mobile: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    address_line1: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    address_line2: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    postcode: Mapped[str | None] = mapped_column(String(5), index=True)
    city: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    city_key: Mapped[str | None] = mapped_column(String(NAME_LENGTH), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    # The owning habitat of a contact simple; NULL for a contact multiple.
    habitat_id: Mapped[int | None] = mapped_column(
        ForeignKey("habitat.id", ondelete="CASCADE"), index=True
    )
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_key: Mapped[str] = mapped_column(String(TEXT_LENGTH), default="")
    # Token of the form that created the record: a second submission of the same form finds it.
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    links: Mapped[list[ContactLink]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(
            "(is_multiple AND habitat_id IS NULL) OR (NOT is_multiple AND habitat_id IS NOT NULL)",
            name="simple_has_one_habitat",
        ),
        CheckConstraint(
            "last_name IS NOT NULL OR company_name IS NOT NULL", name="has_a_name"
        ),
        # On SQLite, migration 0003 orders this index (is_multiple, sort_key, archived_at).
        Index("ix_contact_list_order", "is_multiple", "archived_at", "sort_key"),
        Index("ix_contact_type_order", "contact_type", "sort_key"),
        # Coverage dashboard (migration 0005): contacts by type, and the few archived ones.
        Index("ix_contact_type_cover", "contact_type", "is_multiple", "archived_at", "habitat_id"),
        Index(
            "ix_contact_archived_ids",
            "id",
            sqlite_where=text("archived_at IS NOT NULL"),
            postgresql_where=text("archived_at IS NOT NULL"),
        ),
    )


class ContactLink(Base):
    """A rattachement: contact → habitat, optionally narrowed to one logement or one local."""

    __tablename__ = "contact_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    habitat_id: Mapped[int] = mapped_column(
        ForeignKey("habitat.id", ondelete="CASCADE"), index=True
    )
    dwelling_id: Mapped[int | None] = mapped_column(
        ForeignKey("dwelling.id", ondelete="CASCADE"), index=True
    )
    premises_id: Mapped[int | None] = mapped_column(
        ForeignKey("premises.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(60))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    contact: Mapped[Contact] = relationship(back_populates="links")
    habitat: Mapped[Habitat] = relationship()
    dwelling: Mapped[Dwelling | None] = relationship()
    premises: Mapped[Premises | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(
            "dwelling_id IS NULL OR premises_id IS NULL", name="one_target_at_most"
        ),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name="ends_after_start",
        ),
        # Covering indexes of the coverage dashboard (migration 0005).
        Index("ix_contact_link_habitat_cover", "habitat_id", "end_date", "contact_id"),
        Index("ix_contact_link_role_cover", "role", "habitat_id", "contact_id", "end_date"),
        Index("ix_contact_link_contact_cover", "contact_id", "end_date", "habitat_id"),
        # One open link per contact, habitat, target and role, even when two agents add it at once.
        Index(
            "uq_contact_link_open",
            "contact_id",
            "habitat_id",
            func.coalesce(dwelling_id, 0),
            func.coalesce(premises_id, 0),
            "role",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
    )


# The access models share Base.metadata; importing them here lets Alembic and the tests see
# every table through `trackoe.models`.
from trackoe.access_models import (  # noqa: E402,F401
    AppSetting,
    AuditEvent,
    PortalAccount,
    SignInThrottle,
    StaffSession,
    StaffUser,
)

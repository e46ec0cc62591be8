"""Add staff accounts, sign-in sessions, portal accesses, the journal and settings

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 22:40:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _timestamp(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)


def upgrade() -> None:
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        _timestamp("updated_at", server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_app_setting"),
    )
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("username_key", sa.String(60), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("can_view_portal", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        _timestamp("created_at", server_default=sa.func.now(), nullable=False),
        _timestamp("last_sign_in_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_user"),
        sa.UniqueConstraint("username_key", name="uq_staff_user_username_key"),
    )
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("expires_at", nullable=False),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_user.id"], name="fk_staff_session_user_id_staff_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_session"),
        sa.UniqueConstraint("token_hash", name="uq_staff_session_token_hash"),
    )
    op.create_index("ix_staff_session_user_id", "staff_session", ["user_id"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("username_key", sa.String(60), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        _timestamp("locked_until", nullable=True),
        sa.PrimaryKeyConstraint("username_key", name="pk_sign_in_throttle"),
    )
    op.create_table(
        "portal_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(120), nullable=False),
        sa.Column("identifier_key", sa.String(120), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        _timestamp("created_at", server_default=sa.func.now(), nullable=False),
        _timestamp("last_sign_in_at", nullable=True),
        _timestamp("last_reset_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name="fk_portal_account_contact_id_contact", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_portal_account"),
        sa.UniqueConstraint("contact_id", name="uq_portal_account_contact_id"),
        sa.UniqueConstraint("identifier_key", name="uq_portal_account_identifier_key"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        _timestamp("occurred_at", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("record_type", sa.String(20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("habitat_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(255), nullable=False),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_occurred_at", "audit_event", ["occurred_at"])
    op.create_index("ix_audit_event_contact", "audit_event", ["contact_id", "occurred_at"])
    op.create_index("ix_audit_event_habitat", "audit_event", ["habitat_id", "occurred_at"])
    op.create_index("ix_audit_event_user", "audit_event", ["user_id", "occurred_at"])


def downgrade() -> None:
    op.drop_table("audit_event")
    op.drop_table("portal_account")
    op.drop_table("sign_in_throttle")
    op.drop_table("staff_session")
    op.drop_table("staff_user")
    op.drop_table("app_setting")

"""Allow one open link per contact, habitat, target and role

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 21:40:00

The service checks for a duplicate before adding a link, but two agents adding the same
link at once both passed that check; this partial unique index makes the database refuse
the second one. Links already ended are not concerned, so history may repeat a link.
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_contact_link_open",
        "contact_link",
        [
            "contact_id",
            "habitat_id",
            sa.text("coalesce(dwelling_id, 0)"),
            sa.text("coalesce(premises_id, 0)"),
            "role",
        ],
        unique=True,
        sqlite_where=sa.text("end_date IS NULL"),
        postgresql_where=sa.text("end_date IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_contact_link_open", table_name="contact_link")

"""Index links and contacts for the coverage dashboard's grouped queries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:45:00

At 20,000 habitats, 200,000 contacts and 400,000 links (bench/coverage_bench.py,
docs/benchmarks.md), SQLite answered "which habitats cover a role" by scanning every
contact and looking up its links. These covering indexes let both databases read only the
index entries a dashboard query needs:

- ix_contact_link_role_cover: the links of the required roles, with habitat and contact;
- ix_contact_link_habitat_cover: the current links of each habitat, with their contact
  (replaces ix_contact_link_habitat_current, its prefix);
- ix_contact_link_contact_cover: the current links of each contact, with their habitat;
- ix_contact_type_cover: contacts by type, for the contacts simples that cover a role
  and the chart of contacts by type;
- ix_contact_archived_ids: the few archived contacts, which the dashboard leaves out.
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_link_role_cover", "contact_link", ["role", "habitat_id", "contact_id", "end_date"])
    op.create_index("ix_contact_link_habitat_cover", "contact_link", ["habitat_id", "end_date", "contact_id"])
    op.drop_index("ix_contact_link_habitat_current", table_name="contact_link")
    op.create_index("ix_contact_link_contact_cover", "contact_link", ["contact_id", "end_date", "habitat_id"])
    op.create_index("ix_contact_type_cover", "contact", ["contact_type", "is_multiple", "archived_at", "habitat_id"])
    op.create_index(
        "ix_contact_archived_ids",
        "contact",
        ["id"],
        sqlite_where=sa.text("archived_at IS NOT NULL"),
        postgresql_where=sa.text("archived_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_contact_archived_ids", table_name="contact")
    op.drop_index("ix_contact_type_cover", table_name="contact")
    op.drop_index("ix_contact_link_contact_cover", table_name="contact_link")
    op.create_index("ix_contact_link_habitat_current", "contact_link", ["habitat_id", "end_date"])
    op.drop_index("ix_contact_link_habitat_cover", table_name="contact_link")
    op.drop_index("ix_contact_link_role_cover", table_name="contact_link")

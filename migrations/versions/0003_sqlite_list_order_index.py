"""Put sort_key before archived_at in SQLite's list-order index

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:55:00

Without STAT4 statistics, SQLite took `archived_at IS NULL` for a selective condition,
because each archived contact has its own timestamp, and counted matches by walking
ix_contact_list_order through nearly every row (187 ms against 42 ms at 100,000 contacts,
docs/benchmarks.md). PostgreSQL keeps the first order: with the second its planner
scanned the index in name order and filtered out most rows.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_contact_list_order", table_name="contact")
    op.create_index("ix_contact_list_order", "contact", ["is_multiple", "sort_key", "archived_at"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_contact_list_order", table_name="contact")
    op.create_index("ix_contact_list_order", "contact", ["is_multiple", "archived_at", "sort_key"])

"""create contacts and habitats

Revision ID: 0001
Revises: 
Create Date: 2026-12-04 20:13:17.545790

On SQLite, search runs through FTS5 trigram tables kept in step with `search_text` by
triggers; on PostgreSQL, through pg_trgm GIN indexes on `search_text`. Both serve
`LIKE '%term%'` substring matches on the normalised text.
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('habitat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('address_line', sa.String(length=255), nullable=True),
    sa.Column('postcode', sa.String(length=5), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('city_key', sa.String(length=120), nullable=True),
    sa.Column('landlord_name', sa.String(length=120), nullable=True),
    sa.Column('dwelling_count', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('sort_key', sa.String(length=255), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_habitat')),
    sa.UniqueConstraint('code', name=op.f('uq_habitat_code'))
    )
    with op.batch_alter_table('habitat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_habitat_city_key'), ['city_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_habitat_postcode'), ['postcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_habitat_sort_key'), ['sort_key'], unique=False)

    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('is_multiple', sa.Boolean(), nullable=False),
    sa.Column('contact_type', sa.String(length=40), nullable=False),
    sa.Column('civility', sa.String(length=10), nullable=True),
    sa.Column('last_name', sa.String(length=120), nullable=True),
    sa.Column('first_name', sa.String(length=120), nullable=True),
    sa.Column('company_name', sa.String(length=255), nullable=True),
    sa.Column('phone_landline', sa.String(length=20), nullable=True),
    sa.Column('phone_mobile', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('address_line1', sa.String(length=255), nullable=True),
    sa.Column('address_line2', sa.String(length=255), nullable=True),
    sa.Column('postcode', sa.String(length=5), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('city_key', sa.String(length=120), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('habitat_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('sort_key', sa.String(length=255), nullable=False),
    sa.Column('creation_token', sa.String(length=64), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('(is_multiple AND habitat_id IS NULL) OR (NOT is_multiple AND habitat_id IS NOT NULL)', name=op.f('ck_contact_simple_has_one_habitat')),
    sa.CheckConstraint('last_name IS NOT NULL OR company_name IS NOT NULL', name=op.f('ck_contact_has_a_name')),
    sa.ForeignKeyConstraint(['habitat_id'], ['habitat.id'], name=op.f('fk_contact_habitat_id_habitat'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact')),
    sa.UniqueConstraint('creation_token', name=op.f('uq_contact_creation_token'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_city_key'), ['city_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_habitat_id'), ['habitat_id'], unique=False)
        batch_op.create_index('ix_contact_list_order', ['is_multiple', 'archived_at', 'sort_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_postcode'), ['postcode'], unique=False)
        batch_op.create_index('ix_contact_type_order', ['contact_type', 'sort_key'], unique=False)

    op.create_table('dwelling',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('habitat_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('building', sa.String(length=60), nullable=True),
    sa.Column('floor', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['habitat_id'], ['habitat.id'], name=op.f('fk_dwelling_habitat_id_habitat'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dwelling'))
    )
    with op.batch_alter_table('dwelling', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dwelling_habitat_id'), ['habitat_id'], unique=False)

    op.create_table('premises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('habitat_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['habitat_id'], ['habitat.id'], name=op.f('fk_premises_habitat_id_habitat'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_premises'))
    )
    with op.batch_alter_table('premises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_premises_habitat_id'), ['habitat_id'], unique=False)

    op.create_table('contact_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('habitat_id', sa.Integer(), nullable=False),
    sa.Column('dwelling_id', sa.Integer(), nullable=True),
    sa.Column('premises_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=60), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('dwelling_id IS NULL OR premises_id IS NULL', name=op.f('ck_contact_link_one_target_at_most')),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_contact_link_ends_after_start')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_contact_link_contact_id_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dwelling_id'], ['dwelling.id'], name=op.f('fk_contact_link_dwelling_id_dwelling'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['habitat_id'], ['habitat.id'], name=op.f('fk_contact_link_habitat_id_habitat'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['premises_id'], ['premises.id'], name=op.f('fk_contact_link_premises_id_premises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_link'))
    )
    with op.batch_alter_table('contact_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_link_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_link_dwelling_id'), ['dwelling_id'], unique=False)
        batch_op.create_index('ix_contact_link_habitat_current', ['habitat_id', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_link_habitat_id'), ['habitat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_link_premises_id'), ['premises_id'], unique=False)

    _create_search_indexes()


SEARCHED_TABLES = ("contact", "habitat")


def _create_search_indexes() -> None:
    dialect = op.get_bind().dialect.name

    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in SEARCHED_TABLES:
            op.execute(
                f"CREATE INDEX ix_{table}_search_trgm ON {table} "
                "USING gin (search_text gin_trgm_ops)"
            )
        return

    if dialect == "sqlite":
        for table in SEARCHED_TABLES:
            op.execute(
                f"CREATE VIRTUAL TABLE {table}_fts USING fts5("
                f"search_text, content='{table}', content_rowid='id', tokenize='trigram')"
            )
            op.execute(
                f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN "
                f"INSERT INTO {table}_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN "
                f"INSERT INTO {table}_fts({table}_fts, rowid, search_text) "
                f"VALUES ('delete', old.id, old.search_text); END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_text ON {table} BEGIN "
                f"INSERT INTO {table}_fts({table}_fts, rowid, search_text) "
                f"VALUES ('delete', old.id, old.search_text); "
                f"INSERT INTO {table}_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
            )


def _drop_search_indexes() -> None:
    dialect = op.get_bind().dialect.name

    for table in SEARCHED_TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
        elif dialect == "sqlite":
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")


def downgrade() -> None:
    _drop_search_indexes()

    with op.batch_alter_table('contact_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_link_premises_id'))
        batch_op.drop_index(batch_op.f('ix_contact_link_habitat_id'))
        batch_op.drop_index('ix_contact_link_habitat_current')
        batch_op.drop_index(batch_op.f('ix_contact_link_dwelling_id'))
        batch_op.drop_index(batch_op.f('ix_contact_link_contact_id'))

    op.drop_table('contact_link')
    with op.batch_alter_table('premises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_premises_habitat_id'))

    op.drop_table('premises')
    with op.batch_alter_table('dwelling', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dwelling_habitat_id'))

    op.drop_table('dwelling')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_type_order')
        batch_op.drop_index(batch_op.f('ix_contact_postcode'))
        batch_op.drop_index('ix_contact_list_order')
        batch_op.drop_index(batch_op.f('ix_contact_habitat_id'))
        batch_op.drop_index(batch_op.f('ix_contact_city_key'))

    op.drop_table('contact')
    with op.batch_alter_table('habitat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_habitat_sort_key'))
        batch_op.drop_index(batch_op.f('ix_habitat_postcode'))
        batch_op.drop_index(batch_op.f('ix_habitat_city_key'))

    op.drop_table('habitat')

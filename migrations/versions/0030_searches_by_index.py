"""the administrator's searches are answered by indexes: organizations keep their folded name as members do,
codes are indexed in capitals, members in name order, and on PostgreSQL a trigram index (pg_trgm) answers a
search for any part of a name, and paths compare byte by byte (collation "C"), so their one index answers a
subtree and tree order

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 23:40:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

TRIGRAMS = {'ix_member_search_trgm': 'member', 'ix_organization_search_trgm': 'organization'}
CODES = {'ix_member_code_upper': 'member', 'ix_organization_code_upper': 'organization'}


def _fold(text):
    """The search form of a name, as the application folded names when this was written."""
    decomposed = unicodedata.normalize('NFD', text.lower().replace('đ', 'd').replace('Đ', 'd'))
    return ''.join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fill_organizations_search_names(conn):
    names = conn.execute(sa.text('SELECT id, name FROM organization')).all()
    folded = [{'id': org_id, 'folded': _fold(name)} for org_id, name in names]
    for start in range(0, len(folded), 1000):
        conn.execute(sa.text('UPDATE organization SET search_name = :folded WHERE id = :id'),
                     folded[start:start + 1000])


def upgrade():
    conn = op.get_bind()
    with op.batch_alter_table('organization') as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=255), nullable=False, server_default=''))
    _fill_organizations_search_names(conn)
    with op.batch_alter_table('member') as batch_op:
        # A b-tree of the folded name answered no search: they all look for a part of it.
        batch_op.drop_index('ix_member_search_name')
        batch_op.create_index('ix_member_name_sort_key', ['name_sort_key'], unique=False)
    postgresql = conn.dialect.name == 'postgresql'
    for index, table in CODES.items():
        # text_pattern_ops: PostgreSQL answers the beginning of a code (LIKE 'G00%') from it whatever the collation.
        ops = ' text_pattern_ops' if postgresql else ''
        op.execute(f'CREATE INDEX {index} ON {table} (upper(code){ops})')
    if postgresql:
        op.drop_index('ix_organization_path', 'organization')
        op.execute('ALTER TABLE organization ALTER COLUMN path TYPE varchar(400) COLLATE "C"')
        op.create_index('ix_organization_path', 'organization', ['path'])
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for index, table in TRIGRAMS.items():
            op.execute(f'CREATE INDEX {index} ON {table} USING gin (search_name gin_trgm_ops)')
        # The planner knows an index of an expression (the codes in capitals) only once the table is analyzed:
        # until then it guessed that a code matched thousands of members and walked all of them in name order.
        op.execute('ANALYZE member')
        op.execute('ANALYZE organization')


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    # pg_trgm stays: other database objects may use it by now, and it costs nothing unused.
    for index in [*TRIGRAMS, *CODES] if postgresql else CODES:
        op.execute(f'DROP INDEX {index}')
    if postgresql:
        op.drop_index('ix_organization_path', 'organization')
        op.execute('ALTER TABLE organization ALTER COLUMN path TYPE varchar(400) COLLATE "default"')
        op.create_index('ix_organization_path', 'organization', ['path'], postgresql_ops={'path': 'text_pattern_ops'})
    with op.batch_alter_table('member') as batch_op:
        batch_op.drop_index('ix_member_name_sort_key')
        batch_op.create_index('ix_member_search_name', ['search_name'], unique=False)
    with op.batch_alter_table('organization') as batch_op:
        batch_op.drop_column('search_name')

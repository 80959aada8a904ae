"""the kept tallies are read from one index: a rollup's counters come from the index alone (not a table
page per counter), and on PostgreSQL autovacuum visits the tallies often enough for those reads to stay there

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 08:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

COLUMNS = ['organization_id', 'period_id', 'subject', 'state', 'level', 'reason', 'count']
# The counters change with every decision: vacuumed after 1% of them changed, not PostgreSQL's default 20%,
# so an index-only read rarely meets a page it must check in the table.
VACUUM_OFTEN = 'autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02'


def upgrade():
    op.create_index('ix_tally_read', 'tally', COLUMNS)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE tally SET ({VACUUM_OFTEN})')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE tally RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)')
    op.drop_index('ix_tally_read', 'tally')

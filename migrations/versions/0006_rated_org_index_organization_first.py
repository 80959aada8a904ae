"""the unique index of organizations' reviews leads with the organization

A rollup asks for the reviews of a handful of organizations in one period; with the period first,
PostgreSQL read every organization's review of the period and filtered.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

WHERE = dict(sqlite_where=sa.text('member_id IS NULL'), postgresql_where=sa.text('member_id IS NULL'))


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('uq_review_period_rated_org', **WHERE)
        batch_op.create_index('uq_review_period_rated_org', ['organization_id', 'period_id'], unique=True, **WHERE)


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('uq_review_period_rated_org', **WHERE)
        batch_op.create_index('uq_review_period_rated_org', ['period_id', 'organization_id'], unique=True, **WHERE)

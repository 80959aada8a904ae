"""kept counters can never go below zero: the database refuses it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ('tally', 'subtree_size')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f'ck_{table}_count_not_negative'), 'count >= 0')


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_count_not_negative'), type_='check')

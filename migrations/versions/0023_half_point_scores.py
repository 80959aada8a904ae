"""scores to a half point: provinces' rubrics give 28,5; the four score columns become NUMERIC(4, 1)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

COLUMNS = ('self_score_general', 'self_score_tasks', 'accepted_score_general', 'accepted_score_tasks')


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.Numeric(4, 1),
                                  existing_nullable=True)


def downgrade():
    # Half points are rounded up, which the bands never judge lower than the half point did.
    for column in COLUMNS:
        op.execute(f"UPDATE review SET {column} = CEIL({column}) WHERE {column} <> ROUND({column})"
                   if op.get_bind().dialect.name == 'postgresql' else
                   f"UPDATE review SET {column} = CAST({column} AS INTEGER) + 1 "
                   f"WHERE {column} <> CAST({column} AS INTEGER)")
    with op.batch_alter_table('review', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Numeric(4, 1), type_=sa.Integer(),
                                  existing_nullable=True)

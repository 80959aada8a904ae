"""the results' stamps: a random token per period, and one for every year, that changes with what the reports
count, so a report page can be kept until it does (evaluation/stamps.py)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 20:10:00

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    stamps = op.create_table(
        'results_stamp',
        sa.Column('period_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('period_id', name=op.f('pk_results_stamp')),
    )
    # A token of its own: what processes kept before this migration was kept under none.
    op.bulk_insert(stamps, [{'period_id': 0, 'token': secrets.randbits(62)}])


def downgrade():
    op.drop_table('results_stamp')

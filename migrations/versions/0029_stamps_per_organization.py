"""the results' stamps per organization and year: a decision renews the stamps of the organizations above
the member, so the pages of the others stay kept (evaluation/stamps.py)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 23:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def _stamps(*keys):
    """The table keyed by `keys`, with a new token for every year: a stamp is only ever compared with itself,
    so the old tokens need not be kept (and the workers restart after a deployment anyway)."""
    op.drop_table('results_stamp')
    stamps = op.create_table(
        'results_stamp',
        *[sa.Column(key, sa.Integer(), autoincrement=False, nullable=False) for key in keys],
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name=op.f('pk_results_stamp')),
    )
    op.bulk_insert(stamps, [{**{key: 0 for key in keys}, 'token': secrets.randbits(62)}])


def upgrade():
    _stamps('organization_id', 'period_id')


def downgrade():
    _stamps('period_id')

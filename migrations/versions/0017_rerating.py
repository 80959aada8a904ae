"""re-rating (Mẫu 03): a review remembers the decision that last changed its decided level, so reports and
exports can mark it (the history keeps both levels, as events)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rerated_by', sa.String(length=200), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('rerated_by')

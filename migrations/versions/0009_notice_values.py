"""notices keep their sentence and its values apart, so each reader sees them in their own language

Notices written before keep their final text (params empty).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('params')

"""reviews remember which page saved their text last, so that page's own late save is no conflict

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('saved_by_client', sa.String(length=40), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('saved_by_client')

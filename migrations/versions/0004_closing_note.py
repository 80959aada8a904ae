"""closing note

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:38:47.227571

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # Periods closed before this note existed were closed with nothing to explain.
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closing_note', sa.Text(), nullable=True))
    op.execute("UPDATE period SET closing_note = ''")
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.alter_column('closing_note', existing_type=sa.Text(), nullable=False)


def downgrade():
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.drop_column('closing_note')

"""the deciding level's score: the committee records the score it accepts (/30 and /70), which the bands judge

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_score_general', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('accepted_score_tasks', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('accepted_score_tasks')
        batch_op.drop_column('accepted_score_general')

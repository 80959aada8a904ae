"""entry on behalf (nhập hộ): a review remembers who in the cell typed a member's signed paper self-review in,
and the paper's date

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paper_signed_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_review_entered_by_id_app_user'), 'app_user', ['entered_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_review_entered_by_id_app_user'), type_='foreignkey')
        batch_op.drop_column('paper_signed_on')
        batch_op.drop_column('entered_by_id')

"""a leader is linked to the unit they head, so they are judged together with it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leads_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_member_leads_id_organization'), 'organization', ['leads_id'], ['id'])


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_member_leads_id_organization'), type_='foreignkey')
        batch_op.drop_column('leads_id')

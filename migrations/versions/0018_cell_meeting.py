"""the cell meeting: its date, official members and those present per cell and year, and each proposal's votes

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cell_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('official_members', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_cell_meeting_organization_id_organization')),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_cell_meeting_period_id_period')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_cell_meeting_recorded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cell_meeting')),
    sa.UniqueConstraint('period_id', 'organization_id', name='uq_cell_meeting_period_org')
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('votes_for', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('votes_for')
    op.drop_table('cell_meeting')

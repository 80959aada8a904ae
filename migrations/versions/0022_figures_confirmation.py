"""each committee confirms its year's figures to the level above, which may return the confirmation

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 22:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'figures_confirmation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.Enum('confirm', 'return', name='confirmationaction', native_enum=False, length=15),
                  nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_figures_confirmation_actor_id_app_user')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_figures_confirmation_organization_id_organization')),
        sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_figures_confirmation_period_id_period')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_figures_confirmation')),
    )
    op.create_index('ix_figures_confirmation_period_org', 'figures_confirmation', ['period_id', 'organization_id'])


def downgrade():
    op.drop_index('ix_figures_confirmation_period_org', table_name='figures_confirmation')
    op.drop_table('figures_confirmation')

"""publication of a year's results inside the organization: which grassroots committee published which year

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'publication',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_publication_actor_id_app_user')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_publication_organization_id_organization')),
        sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_publication_period_id_period')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
        sa.UniqueConstraint('period_id', 'organization_id', name='uq_publication_period_org'),
    )


def downgrade():
    op.drop_table('publication')

"""conditions, quota exceptions, commitments, notices, organization deadline

Existing periods get the organizations' deadline of their members' one; existing reviews get no
conditions and no exception.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:23:27.798334

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_commitment_member_id_member')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_commitment_organization_id_organization')),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_commitment_period_id_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment')),
    sa.UniqueConstraint('period_id', 'member_id', name='uq_commitment_period_member')
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index('uq_commitment_period_org', ['period_id', 'organization_id'], unique=True, sqlite_where=sa.text('member_id IS NULL'), postgresql_where=sa.text('member_id IS NULL'))

    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=255), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_notice_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_user_id'), ['user_id'], unique=False)

    op.create_table('quota_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('for_members', sa.Boolean(), nullable=False),
    sa.Column('outstanding', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_quota_exception_organization_id_organization')),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_quota_exception_period_id_period')),
    sa.ForeignKeyConstraint(['set_by_id'], ['app_user.id'], name=op.f('fk_quota_exception_set_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_exception')),
    sa.UniqueConstraint('period_id', 'organization_id', 'for_members', name='uq_quota_exception_group')
    )
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rate_orgs_by', sa.Date(), nullable=True))
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conditions', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('exception_reason', sa.Text(), nullable=True))
    op.execute("UPDATE period SET rate_orgs_by = decide_by")
    op.execute("UPDATE review SET conditions = '[]', exception_reason = ''")
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.alter_column('rate_orgs_by', existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.alter_column('conditions', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('exception_reason', existing_type=sa.Text(), nullable=False)


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('exception_reason')
        batch_op.drop_column('conditions')

    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.drop_column('rate_orgs_by')

    op.drop_table('quota_exception')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_user_id'))

    op.drop_table('notice')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index('uq_commitment_period_org', sqlite_where=sa.text('member_id IS NULL'), postgresql_where=sa.text('member_id IS NULL'))

    op.drop_table('commitment')

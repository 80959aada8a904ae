"""initial schema: organizations, members, users, periods, reviews

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 12:23:32.570587

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.Enum('province', 'upper', 'grassroots', 'section', 'cell', name='orgkind', native_enum=False, length=18), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['organization.id'], name=op.f('fk_organization_parent_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('code', name=op.f('uq_organization_code'))
    )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_path'), ['path'], unique=False)

    op.create_table('period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rule_set', sa.Enum('hd21', 'qd124', 'qd366', name='ruleset', native_enum=False, length=13), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', name='periodstate', native_enum=False, length=14), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('submit_by', sa.Date(), nullable=False),
    sa.Column('propose_by', sa.Date(), nullable=False),
    sa.Column('decide_by', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period')),
    sa.UniqueConstraint('year', name=op.f('uq_period_year'))
    )
    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('name_sort_key', sa.String(length=400), nullable=False),
    sa.Column('search_name', sa.String(length=200), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('form_type', sa.Enum('2A', '2B', '2C', name='formtype', native_enum=False, length=10), nullable=False),
    sa.Column('position', sa.String(length=255), nullable=False),
    sa.Column('workplace', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('joined_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_member_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('code', name=op.f('uq_member_code'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_org_sort', ['organization_id', 'name_sort_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_search_name'), ['search_name'], unique=False)

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_app_user_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('member_id', name=op.f('uq_app_user_member_id')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('form_type', sa.Enum('2A', '2B', '2C', name='formtype', native_enum=False, length=10), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'proposed', 'decided', name='reviewstate', native_enum=False, length=17), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('self_score_general', sa.Integer(), nullable=True),
    sa.Column('self_score_tasks', sa.Integer(), nullable=True),
    sa.Column('self_level', sa.Enum('excellent', 'good', 'completed', 'not_completed', 'not_classified', name='level', native_enum=False, length=22), nullable=True),
    sa.Column('cell_comments', sa.Text(), nullable=False),
    sa.Column('proposed_level', sa.Enum('excellent', 'good', 'completed', 'not_completed', 'not_classified', name='level', native_enum=False, length=22), nullable=True),
    sa.Column('final_level', sa.Enum('excellent', 'good', 'completed', 'not_completed', 'not_classified', name='level', native_enum=False, length=22), nullable=True),
    sa.Column('not_classified_reason', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_review_member_id_member')),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_review_period_id_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('period_id', 'member_id', name='uq_review_period_member')
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_final_level'), ['final_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_state'), ['state'], unique=False)

    op.create_table('membership_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('from_org_id', sa.Integer(), nullable=False),
    sa.Column('to_org_id', sa.Integer(), nullable=False),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_membership_change_actor_id_app_user')),
    sa.ForeignKeyConstraint(['from_org_id'], ['organization.id'], name=op.f('fk_membership_change_from_org_id_organization')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_membership_change_member_id_member')),
    sa.ForeignKeyConstraint(['to_org_id'], ['organization.id'], name=op.f('fk_membership_change_to_org_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_change'))
    )
    with op.batch_alter_table('membership_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_change_member_id'), ['member_id'], unique=False)

    op.create_table('review_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.Enum('draft', 'submitted', 'proposed', 'decided', name='reviewstate', native_enum=False, length=17), nullable=True),
    sa.Column('to_state', sa.Enum('draft', 'submitted', 'proposed', 'decided', name='reviewstate', native_enum=False, length=17), nullable=True),
    sa.Column('level', sa.Enum('excellent', 'good', 'completed', 'not_completed', 'not_classified', name='level', native_enum=False, length=22), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_review_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_event_review_id_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_event'))
    )
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_event_review_id'), ['review_id'], unique=False)

    op.create_table('role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('secretary', 'deputy_secretary', 'committee', 'leader', name='role', native_enum=False, length=24), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_role_grant_organization_id_organization')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_role_grant_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grant')),
    sa.UniqueConstraint('user_id', 'organization_id', 'role', name='uq_role_grant_user_org_role')
    )
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grant_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_grant_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grant_user_id'))
        batch_op.drop_index(batch_op.f('ix_role_grant_organization_id'))

    op.drop_table('role_grant')
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_event_review_id'))

    op.drop_table('review_event')
    with op.batch_alter_table('membership_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_change_member_id'))

    op.drop_table('membership_change')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_state'))
        batch_op.drop_index(batch_op.f('ix_review_period_id'))
        batch_op.drop_index(batch_op.f('ix_review_member_id'))
        batch_op.drop_index(batch_op.f('ix_review_final_level'))

    op.drop_table('review')
    op.drop_table('app_user')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_search_name'))
        batch_op.drop_index('ix_member_org_sort')

    op.drop_table('member')
    op.drop_table('period')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_path'))
        batch_op.drop_index(batch_op.f('ix_organization_parent_id'))

    op.drop_table('organization')

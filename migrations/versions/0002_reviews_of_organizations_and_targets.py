"""reviews of organizations and targets

A review now counts under an organization: a member's cell for that year (filled in from the
member's current cell for existing rows), or the organization being rated when there is no
member. Targets (chỉ tiêu) are new.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:55:16.847187

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('subject', sa.Enum('members', 'grassroots', name='targetsubject', native_enum=False, length=18), nullable=False),
    sa.Column('min_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_target_organization_id_organization')),
    sa.ForeignKeyConstraint(['set_by_id'], ['app_user.id'], name=op.f('fk_target_set_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target')),
    sa.UniqueConstraint('organization_id', 'year', 'subject', name='uq_target_org_year_subject')
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE review SET organization_id = "
        "(SELECT member.organization_id FROM member WHERE member.id = review.member_id)"
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.alter_column('organization_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('member_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('form_type',
               existing_type=sa.VARCHAR(length=10),
               nullable=True)
        batch_op.create_index('ix_review_org_period', ['organization_id', 'period_id'], unique=False)
        batch_op.create_index('uq_review_period_rated_org', ['period_id', 'organization_id'], unique=True, sqlite_where=sa.text('member_id IS NULL'), postgresql_where=sa.text('member_id IS NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_review_organization_id_organization'), 'organization', ['organization_id'], ['id'])


def downgrade():
    # Reviews of organizations cannot exist in the old schema.
    op.execute("DELETE FROM review_event WHERE review_id IN (SELECT id FROM review WHERE member_id IS NULL)")
    op.execute("DELETE FROM review WHERE member_id IS NULL")
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_review_organization_id_organization'), type_='foreignkey')
        batch_op.drop_index('uq_review_period_rated_org', sqlite_where=sa.text('member_id IS NULL'), postgresql_where=sa.text('member_id IS NULL'))
        batch_op.drop_index('ix_review_org_period')
        batch_op.alter_column('form_type',
               existing_type=sa.VARCHAR(length=10),
               nullable=False)
        batch_op.alter_column('member_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('organization_id')

    op.drop_table('target')

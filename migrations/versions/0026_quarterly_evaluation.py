"""quarterly evaluation of leaders and managers: the year's framework, four rounds a year, each person's
quarter with its products and scores, and its append-only history

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

SCORE = sa.Numeric(4, 1, asdecimal=True)
STATE = sa.String(17)  # ReviewState / PeriodState values, as enum_column sizes them
LEVEL = sa.String(22)


def upgrade():
    with op.batch_alter_table('period') as batch:
        batch.add_column(sa.Column('quarter_framework', sa.String(40), nullable=False, server_default='default'))
    op.create_table(
        'quarter_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(14), nullable=False),
        sa.Column('register_by', sa.Date(), nullable=False),
        sa.Column('report_by', sa.Date(), nullable=False),
        sa.Column('decide_by', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_quarter_round_period_id_period')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quarter_round')),
        sa.UniqueConstraint('period_id', 'quarter', name='uq_quarter_round_period_quarter'),
    )
    op.create_table(
        'quarter_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('state', STATE, nullable=False),
        sa.Column('criteria', sa.JSON(), nullable=False),
        sa.Column('accepted_criteria', sa.JSON(), nullable=False),
        sa.Column('products', sa.JSON(), nullable=False),
        sa.Column('self_score_general', SCORE, nullable=True),
        sa.Column('self_score_tasks', SCORE, nullable=True),
        sa.Column('accepted_score_general', SCORE, nullable=True),
        sa.Column('accepted_score_tasks', SCORE, nullable=True),
        sa.Column('area_levels', sa.JSON(), nullable=False),
        sa.Column('self_level', LEVEL, nullable=True),
        sa.Column('final_level', LEVEL, nullable=True),
        sa.Column('comments', sa.Text(), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_quarter_review_member_id_member')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_quarter_review_organization_id_organization')),
        sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_quarter_review_period_id_period')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quarter_review')),
        sa.UniqueConstraint('period_id', 'quarter', 'member_id', name='uq_quarter_review_period_quarter_member'),
    )
    op.create_index('ix_quarter_review_org_period', 'quarter_review', ['organization_id', 'period_id'])
    op.create_index(op.f('ix_quarter_review_member_id'), 'quarter_review', ['member_id'])
    op.create_table(
        'quarter_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(40), nullable=False),
        sa.Column('from_state', STATE, nullable=True),
        sa.Column('to_state', STATE, nullable=True),
        sa.Column('level', LEVEL, nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_quarter_event_actor_id_app_user')),
        sa.ForeignKeyConstraint(['review_id'], ['quarter_review.id'],
                                name=op.f('fk_quarter_event_review_id_quarter_review')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quarter_event')),
    )
    op.create_index(op.f('ix_quarter_event_review_id'), 'quarter_event', ['review_id'])
    op.create_index(op.f('ix_quarter_event_at'), 'quarter_event', ['at'])
    # Append-only, as every other history table (0008, 0012).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE TRIGGER quarter_event_append_only BEFORE UPDATE OR DELETE ON quarter_event "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_history_change()")
        op.execute("CREATE TRIGGER quarter_event_no_truncate BEFORE TRUNCATE ON quarter_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()")
    else:
        for change in ('update', 'delete'):
            op.execute(f"CREATE TRIGGER quarter_event_no_{change} BEFORE {change.upper()} ON quarter_event "
                       "BEGIN SELECT RAISE(ABORT, 'quarter_event is append-only'); END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER quarter_event_append_only ON quarter_event")
        op.execute("DROP TRIGGER quarter_event_no_truncate ON quarter_event")
    else:
        for change in ('update', 'delete'):
            op.execute(f"DROP TRIGGER quarter_event_no_{change}")
    op.drop_table('quarter_event')
    op.drop_index('ix_quarter_review_org_period', table_name='quarter_review')
    op.drop_index(op.f('ix_quarter_review_member_id'), table_name='quarter_review')
    op.drop_table('quarter_review')
    op.drop_table('quarter_round')
    with op.batch_alter_table('period') as batch:
        batch.drop_column('quarter_framework')

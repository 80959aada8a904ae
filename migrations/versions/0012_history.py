"""the whole history, append-only: a journal of logins, roles, targets, quota decisions and imports;
revoked roles keep their row; each quota decision is a new row; and on PostgreSQL no history table can
be truncated

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:07:05.835379

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Made append-only here; review_event and period_event already were (0008), all five refuse TRUNCATE.
NEW_HISTORY = ("journal_entry", "membership_change", "quota_exception")
OLD_HISTORY = ("review_event", "period_event")


def _refuse_changes(tables, dialect):
    if dialect == "postgresql":
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_history_change()"
            )
        for table in (*OLD_HISTORY, *tables):
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()"
            )
        return
    for table in tables:  # SQLite has no TRUNCATE: its DELETE without WHERE meets the delete trigger
        for change in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{change} BEFORE {change.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _allow_changes(tables, dialect):
    if dialect == "postgresql":
        for table in tables:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        for table in (*OLD_HISTORY, *tables):
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        return
    for table in tables:
        for change in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_no_{change}")


def upgrade():
    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change', sa.Enum('user_create', 'user_disable', 'user_enable', 'password_reset', 'sessions_end', 'unlock', 'two_factor_on', 'two_factor_off', 'role_grant', 'role_revoke', 'target', 'quota', 'import', name='change', native_enum=False, length=22), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_journal_entry_actor_id_app_user')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_journal_entry_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry'))
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entry_change'), ['change'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entry_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('quota_exception', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_quota_exception_group'), type_='unique')
        batch_op.create_index('ix_quota_exception_group', ['period_id', 'organization_id', 'for_members'], unique=False)

    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_role_grant_user_org_role'), type_='unique')
        batch_op.create_index('uq_role_grant_live', ['user_id', 'organization_id', 'role'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_role_grant_ended_by_id_app_user'), 'app_user', ['ended_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_role_grant_granted_by_id_app_user'), 'app_user', ['granted_by_id'], ['id'])

    # The history page reads each table newest first.
    op.create_index(op.f('ix_review_event_at'), 'review_event', ['at'])
    op.create_index(op.f('ix_period_event_at'), 'period_event', ['at'])
    op.create_index(op.f('ix_membership_change_moved_at'), 'membership_change', ['moved_at'])
    _refuse_changes(NEW_HISTORY, op.get_bind().dialect.name)


def downgrade():
    _allow_changes(NEW_HISTORY, op.get_bind().dialect.name)
    op.drop_index(op.f('ix_membership_change_moved_at'), 'membership_change')
    op.drop_index(op.f('ix_period_event_at'), 'period_event')
    op.drop_index(op.f('ix_review_event_at'), 'review_event')
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_grant_granted_by_id_app_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_role_grant_ended_by_id_app_user'), type_='foreignkey')
        batch_op.drop_index('uq_role_grant_live', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_role_grant_user_org_role'), ['user_id', 'organization_id', 'role'])
        batch_op.drop_column('ended_by_id')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('granted_by_id')

    with op.batch_alter_table('quota_exception', schema=None) as batch_op:
        batch_op.drop_index('ix_quota_exception_group')
        batch_op.create_unique_constraint(batch_op.f('uq_quota_exception_group'), ['period_id', 'organization_id', 'for_members'])

    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entry_organization_id'))
        batch_op.drop_index(batch_op.f('ix_journal_entry_change'))
        batch_op.drop_index(batch_op.f('ix_journal_entry_at'))

    op.drop_table('journal_entry')

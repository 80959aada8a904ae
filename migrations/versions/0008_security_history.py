"""passwords to change, the periods' history, and history the database refuses to rewrite

Until now nobody could set their own password, so every existing one was chosen by someone else:
all existing logins must change theirs. Review and period events become append-only in the database
itself (a trigger refuses UPDATE and DELETE), not only in the ORM.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

HISTORY_TABLES = ("review_event", "period_event")


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        'period_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.Enum('create', 'open', 'close', 'reopen', 'import', name='periodaction',
                                    native_enum=False, length=14), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_period_event_actor_id_app_user')),
        sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_period_event_period_id_period')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_period_event')),
    )
    with op.batch_alter_table('period_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_event_period_id'), ['period_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in HISTORY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_history_change()"
            )
    else:
        for table in HISTORY_TABLES:
            for change in ("update", "delete"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{change} BEFORE {change.upper()} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in HISTORY_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_history_change()")
    else:
        for table in HISTORY_TABLES:
            for change in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{change}")
    with op.batch_alter_table('period_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_event_period_id'))
    op.drop_table('period_event')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')

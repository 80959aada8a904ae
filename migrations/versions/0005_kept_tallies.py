"""kept tallies

Counters per organization subtree (see evaluation/reviews/tallies.py), filled from the rows that
exist: each row is counted under every organization whose path is a prefix of its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:54:45.528911

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subtree_size',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_subtree_size_organization_id_organization')),
    sa.PrimaryKeyConstraint('organization_id', 'kind', name=op.f('pk_subtree_size'))
    )
    op.create_table('tally',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_tally_organization_id_organization')),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_tally_period_id_period')),
    sa.PrimaryKeyConstraint('organization_id', 'period_id', 'subject', 'state', 'level', name=op.f('pk_tally'))
    )
    op.execute(
        "INSERT INTO tally (organization_id, period_id, subject, state, level, count) "
        "SELECT a.id, r.period_id, CASE WHEN r.member_id IS NULL THEN o.kind ELSE 'member' END, r.state, "
        "COALESCE(r.final_level, ''), count(*) "
        "FROM review r JOIN organization o ON o.id = r.organization_id "
        "JOIN organization a ON o.path LIKE a.path || '%' "
        "GROUP BY a.id, r.period_id, CASE WHEN r.member_id IS NULL THEN o.kind ELSE 'member' END, r.state, "
        "COALESCE(r.final_level, '')"
    )
    op.execute(
        "INSERT INTO subtree_size (organization_id, kind, count) "
        "SELECT a.id, 'member', count(*) FROM member m JOIN organization o ON o.id = m.organization_id "
        "JOIN organization a ON o.path LIKE a.path || '%' GROUP BY a.id"
    )
    op.execute(
        "INSERT INTO subtree_size (organization_id, kind, count) "
        "SELECT a.id, o.kind, count(*) FROM organization o "
        "JOIN organization a ON o.path LIKE a.path || '%' GROUP BY a.id, o.kind"
    )


def downgrade():
    op.drop_table('tally')
    op.drop_table('subtree_size')

"""not classified by reason, and organizations' founding dates: a review records why it is not classified
(exempt, suspended, new member, other; "other" for what was written before), indexed for the reports, and an
organization may carry the date it was founded (HD 21 did not classify one founded less than six months before)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

NOT_CLASSIFIED = sa.text("final_level = 'not_classified'")


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_classified_category', sa.String(length=20), nullable=False,
                                      server_default=''))
        batch_op.create_index('ix_review_not_classified',
                              ['period_id', 'organization_id', 'state', 'not_classified_category', 'member_id'],
                              unique=False,
                              sqlite_where=NOT_CLASSIFIED, postgresql_where=NOT_CLASSIFIED)
    # What was decided before this revision has only its written reason: it counts as "other".
    op.execute("UPDATE review SET not_classified_category = 'other' WHERE final_level = 'not_classified'")
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('founded_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('founded_on')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('ix_review_not_classified', sqlite_where=NOT_CLASSIFIED, postgresql_where=NOT_CLASSIFIED)
        batch_op.drop_column('not_classified_category')

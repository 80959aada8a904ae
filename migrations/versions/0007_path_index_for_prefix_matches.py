"""the organization path index answers prefix matches on PostgreSQL

A subtree is `path LIKE '/1/7/%'`. A plain btree serves that only under the "C" collation, so on
PostgreSQL the index is rebuilt with text_pattern_ops; SQLite keeps its index as it is.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_organization_path", table_name="organization")
        op.create_index("ix_organization_path", "organization", ["path"], postgresql_ops={"path": "text_pattern_ops"})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_organization_path", table_name="organization")
        op.create_index("ix_organization_path", "organization", ["path"])

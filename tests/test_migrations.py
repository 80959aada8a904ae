"""The schema is made only by migrations, so they must describe exactly what the models say."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from evaluation.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []

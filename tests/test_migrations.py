"""The schema is made only by migrations, so they must describe exactly what the models say."""

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from evaluation.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrades_fill_new_columns_of_existing_rows_and_downgrade(tmp_path):
    """Run on a database of its own: the shared test schema is already at head."""
    from evaluation import create_app

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    with app.app_context():
        flask_migrate.upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO organization (id, code, name, kind, path, depth)"
                    " VALUES (7, 'C', 'Chi bộ', 'cell', '/7/', 0)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO member (id, code, full_name, name_sort_key, search_name, organization_id, form_type,"
                    " position, workplace) VALUES (3, 'DV', 'An', 'an', 'an', 7, '2B', '', '')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO period (id, year, rule_set, state, opens_on, submit_by, propose_by, decide_by,"
                    " created_at) VALUES (1, 2025, 'qd366', 'open', '2025-12-01', '2025-12-10', '2025-12-18',"
                    " '2025-12-28', '2025-12-01 00:00:00')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO review (id, period_id, member_id, form_type, state, sections, cell_comments,"
                    " not_classified_reason, updated_at, version) VALUES (1, 1, 3, '2B', 'draft', '{}', '', '',"
                    " '2025-12-01 00:00:00', 1)"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT organization_id FROM review WHERE id = 1")).scalar() == 7
            assert conn.execute(sa.text("SELECT conditions, exception_reason FROM review")).one() == ("[]", "")
            assert conn.execute(sa.text("SELECT rate_orgs_by FROM period")).scalar() == "2025-12-28"
        flask_migrate.downgrade(revision="0001")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT member_id FROM review")).all() == [(3,)]
        db.engine.dispose()

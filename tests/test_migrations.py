"""The schema is made only by migrations, so they must describe exactly what the models say."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from evaluation.dbtypes import declared_in_models
from evaluation.extensions import db


# SQLite's reflection does not read an index of an expression, so the codes' indexes are compared on PostgreSQL.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_object": declared_in_models}
        context = MigrationContext.configure(conn, opts=opts)
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


def test_the_tallies_split_by_type_reason_and_party_committee_equal_a_recount_after_the_upgrade(tmp_path):
    """0020 adds types, reasons and the đảng bộ cơ sở's own counts to tallies kept by the code before it."""
    from evaluation import create_app
    from evaluation.reviews.tallies import expected, stored

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}",
                      "SECRET_KEY": "test"})  # fmt: skip
    with app.app_context():
        flask_migrate.upgrade(revision="0019")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO organization (id, code, name, kind, parent_id, path, depth) VALUES"
                " (1, 'T', 'Tỉnh', 'province', NULL, '/1/', 0), (2, 'G', 'Đảng bộ', 'grassroots', 1, '/1/2/', 1),"
                " (3, 'C', 'Chi bộ', 'cell', 2, '/1/2/3/', 2), (4, 'S', 'Chi bộ cơ sở', 'grassroots', 1, '/1/4/', 1)",
                "INSERT INTO member (id, code, full_name, name_sort_key, search_name, organization_id, form_type,"
                " position, workplace) VALUES (1, 'A', 'A', 'a', 'a', 3, '2B', '', ''),"
                " (2, 'B', 'B', 'b', 'b', 4, '2B', '', '')",
                "INSERT INTO period (id, year, rule_set, state, opens_on, submit_by, propose_by, decide_by,"
                " rate_orgs_by, closing_note, created_at) VALUES (1, 2025, 'qd366', 'closed', '2025-12-01',"
                " '2025-12-10', '2025-12-18', '2025-12-28', '2025-12-31', '', '2025-12-01 00:00:00')",
                "INSERT INTO review (id, period_id, member_id, organization_id, form_type, state, final_level,"
                " conditions, not_classified_category, sections, cell_comments, not_classified_reason,"
                " exception_reason, updated_at, version) VALUES"
                " (1, 1, 1, 3, '2B', 'decided', 'not_classified', '[]', 'exempt', '{}', '', '', '', '2025', 1),"
                " (2, 1, 2, 4, '2B', 'decided', 'not_completed', '[\"discipline\"]', '', '{}', '', '', '', '2025', 1),"
                " (3, 1, NULL, 2, NULL, 'decided', 'not_completed', '[]', '', '{}', '', '', '', '2025', 1),"
                " (4, 1, NULL, 3, NULL, 'decided', 'good', '[]', '', '{}', '', '', '', '2025', 1)",
                # the kept tallies as the code before 0020 kept them
                "INSERT INTO tally (organization_id, period_id, subject, state, level, count) SELECT a.id, r.period_id,"
                " CASE WHEN r.member_id IS NULL THEN o.kind ELSE 'member' END, r.state, COALESCE(r.final_level, ''),"
                " count(*) FROM review r JOIN organization o ON o.id = r.organization_id JOIN organization a ON"
                " o.path LIKE a.path || '%' GROUP BY 1, 2, 3, 4, 5",
                "INSERT INTO subtree_size (organization_id, kind, count) SELECT a.id, 'member', count(*) FROM member m"
                " JOIN organization o ON o.id = m.organization_id JOIN organization a ON o.path LIKE a.path || '%'"
                " GROUP BY a.id",
                "INSERT INTO subtree_size (organization_id, kind, count) SELECT a.id, o.kind, count(*) FROM"
                " organization o JOIN organization a ON o.path LIKE a.path || '%' GROUP BY a.id, o.kind",
            ):
                conn.execute(sa.text(statement))
        flask_migrate.upgrade()
        assert stored(db.session) == expected(db.session)
        tallies, sizes = stored(db.session)
        assert tallies[(1, 1, "party_committee", "decided", "not_completed", "", "other")] == 1
        assert tallies[(1, 1, "member", "decided", "not_completed", "", "discipline")] == 1
        assert sizes[(1, "party_committee", "")] == 1  # the đảng bộ, not the chi bộ cơ sở
        db.session.remove()
        db.engine.dispose()

"""Hot queries use their indexes: on PostgreSQL, a grassroots rollup reads that subtree's rows, not tables."""

import pytest
import sqlalchemy as sa

from evaluation.auth.permissions import rated_organizations
from evaluation.extensions import db
from evaluation.generate import generate
from evaluation.members.operations import search_members
from evaluation.org.models import Organization, OrgKind, in_subtree
from evaluation.org.operations import search_organizations
from evaluation.periods.operations import period_for_year
from evaluation.reports.aggregation import member_results, rollup
from evaluation.reviews.counts import members_with_reviews, undecided_organizations_under

# The tables that grow with the members, and the columns an index must narrow them by. (The kept
# tallies grow with the organizations; at a province's size the planner rightly reads them whole.)
# An index on "member_id IS NULL" keeps to the organizations' own reviews, which grow with organizations.
# A cell's list reaches each member's review by the member.
NARROWED_BY = {"member": ("organization_id",), "review": ("organization_id", "member_id IS NULL", "member_id = ")}


def scans(node):
    """Every node of a JSON plan, with the index condition that feeds it (a bitmap heap scan's child's)."""
    children = node.get("Plans", [])
    condition = node.get("Index Cond", "") + " ".join(c.get("Index Cond", "") for c in children)
    yield node, condition
    for child in children:
        yield from scans(child)


def test_a_grassroots_pages_in_a_large_province_read_only_their_own_rows(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the planner that matters is PostgreSQL's")
    generate(30_000, seed=3, years=[2024], open_year=2025)
    db.session.commit()
    with db.engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    grassroots = db.session.scalars(
        db.select(Organization).where(Organization.kind == OrgKind.GRASSROOTS).order_by(Organization.id)
    ).first()
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    cell = db.session.scalars(
        db.select(Organization).where(Organization.parent_id == grassroots.id, Organization.kind == OrgKind.CELL)
    ).first()
    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        rollup(grassroots, 2024)  # a year with every result in (the open one is empty: its statistics say nothing)
        members_with_reviews(cell, period_for_year(2024))  # the cell's list, in a year full of reviews
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert statements
    seen = set()
    with db.engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()[0]["Plan"]
            for node, condition in scans(plan):
                table = node.get("Relation Name")
                if table not in NARROWED_BY:
                    continue
                seen.add(table)
                narrowed = any(column in condition for column in NARROWED_BY[table])
                assert node["Node Type"] != "Seq Scan" and narrowed, f"{table} not narrowed:\n{statement}\n{node}"
    assert seen == set(NARROWED_BY), "every table the check names was read by a statement it checked"


@pytest.fixture
def sqlite_province(app) -> dict:
    """A generated province of 3,000 members, a closed year (2024) and one under way (2025), analyzed as a
    generated province is; the tests that take it read SQLite's planner, PostgreSQL's is checked above."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner; PostgreSQL's is checked above")
    info = generate(3_000, seed=3, years=[2024], open_year=2025)
    db.session.commit()
    return info


def _first(kind: OrgKind) -> Organization:
    return db.session.scalars(
        db.select(Organization).where(Organization.kind == kind).order_by(Organization.id)
    ).first()


def test_sqlite_reads_the_childrens_own_ratings_child_by_child(sqlite_province):
    """SQLite took a rollup's "member_id IS NULL" for an equality on the unique (period, member) index,
    expected one row, and read every organization's review of the year to find the children's own ratings."""
    info = sqlite_province
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "final_level" in statement and "LEFT OUTER JOIN review" in statement:
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        rollup(db.session.get(Organization, info["province"]), 2024)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert len(statements) == 1
    with db.engine.connect() as conn:
        plan = " ".join(
            row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statements[0][0], statements[0][1])
        )
    assert "SEARCH review USING INDEX" in plan and "(organization_id=? AND period_id=?)" in plan, plan


def _last_plan(read) -> str:
    """SQLite's plan for the last statement `read()` sends."""
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert read(), "the read found rows"
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    with db.engine.connect() as conn:
        return " | ".join(
            row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statements[-1][0], statements[-1][1])
        )


def test_sqlite_finds_a_subtree_by_the_index_of_paths(sqlite_province):
    """SQLite's LIKE ignores case, so no index answers it: a grassroots committee's list of its decided members
    read every review of the province's year, and cost more as the province grew, not as the list did."""
    grassroots = _first(OrgKind.GRASSROOTS)
    plan = _last_plan(
        lambda: members_with_reviews(grassroots, period_for_year(2024), subtree=True, states=("decided",))
    )
    assert "SEARCH organization USING INDEX ix_organization_path (path>? AND path<?)" in plan, plan
    assert "SCAN review" not in plan and "SCAN member" not in plan, plan


def test_sqlite_finds_whats_undecided_under_each_rated_organization_by_its_range(sqlite_province):
    """A committee's list to rate asks what is undecided under each organization it lists, in one statement
    that reads each one's range. (On the bench's 100,000-member province, the same statement asked in tree
    order walked every organization instead; at this size SQLite reads the ranges either way.)"""
    everyone = db.session.scalars(db.select(Organization).where(Organization.kind == OrgKind.GRASSROOTS)).all()
    grassroots = min((g for g in everyone if len(g.children) > 1), key=lambda g: len(g.children))
    plan = _last_plan(lambda: undecided_organizations_under(rated_organizations(grassroots), period_for_year(2025)))
    assert "MULTI-INDEX OR" in plan and "SCAN organization" not in plan, plan


@pytest.mark.parametrize("year", [2024, 2025], ids=["closed", "open"])
def test_sqlite_lists_an_organizations_members_of_any_year_from_the_organization(sqlite_province, year):
    """A year still open counts a member under the review's organization, else the member's own: asked in one
    join on that, SQLite read every member of the province for a cell's list or a grassroots' export."""
    plan = _last_plan(lambda: list(member_results(_first(OrgKind.CELL), period_for_year(year))))
    assert "SCAN review" not in plan and "SCAN member" not in plan, plan


@pytest.mark.parametrize("bound", [False, True], ids=["value", "parameter"])
def test_a_subtree_is_its_paths_and_only_those(app, bound):
    """The condition each database answers from its index (a range on SQLite) selects what a prefix does: the
    organization, everything under it, and not a sibling whose id starts with the same digits."""
    paths = ["/1/", "/1/6/", "/1/6/22/", "/1/6/22/105/", "/1/6/22/99/", "/1/6/220/", "/1/6/2/", "/1/60/", "/2/"]
    table = sa.union_all(*(sa.select(sa.literal(path, sa.String).label("path")) for path in paths)).subquery()
    root = sa.bindparam("root") if bound else "/1/6/22/"
    query = sa.select(table.c.path).where(in_subtree(table.c.path, root)).order_by(table.c.path)
    found = db.session.scalars(query, {"root": "/1/6/22/"} if bound else {}).all()
    assert (
        found
        == [path for path in sorted(paths) if path.startswith("/1/6/22/")]
        == ["/1/6/22/", "/1/6/22/105/", "/1/6/22/99/"]
    )


@pytest.fixture
def postgresql_province(app) -> None:
    """A generated province of 3,000 members and no results, for the indexes only PostgreSQL has or uses."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's indexes: SQLite has no trigram index, and compares paths byte by byte already")
    generate(3_000, seed=3, years=[], open_year=None)
    db.session.commit()


def test_postgresql_answers_the_administrators_searches_from_indexes(postgresql_province):
    """A search for a part of a name (`LIKE '%…%'`) or for a code in any case: trigram and code indexes answer
    each, so the search costs what it finds, not the province. Sequential scans and walks of the name order
    (what a search matching many names takes) are priced out: a plan from the trigram index shows it can answer
    the statement whatever this small province's sizes make cheapest."""
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert search_members("nguyen van 1234") and search_members("m00001234")
        assert search_organizations("chi bo 12") and search_organizations("g0001")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off; SET enable_indexscan = off")
        for statement, parameters in statements:
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()[0]["Plan"]
            kinds = {node["Node Type"] for node, _condition in scans(plan)}
            assert "Seq Scan" not in kinds, f"{statement}\n{plan}"
            indexes = {node.get("Index Name") for node, _condition in scans(plan)}
            assert indexes & {"ix_member_search_trgm", "ix_organization_search_trgm"}, f"{statement}\n{plan}"


def test_postgresql_reads_a_subtree_and_the_tree_order_from_one_index_of_paths(postgresql_province):
    """Paths compare byte by byte ("C"), whatever the database's collation: then the path index answers a
    subtree's prefix and walks the tree in order, where a collation's order would need a sort of every match."""
    root = db.session.scalars(db.select(Organization).where(Organization.parent_id.is_(None))).one()
    subtree = db.select(Organization.id).where(root.subtree_clause())
    in_order = db.select(Organization.id).order_by(Organization.path).limit(100)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off")
        for statement, wanted in ((subtree, "Index Cond"), (in_order, "Index Name")):
            compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
            plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}").scalar()[0]["Plan"]
            nodes = [node for node, _condition in scans(plan)]
            assert not {"Seq Scan", "Sort"} & {node["Node Type"] for node in nodes}, plan
            assert any(node.get("Index Name") == "ix_organization_path" and wanted in node for node in nodes), plan

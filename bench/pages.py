"""Every page of every role on the web benchmark's province: what it costs, and the statements whose plan reads
a table of members, reviews or history whole.

    .venv/bin/python bench/pages.py --database-url URL [--slowest 40]

URL is a database `bench/web.py` built (its 100,000-member province). A copy is best: the script adds five
logins (`pages-*`), one per role, on one cell, its grassroots organization and its district. Each GET route of
the authorization matrix (tests/test_authorization.py) is asked by each role it allows, for the year under way
and the year before, once to warm it and once measured. Prints one line per page, slowest first: its status,
wall time, number of statements; then under it each statement that reads such a table whole (SQLite's
`SCAN`, PostgreSQL's `Seq Scan`) or takes over 5 ms, with its time and what its plan reads whole.
"""

import argparse
import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation import create_app  # noqa: E402
from evaluation.auth.models import Role, User  # noqa: E402
from evaluation.auth.operations import create_user, grant_role  # noqa: E402
from evaluation.extensions import db  # noqa: E402
from evaluation.members.models import Member  # noqa: E402
from evaluation.org.models import Organization, OrgKind  # noqa: E402
from evaluation.periods.models import Period  # noqa: E402
from tests.test_authorization import ROUTES  # noqa: E402

PASSWORD = "bench-pages-mat-khau-1"
# The tables that grow with the members: read whole, a page's cost grows with the province.
LARGE = {"member", "review", "review_event", "quarter_review", "quarter_event", "membership_change", "notice"}
ROLES = {"member": None, "secretary": Role.SECRETARY, "committee": Role.COMMITTEE, "leader": Role.LEADER}


def world() -> SimpleNamespace:
    """The organizations, members and period the routes' URLs are built from, and the logins that ask them."""
    grassroots = next(
        org
        for org in db.session.scalars(db.select(Organization).where(Organization.kind == OrgKind.GRASSROOTS))
        if len(org.children) >= 3
    )
    cell, cell2 = [org for org in grassroots.children if org.kind is OrgKind.CELL][:2]
    m1, m2 = db.session.scalars(db.select(Member).where(Member.organization_id == cell.id).limit(2)).all()
    places = {"secretary": cell, "committee": grassroots, "leader": grassroots.parent}
    users = {}
    for role, granted in ROLES.items():
        name = f"pages-{role}"
        user = db.session.scalar(db.select(User).where(User.username == name))
        if user is None:
            linked = {"member": m1, "secretary": m2}.get(role)
            user = create_user(name, PASSWORD, member=linked, must_change_password=False)
            if granted is not None:
                grant_role(user, places[role], granted)
        users[role] = user
    if db.session.scalar(db.select(User).where(User.username == "pages-admin")) is None:
        create_user("pages-admin", PASSWORD, is_admin=True, must_change_password=False)
    db.session.commit()
    period = db.session.scalars(db.select(Period).order_by(Period.year.desc())).first()
    return SimpleNamespace(cell=cell, cell2=cell2, grassroots=grassroots, m1=m1, m2=m2, period=period,
                           member=m1, secretary=users["secretary"])  # fmt: skip


def requests(app, place: SimpleNamespace) -> list[tuple[str, str]]:
    """(role, URL) for every GET route each role may ask, this year's and last year's."""
    asked = []
    for endpoint, (url_of, allowed) in sorted(ROUTES.items()):
        rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
        if "GET" not in (rule.methods or ()):
            continue
        url = url_of(place)
        for role in sorted(allowed & {*ROLES, "admin"}):
            asked += [(role, url), (role, url.replace(str(place.period.year), str(place.period.year - 1)))]
    return list(dict.fromkeys(asked))


def whole_reads(conn, statement: str, parameters) -> list[str]:
    """What the statement's plan reads whole among the large tables."""
    if conn.dialect.name == "sqlite":
        plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
        pattern = r"SCAN (\w+)(?! USING COVERING)"
    else:  # PostgreSQL reads a small table whole by choice: only a scan that costs as much as a large one counts
        plan = [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
        pattern = r"Seq Scan on (\w+) .*cost=[0-9.]+\.\.(?:[0-9]{4,})"
    return [line.strip() for line in plan if (found := re.search(pattern, line)) and found.group(1) in LARGE]


def measure(app, engine, asked: list[tuple[str, str]]) -> list[tuple]:
    clients = {}
    for role in {role for role, _ in asked}:
        clients[role] = app.test_client()
        clients[role].post("/login", data={"username": f"pages-{role}", "password": PASSWORD})
    sent: list[tuple[str, object, float]] = []

    def started(conn, cursor, statement, parameters, context, executemany):
        context.bench_started = time.perf_counter()

    def ended(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters, (time.perf_counter() - context.bench_started) * 1000))

    pages = []
    for role, url in asked:
        clients[role].get(url)  # templates compiled, kept parts kept
        sent.clear()
        sa.event.listen(engine, "before_cursor_execute", started)
        sa.event.listen(engine, "after_cursor_execute", ended)
        start = time.perf_counter()
        status = clients[role].get(url).status_code
        took = (time.perf_counter() - start) * 1000
        sa.event.remove(engine, "before_cursor_execute", started)
        sa.event.remove(engine, "after_cursor_execute", ended)
        flagged = []
        with engine.connect() as conn:
            for statement, parameters, ms in sent:
                if statement.lstrip()[:6].upper() != "SELECT":
                    continue
                whole = whole_reads(conn, statement, parameters)
                if whole or ms > 5:
                    flagged.append((ms, whole, " ".join(statement.split())[:160]))
        pages.append((took, status, len(sent), role, url, sorted(flagged, reverse=True)))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="a database bench/web.py built (a copy)")
    parser.add_argument("--slowest", type=int, default=40, help="pages printed, slowest first")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "TWO_FACTOR_REQUIRED_FOR": []})  # fmt: skip
    # Set up in an app context of its own: a request inside it would keep the first login it loaded.
    with app.app_context():
        asked, engine = requests(app, world()), db.engine
    pages = measure(app, engine, asked)
    reading_whole = sum(1 for page in pages if any(whole for _, whole, _ in page[5]))
    print(f"pages: {len(pages)}; with a statement that reads a large table whole: {reading_whole}")
    for took, status, statements, role, url, flagged in sorted(pages, reverse=True)[: args.slowest]:
        print(f"{status} {took:7.1f} ms {statements:3d} statements  {role:9s} {url}")
        for ms, whole, statement in flagged[:5]:
            print(f"        {ms:6.2f} ms {'; '.join(whole) or '-'}  {statement}")


if __name__ == "__main__":
    main()

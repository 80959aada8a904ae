"""Rollup, report and export figures on a generated province (flask generate's data).

    .venv/bin/python bench/reports.py [--members 100000] [--database-url URL] [--reuse]

Without --database-url it uses a fresh SQLite file; a PostgreSQL URL is wiped first, unless --reuse
measures what an earlier run generated there (5.6 million members take a quarter of an hour). Prints one
`name: value unit` line per figure, and the ratio to the bare GROUP BY measured in the same run.
"""

import argparse
import itertools
import sys
import time
import tracemalloc
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import bench_database, median_ms  # noqa: E402
from evaluation import create_app  # noqa: E402
from evaluation.extensions import db  # noqa: E402
from evaluation.generate import generate  # noqa: E402
from evaluation.org.models import Organization  # noqa: E402
from evaluation.org.operations import import_orgs  # noqa: E402
from evaluation.periods.operations import period_for_year  # noqa: E402
from evaluation.reports import exports, statistics, wording  # noqa: E402
from evaluation.reports.aggregation import member_results, rollup  # noqa: E402
from evaluation.tabular import Row  # noqa: E402

BARE_GROUP_BY = """
SELECT r.final_level, count(*) FROM review r JOIN organization o ON o.id = r.organization_id
JOIN period p ON p.id = r.period_id
WHERE p.year = :year AND r.member_id IS NOT NULL AND r.state = 'decided' AND o.path LIKE :prefix
GROUP BY r.final_level
"""


YEAR = 2024


def largest_grassroots() -> Organization:
    from evaluation.reviews.tallies import MEMBER, SubtreeSize

    org_id = db.session.scalar(
        sa.select(SubtreeSize.organization_id)
        .join(Organization, Organization.id == SubtreeSize.organization_id)
        .where(Organization.kind == "grassroots", SubtreeSize.kind == MEMBER)
        .order_by(SubtreeSize.count.desc())
        .limit(1)
    )
    return db.session.get(Organization, org_id)


def _generated(args) -> int:
    start = time.perf_counter()
    info = generate(args.members, seed=1, years=[YEAR], open_year=None)
    db.session.commit()
    print(f"members: {info['members']} members")
    print(f"organizations: {info['organizations']} orgs")
    print(f"generate_time: {time.perf_counter() - start:.1f} s")
    return info["province"]


def _root() -> int:
    return db.session.scalar(sa.select(Organization.id).where(Organization.parent_id.is_(None)))


def export(org, period, limit: int | None) -> int:
    rows = exports.member_rows(org, period)
    written = 0
    for chunk in exports.csv_stream(exports.MEMBER_HEADERS, itertools.islice(rows, limit)):
        written += len(chunk)
    return written


def peak_mb(action) -> float:
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--export-rows", type=int, default=None, help="Largest export measured (default: all).")
    parser.add_argument("--reuse", action="store_true", help="Measure the database an earlier run generated.")
    args = parser.parse_args()
    url = args.database_url if args.reuse else bench_database(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    backend = url.split(":")[0].split("+")[0]
    with app.app_context():
        flask_migrate.upgrade()
        print(f"backend: {backend}")
        province = db.session.get(Organization, _generated(args) if not args.reuse else _root())
        grassroots = largest_grassroots()
        year = YEAR
        for name, org in (("province", province), ("grassroots", grassroots)):
            params = {"year": year, "prefix": org.path + "%"}
            bare = median_ms(lambda p=params: db.session.execute(sa.text(BARE_GROUP_BY), p).all())
            full = median_ms(lambda o=org: wording.report_paragraphs(rollup(o, year)))
            print(f"rollup_{name}: {full:.1f} ms (goal 20 ms)")
            print(f"bare_group_by_{name}: {bare:.1f} ms")
            print(f"rollup_over_bare_{name}: {full / bare:.1f} x")
        period = period_for_year(year)
        for name, org in (("province", province), ("grassroots", grassroots)):
            table = median_ms(lambda o=org: statistics.table(statistics.statistics(o, period)))
            print(f"statistics_table_{name}: {table:.1f} ms (goal at 5.6 million members: 100 ms)")
        listing = median_ms(lambda: list(member_results(grassroots, period)))
        print(f"member_list_largest_grassroots: {listing:.1f} ms")
        start = time.perf_counter()
        next(exports.csv_stream(exports.MEMBER_HEADERS, exports.member_rows(province, period)))
        print(f"export_csv_first_byte: {time.perf_counter() - start:.2f} s (goal 1 s)")
        db.session.rollback()  # the export's cursor left open
        for rows in (10_000, args.export_rows or args.members):
            start = time.perf_counter()
            size = export(province, period, rows)
            took = time.perf_counter() - start
            print(f"export_csv_{rows}_rows: {took:.2f} s ({size / 2**20:.1f} MB written; goal for 100,000: 3 s)")
            peak = peak_mb(lambda r=rows: export(province, period, r))
            print(f"export_csv_{rows}_rows_peak_python_memory: {peak:.1f} MB")
        move_grassroots(grassroots)
        db.engine.dispose()


def move_grassroots(grassroots: Organization) -> None:
    """The largest grassroots organization moved under another upper committee, as the organizations'
    import moves it, then rolled back: its counters move with it."""
    other = db.session.scalar(
        sa.select(Organization).where(
            Organization.kind == grassroots.parent.kind, Organization.id != grassroots.parent_id
        )
    )
    row = Row(2, {"code": grassroots.code, "name": grassroots.name, "kind": "grassroots", "parent_code": other.code})
    start = time.perf_counter()
    _summary, errors = import_orgs([row])
    db.session.flush()
    took = (time.perf_counter() - start) * 1000
    counted_again = bool(db.session.info.pop("recount", False))
    refused = errors.lines()
    print(f"move_largest_grassroots: {took:.0f} ms (refused: {refused}; everything counted again: {counted_again})")
    db.session.rollback()


if __name__ == "__main__":
    main()

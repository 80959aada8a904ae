"""The administrator's history page on a large history: first page, a deep page, filters, the count, and the
CSV of a filtered view.

    .venv/bin/python bench/history.py [--members 100000] [--events-per-review 4] [--database-url URL]

It builds a province with `generate`, then appends history rows in bulk: `--events-per-review` review events
for every review, one journal entry per 10 members and one move per 50. Without --database-url it uses a
fresh SQLite file; a PostgreSQL URL is wiped first, so give it a database of its own. Prints one
`name: value unit` line per figure.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import bench_database, median_ms  # noqa: E402
from evaluation import audit, create_app  # noqa: E402
from evaluation.extensions import db  # noqa: E402
from evaluation.generate import generate  # noqa: E402
from evaluation.journal import Change, JournalEntry  # noqa: E402
from evaluation.members.models import Member, MembershipChange  # noqa: E402
from evaluation.org.models import Organization  # noqa: E402
from evaluation.reports.exports import csv_stream, in_vietnamese  # noqa: E402
from evaluation.reviews.models import Review, ReviewEvent  # noqa: E402

YEAR = 2024
START = datetime(2024, 12, 1, tzinfo=UTC)


def insert_all(model, rows: list[dict], batch: int = 20_000) -> None:
    for start in range(0, len(rows), batch):
        db.session.execute(sa.insert(model), rows[start : start + batch])


def fill_history(rng: random.Random, per_review: int) -> int:
    moment = lambda: START + timedelta(seconds=rng.randrange(30 * 86400))  # noqa: E731
    reviews = db.session.execute(sa.select(Review.id, Review.final_level)).all()
    events = [
        {"review_id": rid, "action": "decide", "from_state": "proposed", "to_state": "decided",
         "level": level, "reason": "", "at": moment()}
        for rid, level in reviews for _ in range(per_review)
    ]  # fmt: skip
    insert_all(ReviewEvent, events)
    orgs = db.session.scalars(sa.select(Organization.id)).all()
    members = db.session.execute(sa.select(Member.id, Member.organization_id)).all()
    journal = [
        {"change": Change.TARGET, "organization_id": rng.choice(orgs), "year": YEAR, "subject": "bench",
         "detail": "", "params": {}, "at": moment()}
        for _ in range(len(members) // 10)
    ]  # fmt: skip
    insert_all(JournalEntry, journal)
    moves = [
        {"member_id": mid, "from_org_id": oid, "to_org_id": oid, "reason": "bench", "moved_at": moment()}
        for mid, oid in rng.sample(members, len(members) // 50)
    ]
    insert_all(MembershipChange, moves)
    db.session.commit()
    return len(events) + len(journal) + len(moves)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--events-per-review", type=int, default=4)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = bench_database(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.test_request_context(), app.app_context():
        flask_migrate.upgrade()
        info = generate(args.members, seed=1, years=[YEAR], open_year=None)
        db.session.commit()
        start = time.perf_counter()
        rows = fill_history(random.Random(1), args.events_per_review)
        print(f"backend: {url.split(':')[0].split('+')[0]}")
        print(f"history_rows: {rows} rows (filled in {time.perf_counter() - start:.0f} s)")
        province = db.session.get(Organization, info["province"])
        grassroots = db.session.scalars(sa.select(Organization).where(Organization.kind == "grassroots")).first()
        everything, in_grassroots = audit.HistoryFilter(), audit.HistoryFilter(organization=grassroots)
        figures = {
            "first_page": lambda: list(audit.history_rows(everything, 1)),
            "page_50": lambda: list(audit.history_rows(everything, 50)),
            "count_all": lambda: audit.history_size(everything),
            "first_page_of_a_grassroots_organization": lambda: list(audit.history_rows(in_grassroots, 1)),
            "first_page_of_one_kind": lambda: list(audit.history_rows(audit.HistoryFilter(kind="move"), 1)),
            "first_page_of_the_province_in_a_week": lambda: list(
                audit.history_rows(
                    audit.HistoryFilter(organization=province, since=START.date(), until=START.date() + timedelta(6)),
                    1,
                )
            ),
        }
        for name, action in figures.items():
            print(f"{name}: {median_ms(action):.0f} ms")
        start = time.perf_counter()
        written = sum(len(chunk) for chunk in csv_stream(audit.HEADERS, in_vietnamese(audit.history_rows(everything))))
        took = time.perf_counter() - start
        print(f"csv_of_everything: {took:.1f} s ({rows / took:,.0f} rows/s, {written / 2**20:.0f} MB)")
        db.engine.dispose()


if __name__ == "__main__":
    main()

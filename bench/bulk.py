"""A committee's bulk decision: how long confirming N proposals takes in one request's transaction.

    .venv/bin/python bench/bulk.py [--reviews 5000] [--database-url URL] [--profile]

Builds a grassroots organization of ten cells with N proposed reviews, then times `decide_many` and its
commit, as the "Quyết định" button does. Without --database-url it uses a fresh SQLite file; a PostgreSQL
URL is wiped first, so give it a database of its own.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import flask_migrate
from sqlalchemy.orm import selectinload

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import bench_database  # noqa: E402
from evaluation import create_app  # noqa: E402
from evaluation.auth.models import Role, User  # noqa: E402
from evaluation.auth.operations import create_user, grant_role  # noqa: E402
from evaluation.extensions import db  # noqa: E402
from evaluation.levels import Level  # noqa: E402
from evaluation.members.models import Member  # noqa: E402
from evaluation.org.models import OrgKind  # noqa: E402
from evaluation.org.operations import add_org  # noqa: E402
from evaluation.periods.operations import create_period, december_deadlines, open_period  # noqa: E402
from evaluation.reviews import operations as ops  # noqa: E402
from evaluation.reviews.models import Review, ReviewState  # noqa: E402


def build(reviews: int) -> int:
    province = add_org("P", "Tỉnh", OrgKind.PROVINCE, None)
    school = add_org("G", "Trường", OrgKind.GRASSROOTS, province)
    cells = [add_org(f"C{i}", f"Chi bộ {i}", OrgKind.CELL, school) for i in range(10)]
    period = create_period(2025, **december_deadlines(2025))
    open_period(period)
    officer = create_user("officer", "mot cau rat dai va kho doan", must_change_password=False)
    grant_role(officer, school, Role.COMMITTEE)
    for i in range(reviews):
        member = Member(code=f"M{i}", full_name=f"Đảng viên {i}", organization=cells[i % 10])
        db.session.add(member)
        db.session.add(Review(period=period, member=member, form_type=member.form_type, sections={},
                              state=ReviewState.PROPOSED, proposed_level=Level.GOOD))  # fmt: skip
    db.session.commit()
    return officer.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=5_000)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = bench_database(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.test_request_context(), app.app_context():
        flask_migrate.upgrade()
        officer_id = build(args.reviews)
        db.session.expunge_all()
        officer = db.session.get(User, officer_id)
        loaded = db.select(Review).options(  # as the page's selection loads them
            selectinload(Review.member).selectinload(Member.organization), selectinload(Review.period)
        )
        pairs = [(review, review.version) for review in db.session.scalars(loaded)]
        profile = cProfile.Profile()
        start = time.perf_counter()
        if args.profile:
            profile.enable()
        ops.decide_many(pairs, officer)
        db.session.commit()
        profile.disable()
        took = time.perf_counter() - start
        print(f"backend: {url.split(':')[0].split('+')[0]}")
        print(f"bulk_decision_{args.reviews}: {took:.1f} s ({took / args.reviews * 1000:.1f} ms a review)")
        if args.profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        db.engine.dispose()


if __name__ == "__main__":
    main()

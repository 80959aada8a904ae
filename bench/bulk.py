"""Bulk work: a cell's forward of its ready proposals and a committee's decision of N proposals, each as the
pages do it, in one request and one transaction.

    .venv/bin/python bench/bulk.py [--reviews 5000] [--archive 100000] [--database-url URL] [--profile]

Builds a grassroots organization of ten cells with N submitted reviews, each member with a login (so every
decision writes its notice). Times the ten cells' "Chuyển đề xuất" requests (N forwards in all), the
committee's "Quyết định" request for all N proposals, as the browser posts it. Then, in a province of
100,000 other members (--archive) in cells of 20 and grassroots organizations of ten cells, the import of the
year before's results (`import-ratings`): N members' (whole cells) and all the organizations' (5,500), first,
then again with every level changed (a corrected file). Without --database-url it uses a fresh SQLite file;
a PostgreSQL URL is wiped first, so give it a database of its own.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import flask_migrate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import bench_database  # noqa: E402
from evaluation import create_app  # noqa: E402
from evaluation.auth.models import Role, User  # noqa: E402
from evaluation.auth.operations import create_user, grant_role  # noqa: E402
from evaluation.extensions import db  # noqa: E402
from evaluation.levels import Level  # noqa: E402
from evaluation.members.models import Member  # noqa: E402
from evaluation.org.models import Organization, OrgKind  # noqa: E402
from evaluation.org.operations import add_org  # noqa: E402
from evaluation.periods.operations import create_period, december_deadlines, open_period  # noqa: E402
from evaluation.reviews.imports import MEMBER_RATINGS, ORG_RATINGS, RatedSubject, import_ratings  # noqa: E402
from evaluation.reviews.models import Review, ReviewState  # noqa: E402
from evaluation.reviews.operations import set_quota_exception  # noqa: E402
from evaluation.tabular import Row  # noqa: E402

PASSWORD = "mot cau rat dai va kho doan"
GOAL_S = 2.0


def build(reviews: int) -> tuple[int, list[int]]:
    """The grassroots organization's id and its cells'."""
    province = add_org("P", "Tỉnh", OrgKind.PROVINCE, None)
    school = add_org("G", "Trường", OrgKind.GRASSROOTS, province)
    cells = [add_org(f"C{i}", f"Chi bộ {i}", OrgKind.CELL, school) for i in range(10)]
    period = create_period(2025, **december_deadlines(2025))
    open_period(period)
    officer = create_user("officer", PASSWORD, must_change_password=False)
    grant_role(officer, school, Role.COMMITTEE)
    secretary = create_user("secretary", PASSWORD, must_change_password=False)
    for cell in cells:
        grant_role(secretary, cell, Role.SECRETARY)
    levels = [Level.GOOD, Level.GOOD, Level.COMPLETED, Level.EXCELLENT]
    for i in range(reviews):
        member = Member(code=f"M{i}", full_name=f"Đảng viên {i}", organization=cells[i % 10])
        # A login that cannot sign in (no password hashes to "!"): only so the decision has someone to tell.
        db.session.add(User(username=f"m{i}", password_hash="!", member=member, must_change_password=False))
        db.session.add(Review(period=period, member=member, form_type=member.form_type, sections={},
                              state=ReviewState.SUBMITTED, proposed_level=levels[i % 4]))  # fmt: skip
    set_quota_exception(period, school, True, True, "Kết quả nổi trội", officer)
    db.session.commit()
    return school.id, [cell.id for cell in cells]


def build_archive(members: int) -> tuple[list[str], list[str]]:
    """A province of `members` members whose past year is imported, in cells of 20 and grassroots organizations
    of ten cells: the members' codes, a cell after another, and its organizations' (cells first)."""
    count = max(1, members // 200)
    province = add_org("A", "Tỉnh lưu trữ", OrgKind.PROVINCE, None)
    grassroots = [add_org(f"AG{i}", f"Đảng bộ {i}", OrgKind.GRASSROOTS, province) for i in range(count)]
    cells = [add_org(f"AC{i}", f"Chi bộ {i}", OrgKind.CELL, grassroots[i // 10]) for i in range(count * 10)]
    for i in range(members):
        db.session.add(Member(code=f"A{i}", full_name=f"Đảng viên {i}", organization=cells[i * len(cells) // members]))
    db.session.commit()
    return [f"A{i}" for i in range(members)], [org.code for org in (*cells, *grassroots)]


def timed_import(subject: RatedSubject, codes: list[str], shift: int) -> float:
    """One import of the year 2024's results for these codes, committed; `shift` changes every level."""
    levels = ("good", "excellent", "completed")
    rows = [Row(i + 2, {subject.code_column: code, "level": levels[(i + shift) % 3]}) for i, code in enumerate(codes)]
    start = time.perf_counter()
    summary, errors = import_ratings(subject, rows, 2024)
    db.session.commit()
    if errors or summary.created + summary.updated != len(codes):
        raise SystemExit(f"import: {errors.errors[:3]}, {summary}")
    return time.perf_counter() - start


def timed(action, profile: cProfile.Profile | None) -> float:
    start = time.perf_counter()
    if profile:
        profile.enable()
    action()
    if profile:
        profile.disable()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=5_000)
    parser.add_argument("--archive", type=int, default=100_000, help="Members of the province imported.")
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = bench_database(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
        school_id, cell_ids = build(args.reviews)
        db.session.remove()
    profile = cProfile.Profile() if args.profile else None
    client = app.test_client()

    def post(path: str, **data) -> None:
        response = client.post(path, data=data)
        if response.status_code != 302:
            raise SystemExit(f"{path}: {response.status_code}")

    client.post("/login", data={"username": "secretary", "password": PASSWORD})
    forwards = timed(lambda: [post(f"/cell/{cell_id}/forward") for cell_id in cell_ids], profile)
    client.post("/logout")
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    with app.app_context():
        selection = [f"{review_id}:{version}" for review_id, version in db.session.execute(
            db.select(Review.id, Review.version).where(Review.state == ReviewState.PROPOSED))]  # fmt: skip
        db.session.remove()
    decision = timed(lambda: post(f"/committee/{school_id}/decide", review=selection), profile)
    with app.app_context():
        decided = db.session.scalar(db.select(db.func.count()).where(Review.state == ReviewState.DECIDED))
        name = db.session.get(Organization, school_id).name
    if decided != args.reviews:
        raise SystemExit(f"{name}: {decided} of {args.reviews} decided")
    with app.app_context():
        members, orgs = build_archive(args.archive)
        members = members[: args.reviews]  # a district's file, say: its cells whole
        imports = [(f"import_{what}_ratings_{len(codes)}_rows_{how}", len(codes), timed_import(subject, codes, shift))
                   for what, subject, codes in (("member", MEMBER_RATINGS, members), ("org", ORG_RATINGS, orgs))
                   for how, shift in (("past_year", 0), ("again_each_changed", 1))]  # fmt: skip
        db.engine.dispose()
    n = args.reviews
    print(f"backend: {url.split(':')[0].split('+')[0]}")
    for name, rows, taken in imports:
        print(f"{name}: {taken:.2f} s ({taken / rows * 1000:.2f} ms a row; goal {GOAL_S} s for 5,000)")
    print(f"bulk_forward_{n}_in_10_requests: {forwards:.2f} s ({forwards / n * 1000:.2f} ms a review)")
    print(f"bulk_decision_{n}_one_request: {decision:.2f} s ({decision / n * 1000:.2f} ms a review; goal {GOAL_S} s)")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()

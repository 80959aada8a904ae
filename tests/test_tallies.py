"""The kept tallies never drift: any sequence of changes leaves them equal to a full recount."""

import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.members.models import Member
from evaluation.members.operations import move_member
from evaluation.org.models import Organization, OrgKind
from evaluation.org.operations import add_org
from evaluation.reports.tallies import KeptTally, expected, recount, stored
from evaluation.reviews.imports import MEMBER_RATINGS, ORG_RATINGS, import_ratings
from evaluation.reviews.models import Review, ReviewState
from evaluation.tabular import Row

LEVELS = list(Level)


def _cells(world):
    return [world.cell, world.cell2, world.cell3, world.small]


def _members():
    return list(db.session.scalars(db.select(Member).order_by(Member.id)))


def start(world, a, b):
    member = _members()[a % len(_members())]
    if not db.session.scalars(db.select(Review).where(Review.member_id == member.id)).first():
        db.session.add(Review(period=world.period, member=member, form_type=member.form_type, sections={}))


def decide(world, a, b):
    reviews = list(db.session.scalars(db.select(Review).where(Review.period_id == world.period.id).order_by(Review.id)))
    if reviews:
        review = reviews[a % len(reviews)]
        review.state, review.final_level = ReviewState.DECIDED, LEVELS[b % len(LEVELS)]


def reopen(world, a, b):
    decided = list(db.session.scalars(db.select(Review).where(Review.state == ReviewState.DECIDED).order_by(Review.id)))
    if decided:
        review = decided[a % len(decided)]
        review.state, review.final_level = ReviewState.PROPOSED, None


def move(world, a, b):
    member, cell = _members()[a % len(_members())], _cells(world)[b % 4]
    if member.organization_id != cell.id:
        move_member(member, cell, None)


def join(world, a, b):
    db.session.add(
        Member(code=f"N{a}-{b}-{len(_members())}", full_name="Đảng viên Mới", organization=_cells(world)[b % 4])
    )


def new_cell(world, a, b):
    number = db.session.scalar(db.select(db.func.count(Organization.id)))
    add_org(f"C{number}", "Chi bộ mới", OrgKind.CELL, (world.grassroots, world.grassroots2)[a % 2])


def archive(world, a, b):
    subject, column = (MEMBER_RATINGS, "member_code") if a % 2 else (ORG_RATINGS, "org_code")
    codes = [m.code for m in _members()] if a % 2 else [world.cell.code, world.grassroots.code]
    rows = [Row(i + 2, {column: code, "level": LEVELS[(b + i) % 5].value}) for i, code in enumerate(codes)]
    import_ratings(subject, rows, 2020 + b % 3)


OPERATIONS = [start, decide, reopen, move, join, new_cell, archive]
steps = st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 50), st.integers(0, 50)), max_size=20)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_tallies_equal_a_full_recount_after_any_sequence(world, steps):
    try:
        for operation, a, b in steps:
            operation(world, a, b)
            db.session.flush()
        assert stored(db.session) == expected(db.session)
    finally:
        db.session.rollback()


def test_recount_repairs_a_damaged_counter_and_says_so(world, runner):
    db.session.add(Review(period=world.period, member=world.m1, form_type=world.m1.form_type, sections={}))
    db.session.commit()
    db.session.execute(db.update(KeptTally).values(count=KeptTally.count + 5))
    db.session.commit()
    result = runner.invoke(args=["recount"])
    assert "bộ đếm sai hoặc thiếu đã được sửa" in result.output
    assert stored(db.session) == expected(db.session)
    assert recount(db.session) == 0


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="concurrency is PostgreSQL's to prove")
def test_simultaneous_decisions_in_one_province_lose_no_increment(app, world, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQLite run has one writer at a time")
    members = [make.member(cell, f"Đảng viên {i}") for i in range(24) for cell in (_cells(world)[i % 4],)]
    for member in members:
        db.session.add(Review(period=world.period, member=member, form_type=member.form_type, sections={}))
    db.session.commit()
    ids = [r.id for r in db.session.scalars(db.select(Review))]
    barrier = threading.Barrier(8)

    def decide_some(chunk):
        with app.app_context():
            barrier.wait()
            for review_id in chunk:
                review = db.session.get(Review, review_id)
                review.state, review.final_level = ReviewState.DECIDED, Level.GOOD
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=decide_some, args=(ids[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    tallies, _ = stored(db.session)
    assert tallies[(world.province.id, world.period.id, "member", "decided", "good")] == len(ids)
    assert stored(db.session) == expected(db.session)


def test_the_generator_builds_a_consistent_province(app, runner):
    result = runner.invoke(args=["generate", "--members", "800", "--seed", "5", "--year", "2023", "--year", "2024",
                                 "--open-year", "2025"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(Member.id))) == 800
    assert recount(db.session) == 0  # the tallies it built equal a full recount
    province = db.session.scalars(db.select(Organization).where(Organization.parent_id.is_(None))).one()
    from evaluation.reports.aggregation import rollup

    past, open_year = rollup(province, 2024), rollup(province, 2025)
    assert past.total.members.total == 800 and past.total.members.classified > 700
    assert open_year.total.members.pending == 800 and open_year.is_open
    assert runner.invoke(args=["generate", "--members", "10"]).exit_code != 0  # only into an empty database

"""No lost update: people acting on the same reviews at once are applied or refused, never overwritten."""

import os
import random
import threading

import pytest
from sqlalchemy.orm.exc import StaleDataError

from evaluation.auth.models import Role, User
from evaluation.errors import DomainError
from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.reviews import operations as ops
from evaluation.reviews.models import Review, ReviewEvent, ReviewState

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="concurrency is PostgreSQL's to prove")

REVIEWS = 30


def proposed_reviews(world, make) -> list[int]:
    cells = (world.cell, world.cell2)
    for i in range(REVIEWS):
        member = make.member(cells[i % 2], f"Đảng viên {i:02d}")
        review = Review(period=world.period, member=member, form_type=member.form_type, sections={})
        review.state, review.proposed_level = ReviewState.PROPOSED, Level.GOOD
        db.session.add(review)
    db.session.commit()
    return [r.id for r in db.session.scalars(db.select(Review).order_by(Review.id))]


def attempts(ids: list[int]) -> list[tuple]:
    """Conflicting plans, each made on the versions everyone read at the same moment."""
    rng = random.Random(7)
    plans = [("committee", "bulk", ids), ("committee_b", "bulk", ids[::2])]
    for review_id in ids:
        plans.append((rng.choice(["committee_b", "committee_c"]), "decide", [review_id]))
        if rng.random() < 0.5:
            plans.append(("committee_c", "send_back", [review_id]))
    rng.shuffle(plans)
    return plans


def run(plan: tuple, versions: dict[int, int]) -> bool:
    """One person's action in their own transaction: True if it landed, False if it was refused."""
    username, action, review_ids = plan
    actor = db.session.scalars(db.select(User).where(User.username == username)).one()
    reviews = [db.session.get(Review, review_id) for review_id in review_ids]
    try:
        if action == "bulk":
            ops.decide_many([(r, versions[r.id]) for r in reviews], actor)
        elif action == "decide":
            ops.decide(reviews[0], actor, Level.COMPLETED, "Cân nhắc lại", expected_version=versions[reviews[0].id])
        else:
            ops.send_back(reviews[0], actor, "Chi bộ xem lại", expected_version=versions[reviews[0].id])
        db.session.commit()
        return True
    except (DomainError, StaleDataError):
        db.session.rollback()
        return False


def test_simultaneous_conflicting_decisions_are_each_applied_or_refused_never_lost(app, world, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQLite run has one writer at a time")
    make.user("committee_b", grants=[(world.grassroots, Role.COMMITTEE)])
    make.user("committee_c", grants=[(world.grassroots, Role.COMMITTEE)])
    ids = proposed_reviews(world, make)
    versions = dict(db.session.execute(db.select(Review.id, Review.version)).all())
    plans = attempts(ids)
    outcomes: dict[int, bool] = {}
    barrier = threading.Barrier(8)

    def worker(indexes):
        with app.app_context():
            barrier.wait()
            for index in indexes:
                outcomes[index] = run(plans[index], versions)
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(range(i, len(plans), 8),)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()

    events = {review_id: [] for review_id in ids}
    for event in db.session.scalars(db.select(ReviewEvent).order_by(ReviewEvent.id)):
        events[event.review_id].append((event.actor.username, event.action))
    expected = {review_id: [] for review_id in ids}
    for index, (username, action, review_ids) in enumerate(plans):
        if outcomes[index]:  # an applied action is in the history once for each of its reviews
            for review_id in review_ids:
                expected[review_id].append((username, "decide" if action in ("bulk", "decide") else action))
    assert events == expected
    for review_id in ids:
        review = db.session.get(Review, review_id)
        assert len(events[review_id]) <= 1, "two actions on the same version: one overwrote the other"
        action = events[review_id][0][1] if events[review_id] else None
        assert review.state is {"decide": ReviewState.DECIDED, "send_back": ReviewState.SUBMITTED,
                                None: ReviewState.PROPOSED}[action]  # fmt: skip
    assert sum(outcomes.values()) >= 1 and not all(outcomes.values())  # the race really happened

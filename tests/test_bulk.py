"""Bulk work written by set-based statements (reviews.bulk): a committee's decision of many proposals and a
cell's forward of its ready proposals land whole with their history, counters and notices, or not at all."""

from collections import Counter

import pytest
import sqlalchemy as sa

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.notices.models import Notice
from evaluation.periods.models import Period
from evaluation.reviews import operations as ops
from evaluation.reviews.imports import MEMBER_RATINGS, ORG_RATINGS, import_ratings
from evaluation.reviews.models import Review, ReviewEvent, ReviewState
from evaluation.reviews.tallies import expected, stored
from evaluation.reviews.workflow import StaleReview
from evaluation.tabular import Row

LEVELS = [Level.GOOD, Level.EXCELLENT, Level.COMPLETED, Level.NOT_COMPLETED]


def reviews_in(world, make, state: ReviewState, count: int = 12) -> list[Review]:
    """`count` members' reviews over both cells of the grassroots organization, with proposals of every
    level, and one of them proposed not classified with its reason."""
    cells, made = (world.cell, world.cell2), []
    for i in range(count):
        member = make.member(cells[i % 2], f"Đảng viên {i:02d}")
        make.user(f"dv{i:02d}", member)
        level = Level.NOT_CLASSIFIED if i == 0 else LEVELS[i % len(LEVELS)]
        reason = "Miễn đánh giá: nghỉ hưu" if i == 0 else ""
        review = Review(period=world.period, member=member, form_type=member.form_type, sections={}, state=state,
                        proposed_level=level, not_classified_reason=reason)  # fmt: skip
        if i == 3:
            review.self_level = Level.GOOD
            review.version = 4  # read at a later version than the others: a group of its own
        db.session.add(review)
        made.append(review)
    db.session.commit()
    return made


def selection(reviews: list[Review]) -> dict:
    return {"review": [f"{r.id}:{r.version}" for r in reviews]}


def _quota_room(world) -> None:
    """Excellent proposals within the quota: the committee records its reason once."""
    ops.set_quota_exception(
        world.period, world.grassroots, True, False, "Kết quả nổi trội của đảng bộ", world.committee
    )
    db.session.commit()


def test_a_bulk_decision_lands_every_level_with_its_history_counters_and_notices(world, make, auth, client):
    reviews = reviews_in(world, make, ReviewState.PROPOSED)
    _quota_room(world)
    ids = {r.id: (r.proposed_level, r.version) for r in reviews}
    auth.login("committee")
    page = client.post(f"/committee/{world.grassroots.id}/decide", data=selection(reviews), follow_redirects=True)
    assert "Đã quyết định xếp loại cho 12 đảng viên" in page.get_data(as_text=True)
    db.session.expire_all()
    for review_id, (level, version) in ids.items():
        review = db.session.get(Review, review_id)
        assert (review.state, review.final_level, review.version) == (ReviewState.DECIDED, level, version + 1)
        assert review.decided_at is not None
        [event] = [e for e in review.events if e.action == "decide"]
        assert (event.from_state, event.to_state, event.level, event.actor_id) == (
            ReviewState.PROPOSED, ReviewState.DECIDED, level, world.committee.id)  # fmt: skip
    first = db.session.get(Review, reviews[0].id)
    assert (first.not_classified_reason, first.not_classified_category) == ("Miễn đánh giá: nghỉ hưu", "other")
    assert expected(db.session) == stored(db.session)  # the counters followed, once each
    notices = Counter(db.session.scalars(sa.select(Notice.user_id).where(Notice.text.contains("đã được xếp loại"))))
    assert len(notices) == 12 and set(notices.values()) == {1}


def test_a_review_changed_since_the_page_was_read_refuses_the_whole_selection(world, make, auth, client):
    reviews = reviews_in(world, make, ReviewState.PROPOSED)
    _quota_room(world)
    chosen = selection(reviews)
    before = stored(db.session)
    late = db.session.get(Review, reviews[7].id)
    late.cell_comments = "Chi bộ bổ sung ý kiến"  # someone else's change: a new version
    db.session.commit()
    auth.login("committee")
    page = client.post(f"/committee/{world.grassroots.id}/decide", data=chosen, follow_redirects=True)
    assert "vừa được người khác cập nhật" in page.get_data(as_text=True)
    db.session.expire_all()
    assert {r.state for r in db.session.scalars(sa.select(Review))} == {ReviewState.PROPOSED}
    assert not db.session.scalar(sa.select(sa.func.count(ReviewEvent.id)).where(ReviewEvent.action == "decide"))
    assert stored(db.session) == before
    assert not db.session.scalar(sa.select(sa.func.count(Notice.id)).where(Notice.text.contains("xếp loại:")))


def test_a_refused_review_in_the_selection_lands_nothing_and_names_it(world, make, auth, client):
    reviews = reviews_in(world, make, ReviewState.PROPOSED, count=4)  # no quota room: 1 excellent of 4
    auth.login("committee")
    page = client.post(f"/committee/{world.grassroots.id}/decide", data=selection(reviews), follow_redirects=True)
    assert "Vượt tỷ lệ" in page.get_data(as_text=True)
    db.session.expire_all()
    assert {r.state for r in db.session.scalars(sa.select(Review))} == {ReviewState.PROPOSED}
    assert expected(db.session) == stored(db.session)


def test_a_cell_forwards_its_ready_proposals_at_once(world, make, auth, client):
    reviews = reviews_in(world, make, ReviewState.SUBMITTED, count=6)
    db.session.get(Review, reviews[2].id).proposed_level = None  # not ready: stays with the cell
    db.session.commit()
    auth.login("secretary")
    page = client.post(f"/cell/{world.cell.id}/forward", follow_redirects=True)
    assert "Đã chuyển 2 đề xuất lên đảng ủy" in page.get_data(as_text=True)  # of cell's 0, 2, 4: 2 has none
    db.session.expire_all()
    states = {r.id: r.state for r in db.session.scalars(sa.select(Review))}
    forwarded_ids = {reviews[0].id, reviews[4].id}
    assert states == {r.id: ReviewState.PROPOSED if r.id in forwarded_ids else ReviewState.SUBMITTED for r in reviews}
    forwarded = db.session.scalars(sa.select(ReviewEvent).where(ReviewEvent.action == "forward")).all()
    assert {(e.review_id, e.level, e.reason) for e in forwarded} == {
        (reviews[0].id, Level.NOT_CLASSIFIED, "Miễn đánh giá: nghỉ hưu"), (reviews[4].id, Level.GOOD, "")}  # fmt: skip
    assert expected(db.session) == stored(db.session)
    waiting = db.session.scalars(sa.select(Notice).where(Notice.user_id == world.committee.id)).all()
    assert len(waiting) == 2 and all("chờ quyết định" in n.message for n in waiting)


def test_a_review_written_between_the_checks_and_the_update_refuses_the_selection(world, make):
    """Another transaction's write after the reviews were read (here: behind the session's back)."""
    reviews = reviews_in(world, make, ReviewState.PROPOSED)
    _quota_room(world)
    pairs = [(r, r.version) for r in reviews]
    behind = sa.update(Review).where(Review.id == reviews[5].id).values(version=Review.version + 1)
    db.session.execute(behind, execution_options={"synchronize_session": False})
    with pytest.raises(StaleReview):
        ops.decide_many(pairs, world.committee)
    db.session.rollback()
    assert {r.state for r in db.session.scalars(sa.select(Review))} == {ReviewState.PROPOSED}
    assert expected(db.session) == stored(db.session)


def test_a_selection_larger_than_one_request_is_confirmed_then_decided_in_parts(
    world, make, auth, client, app, monkeypatch
):
    """The confirmation page takes the whole selection and offers it in parts; each part is one request
    (JSON: how many were decided, or why the part was refused) and lands whole."""
    reviews = reviews_in(world, make, ReviewState.PROPOSED)
    _quota_room(world)
    monkeypatch.setitem(app.config, "DECISIONS_PER_REQUEST", 5)
    auth.login("committee")
    confirm = client.post(f"/committee/{world.grassroots.id}/confirm", data=selection(reviews)).get_data(as_text=True)
    assert 'data-parts="5"' in confirm and "3 phần" in confirm
    whole = client.post(f"/committee/{world.grassroots.id}/decide", data=selection(reviews), follow_redirects=True)
    assert "Mỗi lần chọn tối đa 5 đảng viên" in whole.get_data(as_text=True)  # without the page's script
    json = {"Accept": "application/json"}
    first = client.post(f"/committee/{world.grassroots.id}/decide", data=selection(reviews[:5]), headers=json)
    assert first.get_json() == {"decided": 5, "refusal": None}
    again = client.post(f"/committee/{world.grassroots.id}/decide", data=selection(reviews[:5]), headers=json)
    assert again.get_json()["decided"] == 0 and "Đã quyết định" in again.get_json()["refusal"]  # refused, said why
    db.session.expire_all()
    decided = {r.id for r in db.session.scalars(sa.select(Review).where(Review.state == ReviewState.DECIDED))}
    assert decided == {r.id for r in reviews[:5]}
    assert expected(db.session) == stored(db.session)


def test_parts_are_the_committees_own_to_send(world, make, auth, client):
    reviews = reviews_in(world, make, ReviewState.PROPOSED, count=2)
    auth.login("committee2")  # another grassroots organization's committee
    json = {"Accept": "application/json"}
    assert (
        client.post(f"/committee/{world.grassroots.id}/decide", data=selection(reviews), headers=json).status_code
        == 403
    )
    assert (
        client.post(f"/committee/{world.grassroots2.id}/decide", data=selection(reviews), headers=json).status_code
        == 404
    )


def test_a_ratings_import_writes_new_results_in_bulk_as_the_workflow_would(world):
    """Members' results of a past year go in as a few statements (reviews, history, counters), new or changed
    alike, as the workflow would write them; the counters match a recount."""
    rows = [Row(2, {"member_code": world.m1.code, "level": "good"}),
            Row(3, {"member_code": world.m3.code, "level": "not_classified"}),
            Row(4, {"member_code": world.m5.code, "level": "not_completed", "conditions": "discipline"})]  # fmt: skip
    summary, errors = import_ratings(MEMBER_RATINGS, rows, 2023, actor=world.admin)
    assert not errors and (summary.created, summary.updated) == (3, 0)
    reviews = {
        r.member_id: r for r in db.session.scalars(sa.select(Review).join(Review.period).where(Period.year == 2023))
    }
    assert {m: (r.state, r.final_level, r.version) for m, r in reviews.items()} == {
        world.m1.id: (ReviewState.DECIDED, Level.GOOD, 1),
        world.m3.id: (ReviewState.DECIDED, Level.NOT_CLASSIFIED, 1),
        world.m5.id: (ReviewState.DECIDED, Level.NOT_COMPLETED, 1),
    }
    assert reviews[world.m3.id].not_classified_reason == "Theo kết quả lưu trữ."
    assert reviews[world.m5.id].conditions == ["discipline"] and reviews[world.m5.id].organization_id == world.cell3.id
    for review in reviews.values():
        [event] = review.events
        assert (event.action, event.from_state, event.to_state, event.level, event.actor_id) == (
            "import", ReviewState.DRAFT, ReviewState.DECIDED, review.final_level, world.admin.id)  # fmt: skip
    assert expected(db.session) == stored(db.session)
    rows[0].values["level"] = "excellent"
    rows[2].values["conditions"] = "discipline;tasks_undone"
    again, errors = import_ratings(MEMBER_RATINGS, rows, 2023, actor=world.admin)
    assert not errors and (again.created, again.updated, again.unchanged) == (0, 2, 1)
    db.session.expire_all()
    m1, m3, m5 = (reviews[member.id] for member in (world.m1, world.m3, world.m5))
    assert (m1.final_level, m1.version, m3.version) == (Level.EXCELLENT, 2, 1)
    assert (m5.conditions, m5.version) == (["discipline", "tasks_undone"], 2)
    assert [(e.action, e.from_state, e.to_state, e.level) for e in m1.events] == [
        ("import", ReviewState.DRAFT, ReviewState.DECIDED, Level.GOOD),
        ("import", ReviewState.DECIDED, ReviewState.DECIDED, Level.EXCELLENT),
    ]
    assert expected(db.session) == stored(db.session)


def test_an_organizations_ratings_import_writes_in_bulk_too_and_tells_no_one(world):
    """Organizations' own results, a đảng bộ cơ sở's (counted again as a party committee) among them, go in and
    change as members' do; an archived result is no news to anyone."""
    rows = [Row(2, {"org_code": world.cell.code, "level": "good"}),
            Row(3, {"org_code": world.grassroots.code, "level": "excellent"})]  # fmt: skip
    summary, errors = import_ratings(ORG_RATINGS, rows, 2023, actor=world.admin)
    assert not errors and (summary.created, summary.updated) == (2, 0)
    assert expected(db.session) == stored(db.session)
    rows[1].values["level"] = "completed"
    again, errors = import_ratings(ORG_RATINGS, rows, 2023, actor=world.admin)
    assert not errors and (again.created, again.updated, again.unchanged) == (0, 1, 1)
    db.session.expire_all()
    own = db.session.scalars(sa.select(Review).where(Review.member_id.is_(None)).order_by(Review.id)).all()
    assert [(r.organization_id, r.final_level, r.form_type, r.version) for r in own] == [
        (world.cell.id, Level.GOOD, None, 1), (world.grassroots.id, Level.COMPLETED, None, 2)]  # fmt: skip
    assert [(e.from_state, e.to_state, e.level, e.actor_id) for e in own[1].events] == [
        (ReviewState.DRAFT, ReviewState.DECIDED, Level.EXCELLENT, world.admin.id),
        (ReviewState.DECIDED, ReviewState.DECIDED, Level.COMPLETED, world.admin.id),
    ]
    assert expected(db.session) == stored(db.session)
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 0

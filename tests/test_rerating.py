"""Re-rating (Mẫu 03): the competent level changes a decided level by a decision, in an open or a closed year;
the history keeps both levels, the counts follow, exports mark it, and nobody else can."""

import csv
import io

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.periods.models import PeriodState
from evaluation.reports.aggregation import rollup
from evaluation.reviews.models import Review, ReviewEvent, ReviewState
from tests.test_checks import member_review, review

E, G, C = Level.EXCELLENT, Level.GOOD, Level.COMPLETED


def rerate(world, client, member, level: str, **extra):
    url = f"/committee/{world.grassroots.id}/members/{member.id}"
    data = {"action": "rerate", "x-level": level, "x-decision": "15-QĐ/ĐU", "x-decided_on": "2026-03-05",
            "x-reason": "Báo cáo kết quả nhiệm vụ không trung thực", "x-version": member_review(member).version,
            **extra}  # fmt: skip
    return client.submit(url, data=data, follow_redirects=True).get_data(as_text=True)


def test_a_closed_years_level_is_changed_by_a_decision_and_both_levels_stay(world, auth, client):
    review(world.period, world.m1, ReviewState.DECIDED, G)
    world.period.state = PeriodState.CLOSED
    db.session.commit()
    assert rollup(world.grassroots, 2025).total.members[G] == 1
    auth.login("committee")
    page = rerate(world, client, world.m1, "completed")
    assert "Đã xếp loại lại theo quyết định" in page
    stored = member_review(world.m1)
    assert (stored.state, stored.final_level) == (ReviewState.DECIDED, C)
    assert stored.rerated_by == "Quyết định số 15-QĐ/ĐU ngày 05/03/2026"
    event = db.session.scalars(db.select(ReviewEvent).where(ReviewEvent.action == "rerate")).one()
    assert event.level is C and "Báo cáo kết quả nhiệm vụ không trung thực" in event.reason
    members = rollup(world.grassroots, 2025).total.members
    assert (members[G], members[C]) == (0, 1)  # the counts follow
    auth.login("leader")
    body = client.get(f"/orgs/{world.upper.id}/export/members.csv?year=2025").get_data().decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(body)) if r[1] == world.m1.full_name)
    assert row[7:] == ["Hoàn thành nhiệm vụ", "", "Quyết định số 15-QĐ/ĐU ngày 05/03/2026"]


def test_a_rerating_needs_its_decision_and_a_different_level_and_passes_the_rules(world, auth, client):
    review(world.period, world.m1, ReviewState.DECIDED, G, score=(25, 50))  # 75 points
    auth.login("committee")
    assert "Chọn mức xếp loại mới, khác mức đã quyết định" in rerate(world, client, world.m1, "good")
    assert "Ghi số quyết định" in rerate(world, client, world.m1, "completed", **{"x-decision": ""})
    assert "75 điểm chỉ cho phép đến mức" in rerate(world, client, world.m1, "excellent")
    assert member_review(world.m1).final_level is G
    assert db.session.scalars(db.select(ReviewEvent).where(ReviewEvent.action == "rerate")).all() == []


def test_only_the_deciding_committee_rerates_and_never_its_own_case(world, auth, client, make):
    review(world.period, world.m1, ReviewState.DECIDED, G)
    for username in ("secretary", "leader", "committee2"):
        auth.login(username)
        page = client.get(f"/committee/{world.grassroots.id}/members/{world.m1.id}")
        assert page.status_code in (403, 404), username
        answer = client.post(f"/committee/{world.grassroots.id}/members/{world.m1.id}",
                             data={"action": "rerate", "x-level": "completed"})  # fmt: skip
        assert answer.status_code in (403, 404)
    assert member_review(world.m1).final_level is G
    assert db.session.scalar(db.select(db.func.count(Review.id)).where(Review.final_level == C)) == 0

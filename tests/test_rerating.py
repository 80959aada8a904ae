"""Re-rating (Mẫu 03): the competent level changes a decided level by a decision, in an open or a closed year;
the history keeps both levels, the counts follow, exports mark it, and nobody else can."""

import csv
import io

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.periods.models import PeriodState
from evaluation.reports.aggregation import rollup
from evaluation.reviews.models import Review, ReviewEvent, ReviewState
from tests.test_checks import decide, member_review, review
from tests.test_reports import rated

E, G, C = Level.EXCELLENT, Level.GOOD, Level.COMPLETED


def rerate(world, client, member, level: str, year: int | None = None, **extra):
    url = f"/committee/{world.grassroots.id}/members/{member.id}" + (f"?year={year}" if year else "")
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


def test_an_earlier_closed_year_is_rerated_from_the_committees_pages_while_a_new_year_is_open(
    world, auth, client, make
):
    review(world.period, world.m1, ReviewState.DECIDED, G)
    world.period.state = PeriodState.CLOSED
    make.period(2026)  # the open year the pages show by default
    db.session.commit()
    auth.login("committee")
    index = client.get(f"/committee/{world.grassroots.id}?year=2025").get_data(as_text=True)
    assert "không mở: chỉ xem" in index and world.m1.full_name in index  # a closed year lists the decided
    for year in ("1999", "99999999999"):
        assert client.get(f"/committee/{world.grassroots.id}?year={year}").status_code == 404
    assert f"/committee/{world.grassroots.id}/members/{world.m1.id}?year=2025" in index
    assert "Xếp loại lại theo quyết định" not in client.get(
        f"/committee/{world.grassroots.id}/members/{world.m1.id}"
    ).get_data(as_text=True)  # 2026 has no decided review of his to re-rate
    page = rerate(world, client, world.m1, "completed", year=2025)
    assert "Đã xếp loại lại theo quyết định" in page and "In quyết định xếp loại lại (Mẫu 03)" in page
    assert member_review(world.m1).final_level is C


def test_the_printed_decision_says_who_decided_what_from_which_level_to_which_and_why(world, auth, client, make):
    review(world.period, world.m1, ReviewState.PROPOSED, G)
    review(world.period, world.m2, ReviewState.DECIDED, G)
    auth.login("committee")
    decide(world, client, world.m1, "good")
    rerate(world, client, world.m1, "completed")
    document = client.get(f"/orgs/{world.grassroots.id}/reratings?year=2025").get_data(as_text=True)
    assert document.count('class="doc-page"') == 1  # only the re-rated member, not m2
    assert "Mẫu 03" in document and "Số 15-QĐ/ĐU" in document and "ngày 05 tháng 3 năm 2026" in document
    assert world.m1.full_name in document and world.m2.full_name not in document
    assert "từ mức “Hoàn thành tốt nhiệm vụ” thành mức “<strong>Hoàn thành nhiệm vụ</strong>”" in document
    assert "Lý do: Báo cáo kết quả nhiệm vụ không trung thực" in document
    assert world.grassroots.name.upper() in document and "T/M ĐẢNG ỦY" in document  # the committee that issued it


def test_an_organizations_rerating_is_printed_as_the_rating_committees_decision(world, auth, client):
    cell_review = rated(world.period, world.cell, G)
    auth.login("committee")
    url = f"/rating/{world.grassroots.id}/orgs/{world.cell.id}?year=2025"
    data = {"action": "rerate", "x-level": "completed", "x-decision": "7-QĐ/ĐU", "x-decided_on": "2026-02-01",
            "x-reason": "Số liệu báo cáo sai", "x-version": cell_review.version}  # fmt: skip
    page = client.submit(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Đã xếp loại lại theo quyết định" in page
    document = client.get(f"/orgs/{world.grassroots.id}/reratings?year=2025&review={cell_review.id}")
    text = document.get_data(as_text=True)
    assert "chất lượng tổ chức đảng năm 2025" in text and world.cell.name in text and "Số liệu báo cáo sai" in text

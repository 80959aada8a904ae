"""What the people who use it asked of the pages (issue 17): a draft's self-rating stays the member's, the
home page says what can be done now, the wording is the party's, and a refusal says how to go on."""

import re
from datetime import date, timedelta

from evaluation.extensions import db
from evaluation.formatting import deadline_status, today_in_vietnam
from evaluation.levels import Level
from evaluation.members.operations import find_member
from evaluation.org.operations import find_org
from evaluation.periods.models import Period, PeriodAction, PeriodEvent, PeriodState
from evaluation.periods.operations import evaluation_year
from evaluation.reviews.models import Review, ReviewState
from tests.test_checks import review
from tests.test_journey import TEXT, review_of, write_and_submit
from tests.test_organizations import submit_collective
from tests.test_reports import download


def test_a_drafts_self_rating_is_seen_by_nobody_but_the_member_until_submitted(world, auth, client):
    auth.login("member")
    client.submit("/my-review/", data={**TEXT, "self_level": "excellent", "action": "save"})
    assert review_of(world).self_level is Level.EXCELLENT
    auth.login("secretary")
    cell_list = client.get(f"/cell/{world.cell.id}").get_data(as_text=True)
    assert ">HTXSNV</abbr>" not in cell_list
    auth.login("leader")
    exported = download(client, f"/orgs/{world.upper.id}/export/members.csv?year=2025").decode("utf-8-sig")
    assert "Hoàn thành xuất sắc nhiệm vụ" not in exported
    auth.login("member")
    write_and_submit(client, self_level="excellent", score_general="28", score_tasks="65")
    auth.login("secretary")
    assert ">HTXSNV</abbr>" in client.get(f"/cell/{world.cell.id}").get_data(as_text=True)


def test_the_committees_home_page_counts_what_it_can_rate_now(world, auth, client):
    auth.login("committee")
    page = client.get("/").get_data(as_text=True)
    assert "Sẵn sàng để xếp loại: <strong>0</strong>" in page and "Chưa xếp loại: 2" in page
    assert "Xin chào" not in page


def test_an_organizations_history_says_what_the_level_above_did(world, auth, client):
    auth.login("secretary2")
    submit_collective(client, world.cell2)
    auth.login("committee")
    page = client.get(f"/rating/{world.grassroots.id}/orgs/{world.cell2.id}").get_data(as_text=True)
    history = page[page.index('class="history"') :]
    assert "Nộp bản kiểm điểm tập thể lên cấp trên" in history and "Nộp bản tự kiểm điểm" not in history


def test_a_refusal_over_the_quota_explains_it_and_links_where_the_reason_is_written(world, auth, client):
    collective = Review(period=world.period, organization=world.cell2, state=ReviewState.SUBMITTED,
                        self_level=Level.EXCELLENT)  # fmt: skip
    db.session.add(collective)
    review(world.period, world.m3, ReviewState.DECIDED, Level.GOOD)
    auth.login("committee")
    url = f"/rating/{world.grassroots.id}/orgs/{world.cell2.id}"
    page = client.get(url).get_data(as_text=True)
    assert "1 hoàn thành xuất sắc, vượt 20% của 0 hoàn thành tốt (tối đa 0)" in page
    assert "cứ 5 hoàn thành tốt mới có 1 hoàn thành xuất sắc" in page
    assert re.search(rf'href="/rating/{world.grassroots.id}\?year=2025#quota"', page)


def test_the_pages_call_people_dong_chi(world, auth, client):
    auth.login("member")
    refused = client.get(f"/cell/{world.cell.id}")
    assert refused.status_code == 403
    assert "Đồng chí không có quyền xem trang này." in refused.get_data(as_text=True)
    assert "bạn" not in client.get("/my-review/").get_data(as_text=True).lower().replace("bản", "")


def test_a_refused_form_is_summed_up_at_the_top_with_a_link_to_each_field(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    page = client.submit(url, data={"action": "return", "r-reason": "  "}).get_data(as_text=True)
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    assert '<a href="#r-reason">Lý do</a>: Cần ghi rõ lý do.' in summary
    assert re.search(r'<details class="action-form" open>\s*<summary>Trả lại để đảng viên sửa', page)
    assert review_of(world).state is ReviewState.SUBMITTED


def test_members_are_found_by_name_or_by_code_in_any_case(world, auth, client):
    auth.login("committee")
    for typed in ("van an", world.m1.code.lower(), f" {world.m1.code.upper()} "):
        page = client.get(f"/committee/{world.grassroots.id}?show=all&q={typed}").get_data(as_text=True)
        assert "Nguyễn Văn An" in page and "Lê Văn Cường" not in page, typed


def test_the_cells_list_filters_by_status_and_shows_the_score(world, auth, client):
    auth.login("member")
    write_and_submit(client, score_general="27", score_tasks="63,5")
    auth.login("secretary")
    submitted = client.get(f"/cell/{world.cell.id}?show=submitted").get_data(as_text=True)
    assert "Nguyễn Văn An" in submitted and "Trần Thị Bình" not in submitted and "90,5" in submitted
    not_started = client.get(f"/cell/{world.cell.id}?show=not_started").get_data(as_text=True)
    assert "Trần Thị Bình" in not_started and "Nguyễn Văn An" not in not_started


def test_the_secretary_reads_why_the_committee_sent_a_proposal_back(world, auth, client):
    made = review(world.period, world.m1, ReviewState.PROPOSED, Level.GOOD)
    auth.login("committee")
    client.submit(
        f"/committee/{world.grassroots.id}/members/{world.m1.id}",
        data={"action": "send_back", "s-reason": "Chưa có biên bản họp chi bộ."},
    )
    assert db.session.get(Review, made.id).state is ReviewState.SUBMITTED
    auth.login("secretary")
    page = client.get(f"/cell/{world.cell.id}/members/{world.m1.id}").get_data(as_text=True)
    assert "Đảng ủy đã trả đề xuất về chi bộ:" in page and "Chưa có biên bản họp chi bộ." in page
    assert '<span class="badge sent-back">Đảng ủy trả về</span>' in client.get(f"/cell/{world.cell.id}").get_data(
        as_text=True
    )


def test_codes_are_found_whatever_their_case_and_spaces(world, make):
    assert find_member(f" {world.m1.code.lower()} ") == world.m1
    assert find_org(world.cell.code.lower()) == world.cell
    upper, lower = make.member(world.cell, "Mã Hoa", code="DVX1"), make.member(world.cell, "Mã Thường", code="dvx1")
    assert (find_member("DVX1"), find_member("dvx1")) == (upper, lower)  # the exact code wins
    assert find_member("Dvx1") is None  # two codes differ only by case: none is guessed


def test_each_deadline_says_how_far_off_or_how_long_overdue_it_is(world, auth, client):
    today = today_in_vietnam()
    assert deadline_status(today - timedelta(days=3), today) == ("overdue", "quá hạn 3 ngày")
    assert deadline_status(today, today) == ("today", "hạn là hôm nay")
    assert deadline_status(today + timedelta(days=5), today) == ("soon", "còn 5 ngày")
    assert deadline_status(today + timedelta(days=30), today) == ("", "còn 30 ngày")
    world.period.submit_by = today - timedelta(days=2)
    world.period.propose_by = today + timedelta(days=4)
    db.session.commit()
    auth.login("member")
    assert "(quá hạn 2 ngày)" in client.get("/my-review/").get_data(as_text=True)
    auth.login("secretary")
    assert '<span class="deadline soon">(còn 4 ngày)</span>' in client.get(f"/cell/{world.cell.id}").get_data(
        as_text=True
    )


def test_the_demo_opens_the_year_under_way_today_with_the_two_before_closed(app, runner):
    assert [evaluation_year(date(2026, month, 2)) for month in (1, 6, 7, 12)] == [2025, 2025, 2026, 2026]
    runner.invoke(args=["seed-demo"])
    periods = {p.year: p.state for p in db.session.scalars(db.select(Period))}
    year = evaluation_year(today_in_vietnam())
    assert periods == {year - 2: PeriodState.CLOSED, year - 1: PeriodState.CLOSED, year: PeriodState.OPEN}


def test_the_icon_is_served_to_anyone_at_both_addresses(client):
    assert client.get("/favicon.ico").location.startswith("/static/favicon.svg?v=")
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_the_meeting_pack_prints_no_empty_self_review_for_an_exempt_member(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    exempt = Review(period=world.period, member=world.m2, form_type=world.m2.form_type, state=ReviewState.PROPOSED)
    exempt.proposed_level, exempt.not_classified_reason = Level.NOT_CLASSIFIED, "Miễn sinh hoạt do tuổi cao"
    db.session.add(exempt)
    db.session.commit()
    world.m1.birth_date, world.m1.workplace = date(1988, 3, 14), "Trường THPT Một"
    db.session.commit()
    auth.login("secretary")
    pack = client.get(f"/cell/{world.cell.id}/print").get_data(as_text=True)
    assert pack.count("NGƯỜI TỰ KIỂM ĐIỂM") == 1 and "Miễn sinh hoạt do tuổi cao" in pack  # listed, not printed
    assert "Ngày sinh: 14/03/1988" in pack and "Đơn vị công tác: Trường THPT Một" in pack


def test_the_administrator_extends_a_deadline_with_a_reason_kept_in_the_history(world, auth, client):
    auth.login("admin")
    url = f"/admin/periods/{world.period.id}/deadlines"
    dates = {"submit_by": "2025-12-15", "propose_by": "2025-12-18", "decide_by": "2025-12-28",
             "rate_orgs_by": "2025-12-30"}  # fmt: skip
    page = client.post(url, data={**dates, "reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "Trường này là bắt buộc." in page and 'value="2025-12-15"' in page  # what was typed stays
    out_of_order = client.post(url, data={**dates, "propose_by": "2025-12-01", "reason": "Gia hạn"},
                               follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "phải theo thứ tự" in out_of_order and world.period.submit_by == date(2025, 12, 10)
    client.post(url, data={**dates, "reason": "Nhiều chi bộ vùng cao chưa kịp họp"})
    db.session.refresh(world.period)
    assert world.period.submit_by == date(2025, 12, 15)
    event = db.session.scalars(db.select(PeriodEvent).where(PeriodEvent.action == PeriodAction.DEADLINES)).one()
    assert event.note == "Nhiều chi bộ vùng cao chưa kịp họp (Đảng viên nộp bản tự kiểm điểm: 10/12/2025 → 15/12/2025)"
    assert "Nhiều chi bộ vùng cao chưa kịp họp" in client.get("/admin/history").get_data(as_text=True)
    world.period.state = PeriodState.CLOSED
    db.session.commit()
    closed = client.post(url, data={**dates, "submit_by": "2025-12-16", "reason": "Muộn"}, follow_redirects=True)
    assert "đã đóng: không đổi thời hạn" in closed.get_data(as_text=True)

"""What the people who use it asked of the pages (issue 17): a draft's self-rating stays the member's, the
home page says what can be done now, the wording is the party's, and a refusal says how to go on."""

import re

from evaluation.extensions import db
from evaluation.levels import Level
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

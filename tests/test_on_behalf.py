"""Entry on behalf (nhập hộ): a secretary types in the signed paper self-review of a member who cannot use
the app; it is marked with who typed it and the paper's date, in the page, the history and the print, and
the member reads it when they log in."""

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.notices.models import Notice
from evaluation.reviews.models import ReviewState
from tests.test_journey import TEXT, review_of, write_and_submit

ON_BEHALF = {**TEXT, "score_general": "27", "score_tasks": "63", "self_level": "good", "paper_signed_on": "2025-12-05",
             "attest": "y"}  # fmt: skip


def enter(world, client, **overrides):
    url = f"/cell/{world.cell.id}/members/{world.m1.id}/on-behalf"
    return client.submit(url, data={**ON_BEHALF, **overrides}, follow_redirects=True).get_data(as_text=True)


def test_the_secretary_enters_a_paper_review_which_is_marked_everywhere(world, auth, client):
    auth.login("secretary")
    page = enter(world, client)
    assert "Đã nhập hộ và nộp bản tự kiểm điểm của đồng chí Nguyễn Văn An." in page
    review = review_of(world)
    assert review.state is ReviewState.SUBMITTED and review.self_level is Level.GOOD
    assert review.entered_by == world.secretary and review.paper_signed_on.isoformat() == "2025-12-05"
    assert review.sections["political"] == TEXT["political"]
    assert "Nhập hộ: đồng chí Trần Thị Bình nhập từ bản giấy có chữ ký của đảng viên, ký ngày 05/12/2025." in page
    history = page[page.index('class="history"') :]
    assert "Chi bộ nhập hộ bản tự kiểm điểm từ bản giấy có chữ ký" in history and "Trần Thị Bình" in history
    assert "Nhập hộ: đồng chí Trần Thị Bình" in client.get(f"/cell/{world.cell.id}/print").get_data(as_text=True)
    auth.login("member")
    own = client.get("/my-review/").get_data(as_text=True)
    assert TEXT["political"] in own and "Nhập hộ: đồng chí Trần Thị Bình" in own
    assert "Nhập hộ: đồng chí Trần Thị Bình" in client.get("/my-review/print").get_data(as_text=True)
    assert db.session.scalars(db.select(Notice).where(Notice.user_id == world.member.id)).first() is not None


def test_an_entry_without_the_paper_or_incomplete_keeps_what_was_typed_and_submits_nothing(world, auth, client):
    auth.login("secretary")
    page = enter(world, client, attest="", paper_signed_on="")
    assert "Cần xác nhận đã nhận bản giấy có chữ ký." in page and "Ghi ngày ký." in page
    assert TEXT["political"] in page
    page = enter(world, client, measures="")
    assert "Chưa nhập hộ được" in page and TEXT["political"] in page
    assert db.session.scalars(db.select(Notice).where(Notice.user_id == world.member.id)).first() is None
    page = enter(world, client, paper_signed_on="2099-01-01")
    assert "Ngày ký bản giấy không thể sau hôm nay." in page


def test_no_entry_on_behalf_once_submitted_by_another_cell_or_by_a_member(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    page = enter(world, client, political="Ghi đè")
    assert "Chỉ nhập hộ được khi đảng viên chưa nộp" in page and review_of(world).sections["political"] != "Ghi đè"
    auth.login("secretary2")
    assert client.post(f"/cell/{world.cell.id}/members/{world.m1.id}/on-behalf", data=ON_BEHALF).status_code == 403
    auth.login("member")
    assert client.post(f"/cell/{world.cell.id}/members/{world.m1.id}/on-behalf", data=ON_BEHALF).status_code == 403


def test_a_member_who_then_submits_themselves_is_no_longer_marked(world, auth, client):
    auth.login("secretary")
    enter(world, client)
    client.submit(f"/cell/{world.cell.id}/members/{world.m1.id}", data={"action": "return", "r-reason": "Ký lại"})
    auth.login("member")
    write_and_submit(client)
    assert review_of(world).entered_by is None and review_of(world).state is ReviewState.SUBMITTED

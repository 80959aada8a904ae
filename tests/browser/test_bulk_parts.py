"""A committee's selection larger than one request decides, sent by the confirmation page in parts with a
progress bar, in Chromium (issue 19). The server is told to decide two per request, so five make three parts."""

from playwright.sync_api import expect

from evaluation import demo
from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.members.models import Member
from evaluation.org.operations import find_org
from evaluation.periods.operations import current_period
from evaluation.reviews.models import Review, ReviewState

NAMES = [f"Đảng viên Từng Phần {i}" for i in range(1, 6)]


def proposals(live_server) -> None:
    """Five members of the demo's cell whose proposals wait for the committee."""
    with live_server.app.app_context():
        period = current_period()
        for i, name in enumerate(NAMES):
            member = Member(code=f"DV-PART-{i}", full_name=name, organization=find_org(demo.DEMO_CELL))
            db.session.add(Review(period=period, member=member, form_type=member.form_type, sections={},
                                  state=ReviewState.PROPOSED, proposed_level=Level.COMPLETED))  # fmt: skip
        db.session.commit()


def states(live_server) -> set[ReviewState]:
    with live_server.app.app_context():
        query = db.select(Review.state).join(Member, Review.member_id == Member.id).where(Member.full_name.in_(NAMES))
        return set(db.session.scalars(query))


def test_a_large_selection_is_decided_part_by_part_with_its_progress(visitor, live_server, ids, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "DECISIONS_PER_REQUEST", 2)
    proposals(live_server)
    page = visitor.page
    visitor.login("danguy")
    page.goto(f"{live_server.base}/committee/{ids['school']}?show=proposed")
    for name in NAMES:
        page.get_by_role("row").filter(has_text=name).get_by_role("checkbox").check()
    page.get_by_role("button", name="Quyết định theo đề xuất").click()
    expect(page.get_by_text("trang sẽ gửi thành 3 phần")).to_be_visible()
    page.get_by_role("button", name="Xác nhận quyết định").click()
    expect(page.get_by_role("status")).to_have_text("Đã quyết định 5 / 5 đảng viên.")
    expect(page.locator("#parts-progress")).to_have_attribute("value", "5")
    assert states(live_server) == {ReviewState.DECIDED}
    page.get_by_role("link", name="Về danh sách của đảng ủy").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

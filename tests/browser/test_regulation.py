"""The regulation's paperwork in Chromium: the secretary records the cell meeting and its votes and prints the
minutes; a committee re-rates a closed year's result by a decision (Mẫu 03) and prints it. Each test starts
from the demo as seeded and touches what no other test here touches."""

import re

from playwright.sync_api import expect

from evaluation.formatting import today_in_vietnam
from evaluation.periods.operations import evaluation_year

YEAR = evaluation_year(today_in_vietnam())  # the demo's open year


def is_a4_pdf(page) -> bool:
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    return (round(width), round(height)) == (595, 842)


def test_the_secretary_records_the_meeting_and_votes_is_warned_of_too_few_and_prints_the_minutes(visitor):
    page = visitor.page
    visitor.login("bithu")
    page.get_by_role("button", name="Theo dõi chi bộ").first.click()
    meeting = page.locator("details", has_text="Ghi hội nghị kiểm điểm chi bộ")
    meeting.get_by_label("Ngày họp chi bộ").fill(f"{YEAR}-12-10")
    meeting.get_by_label("Số đảng viên chính thức của chi bộ").fill("12")
    meeting.get_by_label("Số đảng viên có mặt").fill("11")
    meeting.get_by_role("button").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã ghi hội nghị kiểm điểm của chi bộ")
    expect(page.locator("summary", has_text="11/12 đảng viên chính thức có mặt")).to_be_visible()

    submitted = page.locator("tr", has_text="Đã nộp chi bộ").first
    name = submitted.get_by_role("link").first.inner_text()
    submitted.get_by_role("link").first.click()
    page.get_by_label("Chi bộ đề xuất mức xếp loại").select_option(label="Hoàn thành tốt nhiệm vụ")
    page.get_by_label("Số phiếu tán thành mức đề xuất").fill("5")
    page.get_by_role("button", name="Lưu ý kiến và đề xuất").click()
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.get_by_text(re.compile("5/12 phiếu tán thành mức “Hoàn thành tốt nhiệm vụ”"))).to_be_visible()
    visitor.shot("votes-warning")

    visitor.go(page.url.split("/members/")[0].removeprefix(visitor.base))
    page.get_by_role("link", name="In biên bản họp chi bộ").click()
    expect(page.get_by_role("heading", name="BIÊN BẢN HỌP CHI BỘ")).to_be_visible()
    expect(page.get_by_text("Tổng số đảng viên chính thức: 12; có mặt: 11; vắng mặt: 1.")).to_be_visible()
    row = page.locator("tr", has_text=name)
    expect(row).to_contain_text("Hoàn thành tốt nhiệm vụ")
    expect(row.locator("td").nth(4)).to_have_text("5")
    assert is_a4_pdf(page)
    visitor.shot("minutes")


def test_a_committee_rerates_a_closed_years_result_and_prints_the_decision(visitor):
    page = visitor.page
    visitor.login("danguy")
    page.get_by_role("button", name="Xem đề xuất của các chi bộ").click()
    page.locator(".year-picker select").select_option(label=f"Năm {YEAR - 1}")
    page.locator(".year-picker").get_by_role("button", name="Xem").click()
    expect(page.get_by_text(f"Kỳ đánh giá năm {YEAR - 1} không mở")).to_be_visible()
    good = page.locator("tbody tr", has=page.locator("abbr", has_text=re.compile("^HTTNV$"))).first
    name = good.get_by_role("link").first.inner_text()
    good.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    rerating = page.locator("details", has_text="Xếp loại lại theo quyết định của cấp có thẩm quyền")
    rerating.locator("summary").click()
    rerating.get_by_label("Mức xếp loại mới").select_option(label="Hoàn thành nhiệm vụ")
    rerating.get_by_label("Số quyết định").fill("21-QĐ/ĐU")
    rerating.get_by_label("Ngày quyết định").fill("2026-11-20")
    rerating.get_by_label(re.compile("Lý do xếp loại lại")).fill("Phát hiện báo cáo kết quả không trung thực")
    rerating.get_by_role("button", name="Xếp loại lại").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã xếp loại lại theo quyết định")
    expect(page.get_by_text("Xếp loại lại theo Quyết định số 21-QĐ/ĐU ngày 20/11/2026")).to_be_visible()
    visitor.shot("rerated")

    page.get_by_role("link", name="In quyết định xếp loại lại (Mẫu 03)").click()
    expect(page.get_by_role("heading", name="QUYẾT ĐỊNH").first).to_be_visible()
    decision = page.locator("section.doc-page")
    expect(decision).to_have_count(1)
    expect(decision).to_contain_text("Số 21-QĐ/ĐU")
    expect(decision).to_contain_text(f"đồng chí {name}")
    expect(decision).to_contain_text("từ mức “Hoàn thành tốt nhiệm vụ” thành mức “Hoàn thành nhiệm vụ”")
    expect(decision).to_contain_text("Lý do: Phát hiện báo cáo kết quả không trung thực")
    assert is_a4_pdf(page)
    visitor.shot("decision")


def _a_health_station_decided_with_its_committee(server) -> None:
    """The set-up a December of work would leave, on what no other test here touches: every member of the
    ward's health station (a chi bộ cơ sở) decided, and a login for its committee."""
    from evaluation import demo
    from evaluation.auth.models import Role
    from evaluation.auth.operations import create_user, grant_role
    from evaluation.extensions import db
    from evaluation.levels import Level
    from evaluation.members.models import Member
    from evaluation.org.operations import find_org
    from evaluation.periods.operations import current_period
    from evaluation.reviews.models import Review, ReviewState

    with server.app.app_context():
        period, station = current_period(), find_org("PDP-YT")
        for member in db.session.scalars(db.select(Member).where(Member.organization_id == station.id)):
            review = db.session.scalars(
                db.select(Review).where(Review.member_id == member.id, Review.period_id == period.id)
            ).first() or Review(period=period, member=member, form_type=member.form_type, sections={})
            review.state, review.final_level = ReviewState.DECIDED, Level.GOOD
            db.session.add(review)
        grant_role(create_user("capuyyte", demo.DEMO_PASSWORD, must_change_password=True), station, Role.COMMITTEE)
        db.session.commit()


def test_a_committee_confirms_its_figures_and_the_level_above_returns_them_with_a_reason(visitor, live_server):
    _a_health_station_decided_with_its_committee(live_server)
    page = visitor.page
    visitor.login("capuyyte")
    page.get_by_role("link", name="Tổ chức").first.click()
    page.get_by_role("link", name="Chi bộ Trạm Y tế phường").first.click()
    page.get_by_role("link", name="Xác nhận số liệu").click()
    page.get_by_role("button", name=f"Xác nhận số liệu năm {YEAR}").click()
    expect(page.locator(".flash.success")).to_contain_text(f"Đã xác nhận số liệu năm {YEAR}")
    expect(page.locator("#own")).to_contain_text("Đã xác nhận")
    visitor.shot("confirmed")

    page.context.clear_cookies()  # another person, at another desk
    visitor.login("capuyphuong")
    page.get_by_role("link", name="Tổ chức").first.click()
    page.get_by_role("link", name="Đảng ủy phường Phan Đình Phùng").first.click()
    page.get_by_role("link", name="Xác nhận số liệu").click()
    row = page.locator("tr", has_text="Chi bộ Trạm Y tế phường")
    expect(row).to_contain_text("Đã xác nhận")
    row.locator("summary").click()
    row.get_by_role("button", name="Trả lại").click()  # without a reason: the browser asks for one
    expect(row).to_contain_text("Đã xác nhận")
    row.get_by_label("Lý do trả lại").fill("Trạm cần xem lại một kết quả")
    row.get_by_role("button", name="Trả lại").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã trả lại xác nhận số liệu")
    expect(page.locator("tr", has_text="Chi bộ Trạm Y tế phường")).to_contain_text("Đã trả lại")
    visitor.shot("returned")

    page.context.clear_cookies()
    visitor.login("capuyyte")
    page.get_by_role("link", name="Tổ chức").first.click()
    page.get_by_role("link", name="Chi bộ Trạm Y tế phường").first.click()
    page.get_by_role("link", name="Xác nhận số liệu").click()
    expect(page.locator("#own")).to_contain_text("Cấp trên đã trả lại xác nhận: Trạm cần xem lại một kết quả")

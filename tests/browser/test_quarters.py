"""A leader's quarter in Chromium, from registering the products to the committee's decision, at desktop width
and at 375 px (issue 18). Each test makes its own leader in the demo's cell, so the two never share a quarter;
the committee is the demo's "danguy"."""

import pytest
from playwright.sync_api import expect

from evaluation import demo
from evaluation.auth.operations import create_user
from evaluation.extensions import db
from evaluation.members.models import FormType, Member
from evaluation.org.operations import find_org
from evaluation.periods.operations import current_period
from evaluation.reviews import quarterly
from tests.browser.test_accessibility import violations
from tests.browser.test_regulation import is_a4_pdf

LEADERS = {"desktop": ("totruong", "Đỗ Quang Huy"), "phone": ("topho", "Mai Thanh Hương")}


def a_leader(live_server, width: str) -> tuple[str, str, int]:
    """A Mẫu 2A member of the demo's cell with a login of their own; (username, name, the open quarter)."""
    username, name = LEADERS[width]
    with live_server.app.app_context():
        member = Member(code=f"DV-Q-{username}", full_name=name, organization=find_org(demo.DEMO_CELL),
                        form_type=FormType.LEADER, position="Tổ phó chuyên môn")  # fmt: skip
        db.session.add(member)
        create_user(username, demo.DEMO_PASSWORD, member=member)
        period = current_period()
        quarter = next(r.quarter for r in quarterly.rounds(period) if r.is_open)
        db.session.commit()
    return username, name, quarter


def fill_product(page, row: int, task: str, area: str, weight: str) -> None:
    page.locator(f"#products-{row}-task").fill(task)
    page.locator(f"#products-{row}-area").select_option(
        label=next(
            option
            for option in page.locator(f"#products-{row}-area option").all_inner_texts()
            if option.startswith(area)
        )
    )
    page.locator(f"#products-{row}-weight").fill(weight)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_quarter_from_registration_to_the_committees_decision(visitor, phone, live_server, ids, width):
    person = visitor if width == "desktop" else phone
    page = person.page
    username, name, quarter = a_leader(live_server, width)
    person.login(username)
    page.get_by_role("button", name=f"Mở báo cáo quý {quarter}").click()
    fill_product(page, 0, "Bồi dưỡng học sinh giỏi môn Tin", "Thực hiện nhiệm vụ chính trị", "2")
    fill_product(page, 1, "Số hóa ngân hàng đề kiểm tra", "Khoa học, công nghệ", "1")
    page.get_by_role("button", name="Đăng ký sản phẩm").click()
    expect(page.get_by_text("Đã đăng ký sản phẩm của quý.")).to_be_visible()
    expect(page.locator("#products-0-task")).to_have_value("Bồi dưỡng học sinh giỏi môn Tin")
    assert person.has_no_horizontal_scroll()
    assert violations(page) == []
    person.shot("registered", docs="8-quarter-form" if width == "desktop" else "")

    for row, measures in ((0, ("100", "90", "100")), (1, ("100", "80", "70"))):
        page.locator(f"#products-{row}-result").fill("Đã hoàn thành, có minh chứng kèm theo")
        for measure, value in zip(("quantity", "quality", "timeliness"), measures, strict=True):
            page.locator(f"#products-{row}-{measure}").fill(value)
    for box in page.locator("input[type=checkbox][name^=criterion_]").all():
        box.check()
    page.locator("#self_level").select_option(label="Hoàn thành xuất sắc nhiệm vụ")
    page.get_by_role("button", name="Nộp báo cáo quý cho cấp ủy").click()
    expect(page.get_by_text("Đã nộp báo cáo quý cho cấp ủy.")).to_be_visible()
    # Economy 96,67% of its 20 points and digital 83,33% of its 10, shared over the 70: 64,6; plus 30
    expect(page.locator(".quarter-scores")).to_contain_text("Tự chấm: 94,6/100")

    person.logout()
    person.login("danguy")
    page.get_by_role("button", name="Đánh giá hằng quý cán bộ lãnh đạo").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_text("Mức cao nhất theo điểm: Hoàn thành xuất sắc nhiệm vụ")).to_be_visible()
    assert violations(page) == []
    page.locator("#s-accepted-1-quality").fill("0")
    page.locator("#s-accepted-1-timeliness").fill("0")
    page.get_by_role("button", name="Lưu điểm").click()
    expect(page.get_by_text("Đã lưu điểm của cấp ủy.")).to_be_visible()
    expect(page.locator(".quarter-scores")).to_contain_text("Cấp ủy chấm: 82,9/100")  # digital at 33,33%
    page.locator("#d-level").select_option(label="Hoàn thành xuất sắc nhiệm vụ")
    page.get_by_role("button", name="Xếp loại", exact=True).click()
    expect(page.get_by_text("chỉ cho phép tối đa mức “Hoàn thành tốt nhiệm vụ”")).to_be_visible()
    page.locator("#d-level").select_option(label="Hoàn thành tốt nhiệm vụ")
    page.get_by_role("button", name="Xếp loại", exact=True).click()
    expect(page.get_by_text("Đã xếp loại quý.")).to_be_visible()
    expect(page.locator(".quarter-scores")).to_contain_text("Xếp loại: Hoàn thành tốt nhiệm vụ")
    assert person.has_no_horizontal_scroll()
    person.shot("decided", docs="9-quarter-decided" if width == "desktop" else "")
    person.go(f"/orgs/{ids['school']}/quarters?quarter={quarter}")
    expect(page.locator(".report-text")).to_contain_text("được xếp loại hoàn thành tốt nhiệm vụ")
    assert person.has_no_horizontal_scroll()
    page.get_by_role("link", name="In báo cáo tổng hợp quý (khổ A4)").click()
    expect(page.locator(".doc-page")).to_contain_text(name)
    assert is_a4_pdf(page)
    page.emulate_media(media="screen")  # is_a4_pdf left the page in print media, which hides the menu

    person.go("/")
    person.logout()
    person.login(username)
    person.go(f"/my-quarters/?year={live_server_year(live_server)}")
    expect(page.locator("tbody")).to_contain_text("Hoàn thành tốt nhiệm vụ")


def live_server_year(live_server) -> int:
    with live_server.app.app_context():
        return current_period().year

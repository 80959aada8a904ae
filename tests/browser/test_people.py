"""What the people who use it asked for (issue 17), in Chromium at desktop width and at 375 px, in Vietnamese
and in English: a refused form sums itself up at the top, lists are cards on a phone, nothing is cut off, the
counter says how long a section is. Each test touches its own part of the demo."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from evaluation.formatting import today_in_vietnam
from evaluation.periods.operations import evaluation_year
from tests.browser.test_regulation import is_a4_pdf


def open_a_submitted_member(person):
    page = person.page
    person.login("bithu")
    page.get_by_role("button", name="Theo dõi chi bộ").first.click()
    page.get_by_role("link", name="Chờ chi bộ đề xuất").click()
    page.locator("tbody a").first.click()
    expect(page.get_by_text("Trả lại để đảng viên sửa")).to_be_visible()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_refused_return_is_summed_up_at_the_top_and_leads_to_its_field(visitor, phone, width):
    person = visitor if width == "desktop" else phone
    page = person.page
    open_a_submitted_member(person)
    page.get_by_text("Trả lại để đảng viên sửa").click()
    page.get_by_role("button", name="Trả lại", exact=True).click()  # no reason given
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Chưa lưu được. Cần sửa:")
    person.shot("error-summary", docs="7-error-summary" if width == "desktop" else "")
    expect(page.locator("details", has_text="Trả lại để đảng viên sửa")).to_have_attribute("open", "")
    summary.get_by_role("link", name="Lý do").click()
    expect(page.locator("#r-reason")).to_be_focused()
    assert person.has_no_horizontal_scroll()


def test_in_english_the_summary_and_the_deadlines_speak_english(phone):
    page = phone.page
    open_a_submitted_member(phone)
    phone.speak("English")
    page.get_by_text("Return to the member for revision").click()
    page.get_by_role("button", name="Return", exact=True).click()
    expect(page.locator("#error-summary")).to_contain_text("Not saved. To correct:")
    phone.go("/")
    expect(page.locator(".deadline").first).to_contain_text("days")


def test_lists_are_cards_on_a_phone_and_every_select_shows_its_value(phone, ids):
    page = phone.page
    phone.login("danguy")
    phone.go(f"/committee/{ids['school']}?show=all")
    first_row = page.locator(".table-wrap tbody tr").first
    assert first_row.evaluate("row => getComputedStyle(row).display") == "block"
    cell = first_row.locator("td").nth(1)
    assert cell.get_attribute("data-label") == "Chi bộ"
    assert first_row.bounding_box()["width"] <= 375
    first_row.scroll_into_view_if_needed()
    phone.shot("cards", docs="6-committee-list-on-a-phone")
    every_control_fits(page)
    phone.go(f"/orgs/{ids['school']}")
    every_control_fits(page)
    assert phone.has_no_horizontal_scroll()


def every_control_fits(page):
    """Each select shows its whole value, and no select or button reaches past the 375 px screen."""
    for select in page.locator("select:visible").all():
        assert select.evaluate("s => s.scrollWidth <= s.clientWidth + 1"), select.inner_text()[:40]
    for control in page.locator("main select:visible, main button:visible").all():
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1, control.inner_text()[:40]


def test_the_counter_warns_past_the_limit_and_nothing_typed_is_cut(visitor):
    page = visitor.page
    visitor.login("dangvien")
    visitor.go("/my-review/")
    area = page.locator("textarea[name=political]")
    area.fill("a" * 16_500)
    counter = page.locator("textarea[name=political] + .char-count")
    expect(counter).to_have_text("16.500 / 20.000 ký tự")
    area.fill("b" * 20_005)
    expect(counter).to_contain_text("Vượt 5 ký tự so với mức tối đa 20.000")
    assert len(area.input_value()) == 20_005  # the browser kept all of it
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("#error-summary")).to_contain_text("Mỗi mục tối đa 20.000 ký tự.")
    # The page's script puts back what this tab kept but the server has not: typing before it has run (a busy
    # machine) would be overwritten by it, as a person's typing never is (they cannot type before it loads).
    page.wait_for_load_state()
    assert len(page.locator("textarea[name=political]").input_value()) == 20_005  # and so did the server's page
    area = page.locator("textarea[name=political]")
    area.fill("Viết lại cho gọn.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã lưu nháp")


def test_the_autosave_status_stays_in_view_on_a_phone(phone):
    page = phone.page
    phone.login("dangvien")
    phone.go("/my-review/")
    page.locator("textarea[name=political]").fill("Đang viết trên điện thoại.")
    status = page.locator(".autosave-status")
    box = status.bounding_box()
    viewport = page.viewport_size
    assert box["y"] + box["height"] <= viewport["height"] + 1 and box["y"] >= 0
    expect(page.get_by_text("Hạn nộp cho chi bộ:")).to_be_visible()
    year = evaluation_year(today_in_vietnam())
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(year))


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_secretary_enters_a_paper_self_review_on_behalf_of_a_member(visitor, phone, width):
    person = visitor if width == "desktop" else phone
    page = person.page
    person.login("bithu")
    page.get_by_role("button", name="Theo dõi chi bộ").first.click()
    page.get_by_role("link", name="Chưa bắt đầu").click()
    name = "Võ Thanh Linh" if width == "desktop" else "Vũ Kim Mai"  # not started
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("button", name="Nhập hộ bản tự kiểm điểm").click()
    for area in page.locator("textarea[name=political], textarea[name=duties], textarea[name=leadership], "
                             "textarea[name=commitment], textarea[name=shortcomings], "
                             "textarea[name=measures]").all():  # fmt: skip
        area.fill("Chép từ bản giấy.")
    page.get_by_label("Tiêu chí chung (tối đa 30 điểm)").fill("25")
    page.get_by_label("Kết quả thực hiện nhiệm vụ (tối đa 70 điểm)").fill("55,5")
    page.get_by_label("Hoàn thành tốt nhiệm vụ", exact=True).check()
    page.get_by_label("Ngày đảng viên ký bản giấy").fill(f"{evaluation_year(today_in_vietnam())}-12-01")
    page.get_by_label("Tôi đã nhận bản tự kiểm điểm trên giấy").check()
    assert person.has_no_horizontal_scroll()
    page.get_by_role("button", name="Nhập hộ và nộp cho chi bộ").click()
    expect(page.locator(".flash.success")).to_contain_text(f"Đã nhập hộ và nộp bản tự kiểm điểm của đồng chí {name}")
    expect(page.locator(".entered-note")).to_contain_text("Nhập hộ: đồng chí Trần Văn Bình nhập từ bản giấy")
    page.get_by_text("Lịch sử").click()
    expect(page.locator(".history")).to_contain_text("Chi bộ nhập hộ bản tự kiểm điểm từ bản giấy có chữ ký")
    person.shot("entered-on-behalf")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_member_reads_their_file_and_last_years_cell_list(visitor, phone, width):
    person = visitor if width == "desktop" else phone
    page = person.page
    person.login("dangvien")
    page.get_by_role("button", name="Kết quả xếp loại của tôi qua các năm").click()
    last_year = evaluation_year(today_in_vietnam()) - 1  # closed in the demo, so published
    row = page.locator("tr", has_text=str(last_year))
    expect(row).to_contain_text("nhiệm vụ")
    row.get_by_role("link", name="Danh sách chi bộ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chi bộ")
    expect(page.locator("tbody tr").first).to_contain_text("nhiệm vụ")
    assert page.locator("tbody tr").count() > 5
    assert person.has_no_horizontal_scroll()
    person.shot("cell-results")


def test_the_administrator_picks_an_organization_by_name_and_makes_a_cells_logins(visitor):
    page = visitor.page
    visitor.login("admin")
    visitor.go("/admin/history")
    field = page.get_by_label("Mã tổ chức (cả cấp dưới)")
    field.press_sequentially("truong thpt chuyen")  # no accents, part of the name
    option = page.locator("ul.picker [role=option]").first
    expect(option).to_contain_text("Đảng bộ Trường THPT Chuyên")
    field.press("ArrowDown")
    field.press("Enter")
    expect(field).to_have_value("PDP-THPT")
    visitor.go("/admin/organizations?q=ngu van")
    page.get_by_role("link", name="Tạo tài khoản cho đảng viên").first.click()
    expect(page.get_by_text("chưa có tài khoản")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Tạo và in thư gửi từng người").click()
    expect(page.locator(".doc-page").first).to_contain_text("THÔNG BÁO TÀI KHOẢN")
    assert page.locator(".doc-page").count() > 5
    assert is_a4_pdf(page)
    visitor.shot("login-letters")


def test_a_committee_refused_over_the_quota_is_told_why_and_led_to_the_reason(visitor, ids):
    page = visitor.page
    visitor.login("danguy")
    visitor.go(f"/rating/{ids['school']}")
    page.get_by_role("link", name="Chi bộ Tổ Ngữ văn").click()
    page.get_by_label("Mức xếp loại quyết định").select_option(label="Hoàn thành xuất sắc nhiệm vụ")
    page.get_by_role("button", name="Xếp loại", exact=True).click()
    finding = page.locator("li", has_text="vượt 20%")
    expect(finding).to_contain_text("cứ 5 hoàn thành tốt mới có 1 hoàn thành xuất sắc")
    finding.get_by_role("link", name="mục “Tỷ lệ xuất sắc” ở trang danh sách").click()
    expect(page).to_have_url(re.compile(r"/rating/\d+\?year=\d+#quota$"))
    expect(page.locator("#quota")).to_be_visible()


def test_in_english_on_a_phone_the_administrator_extends_a_deadline(phone):
    page = phone.page
    phone.login("admin")
    phone.speak("English")
    phone.go("/admin/")
    page.get_by_role("link", name="Change the deadlines (extend)").first.click()
    submit_by = page.get_by_label("Deadline for members’ self-reviews")
    later = (date.fromisoformat(submit_by.input_value()) + timedelta(days=2)).isoformat()
    submit_by.fill(later)
    page.get_by_role("button", name="Save the new deadlines").click()
    expect(page.locator("#error-summary")).to_contain_text("Reason for the change")  # no reason yet
    expect(page.get_by_label("Deadline for members’ self-reviews")).to_have_value(later)  # kept
    page.get_by_label("Reason for the change (kept in the history)").fill("Highland cells need two more days")
    page.get_by_role("button", name="Save the new deadlines").click()
    expect(page.locator(".flash.success")).to_contain_text("deadlines are changed")
    assert phone.has_no_horizontal_scroll()

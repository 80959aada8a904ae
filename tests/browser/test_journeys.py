"""Each role's journey in Chromium on the demo province, in the order a year runs: the member writes, the
secretary returns one review and proposes the rest, the committee decides in bulk, the leader reads.

The first three hand the same review on, so they are steps of one test (each step logs in afresh): any
test here passes alone and in any order."""

import csv
import io
import re

from playwright.sync_api import expect

POLITICAL = "Luôn giữ vững lập trường, chấp hành nghiêm chủ trương của Đảng."


def member_writes_saves_a_draft_finds_it_after_reload_and_submits(visitor):
    page = visitor.page
    visitor.login("dangvien")
    page.get_by_role("button", name="Mở bản tự kiểm điểm").click()
    expect(page.get_by_role("heading", name=re.compile("Bản tự kiểm điểm năm"))).to_be_visible()
    page.locator("textarea[name=political]").fill(POLITICAL)
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã lưu nháp")
    page.reload()
    expect(page.locator("textarea[name=political]")).to_have_value(POLITICAL)
    visitor.shot("draft-after-reload", docs="1-member-self-review")
    for name, text in (("duties", "Hoàn thành tốt nhiệm vụ giảng dạy."), ("commitment", "Thực hiện đầy đủ."),
                       ("shortcomings", "Có lúc chậm báo cáo."), ("measures", "Lập kế hoạch tuần.")):  # fmt: skip
        page.locator(f"textarea[name={name}]").fill(text)
    page.get_by_label("Tiêu chí chung (tối đa 30 điểm)").fill("27")
    page.get_by_label("Kết quả thực hiện nhiệm vụ (tối đa 70 điểm)").fill("64")
    expect(page.locator(".score-total")).to_have_text("Tổng: 91/100, cho phép đến mức “Hoàn thành xuất sắc nhiệm vụ”.")
    page.get_by_label("Hoàn thành tốt nhiệm vụ", exact=True).check()
    page.get_by_label("Tiêu chí chung (tối đa 30 điểm)").fill("26,5")  # a half point, typed the Vietnamese way
    expect(page.locator(".score-total")).to_contain_text("Tổng: 90,5/100, cho phép đến mức “Hoàn thành xuất sắc")
    page.get_by_role("button", name="Nộp bản tự kiểm điểm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xác nhận nộp")
    expect(page.locator(".preview")).to_contain_text("26,5/30 + 64/70")
    visitor.shot("confirm-submission")
    page.get_by_role("button", name="Xác nhận nộp cho chi bộ").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã nộp bản tự kiểm điểm")
    visitor.shot("submitted")


def secretary_sees_progress_returns_one_review_and_proposes_levels(visitor):
    page = visitor.page
    visitor.login("bithu")
    page.get_by_role("button", name="Theo dõi chi bộ").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chi bộ")
    visitor.shot("cell-progress", docs="2-secretary-cell")
    page.get_by_role("link", name="Nguyễn Thị Thu Hà").click()
    visitor.shot("member")
    page.get_by_label("Chi bộ đề xuất mức xếp loại").select_option(label="Hoàn thành tốt nhiệm vụ")
    page.get_by_label("Ý kiến góp ý của chi bộ").fill("Chi bộ nhất trí với bản tự kiểm điểm.")
    page.get_by_role("button", name="Lưu ý kiến và đề xuất").click()
    expect(page.locator(".flash.success")).to_be_visible()
    visitor.shot("proposed")
    page.get_by_role("link", name=re.compile("Quay lại|Chi bộ")).first.click()
    submitted = page.locator("tr", has_text="Đã nộp chi bộ").filter(has_not_text="Nguyễn Thị Thu Hà").first
    other = submitted.get_by_role("link").first.inner_text()
    submitted.get_by_role("link").first.click()
    returning = page.locator("details", has_text="Trả lại để đảng viên sửa")
    returning.locator("summary").click()
    returning.get_by_label("Lý do").fill("Đề nghị bổ sung phần khuyết điểm cho cụ thể.")
    returning.get_by_role("button", name="Trả lại").click()
    expect(page.locator(".flash.success")).to_be_visible()
    visitor.shot("returned")
    page.get_by_role("link", name=re.compile("Quay lại|Chi bộ")).first.click()
    expect(page.locator("tr", has_text=other)).to_contain_text("Đang viết")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name=re.compile("Chuyển .* đề xuất")).click()
    expect(page.locator(".flash.success")).to_be_visible()
    assert asked and "lên đảng ủy?" in asked[0]
    visitor.shot("forwarded")


def committee_decides_in_bulk_after_a_confirmation(visitor):
    page = visitor.page
    visitor.login("danguy")
    page.get_by_role("button", name="Xem đề xuất của các chi bộ").click()
    visitor.shot("proposals", docs="3-committee-proposals")
    row = page.locator("tr", has_text="Nguyễn Thị Thu Hà")
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name=re.compile("Quyết định theo đề xuất")).click()
    expect(page.get_by_role("heading", name=re.compile("Xác nhận"))).to_be_visible()
    visitor.shot("confirm")
    page.get_by_role("button", name="Xác nhận quyết định").click()
    expect(page.locator(".flash.success")).to_contain_text("quyết định")
    visitor.shot("decided")


def test_a_review_goes_from_the_member_through_the_cell_to_the_committees_decision(visitor):
    for step in (
        member_writes_saves_a_draft_finds_it_after_reload_and_submits,
        secretary_sees_progress_returns_one_review_and_proposes_levels,
        committee_decides_in_bulk_after_a_confirmation,
    ):
        visitor.page.context.clear_cookies()  # the next person, at their own browser
        step(visitor)


def test_leader_reads_the_rollup_drills_down_and_exports(visitor):
    page = visitor.page
    visitor.login("lanhdao")
    page.get_by_role("link", name="Tổ chức").click()
    page.get_by_role("link", name=re.compile("Đảng bộ tỉnh")).first.click()
    expect(page.locator("#report-text")).to_contain_text("trong tổng số")
    visitor.shot("province", docs="4-leader-province")
    page.locator("table a", has_text="Phan Đình Phùng").first.click()
    visitor.shot("ward")
    page.locator("table a", has_text="THPT").first.click()
    visitor.shot("school")
    with page.expect_download() as download:
        page.get_by_role("link", name="danh sách đảng viên (CSV)").click()
    expect(page.locator(".download-status")).to_contain_text("Tệp đã bắt đầu tải về.")
    visitor.shot("downloaded")
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Mã đảng viên", "Họ và tên"] and len(rows) > 10
    assert any("Nguyễn Thị Thu Hà" in row for row in rows)

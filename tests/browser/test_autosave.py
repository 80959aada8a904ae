"""The self-review never loses text: it saves itself while the member types, and when they leave."""

import time

from playwright.sync_api import expect

from tests.browser.conftest import WAIT_MS


def test_typed_text_is_saved_without_pressing_save_and_survives_a_reload(visitor):
    page = visitor.page
    visitor.login("dangvien")
    visitor.go("/my-review/")
    page.locator("textarea[name=duties]").fill("Gõ rồi để đó, không bấm Lưu nháp.")
    expect(page.locator(".autosave-status")).to_contain_text("Đã tự động lưu nháp lúc")
    visitor.shot("autosaved")
    page.reload()
    expect(page.locator("textarea[name=duties]")).to_have_value("Gõ rồi để đó, không bấm Lưu nháp.")
    page.locator("textarea[name=measures]").fill("Viết xong thì bấm Lưu nháp ngay.")
    page.get_by_role("button", name="Lưu nháp").click()  # the page's own save, after an autosave
    expect(page.locator(".flash.success")).to_contain_text("Đã lưu nháp")


def test_text_typed_just_before_leaving_the_page_is_kept(visitor):
    page = visitor.page
    visitor.login("dangvien")
    visitor.go("/my-review/")
    page.locator("textarea[name=shortcomings]").fill("Viết rồi bấm sang trang khác ngay.")
    page.get_by_role("link", name="Thông báo").click()  # well before the next periodic save
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:  # the beacon is sent as the page goes; the server stores it when it can
        visitor.go("/my-review/")
        if page.locator("textarea[name=shortcomings]").input_value() == "Viết rồi bấm sang trang khác ngay.":
            break
    expect(page.locator("textarea[name=shortcomings]")).to_have_value("Viết rồi bấm sang trang khác ngay.")

"""What a person types survives a second tab, a reload right after typing, and a lost connection.

Each test writes the review of a different demo member, so they pass alone and in any order.
"""

from playwright.sync_api import expect

UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens there
KEPT = "Object.keys(localStorage).filter((key) => key.startsWith('evaluation.')).length"


def server_text(page, field: str) -> str:
    """What the server holds: the page opened with nothing kept in this browser."""
    page.evaluate("localStorage.clear()")
    page.reload()
    return page.locator(f"textarea[name={field}]").input_value()


def test_a_second_tab_is_shown_both_versions_and_keeps_what_the_person_chooses(visitor):
    tab_a = visitor.page
    visitor.login("dangvien")
    visitor.go("/my-review/")
    tab_b = tab_a.context.new_page()
    tab_b.goto(visitor.base + "/my-review/")
    tab_a.locator("textarea[name=political]").fill("Tab A viết mục phẩm chất chính trị.")
    tab_a.get_by_role("button", name="Lưu nháp").click()
    expect(tab_a.locator(".flash.success")).to_contain_text("Đã lưu nháp")

    tab_b.locator("textarea[name=duties]").fill("Tab B viết mục nhiệm vụ.")
    tab_b.get_by_role("button", name="Lưu nháp").click()
    expect(tab_b.locator(".flash.error")).to_contain_text("cập nhật ở nơi khác")
    expect(tab_b.locator(".conflict blockquote").first).to_contain_text("Tab A viết mục phẩm chất chính trị.")
    expect(tab_b.locator("textarea[name=duties]")).to_have_value("Tab B viết mục nhiệm vụ.")
    tab_b.locator("input[name=keep-political][value=stored]").check()
    tab_b.locator("input[name=keep-duties][value=mine]").check()
    tab_b.get_by_role("button", name="Lưu nháp").click()
    expect(tab_b.locator(".flash.success")).to_contain_text("Đã lưu nháp")
    expect(tab_b.locator("textarea[name=political]")).to_have_value("Tab A viết mục phẩm chất chính trị.")
    expect(tab_b.locator("textarea[name=duties]")).to_have_value("Tab B viết mục nhiệm vụ.")


def test_a_reload_right_after_typing_shows_the_latest_text_and_saves_on_without_a_conflict(visitor):
    page = visitor.page
    visitor.login("bithu")
    visitor.go("/my-review/")
    page.locator("textarea[name=political]").fill("Gõ xong bấm F5 ngay.")
    page.reload()  # well before the next periodic save: only the leave-page save and the browser have it
    expect(page.locator("textarea[name=political]")).to_have_value("Gõ xong bấm F5 ngay.")
    page.locator("textarea[name=duties]").fill("Rồi gõ tiếp sau khi tải lại.")
    expect(page.locator(".autosave-status")).to_contain_text("Đã tự động lưu nháp lúc")
    visitor.shot("after-reload")
    assert server_text(page, "political") == "Gõ xong bấm F5 ngay."
    assert page.locator("textarea[name=duties]").input_value() == "Rồi gõ tiếp sau khi tải lại."


def test_text_typed_offline_is_kept_sent_when_the_connection_returns_and_offered_after_a_closed_tab(visitor):
    page = visitor.page
    visitor.login("danguy")
    visitor.go("/my-review/")
    page.context.set_offline(True)
    page.locator("textarea[name=political]").fill("Gõ khi mất mạng.")
    expect(page.locator(".autosave-status")).to_contain_text("Chưa gửi được, đã giữ trên máy này")
    visitor.shot("offline")
    page.context.set_offline(False)
    expect(page.locator(".autosave-status")).to_contain_text("Đã tự động lưu nháp lúc")

    page.context.set_offline(True)
    page.locator("textarea[name=duties]").fill("Gõ khi mất mạng rồi đóng thẻ.")
    expect(page.locator(".autosave-status")).to_contain_text("Chưa gửi được")
    # The tab's last save, sent as it closes, must fail as it would with the connection still down. The
    # browser's offline mode belongs to the tab and ends with it, so on a busy machine that save could slip
    # out after it and reach the server: nothing would be lost, but nothing would be left to offer.
    page.evaluate(f"document.querySelector('form[data-autosave]').dataset.autosave = '{UNREACHABLE}'")
    page.close()
    page.context.set_offline(False)
    visitor.page = page = page.context.new_page()
    visitor.go("/my-review/")
    offer = page.locator(".draft-restore")
    expect(offer).to_be_visible()
    visitor.shot("restore-offer")
    offer.get_by_role("button", name="Khôi phục nội dung đó").click()
    expect(page.locator("textarea[name=duties]")).to_have_value("Gõ khi mất mạng rồi đóng thẻ.")
    expect(page.locator(".autosave-status")).to_contain_text("Đã tự động lưu nháp lúc")
    assert server_text(page, "duties") == "Gõ khi mất mạng rồi đóng thẻ."

    page.context.set_offline(True)
    page.locator("textarea[name=measures]").fill("Chưa gửi được thì đăng xuất.")
    expect(page.locator(".autosave-status")).to_contain_text("Chưa gửi được")
    assert page.evaluate(KEPT) >= 1
    page.context.set_offline(False)
    visitor.logout()
    assert page.evaluate(KEPT) == 0  # nothing typed stays on a shared computer


def test_text_typed_while_the_pages_script_is_on_its_way_is_not_overwritten_by_what_the_browser_kept(visitor):
    """A reload on a slow connection: the person types before the page's script has arrived. The script then
    finds this page's own kept text, which it would put back by itself, and offers it instead."""
    page = visitor.page
    visitor.login("bithu")
    visitor.go("/my-review/")
    page.route("**/my-review/autosave", lambda route: route.abort())  # only this browser keeps what is typed
    page.locator("textarea[name=measures]").fill("Gõ trước khi tải lại.")
    page.wait_for_function(f"{KEPT} > 0")
    script = visitor.base + page.locator("script[src*='app.js']").get_attribute("src")
    page.route("**/js/app.js*", lambda route: route.fulfill(body="", content_type="text/javascript"))
    page.reload()
    page.locator("textarea[name=measures]").fill("Gõ lúc trang còn đang tải.")
    page.unroute("**/js/app.js*")
    page.add_script_tag(url=script)
    expect(page.locator(".draft-restore")).to_be_visible()
    expect(page.locator("textarea[name=measures]")).to_have_value("Gõ lúc trang còn đang tải.")
    page.locator(".draft-restore").get_by_role("button", name="Khôi phục nội dung đó").click()
    expect(page.locator("textarea[name=measures]")).to_have_value("Gõ trước khi tải lại.")

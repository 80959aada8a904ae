"""Every role's pages at 375 px: nothing wider than the screen, and the member can fill and submit the form."""

import pytest
from playwright.sync_api import expect

PAGES = {
    "dangvien": ["/", "/my-review/", "/notices/", "/account/password"],
    "bithu": ["/cell/{cell}", "/cell/{cell}/members/{member}", "/collective/{cell}"],
    "danguy": ["/committee/{school}", "/rating/{school}", "/orgs/{school}"],
    "lanhdao": ["/orgs/", "/orgs/{province}"],
    "admin": ["/admin/", "/admin/users", "/admin/members?q=nguyen", "/admin/history"],
}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("username", sorted(PAGES))
def test_every_page_fits_a_375_px_screen(phone, ids, username, language):
    phone.login(username)
    if language == "en":  # English words are longer: menus and labels must still wrap
        phone.speak("English")
    assert phone.has_no_horizontal_scroll(), "home"
    for path in PAGES[username]:
        phone.go(path.format(**ids))
        assert phone.page.locator("h1").count() >= 1, path
        assert phone.has_no_horizontal_scroll(), f"{path} scrolls sideways at 375 px"


def test_a_member_on_a_phone_fills_and_submits_without_zooming(phone):
    page = phone.page
    phone.login("dangvien")
    phone.go("/my-review/")
    phone.shot("form", docs="5-member-on-a-phone")
    for name in ("political", "duties", "commitment", "shortcomings", "measures"):
        area = page.locator(f"textarea[name={name}]")
        area.tap()
        area.fill("Viết trên điện thoại.")
        box = area.bounding_box()
        assert box["width"] >= 300 and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.get_by_label("Tiêu chí chung (tối đa 30 điểm)").fill("26")
    page.get_by_label("Kết quả thực hiện nhiệm vụ (tối đa 70 điểm)").fill("60")
    page.get_by_label("Hoàn thành tốt nhiệm vụ", exact=True).check()
    submit = page.get_by_role("button", name="Nộp bản tự kiểm điểm")
    assert submit.bounding_box()["height"] >= 44  # a finger-sized target
    submit.tap()
    confirm = page.get_by_role("button", name="Xác nhận nộp cho chi bộ")
    assert confirm.bounding_box()["height"] >= 44
    assert phone.has_no_horizontal_scroll()
    confirm.tap()
    expect(page.locator(".flash.success")).to_contain_text("Đã nộp")
    phone.shot("submitted")
    assert phone.has_no_horizontal_scroll()

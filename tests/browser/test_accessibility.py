"""Every field has a label a screen reader reads, every page can be worked from the keyboard, and empty
lists say so in words."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

PAGES = {
    "dangvien": ["/my-review/", "/account/password"],
    "bithu": ["/cell/{cell}", "/cell/{cell}/members/{member}", "/collective/{cell}", "/my-quarters/"],
    "danguy": ["/committee/{school}", "/rating/{school}", "/committee/{school}/quarters"],
    "lanhdao": ["/orgs/{province}"],
    "admin": ["/admin/", "/admin/users", "/admin/members?q=nguyen"],
}
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length)
                && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("username", sorted(PAGES))
def test_every_field_has_a_label(visitor, ids, username):
    visitor.login(username)
    for path in PAGES[username]:
        visitor.go(path.format(**ids))
        assert visitor.page.evaluate(UNLABELLED) == [], path


def test_the_login_and_the_self_review_work_from_the_keyboard_alone(visitor):
    page = visitor.page
    visitor.login("dangvien")
    visitor.go("/my-review/")
    page.locator("textarea[name=political]").focus()
    page.keyboard.type("Gõ bằng bàn phím.")
    for _ in range(60):  # Tab along until the save button has the focus, then press Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Lưu nháp":
            break
    else:
        pytest.fail("Tab never reached the save button")
    page.keyboard.press("Enter")
    expect(page.locator(".flash.success")).to_contain_text("Đã lưu nháp")


def test_an_empty_search_says_so_in_words(visitor):
    page = visitor.page
    visitor.login("bithu")
    page.get_by_role("button", name="Theo dõi chi bộ").first.click()
    page.get_by_placeholder("Tìm theo tên hoặc mã đảng viên (không cần dấu)").fill("khong co ai ten nay")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Không tìm thấy đảng viên nào.")).to_be_visible()


def test_the_pages_switch_to_english_and_back(visitor):
    page = visitor.page
    visitor.go("/login")
    visitor.speak("English")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Login name")).to_be_visible()
    visitor.shot("login-english")
    visitor.speak("Tiếng Việt")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


# The pages Lighthouse was run on (issue 17): the member's form, the cell, the committee and the province.
# Lighthouse's accessibility score is axe-core's audits weighted; no violation at all scores 1.0.
AUDITED = {
    "dangvien": "/my-review/",
    "bithu": "/cell/{cell}",
    "danguy": "/committee/{school}",
    "lanhdao": "/orgs/{province}",
}


@pytest.mark.parametrize("username", sorted(AUDITED))
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_axe_finds_no_accessibility_violation(visitor, phone, ids, username, width):
    person = visitor if width == "desktop" else phone
    person.login(username)
    person.go(AUDITED[username].format(**ids))
    found = violations(person.page)
    assert found == [], "\n".join(found)


def violations(page) -> list[str]:
    """What axe-core finds on the page as it is now, one line each."""
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]  # fmt: skip

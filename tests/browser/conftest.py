"""A real Chromium driving the app served on 127.0.0.1, on the demo province.

Debian's Chromium (`apt-get install chromium chromium-driver`; scripts/test.sh installs it when missing) is
launched by Playwright at /usr/bin/chromium. Screenshots are taken only when asked: the last page of a
failed test always, every page a test visits with BROWSER_SCREENSHOTS=1, both under
tests/browser/screenshots/ (git-ignored); the README's pictures with DOCS_SCREENSHOTS=1.
"""

import os
import socket
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from evaluation import create_app, demo
from evaluation.extensions import db
from tests.conftest import _config, empty_every_table

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
# The README's pictures: refreshed by `DOCS_SCREENSHOTS=1 bash scripts/test.sh tests/browser`.
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
OWN_PASSWORD = "mot cau rat de nho 2025"
PHONE = {"width": 375, "height": 740}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, app, base: str):
        self.app, self.base = app, base
        self.changed: set[str] = set()  # logins whose demo password was already changed


def _closing_when_dropped(app):
    """Werkzeug's development server does not close a response whose browser went away (a favicon request
    cancelled by the next page): its open file then warns, in whichever test runs next. gunicorn closes them.
    Each body here closes its response when it is dropped, at once."""

    def serve(environ, start_response):
        response = app(environ, start_response)

        def body():
            try:
                yield from response
            finally:
                if hasattr(response, "close"):
                    response.close()

        return body()

    return serve


@pytest.fixture(scope="module")
def live_server(database_url):
    """The demo province served by a threaded server; the tables are emptied after the module."""
    app = create_app(_config(database_url, WTF_CSRF_ENABLED=True))
    with app.app_context():
        demo.seed()
        db.session.commit()
    server = make_server("127.0.0.1", _free_port(), _closing_when_dropped(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Server(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    with app.app_context():
        db.session.remove()
        empty_every_table()
        db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs it (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember how the test itself went, so its browser fixture knows to keep the page it failed on."""
    report = yield
    if report.when == "call":
        item.failed_in_call = report.failed
    return report


class Visitor:
    """One person at the browser: logs in (changing the demo password the first time), and keeps a
    screenshot of each page they see when BROWSER_SCREENSHOTS asks for them."""

    def __init__(self, page, server: Server, prefix: str):
        self.page, self.base, self.changed, self.prefix, self.count = page, server.base, server.changed, prefix, 0

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.shot()

    def shot(self, name: str = "", docs: str = "", *, always: bool = False) -> Path | None:
        """Keep the page as it looks now, when asked; `docs` also writes the visible part to docs/screenshots/."""
        if docs and os.environ.get("DOCS_SCREENSHOTS") and "sqlite" in self.prefix:
            DOCS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=DOCS / f"{docs}.png")
        self.count += 1
        if not (always or os.environ.get("BROWSER_SCREENSHOTS")):
            return None
        SHOTS.mkdir(exist_ok=True)
        slug = name or self.page.url.split("//", 1)[1].split("/", 1)[1].replace("/", "_").replace("?", "_") or "home"
        path = SHOTS / f"{self.prefix}-{self.count:02d}-{slug[:60]}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def login(self, username: str) -> None:
        self.go("/login")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        first = username not in self.changed
        password = demo.DEMO_PASSWORD if first else OWN_PASSWORD
        self.page.get_by_label("Mật khẩu").fill(password)
        self.page.get_by_role("button", name="Đăng nhập").click()
        if first:
            self.page.wait_for_url("**/account/password")
            self.shot("password")
            self.page.get_by_label("Mật khẩu hiện tại").fill(demo.DEMO_PASSWORD)
            self.page.get_by_label("Mật khẩu mới", exact=True).fill(OWN_PASSWORD)
            self.page.get_by_label("Nhập lại mật khẩu mới").fill(OWN_PASSWORD)
            self.page.get_by_role("button", name="Đổi mật khẩu").click()
            self.changed.add(username)
        # A click returns before the next page arrives: wait until the browser has left the form it submitted.
        self.page.wait_for_url(lambda url: not url.endswith(("/login", "/account/password")))
        self.page.wait_for_load_state()
        self.shot()

    def logout(self) -> None:
        self.page.get_by_role("button", name="Đăng xuất").click()
        self.page.wait_for_url("**/login")

    def speak(self, language: str) -> None:
        """Switch the pages to `language` ("English", "Tiếng Việt") and wait until the page in it has loaded."""
        self.page.get_by_role("link", name=language).click()
        code = "en" if language == "English" else "vi"
        expect(self.page.locator("html")).to_have_attribute("lang", code)
        self.page.wait_for_load_state()

    def has_no_horizontal_scroll(self) -> bool:
        return self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _prefix(request) -> str:
    """The test's name and parameters, short enough for a file name."""
    name, _, params = request.node.name.removeprefix("test_").partition("[")
    return "-".join([name[:36], *params.rstrip("]").split("-")]).strip("-")


# Generous: a loaded machine (CI runs on a developer's) can take seconds to draw a page.
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)


def _visit(request, context, server: Server, prefix: str):
    """A Visitor in its own browser context; the page a test failed on is kept, and the context closed."""
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    visitor = Visitor(page, server, prefix)
    yield visitor
    if getattr(request.node, "failed_in_call", False):
        visitor.shot("failed", always=True)
    context.close()


@pytest.fixture
def visitor(chromium, live_server, request):
    """A fresh browser context (no cookies) at desktop size; `visitor.page` is Playwright's page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    yield from _visit(request, context, live_server, _prefix(request))


@pytest.fixture
def phone(chromium, live_server, request):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield from _visit(request, context, live_server, "phone-" + _prefix(request))


@pytest.fixture
def ids(live_server):
    """Ids of the demo's cell, member, school and province, for the pages' addresses."""
    from evaluation.extensions import db
    from evaluation.members.models import Member
    from evaluation.org.models import Organization

    with live_server.app.app_context():
        member = db.session.scalars(db.select(Member).where(Member.code == "DV-DEMO-1")).one()
        org = lambda code: db.session.scalars(db.select(Organization).where(Organization.code == code)).one().id  # noqa: E731
        return {"cell": member.organization_id, "member": member.id, "school": org("PDP-THPT"), "province": org("TN")}

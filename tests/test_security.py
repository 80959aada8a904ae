"""Attacks and mistakes the app must withstand: headers, cookies, guessing passwords, rewriting the history,
changing a closed year."""

import re
import secrets

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_limiter import Limiter

from evaluation import config
from evaluation.audit import HistoryIsAppendOnly
from evaluation.extensions import db, init_limiter, limiter
from evaluation.periods.models import PeriodEvent
from evaluation.reviews.models import Review, ReviewEvent, ReviewState
from tests.conftest import PASSWORD
from tests.test_authorization import fingerprint
from tests.test_journey import review_of, write_and_submit

PAGES = {
    "member": ["/", "/my-review/", "/notices/", "/account/password"],
    "secretary": ["/", "/cell/{w.cell.id}", "/cell/{w.cell.id}/members/{w.m1.id}", "/collective/{w.cell.id}"],
    "committee": ["/committee/{w.grassroots.id}", "/rating/{w.grassroots.id}", "/orgs/{w.grassroots.id}"],
    "leader": ["/orgs/", "/orgs/{w.upper.id}"],
    "admin": ["/admin/", "/admin/users", "/admin/members?q=a", "/admin/history"],
}


def test_every_response_carries_the_security_headers(world, client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    login = client.post("/login", data={"username": "member", "password": PASSWORD})
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_hold_no_inline_script_style_or_handler_the_policy_would_block(world, auth, client):
    """The CSP forbids inline code; a page that relied on it would silently break, so none may."""
    for username, urls in PAGES.items():
        auth.login(username)
        for url in urls:
            page = client.get(url.format(w=world)).get_data(as_text=True)
            assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
            assert not re.search(r"\sstyle=|\son[a-z]+=", page), url


def test_behind_https_plain_http_is_redirected_and_cookies_are_secure(world, other_app):
    app = other_app(FORCE_HTTPS=True, SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    assert client.get("/login").location.startswith("https://")
    secure = app.test_client().post(
        "/login", base_url="https://localhost", data={"username": "member", "password": PASSWORD}
    )
    assert "Secure" in secure.headers["Set-Cookie"]
    assert "max-age" in secure.headers["Strict-Transport-Security"]


@pytest.fixture
def limited_client(other_app):
    """A client of an app with the login limits on (the rest of the suite runs without them)."""
    limited = other_app(RATELIMIT_ENABLED=True)
    limiter.reset()
    yield limited.test_client()
    limiter.reset()


def test_five_wrong_passwords_lock_the_login_for_a_while_but_not_the_others(world, limited_client):
    for _ in range(5):
        wrong = limited_client.post("/login", data={"username": "member", "password": "doan-mo-mat-khau"})
        assert "không đúng" in wrong.get_data(as_text=True)
    locked = limited_client.post("/login", data={"username": "member", "password": PASSWORD})
    assert locked.status_code == 429 and "nhập sai mật khẩu nhiều lần" in locked.get_data(as_text=True)
    assert "Retry-After" in locked.headers
    other = limited_client.post("/login", data={"username": "member3", "password": PASSWORD})
    assert other.status_code == 302


def test_successful_logins_do_not_count_towards_the_lockout(world, limited_client):
    for _ in range(8):
        assert limited_client.post("/login", data={"username": "member", "password": PASSWORD}).status_code == 302
        limited_client.post("/logout")


def test_the_database_refuses_to_rewrite_the_history(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    event = review_of(world).events[0]
    for statement in (
        "UPDATE review_event SET reason = 'sửa' WHERE id = :id",
        "DELETE FROM review_event WHERE id = :id",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement), {"id": event.id})
    event.reason = "sửa qua ORM"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(HistoryIsAppendOnly):
        db.session.delete(db.session.get(ReviewEvent, event.id))
        db.session.flush()


def test_no_route_updates_or_deletes_a_history_row(world, auth, client):
    """The whole year through the routes, every statement watched: history rows are only ever inserted."""
    statements = []

    def watch(conn, cursor, statement, *rest):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", watch)
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    client.submit(url, data={"action": "return", "r-reason": "Bổ sung phần ưu điểm"})
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.submit(url, data={"action": "propose", "p-level": "good", "p-comments": "Nhất trí"})
    client.post(f"/cell/{world.cell.id}/forward")
    auth.login("committee")
    decide = {"review": [f"{review_of(world).id}:{review_of(world).version}"]}
    client.post(f"/committee/{world.grassroots.id}/decide", data=decide)
    client.submit(
        f"/committee/{world.grassroots.id}/members/{world.m1.id}", data={"action": "reopen", "o-reason": "Xem lại"}
    )
    auth.login("admin")
    client.post(f"/admin/periods/{world.period.id}/close", data={"note": "Hết năm"})
    client.post(f"/admin/periods/{world.period.id}/open", data={"note": "Kiểm tra lại"})
    client.get("/admin/history.csv")
    sa.event.remove(db.engine, "before_cursor_execute", watch)
    rewrites = [s for s in statements if re.match(r"\s*(UPDATE|DELETE FROM)\s+(review_event|period_event)\b", s, re.I)]
    assert rewrites == []
    actions = [e.action for e in review_of(world).events]
    assert actions == ["create", "submit", "return", "submit", "propose", "forward", "decide", "reopen"]
    assert [e.action.value for e in db.session.scalars(sa.select(PeriodEvent).order_by(PeriodEvent.id))][-2:] == [
        "close",
        "reopen",
    ]


def test_the_history_export_holds_every_change_with_who_and_why(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.submit(
        f"/cell/{world.cell.id}/members/{world.m1.id}", data={"action": "return", "r-reason": "=cmd|' /C calc'!A0"}
    )
    auth.login("admin")
    text = client.get("/admin/history.csv?year=2025").get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Thời điểm,Năm,Mã,Đối tượng,Thao tác")
    assert any("Nguyễn Văn An" in line and "Chi bộ trả lại để sửa" in line and "secretary" in line for line in lines)
    assert "'=cmd|" in text  # neutralized: a spreadsheet shows it as text
    assert client.get("/admin/history.csv?year=2019").get_data(as_text=True).count("\n") == 1


def test_a_closed_year_refuses_every_write_and_changes_nothing(world, auth, client, make):
    auth.login("member")
    write_and_submit(client)
    auth.login("admin")
    client.post(f"/admin/periods/{world.period.id}/close", data={"note": "Hết năm"})
    review = review_of(world)
    attempts = {
        "member": [("/my-review/", {"political": "sửa sau khi đóng", "action": "save"}),
                   ("/my-review/commitment", {"text": "cam kết mới"})],
        "secretary": [(f"/cell/{world.cell.id}/members/{world.m1.id}", {"action": "propose", "p-level": "good"}),
                      (f"/cell/{world.cell.id}/forward", {}),
                      (f"/collective/{world.cell.id}", {"tasks": "x", "action": "save"}),
                      (f"/collective/{world.cell.id}/commitment", {"text": "cam kết"})],
        "committee": [(f"/committee/{world.grassroots.id}/decide", {"review": [f"{review.id}:{review.version}"]}),
                      (f"/committee/{world.grassroots.id}/quota", {"q-reason": "Đơn vị tiêu biểu"}),
                      (f"/rating/{world.grassroots.id}/orgs/{world.cell.id}", {"action": "decide", "d-level": "good"}),
                      (f"/orgs/{world.grassroots.id}/targets/2025", {"subject": "members", "min_percent": "80"})],
    }  # fmt: skip
    before = fingerprint()
    for username, posts in attempts.items():
        auth.login(username)
        for url, data in posts:
            status = client.submit(url, data=data).status_code
            assert status < 500, (url, status)
    assert fingerprint() == before
    assert review_of(world).state is ReviewState.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1


def _redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def test_with_redis_every_worker_counts_the_same_failures(world, other_app, monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
    assert config.from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == REDIS_TEST_URL
    redis = _redis()
    prefix = f"evaluation-test-{secrets.token_hex(6)}"  # this test's keys only: nothing else in Redis is touched
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_TEST_URL, "RATELIMIT_KEY_PREFIX": prefix}
    workers = [other_app(**settings) for _ in range(2)]
    try:
        for attempt in range(5):  # failures spread over two workers, as a load balancer would
            workers[attempt % 2].test_client().post("/login", data={"username": "member", "password": "sai-mat-khau"})
        keys = list(redis.scan_iter(match=f"*{prefix}*"))
        assert any(b"login:" in key for key in keys) and all(len(key) < 200 for key in keys)
        answer = workers[1].test_client().post("/login", data={"username": "member", "password": PASSWORD})
        assert answer.status_code == 429
    finally:
        for key in redis.scan_iter(match=f"*{prefix}*"):
            redis.delete(key)
        limiter._key_prefix = ""  # the one limiter object keeps the first prefix it was given


def test_nobody_locks_out_a_browser_that_logged_in_before(world, limited_client, other_app):
    own_browser = limited_client
    assert own_browser.post("/login", data={"username": "member", "password": PASSWORD}).status_code == 302
    own_browser.post("/logout")
    attacker = other_app(RATELIMIT_ENABLED=True).test_client()
    for attempt in range(8):  # past the account's limit, with any letter case
        attacker.post("/login", data={"username": "MEMBER" if attempt % 2 else "member", "password": "sai"})
    assert attacker.post("/login", data={"username": "member", "password": PASSWORD}).status_code == 429
    assert own_browser.post("/login", data={"username": "member", "password": PASSWORD}).status_code == 302


def test_a_huge_login_name_makes_a_small_key_and_unknown_names_cost_a_hash(world, limited_client, monkeypatch):
    from evaluation.views import auth as auth_views

    hashed = []
    real = auth_views.check_password_hash
    monkeypatch.setattr(auth_views, "check_password_hash", lambda *args: hashed.append(1) or real(*args))
    answer = limited_client.post("/login", data={"username": "x" * 1_500_000, "password": "a"})
    assert answer.status_code in (200, 413)
    limited_client.post("/login", data={"username": "khong-co-ai", "password": "a"})
    assert hashed  # the unknown login was checked against a dummy hash, as long as a real one
    keys = [str(key) for key in getattr(limiter.storage, "storage", {})]
    assert keys and all(len(key) < 200 for key in keys)


def test_the_password_change_form_takes_few_wrong_current_passwords(world, other_app):
    client = other_app(RATELIMIT_ENABLED=True).test_client()
    limiter.reset()
    client.post("/login", data={"username": "member", "password": PASSWORD})
    wrong = {
        "current": "khong-phai",
        "new": "mot cau rat dai va kho doan 99",
        "confirm": "mot cau rat dai va kho doan 99",
    }
    codes = [client.post("/account/password", data=wrong).status_code for _ in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    limiter.reset()


def test_no_page_or_export_a_login_sees_is_kept_by_a_cache(world, auth, client):
    auth.login("leader")
    for path in ("/", f"/orgs/{world.upper.id}", f"/orgs/{world.upper.id}/export/members.csv"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    auth.login("member")
    assert client.get("/my-review/").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_an_administrator_unlocks_a_login_at_once(world, other_app):
    app = other_app(RATELIMIT_ENABLED=True)
    limiter.reset()
    attacker, admin, fresh = app.test_client(), app.test_client(), app.test_client()
    for _ in range(6):
        attacker.post("/login", data={"username": "member", "password": "sai"})
    assert fresh.post("/login", data={"username": "member", "password": PASSWORD}).status_code == 429
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    admin.post(f"/admin/users/{world.member.id}/unlock")
    assert fresh.post("/login", data={"username": "member", "password": PASSWORD}).status_code == 302
    assert "Quản trị mở khóa đăng nhập" in admin.get("/admin/history.csv").get_data(as_text=True)
    limiter.reset()


def _counted_app(**limits) -> Flask:
    """A bare app whose one page is limited by whatever `limits` the limiter is given (its own limiter: the
    app's is one object, shared by every app of the suite)."""
    bare = Flask("limited")
    bare.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    init_limiter(bare, Limiter(key_func=lambda: "one address", **limits))
    bare.get("/")(lambda: "ok")
    return bare


def test_a_limit_over_the_whole_app_keeps_its_check_before_every_request():
    client = _counted_app(application_limits=["2 per minute"]).test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]


def test_without_such_a_limit_nothing_is_checked_before_each_request_and_the_logins_limits_still_hold(
    world, limited_client
):
    client = _counted_app().test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200] * 3
    app = limited_client.application
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    statuses = [limited_client.post("/login", data={"username": "nobody", "password": "x"}).status_code
                for _ in range(6)]  # fmt: skip
    assert statuses[-1] == 429

"""Sessions end when they should: logout, a password change, "log out everywhere", an administrator, a
revoked role, and the idle and absolute timeouts; a copied cookie or a remember cookie dies with them."""

import re

import sqlalchemy as sa

from evaluation.config import from_environment
from evaluation.extensions import db
from tests.conftest import PASSWORD

LOGIN = {"username": "member", "password": PASSWORD}
NEW_PASSWORD = "mot cau mat khau moi rat dai 2026"


def logged_in(browser) -> bool:
    return browser.get("/my-review/").status_code == 200


def copy_cookies(source, target) -> None:
    for name in ("session", "remember_token"):
        if cookie := source.client.get_cookie(name):
            target.client.set_cookie(name, cookie.value)


def test_a_copied_session_cookie_opens_nothing_after_logout(world, browser):
    owner, thief = browser(), browser()
    owner.post("/login", data=LOGIN)
    copy_cookies(owner, thief)
    assert logged_in(thief)
    owner.post("/logout")
    assert not logged_in(thief)


def test_a_remember_cookie_dies_with_logout_and_with_a_password_change(world, browser):
    owner = browser()
    owner.post("/login", data={**LOGIN, "remember": "y"})
    token = owner.client.get_cookie("remember_token").value  # what a thief would copy
    remembered = browser()
    remembered.client.set_cookie("remember_token", token)
    assert logged_in(remembered)  # a new browser session, from the remember cookie alone
    owner.post("/logout")
    stale = browser()
    stale.client.set_cookie("remember_token", token)
    assert not logged_in(stale)
    owner.post("/login", data={**LOGIN, "remember": "y"})
    token = owner.client.get_cookie("remember_token").value
    change = {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    owner.post("/account/password", data=change)
    after_change = browser()
    after_change.client.set_cookie("remember_token", token)
    assert not logged_in(after_change)


def test_a_password_change_ends_every_other_session_but_this_one(world, browser):
    here, elsewhere = browser(), browser()
    here.post("/login", data=LOGIN)
    elsewhere.post("/login", data=LOGIN)
    change = {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert here.post("/account/password", data=change).status_code == 302
    assert logged_in(here) and not logged_in(elsewhere)


def test_logging_out_everywhere_and_an_administrator_ending_sessions(world, browser):
    phone, laptop = browser(), browser()
    phone.post("/login", data=LOGIN)
    laptop.post("/login", data=LOGIN)
    phone.post("/account/sessions/end")
    assert not logged_in(phone) and not logged_in(laptop)
    laptop.post("/login", data=LOGIN)
    admin = browser()
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    admin.post(f"/admin/users/{world.member.id}/sessions/end")
    assert not logged_in(laptop)
    history = admin.get("/admin/history.csv?kind=journal:sessions_end").get_data(as_text=True)
    assert "Quản trị đăng xuất người dùng khỏi mọi thiết bị" in history


def test_a_revoked_role_ends_the_sessions_that_held_it(world, browser):
    secretary, admin = browser(), browser()
    secretary.post("/login", data={"username": "secretary", "password": PASSWORD})
    assert secretary.get(f"/cell/{world.cell.id}").status_code == 200
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    admin.post(f"/admin/grants/{world.secretary.grants[0].id}/revoke")
    assert secretary.get(f"/cell/{world.cell.id}").status_code == 302  # to the login page


def test_idle_and_absolute_timeouts_end_a_session(world, browser, app):
    member = browser()
    member.post("/login", data=LOGIN)
    with member.client.session_transaction() as session:
        session["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    answer = member.get("/my-review/")
    assert answer.status_code == 302 and "/login" in answer.location and not logged_in(member)
    member.post("/login", data=LOGIN)
    with member.client.session_transaction() as session:
        session["started"] -= app.config["SESSION_MAX_HOURS"] * 3600 + 1
    assert member.get("/my-review/").status_code == 302
    member.post("/login", data=LOGIN)
    assert logged_in(member)


def test_the_remember_cookie_is_secure_behind_https(monkeypatch, tmp_path):
    monkeypatch.setenv("FORCE_HTTPS", "1")
    settings = from_environment(str(tmp_path))
    assert settings["REMEMBER_COOKIE_SECURE"] and settings["SESSION_COOKIE_SECURE"]
    assert settings["REMEMBER_COOKIE_DURATION"].days == 14


def test_a_page_reads_the_login_without_its_credentials(world, browser, app):
    """Every page reads its login; only the login form and the account's own pages read its password hash,
    two-factor secret and recovery codes, so a page that has no use for them never holds them."""
    member = browser()
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        member.post("/login", data=LOGIN)
        credentials_at_login = any("password_hash" in statement for statement in statements)
        statements.clear()
        assert logged_in(member) and member.get("/notices/").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert credentials_at_login
    assert statements and not [
        s for s in statements if {"password_hash", "totp_secret", "recovery_codes"} & set(re.findall(r"\w+", s))
    ]

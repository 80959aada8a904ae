"""Two-factor login: set up with a QR code and a first code, required for administrators, a code used once,
recovery codes spent once, and an administrator's way out for a lost phone."""

import re
from datetime import UTC, datetime

import pyotp

from evaluation.extensions import db
from tests.conftest import PASSWORD


def code_now(user, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(user.totp_secret)
    return totp.generate_otp(totp.timecode(datetime.now(UTC)) + steps_ahead)


def set_up(client, user) -> list[str]:
    client.post("/account/two-factor/", data={"action": "begin"})
    db.session.refresh(user)
    assert client.get("/account/two-factor/qr.svg").data.startswith(b"<?xml")
    page = client.post("/account/two-factor/", data={"action": "confirm", "code": code_now(user)})
    return re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", page.get_data(as_text=True))


def test_an_administrator_must_set_it_up_and_then_logs_in_with_a_code(world, other_app):
    app = other_app(TWO_FACTOR_REQUIRED_FOR=["admin"])
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert "/account/two-factor/" in client.get("/admin/").location  # nothing else until it is on
    codes = set_up(client, world.admin)
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200
    client.post("/logout")
    step_one = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert step_one.location.endswith("/login/code") and client.get("/admin/").status_code == 302
    assert "không đúng" in client.post("/login/code", data={"code": "000000"}).get_data(as_text=True)
    assert client.post("/login/code", data={"code": "²²²²²²"}).status_code == 200  # refused, not a 500
    db.session.refresh(world.admin)
    used = code_now(world.admin, 1)  # the next step, within the window
    assert client.post("/login/code", data={"code": used}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/logout")
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert client.post("/login/code", data={"code": used}).status_code == 200  # a code works once
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 302  # a recovery code
    client.post("/logout")
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 200  # spent
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 302
    assert "Bật xác thực hai bước" in client.get("/admin/history.csv").get_data(as_text=True)


def test_a_member_may_turn_it_on_and_off_and_an_administrator_clears_a_lost_phone(world, auth, client):
    auth.login("member")
    set_up(client, world.member)
    db.session.refresh(world.member)
    assert world.member.totp_enabled
    refused = client.post("/account/two-factor/", data={"action": "disable", "code": "123456"}, follow_redirects=True)
    assert "xác thực hai bước vẫn bật" in refused.get_data(as_text=True)
    auth.login("admin")
    client.post(f"/admin/users/{world.member.id}/two-factor/off")
    db.session.refresh(world.member)
    assert not world.member.totp_enabled and world.member.totp_secret is None
    assert client.post("/login/code", data={"code": "123456"}).status_code == 302  # no login waits for a code

"""The history is complete and append-only: logins, roles, moves, targets, quota decisions, periods and
imports, filtered and paged for the administrator and downloaded exactly as filtered."""

import csv
import io

import pytest
import sqlalchemy as sa

from evaluation.audit import HISTORY_MODELS, PAGE_SIZE
from evaluation.auth.models import RoleGrant, User
from evaluation.extensions import db
from evaluation.journal import Change, JournalEntry
from evaluation.reviews.models import QuotaException
from tests.conftest import PASSWORD, write
from tests.test_journey import write_and_submit

NEW_PASSWORD = "một mật khẩu mới khó đoán 2025"


def history_csv(client, **filters) -> list[list[str]]:
    text = client.get("/admin/history.csv", query_string=filters).get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))[1:]


def kinds(rows) -> list[str]:
    return [row[4] for row in rows]


def test_logins_and_roles_leave_their_trace_and_a_revoked_role_keeps_its_row(world, auth, client):
    auth.login("admin")
    client.post("/admin/users", data={"username": "thanhvien", "password": NEW_PASSWORD, "display_name": "Người mới"})
    user = db.session.scalars(sa.select(User).where(User.username == "thanhvien")).one()
    client.post(f"/admin/users/{user.id}", data={"org_code": world.cell2.code, "role": "deputy_secretary"})
    grant = db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == user.id)).one()
    client.post(f"/admin/grants/{grant.id}/revoke")
    db.session.expire_all()
    assert grant.ended_at is not None and db.session.get(User, user.id).grants == []
    client.post(f"/admin/users/{user.id}", data={"org_code": world.cell2.code, "role": "deputy_secretary"})
    assert len(db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == user.id)).all()) == 2
    rows = history_csv(client, actor="admin")
    assert kinds(rows)[:4] == ["Giao vai trò", "Thu hồi vai trò", "Giao vai trò", "Tạo tài khoản"]
    assert all(row[9] == "admin" for row in rows[:4]) and "Phó bí thư chi bộ" in rows[1][8]
    assert "Vai trò đã thu hồi (1)" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)


def test_a_disabled_login_is_shut_out_at_once_and_a_reset_password_must_be_changed(world, auth, client, browser):
    member_browser = browser()
    member_browser.post("/login", data={"username": "member", "password": PASSWORD})
    assert member_browser.get("/my-review/").status_code == 200
    auth.login("admin")
    client.post(f"/admin/users/{world.member.id}/disable")
    assert member_browser.get("/my-review/").status_code == 302  # the open session ended
    refused = member_browser.post("/login", data={"username": "member", "password": PASSWORD})
    assert refused.status_code != 302
    auth.login("admin")
    client.post(f"/admin/users/{world.member.id}/enable")
    client.post(f"/admin/users/{world.member.id}/password", data={"password": NEW_PASSWORD})
    member_browser.post("/login", data={"username": "member", "password": NEW_PASSWORD})
    assert "/account/password" in member_browser.get("/my-review/").location
    auth.login("admin")
    assert kinds(history_csv(client, kind="journal:user_disable")) == ["Khóa tài khoản"]
    assert kinds(history_csv(client, actor="admin"))[:3] == [
        "Quản trị đặt lại mật khẩu",
        "Mở lại tài khoản",
        "Khóa tài khoản",
    ]


def test_targets_quota_decisions_and_moves_are_in_the_history(world, auth, client):
    auth.login("committee")
    client.post(f"/orgs/{world.grassroots.id}/targets/2025", data={"subject": "members", "min_percent": "85"})
    client.post(f"/orgs/{world.grassroots.id}/targets/2025", data={"subject": "members", "min_percent": "78,3"})
    client.post(f"/committee/{world.grassroots.id}/quota", data={"reason": "Đơn vị tiêu biểu"})
    client.post(f"/committee/{world.grassroots.id}/quota", data={"outstanding": "y", "reason": "Đơn vị tiêu biểu"})
    quota = db.session.scalars(sa.select(QuotaException).order_by(QuotaException.id)).all()
    assert [(q.outstanding, q.reason) for q in quota] == [(False, "Đơn vị tiêu biểu"), (True, "Đơn vị tiêu biểu")]
    auth.login("admin")
    client.post(f"/admin/members/{world.m3.id}/move", data={"org_code": world.cell.code, "reason": "Chuyển công tác"})
    rows = history_csv(client, org=world.grassroots.code)
    targets = [row[8] for row in rows if row[4] == "Đặt chỉ tiêu"]
    assert targets == ["đảng viên: ≥ 85% → ≥ 78,3%", "đảng viên: không có → ≥ 85%"]
    assert [row[4] for row in rows].count("Quyết định về tỷ lệ xuất sắc") == 2
    move = next(row for row in rows if row[4] == "Chuyển sinh hoạt")
    assert move[5:7] == ["Chi bộ Hành chính", "Chi bộ Giáo viên"] and move[8] == "Chuyển công tác"
    elsewhere = kinds(history_csv(client, org=world.grassroots2.code))  # another subtree: only its own roles
    assert set(elsewhere) == {"Giao vai trò"}


def test_imports_are_recorded(world, runner, auth, client, tmp_path):
    orgs = f"code,parent_code,name,kind\nMOI,{world.grassroots.code},Chi bộ mới,cell\n"
    assert runner.invoke(args=["import-orgs", write(tmp_path, "to-chuc.csv", orgs)]).exit_code == 0
    entry = db.session.scalars(sa.select(JournalEntry).where(JournalEntry.change == Change.IMPORT)).one()
    assert entry.subject == "to-chuc.csv" and entry.params["created"] == "1"
    auth.login("admin")
    assert "tổ chức đảng: 1 mới, 0 cập nhật" in history_csv(client, kind="journal:import")[0][8]


def test_the_administrator_filters_pages_and_downloads_exactly_the_filtered_view(world, auth, client, make):
    for number in range(PAGE_SIZE + 5):  # more than a page of journal entries, by one administrator
        make.user(f"u{number:03d}")
    auth.login("member")
    write_and_submit(client)
    auth.login("admin")
    first = client.get("/admin/history").get_data(as_text=True)
    second = client.get("/admin/history?page=2").get_data(as_text=True)
    assert "Trang 1 / 2" in first and "Trang 2 / 2" in second and "Trang sau" in first
    assert "u104" in first and "u104" not in second  # newest first
    everything = history_csv(client)
    stored = sum(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in HISTORY_MODELS[:4])
    assert len(everything) == stored and f"{stored} dòng" in first  # every row of every history table
    member_only = history_csv(client, actor="member", year=2025)
    assert kinds(member_only) == ["Nộp bản tự kiểm điểm", "Bắt đầu viết"]
    assert history_csv(client, kind="review:submit", since="2000-01-01", until="2000-12-31") == []
    page = client.get("/admin/history?actor=member&year=2025").get_data(as_text=True)
    assert "Trang 1 / 1 · 2 dòng" in page
    for bad in ("year=abc", "since=31/02/2025", "kind=drop table", "org=KHONG-CO", "page=-5", "year=99999999999"):
        assert client.get(f"/admin/history?{bad}").status_code == 200, bad
    assert client.get("/admin/history.csv?org=KHONG-CO").status_code == 400


def test_the_database_refuses_to_rewrite_or_empty_any_history_table(world, auth, client):
    auth.login("admin")
    client.post(f"/admin/members/{world.m3.id}/move", data={"org_code": world.cell.code, "reason": "Chuyển"})
    client.post(f"/committee/{world.grassroots.id}/quota", data={"reason": "x"})  # refused: admin is no committee
    auth.login("committee")
    client.post(f"/committee/{world.grassroots.id}/quota", data={"reason": "Lý do"})
    for table in ("journal_entry", "membership_change", "quota_exception"):
        for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text(statement))
    if db.engine.dialect.name == "postgresql":
        for table in ("review_event", "period_event", "journal_entry", "membership_change", "quota_exception"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text(f"TRUNCATE {table} CASCADE"))

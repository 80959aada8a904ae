"""The administrator's first day: logins for every member of an organization at once, the initial passwords
handed out once (a letter per person, or a CSV), each to be changed at first login."""

import csv
import io
import re

from evaluation.auth.models import User
from evaluation.extensions import db
from evaluation.journal import Change, JournalEntry
from evaluation.org.operations import import_orgs
from evaluation.tabular import Row


def test_logins_for_a_cells_members_come_as_letters_and_must_be_changed_first(app, world, make, auth, client):
    newcomers = [make.member(world.cell2, name) for name in ("Đỗ Văn Hai", "Ngô Thị Ba")]
    auth.login("admin")
    page = client.get(f"/admin/organizations/{world.cell2.id}/logins").get_data(as_text=True)
    assert "2 đảng viên trong tổ chức này" in page
    letters = client.post(f"/admin/organizations/{world.cell2.id}/logins", data={"format": "letters"})
    text = letters.get_data(as_text=True)
    assert letters.headers["Cache-Control"] == "no-store" and text.count("THÔNG BÁO TÀI KHOẢN") == 2
    passwords = re.findall(r'<strong class="password">([a-z0-9-]+)</strong>', text)
    assert len(passwords) == 2 and all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", p) for p in passwords)
    users = {
        u.member_id: u for u in db.session.scalars(db.select(User).where(User.member_id.in_([m.id for m in newcomers])))
    }
    assert {u.username for u in users.values()} == {m.code.lower() for m in newcomers}
    assert all(u.must_change_password for u in users.values())
    assert all(p not in u.password_hash for p, u in zip(passwords, users.values(), strict=True))  # only a hash is kept
    assert len(db.session.scalars(db.select(JournalEntry).where(JournalEntry.change == Change.USER_CREATE)).all()) >= 2
    first = next(u for u in users.values() if u.member_id == newcomers[0].id)
    password = passwords[[m.full_name for m in sorted(newcomers, key=lambda m: m.name_sort_key)].index("Đỗ Văn Hai")]
    auth.login(first.username, password)
    assert client.get("/my-review/").location.startswith("/account/password")  # changed at first login
    auth.login("admin")
    again = client.get(f"/admin/organizations/{world.cell2.id}/logins").get_data(as_text=True)
    assert "Mọi đảng viên trong tổ chức này đã có tài khoản." in again


def test_logins_come_as_a_csv_in_batches_the_page_says_how_many_remain(app, world, make, auth, client):
    app.config["LOGINS_PER_REQUEST"] = 2
    for name in ("Một", "Hai", "Ba"):
        make.member(world.small, f"Lê Văn {name}")
    auth.login("admin")
    assert "Mỗi lần tạo 2 tài khoản" in client.get(f"/admin/organizations/{world.upper.id}/logins").get_data(
        as_text=True
    )
    response = client.post(f"/admin/organizations/{world.upper.id}/logins", data={"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Mã đảng viên", "Họ và tên", "Chi bộ", "Tên đăng nhập", "Mật khẩu ban đầu"] and len(rows) == 3
    page = client.get(f"/admin/organizations/{world.upper.id}/logins").get_data(as_text=True)
    assert "2 đảng viên trong tổ chức này" in page  # m4 and the third newcomer


def test_an_organization_is_found_by_name_without_accents_or_by_code_in_any_case(world, auth, client):
    auth.login("admin")
    for typed in ("truong mot", world.grassroots.code.lower()):
        page = client.get(f"/admin/organizations?q={typed}").get_data(as_text=True)
        assert "Đảng bộ Trường Một" in page and "Đảng ủy xã Hai" not in page, typed


def test_a_renamed_organization_is_found_by_its_new_name_and_wildcards_are_letters(world, make, auth, client):
    """The folded name the database searches follows the name; "%" and "_" typed are looked for, not patterns."""
    renamed = [Row(2, {"code": world.cell2.code, "name": "Chi bộ Điện lực 50%", "kind": "cell",
                       "parent_code": world.cell2.parent.code})]  # fmt: skip
    assert not import_orgs(renamed)[1]
    db.session.commit()
    auth.login("admin")
    found = client.get("/admin/organizations/search.json?q=dien luc").get_json()
    assert [o["code"] for o in found] == [world.cell2.code]
    assert client.get("/admin/organizations/search.json?q=hanh chinh").get_json() == []  # the old name
    assert [o["code"] for o in client.get("/admin/organizations/search.json?q=50%").get_json()] == [world.cell2.code]
    assert client.get("/admin/organizations/search.json?q=_").get_json() == []
    assert client.get("/admin/members/search.json?q=%").get_json() == []
    code = world.m1.code
    assert [m["code"] for m in client.get(f"/admin/members/search.json?q={code.lower()}").get_json()] == [code]


def test_the_pickers_offer_matches_by_name_without_accents(world, auth, client):
    auth.login("admin")
    orgs = client.get("/admin/organizations/search.json?q=truong mot").get_json()
    assert [o["code"] for o in orgs] == [world.grassroots.code]
    members = client.get("/admin/members/search.json?q=nguyen van").get_json()
    assert [m["code"] for m in members] == [world.m1.code] and "Chi bộ Giáo viên" in members[0]["label"]
    assert client.get("/admin/members/search.json?q=").get_json() == []

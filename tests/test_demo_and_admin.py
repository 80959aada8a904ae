"""The demo province, and the administrator's work: periods, logins, roles, moves."""

from evaluation import demo
from evaluation.auth.models import Role, RoleGrant, User
from evaluation.extensions import db
from evaluation.formatting import today_in_vietnam
from evaluation.levels import Level
from evaluation.members.models import Member, MembershipChange
from evaluation.org.models import Organization, OrgKind
from evaluation.periods.models import Period, PeriodEvent, PeriodState
from evaluation.periods.operations import evaluation_year
from evaluation.reviews.models import Review


def test_seed_demo_builds_a_province_and_prints_the_logins(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for username in demo.LOGINS:
        assert username in result.output
    assert demo.DEMO_PASSWORD in result.output
    members = db.session.scalar(db.select(db.func.count(Member.id)))
    grassroots = db.session.scalar(db.select(db.func.count()).where(Organization.kind == OrgKind.GRASSROOTS))
    assert 250 <= members <= 400 and grassroots >= 10
    again = runner.invoke(args=["seed-demo"])
    assert "đã có sẵn" in again.output
    assert db.session.scalar(db.select(db.func.count(Member.id))) == members


OWN_PASSWORD = "mot cau de nho 2025"


def demo_login(client, username: str):
    """A demo login, first with the demo password, which the demo user must change at once."""
    client.post("/logout")
    first = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD})
    if first.status_code == 200:  # refused: the password was already changed
        return client.post("/login", data={"username": username, "password": OWN_PASSWORD})
    change = {"current": demo.DEMO_PASSWORD, "new": OWN_PASSWORD, "confirm": OWN_PASSWORD}
    assert client.post("/account/password", data=change).status_code == 302
    return first


def test_demo_users_must_change_the_demo_password_before_anything_else(app, runner, client):
    runner.invoke(args=["seed-demo"])
    client.post("/login", data={"username": "dangvien", "password": demo.DEMO_PASSWORD})
    assert client.get("/my-review/").location == "/account/password"
    weak = {"current": demo.DEMO_PASSWORD, "new": "12345678", "confirm": "12345678"}
    page = client.post("/account/password", data=weak).get_data(as_text=True)
    assert "ít nhất 10 ký tự" in page and "chỉ gồm chữ số" in page
    assert client.get("/my-review/").location == "/account/password"
    demo_login(client, "dangvien")
    assert client.get("/my-review/").status_code == 200
    client.post("/logout")
    stale = client.post("/login", data={"username": "dangvien", "password": demo.DEMO_PASSWORD})
    assert "không đúng" in stale.get_data(as_text=True)


def test_demo_logins_walk_the_whole_journey(app, runner, client):
    runner.invoke(args=["seed-demo"])
    login = lambda name: demo_login(client, name)  # noqa: E731
    assert login("dangvien").status_code == 302
    sections = {"political": "a", "duties": "b", "commitment": "c", "shortcomings": "d", "measures": "e"}
    client.submit(
        "/my-review/",
        data={**sections, "score_general": 28, "score_tasks": 65, "self_level": "good", "action": "submit"},
    )
    client.submit("/my-review/confirm", data={})
    member = db.session.scalars(db.select(Member).where(Member.code == "DV-DEMO-1")).one()
    cell, grassroots = member.organization, member.organization.parent
    client.post("/logout")
    login("bithu")
    client.submit(f"/cell/{cell.id}/members/{member.id}", data={"action": "propose", "p-level": "good"})
    client.submit(f"/cell/{cell.id}/members/{member.id}", data={"action": "forward"})
    client.post("/logout")
    login("danguy")
    review = db.session.scalars(
        db.select(Review).join(Period).where(Review.member_id == member.id, Period.state == PeriodState.OPEN)
    ).one()
    client.post(f"/committee/{grassroots.id}/decide", data={"review": [f"{review.id}:{review.version}"]})
    client.post("/logout")
    login("dangvien")
    assert "Hoàn thành tốt nhiệm vụ" in client.get("/my-review/").get_data(as_text=True)
    assert db.session.get(Review, review.id).final_level is Level.GOOD
    client.post("/logout")
    login("lanhdao")
    province = db.session.scalars(db.select(Organization).where(Organization.code == demo.PROVINCE)).one()
    assert client.get(f"/orgs/{province.id}").status_code == 200
    assert client.get(f"/orgs/{cell.id}").status_code == 200


def test_admin_creates_opens_and_closes_a_period(world, auth, client):
    auth.login("admin")
    dates = {
        "opens_on": "2026-12-01",
        "submit_by": "2026-12-10",
        "propose_by": "2026-12-18",
        "decide_by": "2026-12-28",
        "rate_orgs_by": "2026-12-30",
    }
    client.post("/admin/", data={"year": 2026, **dates})
    period = db.session.scalars(db.select(Period).where(Period.year == 2026)).one()
    assert period.rule_set.value == "qd366" and period.state is PeriodState.DRAFT
    page = client.post(f"/admin/periods/{period.id}/open", follow_redirects=True).get_data(as_text=True)
    assert "đang mở; hãy đóng kỳ đó trước" in page  # 2025 is still open
    client.post(f"/admin/periods/{world.period.id}/close", data={"note": "Chuyển sang năm mới"})
    client.post(f"/admin/periods/{period.id}/open")
    assert db.session.get(Period, period.id).state is PeriodState.OPEN
    client.post(f"/admin/periods/{period.id}/close", data={"note": "Tạo nhầm năm"})
    page = client.post(f"/admin/periods/{world.period.id}/open", follow_redirects=True).get_data(as_text=True)
    assert "ghi lý do mở lại" in page and db.session.get(Period, world.period.id).state is PeriodState.CLOSED
    client.post(f"/admin/periods/{world.period.id}/open", data={"note": "Sửa kết quả theo kết luận kiểm tra"})
    assert db.session.get(Period, world.period.id).state is PeriodState.OPEN
    history = client.get("/admin/history").get_data(as_text=True)
    assert "Mở lại kỳ đã đóng" in history and "Sửa kết quả theo kết luận kiểm tra" in history
    events = [(e.period.year, e.action.value, e.actor.username if e.actor else None)
              for e in db.session.scalars(db.select(PeriodEvent).order_by(PeriodEvent.id))]  # fmt: skip
    assert events[-5:] == [(2026, "create", "admin"), (2025, "close", "admin"), (2026, "open", "admin"),
                           (2026, "close", "admin"), (2025, "reopen", "admin")]  # fmt: skip


def test_period_form_with_deadlines_out_of_order_keeps_the_input(world, auth, client):
    auth.login("admin")
    page = client.post(
        "/admin/",
        data={
            "year": 2027,
            "opens_on": "2027-12-20",
            "submit_by": "2027-12-10",
            "propose_by": "2027-12-18",
            "decide_by": "2027-12-28",
            "rate_orgs_by": "2027-12-30",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "theo thứ tự" in page and 'value="2027"' in page
    assert db.session.scalars(db.select(Period).where(Period.year == 2027)).first() is None


def test_admin_gives_one_person_several_roles(world, auth, client, make):
    cuong = make.member(world.cell2, "Vũ Văn Cường")
    auth.login("admin")
    page = client.post(
        "/admin/users",
        data={"username": "thu-lai", "member_code": world.m3.code, "password": "mat-khau-dai"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "đã có tài khoản" in page  # one login per member
    client.post("/admin/users", data={"username": "cuong", "member_code": cuong.code, "password": "mat-khau-dai"})
    user = db.session.scalars(db.select(User).where(User.username == "cuong")).one()
    assert user.member_id == cuong.id
    client.post(f"/admin/users/{user.id}", data={"org_code": world.cell2.code, "role": "secretary"})
    client.post(f"/admin/users/{user.id}", data={"org_code": world.grassroots.code, "role": "committee"})
    page = client.post(
        f"/admin/users/{user.id}", data={"org_code": world.upper.code, "role": "secretary"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "chỉ được giao ở chi bộ" in page
    roles = {g.role for g in db.session.scalars(db.select(RoleGrant).where(RoleGrant.user_id == user.id))}
    assert roles == {Role.SECRETARY, Role.COMMITTEE}
    client.post("/logout")
    client.post("/login", data={"username": "cuong", "password": "mat-khau-dai"})
    assert client.get("/my-review/").location == "/account/password"  # the administrator knows it
    change = {"current": "mat-khau-dai", "new": "toi tu dat mat khau moi", "confirm": "toi tu dat mat khau moi"}
    client.post("/account/password", data=change)
    assert client.get("/my-review/").status_code == 200
    assert client.get(f"/cell/{world.cell2.id}").status_code == 200
    assert client.get(f"/committee/{world.grassroots.id}").status_code == 200


def test_moving_a_member_keeps_their_review_and_records_the_move(world, auth, client):
    auth.login("member")
    client.submit("/my-review/", data={"political": "Viết ở chi bộ cũ", "action": "save"})
    auth.login("admin")
    client.post(f"/admin/members/{world.m1.id}/move", data={"org_code": world.cell2.code, "reason": "Chuyển công tác"})
    change = db.session.scalars(db.select(MembershipChange)).one()
    assert (change.from_org_id, change.to_org_id, change.reason) == (world.cell.id, world.cell2.id, "Chuyển công tác")
    url = f"/admin/members/{world.m1.id}/move"
    page = client.post(url, data={"org_code": world.upper.code, "reason": "Thử"}, follow_redirects=True)
    assert "không phải chi bộ" in page.get_data(as_text=True)
    no_reason = client.post(url, data={"org_code": world.cell.code, "reason": " "}).get_data(as_text=True)
    assert "Trường này là bắt buộc." in no_reason
    assert db.session.scalars(db.select(MembershipChange)).one() == change  # refused, nothing recorded
    auth.login("secretary2")
    assert client.get(f"/cell/{world.cell2.id}/members/{world.m1.id}").status_code == 200
    auth.login("secretary")
    assert client.get(f"/cell/{world.cell.id}/members/{world.m1.id}").status_code == 404
    auth.login("member")
    assert "Viết ở chi bộ cũ" in client.get("/my-review/").get_data(as_text=True)


def test_lists_sort_by_given_name_and_search_ignores_accents(world, auth, client, make):
    make.member(world.cell, "Đỗ Thị Ánh")
    auth.login("secretary")
    page = client.get(f"/cell/{world.cell.id}").get_data(as_text=True)
    assert page.index("Nguyễn Văn An") < page.index("Đỗ Thị Ánh") < page.index("Trần Thị Bình")
    found = client.get(f"/cell/{world.cell.id}?q=do thi anh").get_data(as_text=True)
    assert "Đỗ Thị Ánh" in found and "Trần Thị Bình" not in found


def test_demo_committee_rates_a_cell_over_the_quota_with_a_reason_and_check_lists_it(app, runner, client):
    runner.invoke(args=["seed-demo"])
    demo_login(client, "danguy")
    committee = db.session.scalars(db.select(Organization).where(Organization.code == "PDP-THPT")).one()
    cell = db.session.scalars(db.select(Organization).where(Organization.code == demo.RATED_CELL)).one()
    url = f"/rating/{committee.id}/orgs/{cell.id}"
    page = client.get(url).get_data(as_text=True)
    assert "1 hoàn thành xuất sắc, vượt 20% của 0 hoàn thành tốt" in page and "Chưa xếp loại được" not in page
    review = db.session.scalars(
        db.select(Review)
        .join(Period)
        .where(Review.organization_id == cell.id, Review.member_id.is_(None), Period.state == PeriodState.OPEN)
    ).one()
    decide = {"action": "decide", "d-level": "excellent", "d-version": review.version}
    assert "Vượt tỷ lệ" in client.submit(url, data=decide, follow_redirects=True).get_data(as_text=True)
    client.post(f"/rating/{committee.id}/quota", data={"reason": "Chi bộ dẫn đầu thi đua của tỉnh"})
    client.submit(url, data=decide)
    assert db.session.get(Review, review.id).final_level is Level.EXCELLENT
    result = runner.invoke(args=["check", "--year", str(evaluation_year(today_in_vietnam())), "PDP-THPT"])
    assert "PDP-THPT quota:" in result.output and "lý do của cấp ủy: Chi bộ dẫn đầu thi đua của tỉnh" in result.output

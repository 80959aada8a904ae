"""Organizations are rated like members: their officers write, the committee above decides, in order."""

from evaluation.auth.models import Role
from evaluation.auth.permissions import rated_by, rating_org
from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.org.models import Organization, OrgKind
from evaluation.reports.aggregation import rollup
from evaluation.reviews.models import Review, ReviewState
from tests.conftest import PASSWORD

COLLECTIVE = {
    "tasks": "Hoàn thành 100% chỉ tiêu được giao.",
    "building": "Sinh hoạt chi bộ đều đặn, chất lượng.",
    "commitment": "Thực hiện đủ các nội dung đã đăng ký.",
    "shortcomings": "Còn chậm triển khai một số nghị quyết.",
    "measures": "Lập kế hoạch theo quý.",
}


def org_review(org) -> Review:
    return db.session.scalars(
        db.select(Review).where(Review.organization_id == org.id, Review.member_id.is_(None))
    ).one()


def submit_collective(client, org, level: str = "good", **overrides) -> str:
    data = {**COLLECTIVE, "self_level": level, "action": "submit", **overrides}
    return client.submit(f"/collective/{org.id}", data=data, follow_redirects=True).get_data(as_text=True)


def decide_members(world, *members, level=Level.GOOD):
    for member in members:
        review = Review(period=world.period, member=member, form_type=member.form_type, state=ReviewState.DECIDED)
        review.final_level = level
        db.session.add(review)
    db.session.commit()


def rate(client, committee, org, level: str) -> str:
    version = org_review(org).version
    url = f"/rating/{committee.id}/orgs/{org.id}"
    data = {"action": "decide", "d-level": level, "d-version": version}
    return client.submit(url, data=data, follow_redirects=True).get_data(as_text=True)


def test_the_cell_writes_its_collective_review_and_an_incomplete_one_stays_a_draft(world, auth, client):
    auth.login("secretary")
    page = submit_collective(client, world.cell, building="")
    assert "chưa nộp được" in page and "Công tác xây dựng Đảng" in page
    assert org_review(world.cell).state is ReviewState.DRAFT and org_review(world.cell).sections["tasks"]
    submit_collective(client, world.cell)
    review = org_review(world.cell)
    assert review.state is ReviewState.SUBMITTED and review.self_level is Level.GOOD
    assert "Chờ cấp trên xếp loại" in client.get(f"/collective/{world.cell.id}").get_data(as_text=True)


def test_the_collective_review_prints_on_mau_01_in_vietnamese(world, auth, client):
    auth.login("secretary")
    assert client.get(f"/collective/{world.cell.id}/print").status_code == 404  # nothing written yet
    submit_collective(client, world.cell)
    client.get("/language/en")
    page = client.get(f"/collective/{world.cell.id}/print").get_data(as_text=True)
    for text in ("Mẫu 01", "BÁO CÁO KIỂM ĐIỂM TẬP THỂ", world.cell.name.upper(), COLLECTIVE["tasks"], "T/M CHI BỘ"):
        assert text in page, text
    auth.login("secretary2")
    assert client.get(f"/collective/{world.cell.id}/print").status_code == 403


def test_members_are_decided_before_their_organization(world, auth, client):
    auth.login("secretary")
    submit_collective(client, world.cell)
    auth.login("committee")
    page = client.get(f"/rating/{world.grassroots.id}/orgs/{world.cell.id}").get_data(as_text=True)
    assert "Còn 2 đảng viên chưa có quyết định xếp loại." in page
    refused = rate(client, world.grassroots, world.cell, "good")
    assert "Chưa xếp loại được tổ chức" in refused and org_review(world.cell).state is ReviewState.SUBMITTED
    decide_members(world, world.m1, world.m2)
    rate(client, world.grassroots, world.cell, "good")
    assert org_review(world.cell).final_level is Level.GOOD
    assert {c.org.code: c.own_level for c in rollup(world.grassroots, 2025).children}[world.cell.code] is Level.GOOD


def test_the_committee_returns_and_reopens_with_reasons_in_the_history(world, auth, client):
    auth.login("secretary")
    submit_collective(client, world.cell)
    auth.login("committee")
    url = f"/rating/{world.grassroots.id}/orgs/{world.cell.id}"
    client.post(
        url, data={"action": "return", "r-reason": "Bổ sung số liệu", "r-version": org_review(world.cell).version}
    )
    assert org_review(world.cell).state is ReviewState.DRAFT
    auth.login("secretary")
    assert "Bổ sung số liệu" in client.get(f"/collective/{world.cell.id}").get_data(as_text=True)
    submit_collective(client, world.cell)
    decide_members(world, world.m1, world.m2)
    auth.login("committee")
    rate(client, world.grassroots, world.cell, "completed")
    auth.login("secretary")
    assert "Cấp trên đã xếp loại" in client.get(f"/collective/{world.cell.id}").get_data(as_text=True)
    auth.login("committee")
    client.post(url, data={"action": "reopen", "o-reason": "Xem lại", "o-version": org_review(world.cell).version})
    review = org_review(world.cell)
    assert review.state is ReviewState.SUBMITTED and review.final_level is None
    assert [e.action for e in review.events][-1] == "reopen"


def upper_committee(make, world):
    return make.user("capuy-phuong", grants=[(world.upper, Role.COMMITTEE)])


def test_lower_organizations_are_rated_before_higher_ones(world, make, auth, client):
    upper_committee(make, world)
    decide_members(world, world.m1, world.m2, world.m3)
    auth.login("committee")
    submit_collective(client, world.grassroots)  # the grassroots committee writes its own collective review
    auth.login("capuy-phuong", PASSWORD)
    page = rate(client, world.upper, world.grassroots, "good")
    assert "Còn 2 tổ chức trực thuộc chưa được xếp loại: Chi bộ Giáo viên, Chi bộ Hành chính." in page
    assert org_review(world.grassroots).state is ReviewState.SUBMITTED


def test_organizations_over_the_quota_need_the_committees_reason(world, make, auth, client):
    upper_committee(make, world)
    decide_members(world, world.m4)
    make.user("capuy-tdp", grants=[(world.small, Role.COMMITTEE)])  # writes the chi bộ cơ sở's own review
    auth.login("capuy-tdp", PASSWORD)
    submit_collective(client, world.small, level="excellent")
    auth.login("capuy-phuong", PASSWORD)
    page = rate(client, world.upper, world.small, "excellent")  # 1 excellent of 0 good: over 20%
    assert "Vượt tỷ lệ" in page and org_review(world.small).state is ReviewState.SUBMITTED
    client.post(f"/rating/{world.upper.id}/quota", data={"reason": "Đơn vị tiêu biểu toàn tỉnh"})
    rate(client, world.upper, world.small, "excellent")
    assert org_review(world.small).final_level is Level.EXCELLENT


def test_who_rates_whom_is_one_rule_from_either_side(world, make):
    section = make.org(OrgKind.SECTION, world.grassroots, "Đảng bộ bộ phận")
    make.org(OrgKind.CELL, section, "Chi bộ trong bộ phận")
    orgs = list(db.session.scalars(db.select(Organization)))
    for committee in orgs:
        rated = set(db.session.scalars(db.select(Organization.id).where(rated_by(committee))))
        assert rated == {org.id for org in orgs if rating_org(org) is committee}, committee.name

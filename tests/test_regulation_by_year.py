"""The regulation of each year, end to end: crafted results imported through the CLI, then `flask check`,
the JSON report and the web's findings page say the same (docs/domain.md §3–§5)."""

import html
import json
from datetime import date

import pytest

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.members.models import FormType
from evaluation.org.models import OrgKind
from evaluation.reviews.formspec import form_code, sections_for
from evaluation.reviews.models import Review, ReviewState
from evaluation.rules import rule_set_for_year
from tests.conftest import assert_rejected, write
from tests.test_journey import write_and_submit


def write_and_submit_as(client, auth, username: str, **fields):
    auth.login(username)
    return write_and_submit(client, **fields)


def import_ratings(runner, tmp_path, year: int, rows: str):
    path = write(tmp_path, f"r{year}.csv", "member_code,level,conditions,exception,not_classified_reason\n" + rows)
    return runner.invoke(args=["import-member-ratings", path, "--year", str(year)])


def check(runner, world, year: int):
    return runner.invoke(args=["check", "--year", str(year), world.grassroots.code])


@pytest.mark.parametrize(
    "year,condition,level,violation",
    [
        (2023, "degeneration", "good", True),  # QĐ 124 lists degeneration: not completed
        (2024, "Vi phạm những điều đảng viên không được làm hoặc quy định về nêu gương", "completed", True),
        (2024, "tasks_undone", "not_completed", False),
        (2021, "sick_leave", "good", True),  # HD 21: at most completed
        (2021, "sick_leave", "completed", False),
        (2020, "civil_servant_not_completed", "completed", True),
        (2026, "low_confidence", "excellent", True),  # the open year is 2025: 2026 is imported
    ],
)
def test_each_years_conditions_are_imported_and_checked_against_that_year(
    world, runner, tmp_path, year, condition, level, violation
):
    result = import_ratings(runner, tmp_path, year, f'{world.m1.code},{level},"{condition}",,\n')
    assert result.exit_code == 0, result.output
    checked = check(runner, world, year)
    assert checked.exit_code == (1 if violation else 0), checked.output
    assert (f"{world.m1.code} conditions:" in checked.output) is violation


def test_a_condition_the_years_rules_do_not_have_is_refused_with_its_line(world, runner, tmp_path):
    rows = f"{world.m1.code},good,low_confidence,,\n{world.m2.code},good,kỷ luật nặng,,\n{world.m3.code},good,,,\n"
    path = write(tmp_path, "bad.csv", "member_code,level,conditions,exception,not_classified_reason\n" + rows)
    assert_rejected(
        runner,
        ["import-member-ratings", path, "--year", "2023"],
        ["dòng 2: điều kiện low_confidence không có trong Quy định 124-QĐ/TW", "dòng 3: không có điều kiện"],
        Review,
    )


def test_the_self_report_exception_lifts_discipline_and_nothing_else(world, runner, tmp_path):
    rows = (
        f"{world.m1.code},good,discipline,Tự báo cáo và khắc phục hậu quả,\n"
        f'{world.m2.code},good,"discipline;degeneration",Tự báo cáo và khắc phục hậu quả,\n'
    )
    assert import_ratings(runner, tmp_path, 2026, rows).exit_code == 0
    checked = check(runner, world, 2026)
    assert checked.exit_code == 1
    assert f"{world.m1.code} conditions" not in checked.output and f"{world.m2.code} conditions" in checked.output
    stored = db.session.scalars(db.select(Review).where(Review.member_id == world.m2.id)).one()
    assert (stored.conditions, stored.exception_reason) == (
        ["discipline", "degeneration"],
        "Tự báo cáo và khắc phục hậu quả",
    )


def test_a_new_member_rated_at_a_level_is_a_violation_and_not_classified_is_reported_by_reason(world, runner, tmp_path):
    world.m1.joined_date = date(2024, 9, 1)
    db.session.commit()
    rows = (
        f"{world.m1.code},good,,,\n{world.m2.code},not_classified,,,Miễn công tác và sinh hoạt đảng\n"
        f"{world.m3.code},not_classified,,,suspended\n"
    )
    assert import_ratings(runner, tmp_path, 2024, rows).exit_code == 0
    checked = check(runner, world, 2024)
    assert checked.exit_code == 1 and f"{world.m1.code} not_classified:" in checked.output
    report = json.loads(
        runner.invoke(args=["report", world.grassroots.code, "--year", "2024", "--format", "json"]).output
    )
    by_reason = {"exempt": 1, "suspended": 1, "new_member": 0, "other": 0}
    assert report["members"]["not_classified_by_reason"] == by_reason
    cell = next(child for child in report["children"] if child["org"] == world.cell.code)
    assert cell["members"]["not_classified_by_reason"] == by_reason | {"suspended": 0}  # m3 is in another cell
    text = runner.invoke(args=["report", world.grassroots.code, "--year", "2024"]).output
    assert "Đảng viên miễn công tác và sinh hoạt đảng: 1 đồng chí, chiếm 33,33%." in text


def test_a_reason_for_not_classifying_goes_only_with_not_classified(world, runner, tmp_path):
    path = write(tmp_path, "nc.csv", f"member_code,level,not_classified_reason\n{world.m1.code},good,exempt\n")
    args = ["import-member-ratings", path, "--year", "2024"]
    assert_rejected(runner, args, ["dòng 2: not_classified_reason chỉ đi với mức not_classified"], Review)


def test_the_web_lists_the_years_findings_exactly_as_check_does(world, auth, client, runner, tmp_path):
    rows = f'{world.m1.code},completed,"discipline",,\n{world.m2.code},good,,,\n'
    assert import_ratings(runner, tmp_path, 2024, rows).exit_code == 0
    checked = check(runner, world, 2024)
    auth.login("committee")
    page = client.get(f"/orgs/{world.grassroots.id}/findings?year=2024").get_data(as_text=True)
    listed = [line.split(" ", 1) for line in checked.output.splitlines() if line.startswith(world.m1.code)]
    assert listed and all(code in page and rest.split(": ", 1)[1].split(" (")[0] in page for code, rest in listed)
    assert "1 vi phạm, 0 lưu ý." in page
    assert "Kiểm tra kết quả theo quy định của năm" in client.get(f"/orgs/{world.grassroots.id}?year=2024").get_data(
        as_text=True
    )


def test_a_level_stays_what_the_import_says_whatever_its_findings(world, runner, tmp_path):
    """Old results are facts: checked and listed, never changed."""
    assert import_ratings(runner, tmp_path, 2022, f'{world.m1.code},excellent,"discipline",,\n').exit_code == 0
    stored = db.session.scalars(db.select(Review).where(Review.member_id == world.m1.id)).one()
    assert stored.final_level is Level.EXCELLENT


@pytest.mark.parametrize(
    "year,form_type,code",
    [(2020, FormType.LEADER, "Mẫu 02-HD KĐ.ĐG 2019"), (2020, FormType.STAFF, "Mẫu 02-HD KĐ.ĐG 2019"),
     (2023, FormType.STAFF, "Mẫu 02A"), (2024, FormType.LEADER, "Mẫu 02B"), (2024, FormType.OUTSIDE, "Mẫu 02A"),
     (2025, FormType.LEADER, "Mẫu 2A"), (2025, FormType.STAFF, "Mẫu 2B"), (2026, FormType.OUTSIDE, "Mẫu 2C")],
)  # fmt: skip
def test_each_years_forms_carry_that_years_codes(year, form_type, code):
    assert form_code(rule_set_for_year(year), form_type) == code


COMMON_KEYS = ["political", "duties", "commitment", "shortcomings", "followup", "explanations", "measures"]
LEADER_KEYS = ["political", "duties", "leadership", "commitment", "shortcomings", "followup", "explanations",
               "measures"]  # fmt: skip


@pytest.mark.parametrize(
    "year,form_type,duties_title,keys",
    [(2020, FormType.LEADER, "2. Về thực hiện chức trách, nhiệm vụ được giao", COMMON_KEYS),  # HD 21: one form
     (2024, FormType.LEADER, "2. Về thực hiện chức trách, nhiệm vụ được giao", LEADER_KEYS),  # 02B: the unit apart
     (2024, FormType.OUTSIDE, "2. Về thực hiện chức trách, nhiệm vụ được giao", COMMON_KEYS),  # QĐ 124: 02A, no 2C
     (2025, FormType.OUTSIDE, "2. Về thực hiện nhiệm vụ được chi bộ phân công và nghĩa vụ công dân nơi cư trú",
      COMMON_KEYS)],
)  # fmt: skip
def test_each_years_forms_have_that_years_sections(year, form_type, duties_title, keys):
    sections = {s.key: s.title for s in sections_for(form_type, rule_set_for_year(year))}
    assert sections["duties"] == duties_title
    assert list(sections) == keys
    if "leadership" in keys:
        assert sections["leadership"].startswith("3. Về kết quả lãnh đạo, quản lý")


def test_the_member_and_the_secretary_are_warned_early_where_the_committee_would_refuse(world, auth, client):
    """A 75-point self-score rated excellent: the member is told on their form, the secretary on the
    proposal page, before the committee refuses it."""
    write_and_submit_as(client, auth, "member", score_general="25", score_tasks="50", self_level="excellent")
    warning = "75 điểm chỉ cho phép đến mức “Hoàn thành tốt nhiệm vụ”"
    page = client.get("/my-review/").get_data(as_text=True)
    assert warning in page and "cấp ủy sẽ không quyết định được mức này" in page
    auth.login("secretary")
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    assert warning in client.get(url).get_data(as_text=True)
    client.submit(url, data={"action": "propose", "p-level": "good", "p-comments": "Nhất trí mức tốt."})
    assert warning not in client.get(url).get_data(as_text=True)  # the proposal is what is judged now


def test_organizations_are_grouped_for_the_quota_by_kind(world, make, runner, tmp_path):
    """The province rates its upper committees and the grassroots organizations directly under it: one upper
    committee excellent beside one good is over its group's quota, however many good grassroots
    organizations the province also rates (mixed, 1 of 6 good would pass)."""
    direct = [make.org(OrgKind.GRASSROOTS, parent=world.province) for _ in range(5)]
    rows = [(world.upper, "excellent"), (world.upper2, "good"), *((org, "good") for org in direct)]
    path = write(tmp_path, "o.csv", "org_code,level\n" + "".join(f"{org.code},{level}\n" for org, level in rows))
    assert runner.invoke(args=["import-org-ratings", path, "--year", "2024"]).exit_code == 0
    checked = runner.invoke(args=["check", "--year", "2024"])
    assert checked.exit_code == 1
    assert (
        f"{world.province.code} quota: {world.province.name}, nhóm đảng bộ cấp trên cơ sở: 1 hoàn thành xuất sắc"
        in (checked.output)
    )
    assert "nhóm tổ chức cơ sở đảng" not in checked.output


def test_hd_21_does_not_classify_an_organization_founded_less_than_six_months_before(world, runner, tmp_path):
    """The founding date comes with the organizations' file; a level given to such an organization in an
    HD 21 year is a violation, and the same organization is rated as any other under QĐ 124."""
    row = f"{world.cell2.code},{world.grassroots.code},{world.cell2.name},cell,01/09/2021\n"
    orgs = "code,parent_code,name,kind,founded_on\n" + row
    assert runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", orgs)]).exit_code == 0
    assert world.cell2.founded_on == date(2021, 9, 1)
    ratings = write(tmp_path, "r.csv", f"org_code,level\n{world.cell2.code},good\n")
    assert runner.invoke(args=["import-org-ratings", ratings, "--year", "2021"]).exit_code == 0
    checked = runner.invoke(args=["check", "--year", "2021"])
    assert checked.exit_code == 1 and f"{world.cell2.code} not_classified: kết nạp (thành lập) ngày 01/09/2021" in (
        checked.output
    )
    assert runner.invoke(args=["import-org-ratings", ratings, "--year", "2023"]).exit_code == 0
    assert "not_classified" not in runner.invoke(args=["check", "--year", "2023"]).output


def test_a_leader_is_judged_with_the_unit_they_head(world, make, runner, tmp_path):
    """Trần Thị Bình (Mẫu 2A) heads the cell. Under QĐ 366 she is not rated above the cell; and when more than
    half of the organizations under the unit she heads are not completed, that condition is proved by the
    results, without a box to tick."""
    members = (
        f"code,full_name,org_code,leads\n{world.m2.code},{world.m2.full_name},{world.cell.code},{world.cell.code}\n"
    )
    assert runner.invoke(args=["import-members", write(tmp_path, "m.csv", members)]).exit_code == 0
    assert world.m2.leads == world.cell
    orgs = write(tmp_path, "o.csv", f"org_code,level\n{world.cell.code},completed\n")
    assert runner.invoke(args=["import-org-ratings", orgs, "--year", "2026"]).exit_code == 0
    assert import_ratings(runner, tmp_path, 2026, f"{world.m2.code},good,,,\n").exit_code == 0
    checked = runner.invoke(args=["check", "--year", "2026"])
    assert checked.exit_code == 1
    assert f"{world.m2.code} head: người đứng đầu {world.cell.name}" in checked.output
    assert import_ratings(runner, tmp_path, 2026, f"{world.m2.code},completed,,,\n").exit_code == 0
    assert f"{world.m2.code} head" not in runner.invoke(args=["check", "--year", "2026"]).output


def test_a_leader_whose_units_mostly_failed_carries_the_condition_from_the_results(world, make, runner, tmp_path):
    members = (
        f"code,full_name,org_code,leads\n{world.m2.code},{world.m2.full_name},{world.cell.code},{world.upper.code}\n"
    )
    assert runner.invoke(args=["import-members", write(tmp_path, "m.csv", members)]).exit_code == 0
    rows = f"{world.grassroots.code},not_completed\n{world.small.code},good\n"
    ratings = [org for org in (world.grassroots, world.small) if org.parent_id == world.upper.id]
    assert len(ratings) == 2, "the world's upper committee rates these two grassroots organizations"
    path = write(tmp_path, "o.csv", "org_code,level\n" + rows)
    assert runner.invoke(args=["import-org-ratings", path, "--year", "2026"]).exit_code == 0
    assert import_ratings(runner, tmp_path, 2026, f"{world.m2.code},completed,,,\n").exit_code == 0
    assert (
        "units_failed" not in runner.invoke(args=["check", "--year", "2026"]).output
    )  # one of two: not more than half
    rows = f"{world.grassroots.code},not_completed\n{world.small.code},not_completed\n"
    assert runner.invoke(args=["import-org-ratings", write(tmp_path, "o2.csv", "org_code,level\n" + rows),
                               "--year", "2026"]).exit_code == 0  # fmt: skip
    checked = runner.invoke(args=["check", "--year", "2026"])
    assert f"{world.m2.code} conditions: Cán bộ lãnh đạo: hơn 50% đơn vị phụ trách không hoàn thành nhiệm vụ" in (
        checked.output
    )


def test_last_years_shortcomings_are_carried_into_the_follow_up_item_by_item(world, make, auth, client):
    make.decided_last_year(world.m1, Level.GOOD, "- Có lúc chậm báo cáo.\n\n2) Ít tham gia sinh hoạt chuyên đề.")
    auth.login("member")
    page = client.get("/my-review/").get_data(as_text=True)
    assert "1. Có lúc chậm báo cáo. — đã khắc phục / đang khắc phục / chưa khắc phục" in page
    assert "2. Ít tham gia sinh hoạt chuyên đề. — đã khắc phục / đang khắc phục / chưa khắc phục" in page
    draft = page[page.index('name="followup"') :].split(">", 1)[1].split("</textarea>")[0]
    refused = write_and_submit(client, followup=html.unescape(draft).strip()).get_data(as_text=True)
    assert "còn 2 hạn chế năm trước chưa ghi" in refused
    answered = "1. Có lúc chậm báo cáo. — đã khắc phục\n2. Ít tham gia sinh hoạt chuyên đề. — đang khắc phục"
    write_and_submit(client, followup=answered)
    stored = db.session.scalars(db.select(Review).where(Review.member_id == world.m1.id, Review.period_id ==
                                                       world.period.id)).one()  # fmt: skip
    assert stored.state is ReviewState.SUBMITTED and stored.sections["followup"] == answered

"""The statistical table each level sends up: members and grassroots organizations by type, from the kept
tallies, equal to a count of the rows, with the form's identities, on the page, as CSV, XLSX, text and JSON."""

import csv
import io
import json
from collections import Counter

import openpyxl
import pytest

from evaluation.extensions import db
from evaluation.levels import QUALITY_LEVELS, Level
from evaluation.members.models import Member
from evaluation.org.models import OTHER_TYPE, Organization, OrgKind
from evaluation.org.operations import set_type
from evaluation.periods.models import PeriodState
from evaluation.periods.operations import period_for_year
from evaluation.reports.statistics import REASONS, statistics, table
from evaluation.reviews.models import Review, ReviewState
from evaluation.rules import not_completed_reason

G, NC = Level.GOOD, Level.NOT_COMPLETED


def decided(period, subject, level: Level, *, conditions=(), category: str = "") -> Review:
    if isinstance(subject, Member):
        review = Review(period=period, member=subject, form_type=subject.form_type)
    else:
        review = Review(period=period, organization=subject)
    review.state, review.final_level = ReviewState.DECIDED, level
    review.conditions, review.not_classified_category = list(conditions), category
    db.session.add(review)
    db.session.commit()
    return review


@pytest.fixture
def typed_year(world):
    """The world's grassroots organizations typed, a year of varied results, closed."""
    set_type(world.grassroots, "public_service")
    set_type(world.small, "ward")
    db.session.commit()
    decided(world.period, world.m1, G)
    decided(world.period, world.m2, NC, conditions=["discipline", "degeneration"])  # counted once: degeneration
    decided(world.period, world.m3, Level.NOT_CLASSIFIED, category="exempt")
    decided(world.period, world.m4, NC)  # no condition recorded: "other"
    decided(world.period, world.m5, Level.EXCELLENT)  # grassroots2: no type set, counted under "other"
    decided(world.period, world.grassroots, G)
    decided(world.period, world.small, Level.NOT_CLASSIFIED, category="new_member")  # newly founded
    decided(world.period, world.cell, Level.COMPLETED)
    world.period.state = PeriodState.CLOSED
    db.session.commit()
    return world


def test_each_member_and_organization_is_counted_under_its_type_and_reason(typed_year):
    stats = statistics(typed_year.province, typed_year.period)
    assert [c.key for c in stats.by_type] == ["ward", "public_service", OTHER_TYPE]  # the table's order
    public, ward, other = (next(c for c in stats.by_type if c.key == k) for k in ("public_service", "ward", OTHER_TYPE))
    assert (public.members.present, public.members.exempt, public.members.reviewed) == (3, 1, 2)
    assert public.members.not_completed_by_reason == Counter({"degeneration": 1})
    assert ward.members.not_completed_by_reason == Counter({"other": 1})
    assert other.members.levels[Level.EXCELLENT] == 1
    assert (public.grassroots.total, public.grassroots.rated, public.grassroots.levels[G]) == (1, 1, 1)
    assert (ward.grassroots.not_rated, ward.grassroots.newly_founded) == (1, 1)
    assert (public.cells.total, public.cells.levels[Level.COMPLETED]) == (1, 1)
    assert (public.party_committees.total, public.party_committees.levels[G]) == (1, 1)  # the school has cells
    assert (ward.cell_grassroots.total, ward.party_committees.total) == (1, 0)  # the chi bộ cơ sở has none


def test_the_forms_identities_hold_in_every_column(typed_year):
    stats = statistics(typed_year.province, typed_year.period)
    for column in (stats.total, *stats.by_type):
        members = column.members
        assert members.present == members.exempt + members.not_reviewed + members.reviewed
        assert members.reviewed == sum(members.levels[level] for level in QUALITY_LEVELS)
        assert members.levels[NC] == sum(members.not_completed_by_reason[r] for r in REASONS)
        for orgs in (column.grassroots, column.cells, column.party_committees, column.cell_grassroots):
            assert orgs.total == orgs.rated + orgs.not_rated and orgs.rated == sum(orgs.levels.values())
        assert column.grassroots.total == column.party_committees.total + column.cell_grassroots.total
        for level in QUALITY_LEVELS:
            assert column.grassroots.levels[level] == (
                column.party_committees.levels[level] + column.cell_grassroots.levels[level]
            )
    for row in table(stats):
        if row.values:  # the total column is the sum of the type columns, row by row
            assert row.values[0] == sum(row.values[1:]), row.label


def test_a_type_changed_after_the_results_moves_them_to_the_new_column(typed_year):
    set_type(typed_year.grassroots, "army")
    db.session.commit()
    stats = statistics(typed_year.province, typed_year.period)
    assert "public_service" not in [c.key for c in stats.by_type]
    army = next(c for c in stats.by_type if c.key == "army")
    assert (army.members.present, army.grassroots.total, army.cells.total) == (3, 1, 1)


def test_while_a_year_is_open_everyone_there_is_present_and_the_page_says_provisional(world, auth, client):
    decided(world.period, world.m1, G)
    stats = statistics(world.province, world.period)
    assert (stats.total.members.present, stats.total.members.reviewed, stats.total.members.not_reviewed) == (5, 1, 4)
    assert stats.total.grassroots.total == 3 and stats.total.grassroots.not_rated == 3
    assert (stats.total.party_committees.total, stats.total.cell_grassroots.total) == (2, 1)
    auth.login("leader")
    page = client.get(f"/orgs/{world.upper.id}/statistics?year=2025").get_data(as_text=True)
    assert "số liệu là tạm tính" in page and "Đảng viên có mặt tại thời điểm kiểm điểm" in page


def test_the_statistics_of_a_generated_province_equal_a_count_of_its_rows(app, runner):
    result = runner.invoke(args=["generate", "--members", "1500", "--seed", "3", "--year", "2024"])
    assert result.exit_code == 0, result.output
    province = db.session.scalars(db.select(Organization).where(Organization.parent_id.is_(None))).one()
    period = period_for_year(2024)
    stats = statistics(province, period)
    types = dict(db.session.execute(db.select(Organization.id, Organization.type_key)).all())
    kinds = dict(db.session.execute(db.select(Organization.id, Organization.kind)).all())
    parents = set(db.session.scalars(db.select(Organization.parent_id).where(Organization.kind == OrgKind.CELL)))
    members, grassroots = Counter(), Counter()
    for review in db.session.scalars(db.select(Review).where(Review.period_id == period.id)):
        column = types[review.organization_id] or OTHER_TYPE
        level = review.final_level
        if review.member_id is not None:
            members[(column, "present")] += 1
            members[(column, level.value)] += 1
            if level is NC:
                members[(column, not_completed_reason(review.conditions))] += 1
            if level is Level.NOT_CLASSIFIED and review.not_classified_category == "exempt":
                members[(column, "exempt")] += 1
        elif kinds[review.organization_id] is OrgKind.GRASSROOTS:
            grassroots[(column, level.value)] += 1
            grassroots[(column, "party" if review.organization_id in parents else "cell")] += 1
    assert len(stats.by_type) >= 2 and stats.total.members.present == 1500
    for column in stats.by_type:
        shown = column.members
        assert shown.present == members[(column.key, "present")]
        assert shown.exempt == members[(column.key, "exempt")]
        assert all(shown.levels[level] == members[(column.key, level.value)] for level in QUALITY_LEVELS)
        assert all(shown.not_completed_by_reason[r] == members[(column.key, r)] for r in REASONS)
        assert all(column.grassroots.levels[lv] == grassroots[(column.key, lv.value)] for lv in QUALITY_LEVELS)
        assert column.party_committees.total == grassroots[(column.key, "party")]
        assert column.cell_grassroots.total == grassroots[(column.key, "cell")]


def test_the_cli_prints_text_csv_json_and_writes_the_forms_xlsx(typed_year, runner, tmp_path):
    code = typed_year.province.code
    as_json = json.loads(runner.invoke(args=["stats", code, "--year", "2025", "--format", "json"]).output)
    assert as_json["org"] == code and as_json["year"] == 2025
    assert as_json["columns"] == ["ward", "public_service", "other"]
    assert as_json["members"]["total"]["present"] == 5
    assert as_json["members"]["by_type"]["public_service"]["not_completed_by_reason"]["degeneration"] == 1
    assert as_json["organizations"]["by_type"]["ward"] == {"total": 1, "rated": 0, "not_rated": 1, "newly_founded": 1,
                                                           "excellent": 0, "good": 0, "completed": 0,
                                                           "not_completed": 0}  # fmt: skip
    text = runner.invoke(args=["stats", code, "--year", "2025"]).output
    assert "Đảng viên có mặt tại thời điểm kiểm điểm" in text and "Phường" in text
    rows = list(
        csv.reader(io.StringIO(runner.invoke(args=["stats", code, "--year", "2025", "--format", "csv"]).output))
    )
    assert rows[0] == ["\ufeffSTT", "Chỉ tiêu", "Tổng số", "Phường", "Đơn vị sự nghiệp công lập", "Khác"]
    assert rows[2][:3] == ["1", "Đảng viên có mặt tại thời điểm kiểm điểm", "5"]
    path = tmp_path / "thong-ke.xlsx"
    result = runner.invoke(args=["stats", code, "--year", "2025", "--format", "xlsx", "--output", str(path)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path).active
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert "D6:F6" in {str(r) for r in sheet.merged_cells.ranges}  # "by type" over the type columns
    assert sheet.cell(6, 4).value == "Chia theo loại hình tổ chức cơ sở đảng" and sheet.cell(7, 4).value == "Phường"
    assert sheet.column_dimensions["B"].width > 40
    assert "THỐNG KÊ KẾT QUẢ" in sheet.cell(4, 1).value
    assert runner.invoke(args=["stats", code, "--year", "2025", "--format", "xlsx"]).exit_code == 1  # no --output
    assert runner.invoke(args=["stats", "NOPE", "--year", "2025"]).exit_code == 1


def test_the_page_and_its_exports_show_the_same_table(typed_year, auth, client):
    auth.login("leader")
    page = client.get(f"/orgs/{typed_year.upper.id}/statistics?year=2025").get_data(as_text=True)
    assert "Chia theo loại hình tổ chức cơ sở đảng" in page and "Đơn vị sự nghiệp công lập" in page
    assert "tạm tính" not in page
    body = client.get(f"/orgs/{typed_year.upper.id}/statistics.csv?year=2025").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[2][2] == "4"  # the upper committee's subtree: m1–m4
    with client.get(f"/orgs/{typed_year.upper.id}/statistics.xlsx?year=2025") as workbook:
        assert workbook.status_code == 200 and workbook.get_data()[:2] == b"PK"
    assert client.get(f"/orgs/{typed_year.upper.id}/statistics?year=1999").status_code == 404


def test_the_administrator_finds_a_grassroots_organization_and_sets_its_type_in_the_history(world, auth, client):
    decided(world.period, world.m1, G)
    auth.login("admin")
    page = client.get("/admin/organizations?q=truong mot").get_data(as_text=True)  # accents and case ignored
    assert world.grassroots.name in page and world.cell.name not in page  # only grassroots organizations
    assert world.grassroots.code in client.get(f"/admin/organizations?q={world.grassroots.code.lower()}").get_data(
        as_text=True
    )
    url = f"/admin/organizations/{world.grassroots.id}/type"
    answer = client.post(url, data={"type": "police", "q": "truong"}, follow_redirects=True).get_data(as_text=True)
    assert "Đã đặt loại hình" in answer
    assert (world.grassroots.type_key, world.cell.type_key) == ("police", "police")
    police = next(c for c in statistics(world.province, world.period).by_type if c.key == "police")
    assert police.members.reviewed == 1
    history = client.get("/admin/history").get_data(as_text=True)
    assert "Đặt loại hình tổ chức cơ sở đảng" in history and "Công an" in history
    refused = client.post(url, data={"type": "galaxy"}, follow_redirects=True).get_data(as_text=True)
    assert "Không có loại hình galaxy" in refused and world.grassroots.type_key == "police"
    cell_url = f"/admin/organizations/{world.cell.id}/type"
    assert "Chỉ tổ chức cơ sở đảng có loại hình" in client.post(
        cell_url, data={"type": "army"}, follow_redirects=True
    ).get_data(as_text=True)

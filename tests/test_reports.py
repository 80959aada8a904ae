"""Rollups, reports, exports and past years' imports, against the database."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.members.models import Member
from evaluation.members.operations import move_member
from evaluation.org.models import OrgKind
from evaluation.periods.models import Period, PeriodState
from evaluation.periods.operations import close_period
from evaluation.reports import aggregation
from evaluation.reports.aggregation import history, member_results, rollup
from evaluation.reports.models import Target
from evaluation.reviews.models import QuotaException, Review, ReviewEvent, ReviewState
from tests.conftest import assert_rejected, write

E, G, C, N, X = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED, Level.NOT_CLASSIFIED


def decided(period, member, level: Level) -> Review:
    review = Review(period=period, member=member, form_type=member.form_type, state=ReviewState.DECIDED)
    review.final_level = level
    db.session.add(review)
    db.session.commit()
    return review


def rated(period, org, level: Level) -> Review:
    review = Review(period=period, organization=org, state=ReviewState.DECIDED, final_level=level)
    db.session.add(review)
    db.session.commit()
    return review


def download(client, url: str) -> bytes:
    """The body of a file response, closed as a WSGI server closes it (the XLSX is a temporary file)."""
    with client.get(url) as response:
        assert response.status_code == 200, response.status_code
        return response.get_data()


def by_code(result):
    return {child.org.code: child for child in result.children}


def test_rollup_counts_each_child_subtree_and_the_total(world, make):
    decided(world.period, world.m1, E)
    decided(world.period, world.m2, G)
    decided(world.period, world.m4, X)
    decided(world.period, world.m5, C)  # m3 has not started
    result = rollup(world.province, 2025)
    children = by_code(result)
    upper = children[world.upper.code].members
    assert (upper[E], upper[G], upper.not_classified, upper.pending, upper.classified) == (1, 1, 1, 1, 2)
    assert children[world.upper2.code].members[C] == 1
    total = result.total.members
    assert (total.classified, total.good_or_better, total.not_classified, total.pending, total.total) == (3, 2, 1, 1, 5)
    assert total.percent(E) == Decimal("33.33") and total.percent("good_or_better") == Decimal("66.67")
    assert result.total.progress["decided"] == 4 and result.total.progress["not_started"] == 1


def test_drill_down_reaches_the_cells_and_a_chi_bo_co_so_counts_its_own_members(world):
    decided(world.period, world.m1, E)
    decided(world.period, world.m4, G)
    cells = by_code(rollup(world.grassroots, 2025))
    assert set(cells) == {world.cell.code, world.cell2.code}
    assert cells[world.cell.code].members[E] == 1 and cells[world.cell2.code].members.pending == 1
    small = rollup(world.small, 2025)
    assert small.children == [] and small.total.members[G] == 1


def test_a_closed_year_keeps_its_counts_when_a_member_moves_and_an_open_year_follows_them(world, make):
    past = make.period(2024, opened=False)
    decided(past, world.m3, G)
    close_period_directly(past)
    decided(world.period, world.m3, E)
    move_member(world.m3, world.cell3, None, "Chuyển công tác")
    db.session.commit()
    assert by_code(rollup(world.grassroots, 2024))[world.cell2.code].members[G] == 1
    assert rollup(world.grassroots2, 2024).total.members.total == 0
    assert rollup(world.grassroots2, 2025).total.members[E] == 1
    assert by_code(rollup(world.grassroots, 2025))[world.cell2.code].members.total == 0


def close_period_directly(period):
    period.state = PeriodState.CLOSED
    db.session.commit()


def test_members_who_never_started_count_only_while_the_period_is_not_closed(world):
    decided(world.period, world.m1, G)
    assert rollup(world.province, 2025).total.members.pending == 4
    close_period(world.period, note="Còn 4 đảng viên chưa kiểm điểm")
    db.session.commit()
    assert rollup(world.province, 2025).total.members.total == 1


def test_organizations_are_counted_by_kind_below_the_root_with_each_childs_own_rating(world, make):
    past = make.period(2024, opened=False)
    for org, level in ((world.grassroots, E), (world.small, G), (world.grassroots2, C), (world.upper, G)):
        rated(past, org, level)
    rated(past, world.cell, G)
    result = rollup(world.province, 2024)
    grassroots = result.below(OrgKind.GRASSROOTS)
    assert (grassroots[E], grassroots[G], grassroots[C], grassroots.classified) == (1, 1, 1, 3)
    assert by_code(result)[world.upper.code].own_level is G
    assert by_code(result)[world.upper2.code].own_level is None
    assert result.kinds_below() == [OrgKind.UPPER, OrgKind.GRASSROOTS, OrgKind.CELL]
    assert rollup(world.grassroots, 2024).total.own_level is E


def test_the_reasons_for_going_over_the_quota_are_the_subtrees_latest_of_the_year(world, make):
    past = make.period(2024, opened=False)

    def decide(org, reason, period=world.period, for_members=True):
        db.session.add(QuotaException(period_id=period.id, organization=org, for_members=for_members, reason=reason))

    decide(world.grassroots, "Dẫn đầu thi đua")
    decide(world.grassroots, "", for_members=False)
    decide(world.grassroots2, "Lý do cũ")
    decide(world.grassroots2, "")  # withdrawn: the latest is in force
    decide(world.upper2, "Năm trước", period=past)
    db.session.commit()

    def reasons(root):
        return [(e.org_name, e.reason) for e in rollup(root, 2025).quota_exceptions]

    assert reasons(world.province) == [(world.grassroots.name, "Dẫn đầu thi đua")]
    assert reasons(world.upper) == [(world.grassroots.name, "Dẫn đầu thi đua")]
    assert reasons(world.upper2) == []


def test_an_empty_organization_and_a_year_without_results(world, make):
    empty = make.org(OrgKind.GRASSROOTS, world.upper2, "Chi bộ mới thành lập")
    result = rollup(empty, 2025)
    assert result.total.members.total == 0 and result.children == []
    assert rollup(world.province, 2019).period is None


def test_history_gives_each_year_and_the_change_in_points(world, make):
    for year, levels in ((2023, (G, C, C, C, C)), (2024, (G, G, C, C, C))):
        period = make.period(year, opened=False)
        for member, level in zip((world.m1, world.m2, world.m3, world.m4, world.m5), levels, strict=True):
            decided(period, member, level)
    years = history(world.province, 2025)
    assert [y.year for y in years] == [2023, 2024]
    assert years[1].members.percent("good_or_better") == Decimal("40.00")
    assert years[1].changes["members.good_or_better"] == Decimal("20.00")


# ---- past years from spreadsheets -------------------------------------------------------------

RATINGS = """member_code,level
{m1},HTXSNV
{m2},Hoàn thành tốt nhiệm vụ
{m3},hoan thanh nhiem vu
{m4},KHÔNG XẾP LOẠI
{m5},not_completed
"""


def test_member_ratings_import_creates_a_closed_year_marked_as_imported(world, runner, tmp_path):
    text = RATINGS.format(**{f"m{i}": getattr(world, f"m{i}").code for i in range(1, 6)})
    path = write(tmp_path, "2023.csv", "\ufeff" + text)
    result = runner.invoke(args=["import-member-ratings", path, "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert "5 mới" in result.output
    period = db.session.scalars(db.select(Period).where(Period.year == 2023)).one()
    assert period.state is PeriodState.CLOSED
    members = rollup(world.province, 2023).total.members
    assert (members[E], members[G], members[C], members[N], members.not_classified) == (1, 1, 1, 1, 1)
    actions = set(db.session.scalars(db.select(ReviewEvent.action)))
    assert actions == {"import"}
    again = runner.invoke(args=["import-member-ratings", path, "--year", "2023"])
    assert "5 không đổi" in again.output


def test_a_bad_ratings_file_lands_nothing_and_names_each_row(world, runner, tmp_path):
    bad = (
        f"member_code,level\n{world.m1.code},Tốt lắm\nKHONG-CO,good\n{world.m2.code},good\n{world.m2.code},excellent\n"
    )
    expected = ["dòng 2: mức xếp loại không hợp lệ", "dòng 3: không có mã 'KHONG-CO'", "dòng 5: mã", "trùng với dòng 4"]
    path = write(tmp_path, "bad.csv", bad)
    assert_rejected(runner, ["import-member-ratings", path, "--year", "2022"], expected, Review)


def test_results_of_an_open_year_are_decided_here_not_imported(world, runner, tmp_path):
    path = write(tmp_path, "open.csv", f"member_code,level\n{world.m1.code},good\n")
    result = runner.invoke(args=["import-member-ratings", path, "--year", "2025"])
    assert result.exit_code == 1 and "chưa đóng" in result.output
    assert db.session.scalars(db.select(Review)).first() is None


def test_imported_results_over_the_quota_are_kept_with_a_warning(world, make, runner, tmp_path):
    extra = [make.member(world.cell2, f"Đảng viên {i}") for i in range(4)]
    rows = [(world.m1, "excellent"), (world.m2, "excellent"), (world.m3, "good")] + [(m, "good") for m in extra]
    path = write(tmp_path, "q.csv", "member_code,level\n" + "".join(f"{m.code},{lvl}\n" for m, lvl in rows))
    result = runner.invoke(args=["import-member-ratings", path, "--year", "2021"])
    assert result.exit_code == 0, result.output
    expected = "Lưu ý: {}: Đảng bộ Trường Một: 2 hoàn thành xuất sắc, vượt 20% của 5 hoàn thành tốt (tối đa 1)"
    assert expected.format(world.grassroots.code) in result.output
    assert rollup(world.grassroots, 2021).total.members[E] == 2


def test_org_ratings_import_accepts_old_names(world, runner, tmp_path):
    text = (
        f"org_code,level\n{world.grassroots.code},Trong sạch vững mạnh tiêu biểu\n{world.small.code},Yếu kém\n"
        f'{world.grassroots2.code},"trong sach, vung manh"\n'
    )
    result = runner.invoke(args=["import-org-ratings", write(tmp_path, "o.csv", text), "--year", "2017"])
    assert result.exit_code == 0, result.output
    grassroots = rollup(world.province, 2017).below(OrgKind.GRASSROOTS)
    assert (grassroots[E], grassroots[G], grassroots[N]) == (1, 1, 1)


def test_published_results_imported_come_back_to_the_digit(app, make, runner, tmp_path):
    """Hải Dương 2021: 619 of 674 grassroots organizations good or better, 135 excellent, 55 completed."""
    province = make.org(OrgKind.PROVINCE, name="Đảng bộ tỉnh Hải Dương", code="HD")
    orgs = "code,parent_code,name,kind\n" + "".join(f"HD{i:03d},HD,Tổ chức {i},grassroots\n" for i in range(674))
    assert runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", orgs)]).exit_code == 0
    levels = ["excellent"] * 135 + ["good"] * 484 + ["completed"] * 55
    ratings = "org_code,level\n" + "".join(f"HD{i:03d},{level}\n" for i, level in enumerate(levels))
    result = runner.invoke(args=["import-org-ratings", write(tmp_path, "r.csv", ratings), "--year", "2021"])
    assert result.exit_code == 0, result.output
    text = runner.invoke(args=["report", province.code, "--year", "2021"]).output
    assert (
        "619 trong tổng số 674 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên (chiếm 91,84%), trong đó 135 tổ "
        "chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ (chiếm 20,03%), 484 tổ chức cơ sở đảng hoàn thành tốt nhiệm "
        "vụ (chiếm 71,81%); 55 tổ chức cơ sở đảng hoàn thành nhiệm vụ (chiếm 8,16%); không có tổ chức cơ sở đảng "
        "không hoàn thành nhiệm vụ." in text
    )
    data = json.loads(runner.invoke(args=["report", "HD", "--year", "2021", "--format", "json"]).output)
    grassroots = data["grassroots"]
    assert (grassroots["classified"], grassroots["good_or_better"], grassroots["excellent"]) == (674, 619, 135)
    assert grassroots["pct"] == {
        "excellent": 20.03,
        "good": 71.81,
        "completed": 8.16,
        "not_completed": 0.0,
        "good_or_better": 91.84,
    }


# ---- the CLI report and the JSON contract ----------------------------------------------------

CONTRACT_KEYS = {"excellent", "good", "completed", "not_completed", "not_classified", "classified", "good_or_better"}


def test_json_contract_is_the_same_from_the_cli_and_the_web(world, auth, client, runner):
    decided(world.period, world.m1, E)
    decided(world.period, world.m5, G)
    cli = json.loads(runner.invoke(args=["report", world.province.code, "--year", "2025", "--format", "json"]).output)
    auth.login("admin")
    web = client.get(f"/orgs/{world.province.id}/report.json?year=2025").get_json()
    assert cli == web
    assert set(web) == {"org", "year", "members", "grassroots", "children"}
    assert set(web["members"]) == CONTRACT_KEYS | {"pct", "not_classified_by_reason"}
    assert web["members"]["not_classified_by_reason"] == {"exempt": 0, "suspended": 0, "new_member": 0, "other": 0}
    assert set(web["members"]["pct"]) == {"excellent", "good", "completed", "not_completed", "good_or_better"}
    assert web["members"]["pct"]["excellent"] == 50.0
    assert [c["org"] for c in web["children"]] == [world.upper.code, world.upper2.code]
    assert set(web["children"][0]) == {"org", "name", "members", "grassroots"}


def test_cli_report_in_text_and_csv_and_its_errors(world, runner):
    for member, level in ((world.m1, E), (world.m2, G), (world.m3, C)):
        decided(world.period, member, level)
    text = runner.invoke(args=["report", world.upper.code, "--year", "2025"]).output
    assert text.startswith("Kết quả đánh giá, xếp loại chất lượng năm 2025 của Đảng ủy phường Một (số liệu tạm tính")
    assert "1 trong tổng số 3 đảng viên được đánh giá, xếp loại hoàn thành xuất sắc nhiệm vụ (chiếm 33,33%)" in text
    one_decimal = runner.invoke(args=["report", world.upper.code, "--year", "2025", "--decimals", "1"]).output
    assert "(chiếm 33,3%)" in one_decimal
    rows = list(
        csv.reader(
            io.StringIO(
                runner.invoke(args=["report", world.upper.code, "--year", "2025", "--format", "csv"]).output.lstrip(
                    "\ufeff"
                )
            )
        )
    )
    assert rows[0][:3] == ["Mã tổ chức", "Tổ chức đảng", "Tổng số đảng viên"]
    assert rows[-1][1] == "Tổng cộng: Đảng ủy phường Một"
    missing = runner.invoke(args=["report", "KHONG-CO", "--year", "2025"])
    assert missing.exit_code == 1 and "không có tổ chức" in missing.output
    assert runner.invoke(args=["report", world.upper.code, "--year", "2010"]).exit_code == 1


# ---- the page --------------------------------------------------------------------------------


def test_leader_reads_the_report_drills_down_and_sees_a_cells_members(world, auth, client):
    decided(world.period, world.m1, E)
    decided(world.period, world.m2, G)
    auth.login("leader")
    page = client.get(f"/orgs/{world.upper.id}?year=2025").get_data(as_text=True)
    assert "1 trong tổng số 2 đảng viên được đánh giá, xếp loại hoàn thành xuất sắc nhiệm vụ (chiếm 50%)" in page
    assert f"/orgs/{world.grassroots.id}?year=2025" in page and 'data-copy="report-text"' in page
    assert "<svg" in page and "Tiến độ kiểm điểm" in page
    cell = client.get(f"/orgs/{world.cell.id}?year=2025").get_data(as_text=True)
    assert "Nguyễn Văn An" in cell and "HTXSNV" in cell and "Lê Văn Cường" not in cell
    assert "(chiếm 50%)" in client.get(f"/orgs/{world.upper.id}?year=2025&decimals=1").get_data(as_text=True)


def test_the_page_says_when_a_year_has_no_results(world, auth, client):
    auth.login("leader")
    assert "Chưa có kết quả đánh giá, xếp loại năm 2019" in client.get(f"/orgs/{world.upper.id}?year=2019").get_data(
        as_text=True
    )
    assert client.get(f"/orgs/{world.upper.id}/report.json?year=2019").status_code == 404


def test_year_over_year_table_and_trend_on_the_page(world, make, auth, client):
    for year, level in ((2023, C), (2024, G)):
        decided(make.period(year, opened=False), world.m1, level)
    auth.login("leader")
    page = client.get(f"/orgs/{world.upper.id}?year=2024").get_data(as_text=True)
    assert "So sánh qua các năm" in page and "+100,00" in page and "polyline" in page


# ---- targets ---------------------------------------------------------------------------------


def test_committee_sets_a_target_with_a_vietnamese_decimal_and_children_are_judged(world, auth, client):
    decided(world.period, world.m1, G)
    decided(world.period, world.m3, C)
    auth.login("leader")
    response = client.post(f"/orgs/{world.upper.id}/targets/2025", data={"subject": "members", "min_percent": "78,3"})
    assert response.status_code == 302
    target = db.session.scalars(db.select(Target)).one()
    assert target.min_percent == Decimal("78.30") and target.organization_id == world.upper.id
    page = client.get(f"/orgs/{world.grassroots.id}?year=2025").get_data(as_text=True)
    assert "Từ 78,3% đảng viên trở lên hoàn thành tốt nhiệm vụ" in page  # inherited from the upper committee
    assert "Đạt" in page and "Chưa đạt" in page  # Chi bộ Giáo viên 100%, Chi bộ Hành chính 0%
    client.post(f"/orgs/{world.upper.id}/targets/2025", data={"subject": "members", "min_percent": ""})
    assert db.session.scalars(db.select(Target)).first() is None


def test_a_wrong_target_is_explained_and_keeps_what_was_typed(world, auth, client):
    auth.login("leader")
    page = client.post(f"/orgs/{world.upper.id}/targets/2025", data={"subject": "members", "min_percent": "tám lăm"})
    html = page.get_data(as_text=True)
    assert "Hãy nhập một số" in html and 'value="tám lăm"' in html
    over = client.post(f"/orgs/{world.upper.id}/targets/2025", data={"subject": "members", "min_percent": "120"})
    assert "từ 0 đến 100%" in over.get_data(as_text=True)
    assert db.session.scalars(db.select(Target)).first() is None


def test_a_secretary_may_read_their_cell_but_not_set_targets(world, auth, client):
    auth.login("secretary")
    assert client.get(f"/orgs/{world.cell.id}").status_code == 200
    assert (
        client.post(f"/orgs/{world.cell.id}/targets/2025", data={"subject": "members", "min_percent": "90"}).status_code
        == 403
    )


# ---- exports ---------------------------------------------------------------------------------


def test_member_csv_export_is_excel_ready_and_limited_to_the_subtree(world, auth, client):
    decided(world.period, world.m1, E)
    auth.login("leader")
    response = client.get(f"/orgs/{world.upper.id}/export/members.csv?year=2025")
    assert response.is_streamed and response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Mã đảng viên", "Họ và tên", "Mã chi bộ", "Chi bộ", "Trạng thái", "Tự xếp loại", "Chi bộ đề xuất", "Xếp loại",
        "Lý do không xếp loại", "Xếp loại lại (Mẫu 03)",
    ]  # fmt: skip
    names = {row[1] for row in rows[1:]}
    assert names == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"}  # not Hoàng Văn Em
    assert ["Hoàn thành xuất sắc nhiệm vụ"] == [row[7] for row in rows[1:] if row[1] == "Nguyễn Văn An"]
    auth.login("leader2")
    assert client.get(f"/orgs/{world.upper.id}/export/members.csv?year=2025").status_code == 403


def test_rollup_xlsx_export_opens_with_vietnamese_text_and_numbers(world, auth, client):
    decided(world.period, world.m1, E)
    decided(world.period, world.m3, G)
    auth.login("committee")
    with client.get(f"/orgs/{world.grassroots.id}/export/rollup.xlsx?year=2025") as response:
        assert response.headers["Content-Disposition"].endswith(f"ket-qua-{world.grassroots.code}-2025.xlsx")
        data = response.get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Mã tổ chức", "Tổ chức đảng")
    assert [r[1] for r in rows[1:]] == ["Chi bộ Giáo viên", "Chi bộ Hành chính", "Tổng cộng: Đảng bộ Trường Một"]
    total = rows[-1]
    assert total[2:6] == (3, 2, 1, 50.0)  # members, classified, excellent count and share
    assert sheet.freeze_panes == "A2"  # the header stays in view
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    assert widths["B"] == 40 and all(width >= 12 for width in widths.values())  # names are readable


def test_exported_text_that_looks_like_a_formula_is_neutralized(world, make, auth, client):
    make.member(world.cell, "=cmd|' /C calc'!A0")
    auth.login("committee")
    body = download(client, f"/orgs/{world.grassroots.id}/export/members.csv").decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in body
    xlsx = download(client, f"/orgs/{world.grassroots.id}/export/members.xlsx")
    values = [c for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True) for c in row]
    assert "'=cmd|' /C calc'!A0" in values


@pytest.mark.parametrize("path", ["export/members.pdf", "export/people.csv"])
def test_unknown_exports_are_not_found(world, auth, client, path):
    auth.login("admin")
    assert client.get(f"/orgs/{world.province.id}/{path}").status_code == 404


def test_the_member_export_of_a_closed_year_lists_whom_that_year_counted(world, make, auth, client):
    past = make.period(2024, opened=False)
    decided(past, world.m3, G)
    close_period_directly(past)
    move_member(world.m3, world.cell3, None, "Chuyển công tác")
    db.session.commit()
    auth.login("leader")
    body = client.get(f"/orgs/{world.upper.id}/export/members.csv?year=2024").get_data().decode("utf-8-sig")
    assert "Lê Văn Cường" in body and "Chi bộ Hành chính" in body


def test_an_export_acknowledges_the_pages_download_token_and_nothing_else(world, auth, client):
    auth.login("leader")
    url = f"/orgs/{world.grassroots.id}/export/members.csv?year=2025"
    started = client.get(url + "&download=k3x9a0b2c7")
    assert "download=k3x9a0b2c7" in started.headers["Set-Cookie"]
    for forged in ("x", "k3x9a0b2c7;%20HttpOnly", "<script>"):
        assert "Set-Cookie" not in client.get(url + f"&download={forged}").headers


def test_the_report_compares_with_the_year_before_and_says_provisional_while_the_year_is_open(world, runner, tmp_path):
    ratings = "member_code,level\n" + "".join(
        f"{m.code},{level}\n" for m, level in ((world.m1, "good"), (world.m2, "completed"), (world.m3, "completed"))
    )
    assert (
        runner.invoke(args=["import-member-ratings", write(tmp_path, "r.csv", ratings), "--year", "2024"]).exit_code
        == 0
    )
    for member, level in ((world.m1, E), (world.m2, G), (world.m3, C)):  # 2025: 2 of 3 good or better, was 1 of 3
        decided(world.period, member, level)
    text = runner.invoke(args=["report", world.upper.code, "--year", "2025"]).output
    assert "(số liệu tạm tính, kỳ đánh giá chưa kết thúc: còn 1 đảng viên chưa được đánh giá, xếp loại):" in text
    assert "Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên tăng 33,34% so với năm 2024 (tạm tính)." in text
    world.period.state = PeriodState.CLOSED
    db.session.commit()
    text = runner.invoke(args=["report", world.upper.code, "--year", "2025"]).output
    assert "tạm tính" not in text and "tăng 33,34% so với năm 2024." in text
    before = runner.invoke(args=["report", world.upper.code, "--year", "2024"]).output
    assert "so với năm" not in before  # nothing earlier to compare with


def test_the_report_says_whether_each_target_is_met_exceeded_or_missed_and_provisional_while_open(world, auth, client):
    for member, level in ((world.m1, E), (world.m2, G), (world.m3, C), (world.m4, G)):  # 3 of 4: 75%
        decided(world.period, member, level)
    auth.login("leader")
    url = f"/orgs/{world.upper.id}/targets/2025"
    client.post(url, data={"subject": "members", "comparison": "at_least", "min_percent": "75"})
    page = client.get(f"/orgs/{world.upper.id}?year=2025").get_data(as_text=True)
    assert "Chỉ tiêu từ 75% đảng viên trở lên hoàn thành tốt nhiệm vụ: kết quả 75%, đạt chỉ tiêu (tạm tính)." in page
    assert "Từ 75% đảng viên trở lên hoàn thành tốt nhiệm vụ" in page
    client.post(url, data={"subject": "members", "comparison": "above", "min_percent": "75"})
    page = client.get(f"/orgs/{world.upper.id}?year=2025").get_data(as_text=True)
    assert "Chỉ tiêu trên 75% đảng viên hoàn thành tốt nhiệm vụ trở lên: kết quả 75%, chưa đạt chỉ tiêu" in page
    client.post(url, data={"subject": "members", "comparison": "at_least", "min_percent": "70"})
    world.period.state = PeriodState.CLOSED
    db.session.commit()
    page = client.get(f"/orgs/{world.upper.id}?year=2025").get_data(as_text=True)
    assert "kết quả 75%, vượt chỉ tiêu." in page and "tạm tính" not in page
    assert "(tạm tính: còn" not in page  # nobody left to rate: the verdicts are final


def test_a_verdict_on_a_target_is_provisional_while_some_are_still_to_be_rated(world, auth, client):
    decided(world.period, world.m1, G)  # 1 of 3 members of the đảng bộ rated
    auth.login("leader")
    client.post(f"/orgs/{world.upper.id}/targets/2025", data={"subject": "members", "min_percent": "85"})
    page = client.get(f"/orgs/{world.upper.id}?year=2025").get_data(as_text=True)
    assert "(tạm tính: còn 2 chưa xếp loại)" in page


def test_members_and_organizations_excellent_n_years_in_a_row_are_listed_and_exported(world, auth, client, runner,
                                                                                         tmp_path):  # fmt: skip
    def archive(year, members, orgs):
        rows = "member_code,level\n" + "".join(f"{m.code},{level}\n" for m, level in members)
        assert runner.invoke(args=["import-member-ratings", write(tmp_path, "m.csv", rows), "--year", str(year)]
                             ).exit_code == 0  # fmt: skip
        rows = "org_code,level\n" + "".join(f"{o.code},{level}\n" for o, level in orgs)
        assert runner.invoke(args=["import-org-ratings", write(tmp_path, "o.csv", rows), "--year", str(year)]
                             ).exit_code == 0  # fmt: skip

    archive(2023, [(world.m1, "excellent"), (world.m2, "excellent"), (world.m3, "excellent")],
            [(world.cell, "excellent"), (world.cell2, "excellent")])  # fmt: skip
    archive(2024, [(world.m1, "excellent"), (world.m2, "good"), (world.m3, "excellent")],
            [(world.cell, "excellent"), (world.cell2, "good")])  # fmt: skip
    for member in (world.m1, world.m2, world.m3):
        decided(world.period, member, E)
    db.session.add(Review(period=world.period, organization=world.cell, state=ReviewState.DECIDED, final_level=E))
    db.session.commit()
    auth.login("leader")
    page = client.get(f"/orgs/{world.upper.id}/streaks?year=2025&years=3").get_data(as_text=True)
    assert "Hoàn thành xuất sắc nhiệm vụ 3 năm liền (2023–2025)" in page and "danh sách tạm tính" in page
    assert world.m1.full_name in page and world.m3.full_name in page and world.m2.full_name not in page
    assert "Đảng viên (2)" in page and "Tổ chức đảng (1)" in page and world.cell.name in page
    two = client.get(f"/orgs/{world.upper.id}/streaks?year=2025&years=2").get_data(as_text=True)
    assert "Đảng viên (2)" in two  # m2 broke the run in 2024
    body = client.get(f"/orgs/{world.upper.id}/streaks.csv?year=2025&years=3").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Loại", "Mã", "Họ và tên / Tên tổ chức", "Đơn vị năm 2025"]
    assert sorted(r[2] for r in rows[1:]) == sorted([world.m1.full_name, world.m3.full_name, world.cell.name])
    assert "Đảng viên (0)" in client.get(f"/orgs/{world.upper.id}/streaks?year=2025&years=4").get_data(as_text=True)


def test_a_long_list_streams_a_slice_of_organizations_at_a_time_in_the_one_query_order(world, make, monkeypatch):
    """The export's rows come organization by organization (so the first comes at once at any size), in the
    order one query over the whole subtree gives: by organization, then the Vietnamese name order."""
    names = ["Đảng viên Ánh", "Đảng viên Ân", "Đảng viên Anh", "Đảng viên Bình", "Đảng viên Á Châu"]
    for i, org in enumerate([world.cell, world.cell2, world.small, world.cell3, world.cell, world.cell2] * 2):
        make.member(org, names[i % len(names)])  # namesakes in one cell too: they come by code
    whole = [(r.org_code, r.code) for r in member_results(world.province, world.period, search="Đảng viên")]
    monkeypatch.setattr(aggregation, "ORGS_PER_QUERY", 1)
    sliced = [(r.org_code, r.code) for r in member_results(world.province, world.period)]
    assert [row for row in sliced if row in whole] == whole and len(whole) == 12
    assert len({org for org, _ in whole}) == 4


@pytest.mark.parametrize("script_root", ["", "/danh-gia"])
def test_each_childs_row_links_to_the_address_flask_builds_for_it(app, script_root):
    """The rollup writes its children's addresses after the first one it builds (building each cost more than
    its row): they are the addresses Flask builds, behind a proxy's prefix too."""
    from flask import url_for

    from evaluation.views.orgs import _pages_of

    with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
        built = {org_id: url_for("orgs.show", org_id=org_id, year=2024, decimals=1) for org_id in (7, 1234, 90)}
        assert _pages_of([7, 1234, 90], 2024, 1) == built
        assert built[7].startswith(f"{script_root}/orgs/7?")


def test_an_open_years_list_holds_each_member_once_started_or_not_and_a_closed_ones_whom_it_counted(world):
    draft = Review(period=world.period, member=world.m1, form_type=world.m1.form_type, state=ReviewState.DRAFT)
    db.session.add(draft)
    decided(world.period, world.m2, G)
    decided(world.period, world.m5, E)
    move_member(world.m2, world.cell3, None, "Chuyển công tác")  # the review of the year goes along
    db.session.commit()
    members = db.session.scalars(db.select(Member)).all()
    states = {world.m1.code: ReviewState.DRAFT, world.m2.code: ReviewState.DECIDED, world.m5.code: ReviewState.DECIDED}
    roots = (world.province, world.upper, world.grassroots, world.cell, world.cell3, world.small)
    for root in roots:
        listed = [(row.code, row.org_code, row.state) for row in member_results(root, world.period)]
        under = [m for m in members if root.contains(m.organization)]
        assert sorted(listed) == sorted((m.code, m.organization.code, states.get(m.code)) for m in under), root.code
    close_period(world.period, note="Còn đảng viên chưa kiểm điểm")
    db.session.commit()
    listed = sorted((row.code, row.org_code) for row in member_results(world.province, world.period))
    assert listed == sorted([(world.m1.code, world.cell.code), (world.m2.code, world.cell3.code),
                             (world.m5.code, world.cell3.code)])  # fmt: skip

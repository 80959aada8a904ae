"""The quarterly evaluation of leaders and managers: a framework kept as data, the quarter from registration
to decision through the workflow table, the quarters feeding the year, the rollups, and the CLI contract."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from evaluation import framework as frameworks
from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.notices.models import Notice
from evaluation.periods.models import PeriodEvent, PeriodState
from evaluation.reports.aggregation import quarter_rollup
from evaluation.reviews import quarterly, tallies
from evaluation.reviews.models import ReviewState
from evaluation.reviews.quarter_models import QuarterEvent, QuarterReview, QuarterRound
from evaluation.reviews.workflow import Action, Capacity, apply
from tests.conftest import write
from tests.test_checks import review

DEFAULT = frameworks.FRAMEWORKS / "default.toml"


# ---- The framework file ----------------------------------------------------------------------------


def a_framework(tmp_path: Path, change=lambda text: text, name: str = "province.toml") -> Path:
    path = tmp_path / name
    path.write_text(change(DEFAULT.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_the_default_framework_follows_the_pattern_part_a_30_part_b_70_in_six_areas():
    framework = frameworks.get("default")
    assert (framework.general_points, framework.tasks_points) == (30, 70)
    assert sum(c.points for c in framework.criteria) == 30 and sum(a.weight for a in framework.areas) == 70
    assert len(framework.areas) == 6 and framework.forms == {"2A"}
    assert framework.band(90) is Level.EXCELLENT and framework.band(Decimal("89.9")) is Level.GOOD
    assert framework.band(50) is Level.COMPLETED and framework.band(49) is Level.NOT_COMPLETED


def test_a_file_that_is_not_toml_is_refused_with_its_line(tmp_path):
    path = a_framework(tmp_path, lambda text: text.replace('source = "KL', "source = KL", 1))
    with pytest.raises(frameworks.FrameworkError, match=r"province.toml: .*line 7"):
        frameworks.load(path)


@pytest.mark.parametrize(
    "change,message,line_of",
    [
        (lambda t: t.replace("weight = 20", "weight = 25"), "trọng số các lĩnh vực phần B cộng lại 75", "[tasks]"),
        (lambda t: t.replace('key = "A2"', 'key = "A1"'), "trùng “A1”", 'key = "A1", points = 4, text = "Giữ'),
        (lambda t: t.replace('key = "digital"', 'key = "số hóa"'), "'số hóa'", "[[tasks.areas]]"),
        (lambda t: t.replace("good = 70", "good = 95"), "giảm dần", "[levels]"),
        (lambda t: t.replace('empty_areas = "redistribute"', 'empty_areas = "share"'), "empty_areas", "empty_areas"),
    ],
)
def test_a_file_whose_values_do_not_add_up_is_refused_naming_the_line(tmp_path, change, message, line_of):
    path = a_framework(tmp_path, change)
    text = path.read_text(encoding="utf-8")
    with pytest.raises(frameworks.FrameworkError) as refused:
        frameworks.load(path)
    assert message in str(refused.value)
    # The line named is the one holding the fault (the third area for the bad key).
    occurrence = 2 if "số hóa" in message else 0
    expected = [n for n, line in enumerate(text.splitlines(), 1) if line_of in line][occurrence]
    assert f"dòng {expected}:" in str(refused.value)


def test_a_product_is_scored_by_its_measures_and_areas_by_their_weights(tmp_path):
    framework = frameworks.get("default")
    products = [
        ("economy", 2, {"quantity": 100, "quality": 80, "timeliness": 90}),  # 90%
        ("economy", 1, {"quantity": 60, "quality": 60, "timeliness": 60}),  # 60%: the area is (2·90 + 60)/3 = 80%
        ("party", 1, {"quantity": 100, "quality": 100, "timeliness": 100}),
        ("digital", 1, {"quantity": 100, "quality": None, "timeliness": 100}),  # not scored yet: left out
    ]
    score = frameworks.score(framework, {"A1": True, "A4": True, "A9": True}, products)
    assert score.general == 8  # A9 is no criterion of this framework
    assert score.areas == {"economy": Decimal("80.0"), "party": Decimal("100.0")}
    # 20·80% + 10·100% = 26 of the 30 points the two areas weigh, shared over the 70: 60,7
    assert score.tasks == Decimal("60.7") and score.total == Decimal("68.7")
    zero = frameworks.load(a_framework(tmp_path, lambda t: t.replace('"redistribute"\n', '"zero"\n')))
    assert frameworks.score(zero, {}, products).tasks == Decimal("26.0")


def test_measures_weighted_as_the_file_says(tmp_path):
    framework = frameworks.load(
        a_framework(tmp_path, lambda t: t.replace("quantity = 1, quality = 1,", "quantity = 1, quality = 2,"))
    )
    assert frameworks.product_percent(framework, {"quantity": 40, "quality": 100, "timeliness": 40}) == 70


# ---- A quarter, from registration to decision, in the pages ----------------------------------------------


PRODUCTS = {
    "products-0-task": "Hoàn thành đề án chuyển đổi số của trường",
    "products-0-area": "digital",
    "products-0-due_on": "2025-03-20",
    "products-0-weight": "2",
    "products-0-result": "Đề án được phê duyệt ngày 18/3",
    "products-0-quantity": "100",
    "products-0-quality": "90",
    "products-0-timeliness": "100",
    "products-1-task": "Kiểm tra công tác đảng viên",
    "products-1-area": "party",
    "products-1-weight": "1",
    "products-1-result": "Kiểm tra 3 chi bộ",
    "products-1-quantity": "100",
    "products-1-quality": "100",
    "products-1-timeliness": "80",
    **{f"criterion_A{n}": "y" for n in range(1, 9)},
    "self_level": "excellent",
}
URL = "/my-quarters/2025/1"


def post(client, data: dict, **kwargs):
    """The person's form as a browser posts it: with the version the page shows (its rows' names have dashes,
    which `client.submit` would read as a prefix)."""
    shown = re.search(r'name="version" type="hidden" value="([0-9]*)"', client.get(URL).get_data(as_text=True))
    return client.post(URL, data={"version": shown.group(1) if shown else "", **data}, **kwargs)


def submit_quarter(world, auth, client, **changes):
    auth.login("secretary")  # m2, Mẫu 2A: evaluated each quarter
    return post(client, {**PRODUCTS, **changes, "action": "submit"}, follow_redirects=True)


def quarter_of(world) -> QuarterReview:
    return db.session.scalars(db.select(QuarterReview).where(QuarterReview.member_id == world.m2.id)).one()


def test_a_leader_registers_products_then_reports_self_scores_and_submits(world, auth, client):
    auth.login("secretary")
    registered = {key: value for key, value in PRODUCTS.items() if not key.endswith(("result", "ity", "ness"))}
    page = post(client, {**registered, "action": "register"}, follow_redirects=True).get_data(as_text=True)
    assert "Đã đăng ký sản phẩm của quý." in page
    quarter = quarter_of(world)
    assert [p["task"] for p in quarter.products] == ["Hoàn thành đề án chuyển đổi số của trường",
                                                     "Kiểm tra công tác đảng viên"]  # fmt: skip
    assert quarter.registered_at is not None and quarter.state is ReviewState.DRAFT
    refused = post(client, {**registered, "action": "submit"}, follow_redirects=True).get_data(as_text=True)
    assert "Chưa nộp được" in refused and "Sản phẩm 1: chưa báo cáo kết quả" in refused
    page = submit_quarter(world, auth, client).get_data(as_text=True)
    assert "Đã nộp báo cáo quý cho cấp ủy." in page
    db.session.expire_all()
    quarter = quarter_of(world)
    # Part A: all 8 criteria, 30 points. Part B: digital (100+90+100)/3 and party (100+100+80)/3 of their
    # 10 points each, the 20 points shared over the 70: (9,667 + 9,333) × 70/20 = 66,5.
    assert quarter.state is ReviewState.SUBMITTED and quarter.self_score_general == 30
    assert quarter.self_score_tasks == Decimal("66.5")
    assert [e.action for e in quarter.events] == ["create", "register", "submit"]
    told = db.session.scalars(db.select(Notice).where(Notice.user_id == world.committee.id)).one()
    assert "Trần Thị Bình" in told.message and "quý 1 năm 2025" in told.message


def test_a_rejected_form_keeps_what_was_typed(world, auth, client):
    auth.login("secretary")
    page = post(client, {**PRODUCTS, "products-1-weight": "abc", "action": "save"}).get_data(as_text=True)
    assert "Hãy nhập một số nguyên" in page and "Kiểm tra công tác đảng viên" in page and 'value="abc"' in page
    assert db.session.scalars(db.select(QuarterReview)).first() is None
    page = post(client, {**PRODUCTS, "products-1-area": "", "action": "save"}).get_data(as_text=True)
    assert "Sản phẩm 2: ghi nhiệm vụ, chọn lĩnh vực và trọng số" in page and "Kiểm tra công tác đảng viên" in page


def test_the_committee_scores_refuses_a_level_above_the_score_and_decides(world, auth, client):
    submit_quarter(world, auth, client)
    auth.login("committee")
    url = f"/committee/{world.grassroots.id}/quarters/{world.m2.id}?year=2025&quarter=1"
    listed = client.get(f"/committee/{world.grassroots.id}/quarters?quarter=1").get_data(as_text=True)
    assert "Trần Thị Bình" in listed and "Nguyễn Văn An" not in listed  # only Mẫu 2A
    criteria = {f"s-criterion_A{n}": "y" for n in range(1, 8)}  # A8 (3 points) not passed: 27
    scored = {**criteria, "s-accepted-0-quality": "60", "s-comments": "Chất lượng đề án cần nâng cao."}
    page = client.submit(url, data={**scored, "action": "score"}, follow_redirects=True).get_data(as_text=True)
    assert "Đã lưu điểm của cấp ủy." in page
    # Digital (100+60+100)/3, the empty measures keeping the self-score; party as self-scored:
    # (8,667 + 9,333) × 70/20 = 63, plus 27.
    assert quarter_of(world).accepted_score == Decimal("90.0")
    db.session.expire_all()
    client.submit(url, data={**criteria, "s-accepted-0-quality": "30", "action": "score"})
    assert quarter_of(world).accepted_score == Decimal("86.5")  # (7,667 + 9,333) × 3,5 = 59,5, plus 27
    refused = client.submit(url, data={"d-level": "excellent", "action": "decide"}).get_data(as_text=True)
    assert "Điểm 86,5 chỉ cho phép tối đa mức “Hoàn thành tốt nhiệm vụ”" in refused
    assert quarter_of(world).state is ReviewState.SUBMITTED
    page = client.submit(url, data={"d-level": "good", "action": "decide"}, follow_redirects=True)
    assert "Đã xếp loại quý." in page.get_data(as_text=True)
    db.session.expire_all()
    quarter = quarter_of(world)
    assert quarter.final_level is Level.GOOD and quarter.area_levels == {"digital": "good", "party": "excellent"}
    assert [e.action for e in quarter.events][-3:] == ["score", "score", "decide"]
    told = db.session.scalars(db.select(Notice).where(Notice.user_id == world.secretary.id)).all()
    assert any("đã được xếp loại: Hoàn thành tốt nhiệm vụ" in notice.message for notice in told)
    auth.login("secretary")
    mine = client.get(URL).get_data(as_text=True)
    assert "Quý đã được xếp loại và khóa." in mine and "Chất lượng đề án cần nâng cao." in mine


def test_the_committee_returns_with_a_reason_and_reopens_a_decision(world, auth, client):
    submit_quarter(world, auth, client)
    auth.login("committee")
    url = f"/committee/{world.grassroots.id}/quarters/{world.m2.id}?year=2025&quarter=1"
    assert "Cần ghi rõ lý do." in client.submit(url, data={"r-reason": "", "action": "return"}).get_data(as_text=True)
    client.submit(url, data={"r-reason": "Bổ sung minh chứng của đề án", "action": "return"})
    auth.login("secretary")
    page = client.get(URL).get_data(as_text=True)
    assert "Cấp ủy đã trả lại báo cáo quý:" in page and "Bổ sung minh chứng của đề án" in page
    submit_quarter(world, auth, client)
    auth.login("committee")
    client.submit(url, data={"d-level": "excellent", "action": "decide"})
    client.submit(url, data={"o-reason": "Có đơn phản ánh cần xác minh", "action": "reopen"})
    db.session.expire_all()
    quarter = quarter_of(world)
    assert quarter.state is ReviewState.SUBMITTED and quarter.final_level is None and quarter.area_levels == {}
    assert [e.action for e in quarter.events] == ["create", "submit", "return", "submit", "decide", "reopen"]


def test_a_page_older_than_the_quarter_is_refused_and_nothing_is_lost(world, auth, client):
    auth.login("secretary")
    post(client, {**PRODUCTS, "action": "save"})
    old = quarter_of(world).version
    post(client, {**PRODUCTS, "products-0-result": "Bản mới", "action": "save"})
    page = client.post(URL, data={**PRODUCTS, "version": str(old), "action": "save"}).get_data(as_text=True)
    assert "vừa được người khác cập nhật" in page
    db.session.expire_all()
    assert quarter_of(world).products[0]["result"] == "Bản mới"


def test_nobody_else_acts_on_a_quarter(world, auth, client):
    submit_quarter(world, auth, client)
    auth.login("member")  # m1, Mẫu 2B: no quarter of their own, none of others'
    assert client.get(URL).status_code == 404
    auth.login("committee2")  # another đảng bộ cơ sở
    url = f"/committee/{world.grassroots.id}/quarters/{world.m2.id}?quarter=1"
    assert client.post(url, data={"d-level": "good", "action": "decide"}).status_code == 403
    assert client.get(f"/committee/{world.grassroots2.id}/quarters/{world.m2.id}?quarter=1").status_code == 404
    assert quarter_of(world).state is ReviewState.SUBMITTED


def test_a_closed_round_takes_no_change(world, auth, client):
    auth.login("secretary")
    post(client, {**PRODUCTS, "action": "save"})
    world.quarter.state = PeriodState.CLOSED
    db.session.commit()
    page = client.get(URL).get_data(as_text=True)
    assert "Đợt đánh giá quý không mở." in page and 'name="action"' not in page
    refused = client.post(URL, data={**PRODUCTS, "version": "1", "action": "submit"}).get_data(as_text=True)
    assert "không mở" in refused and quarter_of(world).state is ReviewState.DRAFT


# ---- Rounds and the framework, by the administrator ------------------------------------------------------


def test_the_administrator_makes_opens_and_closes_rounds_and_moves_deadlines(world, auth, client):
    auth.login("admin")
    url = f"/admin/periods/{world.period.id}/quarters"
    client.post(url, data={"action": "make"})
    rounds = quarterly.rounds(world.period)
    assert [(r.quarter, r.state) for r in rounds] == [
        (1, PeriodState.OPEN),
        *((q, PeriodState.DRAFT) for q in (2, 3, 4)),
    ]
    assert str(rounds[1].report_by) == "2025-07-05" and str(rounds[1].decide_by) == "2025-07-15"
    client.post(url, data={"action": "open", "quarter": "2"})
    client.post(url, data={"action": "close", "quarter": "1"})
    db.session.expire_all()
    assert [r.state for r in quarterly.rounds(world.period)][:2] == [PeriodState.CLOSED, PeriodState.OPEN]
    deadlines = f"/admin/periods/{world.period.id}/quarters/2/deadlines"
    dates = {"register_by": "2025-04-20", "report_by": "2025-07-10", "decide_by": "2025-07-01", "reason": "Lùi hạn"}
    assert "theo thứ tự" in client.post(deadlines, data=dates).get_data(as_text=True)
    client.post(deadlines, data={"register_by": "2025-04-20", "report_by": "2025-07-10", "decide_by": "2025-07-20",
                                 "reason": "Trùng kỳ nghỉ lễ"})  # fmt: skip
    notes = [e.note for e in db.session.scalars(db.select(PeriodEvent).order_by(PeriodEvent.id))]
    assert any("Quý 2, thời hạn: 15/04/2025, 05/07/2025, 15/07/2025 → 20/04/2025" in n and "Trùng kỳ nghỉ lễ" in n
               for n in notes)  # fmt: skip


def test_the_framework_is_chosen_for_a_year_and_kept_once_anyone_answered(world, auth, client, tmp_path, monkeypatch):
    province = a_framework(tmp_path, lambda t: t.replace('name = "Khung mặc định', 'name = "Khung tỉnh Thử Nghiệm'))
    (tmp_path / "default.toml").write_text(DEFAULT.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(frameworks, "FRAMEWORKS", tmp_path)
    frameworks.get.cache_clear()
    auth.login("admin")
    url = f"/admin/periods/{world.period.id}/quarters"
    assert "Khung tỉnh Thử Nghiệm" in client.get(url).get_data(as_text=True)
    client.post(url, data={"action": "framework", "framework": province.stem})
    db.session.expire_all()
    assert world.period.quarter_framework == "province"
    submit_quarter(world, auth, client)
    auth.login("admin")
    page = client.post(url, data={"action": "framework", "framework": "default"}, follow_redirects=True)
    assert "không đổi khung được nữa" in page.get_data(as_text=True)
    db.session.expire_all()
    assert world.period.quarter_framework == "province"
    frameworks.get.cache_clear()


# ---- Quarters feed the year ------------------------------------------------------------------------------


def decided_quarter(world, member, quarter: int, level: Level) -> QuarterReview:
    round_ = quarterly.find_round(world.period, quarter) or QuarterRound(
        period=world.period, quarter=quarter, register_by=world.period.opens_on, report_by=world.period.opens_on,
        decide_by=world.period.opens_on)  # fmt: skip
    found = QuarterReview(
        period=world.period, quarter=quarter, member=member, state=ReviewState.DRAFT, criteria={}, products=[]
    )
    db.session.add_all([round_, found])
    apply(found, None, Capacity.ARCHIVE, Action.IMPORT, level=level)
    found.final_level = level
    db.session.commit()
    return found


def test_a_quarter_not_completed_rules_out_excellent_for_the_year(world, auth, client):
    from evaluation.reviews import operations as ops

    decided_quarter(world, world.m2, 2, Level.NOT_COMPLETED)
    annual = review(world.period, world.m2, ReviewState.PROPOSED, None)
    annual.self_score_general, annual.self_score_tasks = Decimal(30), Decimal(65)
    db.session.commit()
    from evaluation.errors import DomainError

    with pytest.raises(DomainError, match="Quý 2 không hoàn thành nhiệm vụ"):
        ops.decide(annual, world.committee, Level.EXCELLENT)
    db.session.rollback()
    auth.login("committee")
    page = client.get(f"/committee/{world.grassroots.id}/members/{world.m2.id}").get_data(as_text=True)
    assert "Kết quả đánh giá các quý" in page and "Quý 2:" in page
    # The decision offers no "excellent", and says why.
    assert 'value="excellent"' not in page and 'value="good"' in page
    assert "Quý 2 không hoàn thành nhiệm vụ: không thể xếp loại hoàn thành xuất sắc nhiệm vụ cả năm" in page


def test_the_quarter_rules_at_their_boundaries():
    from evaluation.rules import check_quarters, consecutive_not_completed

    failed, done = Level.NOT_COMPLETED, Level.COMPLETED
    assert check_quarters({1: done, 2: failed}, Level.EXCELLENT, needs_every_quarter=True).blocking
    assert check_quarters({1: done, 2: failed}, Level.GOOD, needs_every_quarter=True) is None
    assert check_quarters({1: done, 2: failed}, Level.EXCELLENT, needs_every_quarter=False) is None
    assert check_quarters({1: Level.EXCELLENT, 2: None}, Level.EXCELLENT, needs_every_quarter=True) is None
    assert consecutive_not_completed({1: failed, 3: failed}, 2) is None  # not in a row
    flag = consecutive_not_completed({2: failed, 3: failed}, 2)
    assert flag.attention and not flag.is_violation and flag.needs_attention
    assert consecutive_not_completed({2: failed, 3: failed}, 3) is None
    assert consecutive_not_completed({2: failed, 3: failed}, 0) is None  # the framework never flags


def test_check_reports_excellent_over_a_failed_quarter_and_two_in_a_row(world, runner):
    decided_quarter(world, world.m2, 1, Level.NOT_COMPLETED)
    decided_quarter(world, world.m2, 2, Level.NOT_COMPLETED)
    decided_quarter(world, world.m3, 3, Level.NOT_COMPLETED)  # one alone: only the year's level is at stake
    review(world.period, world.m2, ReviewState.DECIDED, Level.EXCELLENT)
    review(world.period, world.m3, ReviewState.DECIDED, Level.GOOD)
    db.session.commit()
    result = runner.invoke(args=["check", "--year", "2025"])
    assert result.exit_code == 1, result.output
    assert f"{world.m2.code} quarters_in_a_row: 2 quý liền không hoàn thành nhiệm vụ" in result.output
    assert f"{world.m2.code} quarters: Quý 1, 2 không hoàn thành nhiệm vụ" in result.output
    assert world.m3.code not in result.output
    annual = db.session.scalars(db.select(QuarterReview).where(QuarterReview.member_id == world.m2.id)).first()
    assert annual is not None


def test_check_is_clean_when_quarters_agree_with_the_year(world, runner):
    decided_quarter(world, world.m2, 1, Level.NOT_COMPLETED)
    review(world.period, world.m2, ReviewState.DECIDED, Level.GOOD)
    db.session.commit()
    result = runner.invoke(args=["check", "--year", "2025"])
    assert result.exit_code == 0, result.output


# ---- The CLI import of a quarter's levels -------------------------------------------------------------


def test_import_quarter_ratings_lands_whole(world, runner, tmp_path):
    path = write(tmp_path, "q2.csv", f"member_code,level\n{world.m2.code},HTXSNV\n{world.m1.code},not_completed\n")
    result = runner.invoke(args=["import-quarter-ratings", path, "--year", "2025", "--quarter", "2"])
    assert result.exit_code == 0, result.output
    assert "2 mới" in result.output and "không đánh giá hằng quý đồng chí này" in result.output  # m1 is 2B
    levels = quarterly.quarter_levels(world.period, world.m2)
    assert levels == {1: None, 2: Level.EXCELLENT, 3: None, 4: None}
    assert quarterly.find_round(world.period, 2).state is PeriodState.CLOSED
    again = runner.invoke(args=["import-quarter-ratings", path, "--year", "2025", "--quarter", "2"])
    assert "2 không đổi" in again.output
    events = db.session.scalars(db.select(QuarterEvent.action)).all()
    assert events == ["import", "import"]
    path = write(tmp_path, "q2.csv", f"member_code,level\n{world.m2.code},good\n{world.m1.code},not_completed\n")
    corrected = runner.invoke(args=["import-quarter-ratings", path, "--year", "2025", "--quarter", "2"])
    assert "1 cập nhật" in corrected.output and "1 không đổi" in corrected.output, corrected.output
    assert quarterly.quarter_levels(world.period, world.m2)[2] is Level.GOOD
    assert len(db.session.scalars(db.select(QuarterEvent.action)).all()) == 3


def test_import_quarter_ratings_lists_every_bad_row_and_lands_nothing(world, runner, tmp_path):
    lines = [f"{world.m2.code},HTTNV", "DV999,HTTNV", f"{world.m1.code},not_classified", f"{world.m2.code},HTTNV"]
    path = write(tmp_path, "bad.csv", "\n".join(["member_code,level", *lines]) + "\n")
    result = runner.invoke(args=["import-quarter-ratings", path, "--year", "2025", "--quarter", "3"])
    assert result.exit_code == 1
    assert "dòng 3: không có mã 'DV999'" in result.output
    assert "dòng 4: một quý được xếp một trong bốn mức chất lượng" in result.output
    assert f"dòng 5: mã {world.m2.code} trùng với dòng 2" in result.output
    assert db.session.scalars(db.select(QuarterReview)).first() is None
    assert runner.invoke(args=["import-quarter-ratings", path, "--year", "2025", "--quarter", "5"]).exit_code == 2


# ---- Rollups, exports, print; the kept tallies ----------------------------------------------------------


def test_the_rollup_counts_levels_and_areas_from_the_kept_tallies(world, auth, client):
    submit_quarter(world, auth, client)
    auth.login("committee")
    url = f"/committee/{world.grassroots.id}/quarters/{world.m2.id}?year=2025&quarter=1"
    client.submit(url, data={"d-level": "excellent", "action": "decide"})
    decided_quarter(world, world.m3, 1, Level.COMPLETED)
    db.session.expire_all()
    rollup = quarter_rollup(world.province, world.period, 1)
    assert rollup.total.levels[Level.EXCELLENT] == 1 and rollup.total.levels[Level.COMPLETED] == 1
    assert rollup.total.area("digital")[Level.EXCELLENT] == 1  # 96,7%
    assert tallies.recount(db.session) == 0  # what the hooks kept is what the rows say
    auth.login("leader")
    page = client.get(f"/orgs/{world.upper.id}/quarters?year=2025&quarter=1").get_data(as_text=True)
    assert "1 trong tổng số 2 đồng chí được xếp loại hoàn thành xuất sắc nhiệm vụ (chiếm 50,00%)" in page
    with client.get(f"/orgs/{world.upper.id}/quarters.csv?year=2025&quarter=1") as csv:
        text = csv.get_data(as_text=True)
    assert "Đảng bộ Trường Một" in text and "Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số" in text
    printed = client.get(f"/orgs/{world.grassroots.id}/quarters/print?year=2025&quarter=1").get_data(as_text=True)
    assert "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ" in printed and "Trần Thị Bình" in printed


def test_the_first_quarter_shows_while_last_years_round_is_still_open(world, make, auth, client):
    next_year = make.period(2026, opened=False)  # being prepared: only its first quarter runs
    make.quarter_round(next_year, 1)
    world.quarter.state = PeriodState.CLOSED
    db.session.commit()
    auth.login("secretary")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/my-quarters/2026/1"' in home and "15/01/2026" in home  # the products' deadline
    assert "Đánh giá hằng quý năm 2026" in client.get("/my-quarters/").get_data(as_text=True)
    assert client.get("/my-quarters/2026/1").status_code == 200


@pytest.mark.parametrize("quarter", ["0", "5", "99999999999"])
def test_a_quarter_that_does_not_exist_is_not_found(world, auth, client, quarter):
    auth.login("secretary")
    assert client.get(f"/my-quarters/2025/{quarter}").status_code == 404
    auth.login("committee")
    assert client.get(f"/committee/{world.grassroots.id}/quarters/{world.m2.id}?quarter={quarter}").status_code == 404
    assert client.get(f"/committee/{world.grassroots.id}/quarters?quarter={quarter}").status_code == 200
    auth.login("admin")
    assert client.get(f"/admin/periods/{world.period.id}/quarters/{quarter}/deadlines").status_code == 404


def test_a_quarters_history_is_append_only_and_in_the_administrators_history(world, auth, client):
    submit_quarter(world, auth, client)
    auth.login("committee")
    url = f"/committee/{world.grassroots.id}/quarters/{world.m2.id}?year=2025&quarter=1"
    client.submit(url, data={"d-level": "good", "action": "decide"})
    own = client.get(url).get_data(as_text=True)
    assert "Nộp báo cáo quý cho cấp ủy" in own and "Cấp ủy xếp loại quý" in own  # the quarter's own words
    auth.login("admin")
    history = client.get("/admin/history?kind=quarter:decide").get_data(as_text=True)
    assert "<td>Trần Thị Bình · Q1</td>" in history and "<td>Cấp ủy xếp loại quý</td>" in history
    assert "<td>Nộp báo cáo quý cho cấp ủy</td>" not in history  # the filter keeps the decisions only
    with client.get("/admin/history.csv?year=2025") as export:
        assert "Trần Thị Bình · Q1" in export.get_data(as_text=True)
    for statement in ("UPDATE quarter_event SET reason = 'x'", "DELETE FROM quarter_event"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))


def test_remind_tells_leaders_and_committees_of_the_quarters_deadlines_once(world, auth, client, runner):
    from evaluation.notices.models import Notice

    # Q1 2025: products by 15/01, results by 05/04, the committee by 15/04.
    result = runner.invoke(args=["remind", "--days", "3", "--today", "2025-01-13"])
    assert result.exit_code == 0 and "Đã gửi 1 lời nhắc." in result.output  # m2 ("secretary") only: Mẫu 2A
    told = db.session.scalars(db.select(Notice).where(Notice.user_id == world.secretary.id)).one()
    assert "đăng ký sản phẩm của quý trước ngày 15/01/2025" in told.message
    assert "Đã gửi 0 lời nhắc." in runner.invoke(args=["remind", "--days", "3", "--today", "2025-01-14"]).output
    submit_quarter(world, auth, client)
    result = runner.invoke(args=["remind", "--days", "3", "--today", "2025-04-03"])
    assert "Đã gửi 0 lời nhắc." in result.output  # submitted: nothing left to report
    result = runner.invoke(args=["remind", "--days", "3", "--today", "2025-04-13"])
    assert "Đã gửi 1 lời nhắc." in result.output
    to_committee = db.session.scalars(db.select(Notice).where(Notice.user_id == world.committee.id)).all()
    assert any("cấp ủy chấm điểm, xếp loại quý trước ngày 15/04/2025" in n.message for n in to_committee)

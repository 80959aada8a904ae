"""The report's numbers and sentences, pinned to the style of the official reports (no database)."""

import random
import re
from collections import Counter
from decimal import Decimal

import pytest
from babel import numbers

from evaluation.formatting import _write, format_number, format_percent, format_points
from evaluation.levels import Level
from evaluation.org.models import OrgKind
from evaluation.reports.models import Target
from evaluation.reports.wording import members_sentences, organizations_sentences
from evaluation.reviews.counts import Tally, percent

E, G, C, N, X = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED, Level.NOT_CLASSIFIED


def tally(pending: int = 0, **counts) -> Tally:
    return Tally(Counter({Level(key): value for key, value in counts.items()}), pending)


@pytest.mark.parametrize(
    "value,text",
    [(0, "0"), (999, "999"), (91400, "91.400"), (1234567, "1.234.567"), (Decimal("15.19"), "15,19")],
)
def test_numbers_use_dots_for_thousands_and_commas_for_decimals(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    "part,whole,decimals,text",
    [
        (13886, 91400, 2, "15,19%"),
        (619, 674, 2, "91,84%"),
        (9, 1250, 2, "0,72%"),
        (29, 4000, 2, "0,73%"),  # 0,725 exactly: half up, where Python's round() would give 0,72
        (1, 8, 1, "12,5%"),
        (1, 16, 1, "6,3%"),  # 6,25 → 6,3 (half up, not half even)
        (13886, 91400, 1, "15,2%"),
        (13886, 91400, 0, "15%"),
        (674, 674, 2, "100,00%"),
    ],
)
def test_percentages_round_half_up_to_the_configured_decimals(part, whole, decimals, text):
    assert format_percent(percent(part, whole, decimals)) == text


@pytest.mark.parametrize("language", ["vi", "en"])
def test_numbers_are_written_as_babel_writes_them_in_each_language(language):
    """The report pages write numbers with Python's formatting and the language's separators (fast); what
    they write is Babel's CLDR formatting, to the value's own decimals."""
    rng = random.Random(19)
    values = [0, 7, 999, 1000, 91400, 5_600_000, -1234, Decimal("15.19"), Decimal("20.00"), Decimal("-0.50")]
    values += [rng.randint(-(10**8), 10**8) for _ in range(300)]
    values += [Decimal(rng.randint(-(10**7), 10**7)).scaleb(-rng.randint(1, 3)) for _ in range(300)]
    for value in values:
        places = max(0, -value.as_tuple().exponent) if isinstance(value, Decimal) else 0
        pattern = "#,##0" + ("." + "0" * places if places else "")
        assert _write(value, language) == numbers.format_decimal(value, format=pattern, locale=language), value


def test_a_share_of_nothing_is_no_number():
    assert percent(0, 0) is None and format_percent(None) == "–"


def test_changes_in_points_are_signed():
    assert [format_points(Decimal(v)) for v in ("1.25", "-0.50", "0.00")] == ["+1,25", "−0,50", "0,00"]


def test_members_paragraph_reads_like_the_provincial_report():
    sentences = members_sentences(tally(excellent=13886, good=70000, completed=7000, not_completed=514))
    assert sentences == [
        "13.886 trong tổng số 91.400 đảng viên được đánh giá, xếp loại hoàn thành xuất sắc nhiệm vụ (chiếm 15,19%); "
        "70.000 đảng viên hoàn thành tốt nhiệm vụ (chiếm 76,59%); 7.000 đảng viên hoàn thành nhiệm vụ (chiếm 7,66%); "
        "514 đảng viên không hoàn thành nhiệm vụ (chiếm 0,56%).",
        "83.886 trong tổng số 91.400 đảng viên hoàn thành tốt nhiệm vụ trở lên (chiếm 91,78%).",
    ]


def test_zero_is_written_khong_co_and_the_apart_lines_are_shares_of_everyone():
    sentences = members_sentences(tally(excellent=0, good=2000, completed=664, not_classified=329))
    assert sentences[0] == (
        "Trong tổng số 2.664 đảng viên được đánh giá, xếp loại, không có đảng viên hoàn thành xuất sắc nhiệm vụ; "
        "2.000 đảng viên hoàn thành tốt nhiệm vụ (chiếm 75,08%); 664 đảng viên hoàn thành nhiệm vụ (chiếm 24,92%); "
        "không có đảng viên không hoàn thành nhiệm vụ."
    )
    assert sentences[2] == "329 đảng viên không xếp loại (chiếm 10,99% tổng số đảng viên)."


def test_grassroots_paragraph_reproduces_hai_duong_2021():
    sentences = organizations_sentences(tally(excellent=135, good=484, completed=55), OrgKind.GRASSROOTS)
    assert sentences == [
        "619 trong tổng số 674 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên (chiếm 91,84%), trong đó 135 tổ "
        "chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ (chiếm 20,03%), 484 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ "
        "(chiếm 71,81%); 55 tổ chức cơ sở đảng hoàn thành nhiệm vụ (chiếm 8,16%); không có tổ chức cơ sở đảng không "
        "hoàn thành nhiệm vụ."
    ]


def test_decimals_follow_the_setting_in_every_sentence():
    sentences = organizations_sentences(tally(excellent=135, good=484, completed=55), OrgKind.GRASSROOTS, decimals=1)
    assert "(chiếm 91,8%)" in sentences[0] and "(chiếm 20%)" in sentences[0] and "(chiếm 8,2%)" in sentences[0]


def test_shares_are_written_without_trailing_zeros_unless_the_fixed_form_is_configured(app):
    sentences = members_sentences(tally(excellent=1, good=4))
    assert "(chiếm 20%)" in sentences[0] and "(chiếm 100%)" in sentences[1]
    app.config["REPORT_FIXED_DECIMALS"] = True
    sentences = members_sentences(tally(excellent=1, good=4))
    assert "(chiếm 20,00%)" in sentences[0] and "(chiếm 100,00%)" in sentences[1]


def test_nothing_decided_and_nothing_at_all_are_said_plainly():
    assert members_sentences(tally(pending=12)) == [
        "Chưa có đảng viên nào trong tổng số 12 đảng viên được đánh giá, xếp loại."
    ]
    assert members_sentences(Tally()) == ["Không có đảng viên nào."]
    assert organizations_sentences(tally(completed=3), OrgKind.CELL)[0].startswith(
        "Không có chi bộ hoàn thành tốt nhiệm vụ trở lên trong tổng số 3 chi bộ; 3 chi bộ hoàn thành nhiệm vụ"
    )


@pytest.mark.parametrize(
    "good_or_better,classified,target,meets",
    [(85, 100, "85", True), (8499, 10000, "85", False), (783, 1000, "78.3", True), (782, 1000, "78.3", False)],
)
def test_a_target_is_met_at_exactly_its_share(good_or_better, classified, target, meets):
    result = tally(good=good_or_better, completed=classified - good_or_better)
    assert result.meets(Target(min_percent=Decimal(target))) is meets


@pytest.mark.parametrize(
    "good_or_better,strictly_above,meets", [(85, False, True), (85, True, False), (86, True, True)]
)
def test_trên_is_strictly_above_and_từ_trở_lên_is_at_least(good_or_better, strictly_above, meets):
    result = tally(good=good_or_better, completed=100 - good_or_better)
    assert result.meets(Target(min_percent=Decimal(85), strictly_above=strictly_above)) is meets


def test_a_target_is_not_judged_without_results():
    assert tally(pending=5).meets(Target(min_percent=Decimal(85))) is None


@pytest.mark.parametrize("stored,shown", [("85.00", "85%"), ("78.30", "78,3%"), ("100.00", "100%"), ("0.50", "0,5%")])
def test_targets_are_shown_as_resolutions_write_them(stored, shown):
    assert format_percent(Target(min_percent=Decimal(stored)).shown_percent) == shown


@pytest.mark.parametrize("members_good,grassroots_good", [(85, 95), (95, 85), (50, 50)])
def test_the_trend_charts_labels_never_sit_on_each_other(app, members_good, grassroots_good):
    """Two close values in one year: the higher one's label above both dots, the lower one's below both."""
    from evaluation.reports.aggregation import YearResult
    from evaluation.reports.charts import trend

    years = [YearResult(2024, tally(good=80, completed=20), tally(good=70, completed=30)),
             YearResult(2025, tally(good=members_good, completed=100 - members_good),
                        tally(good=grassroots_good, completed=100 - grassroots_good))]  # fmt: skip
    svg = str(trend(years))
    labels = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" class="chart-label" text-anchor="middle">([^<]*%)</text>', svg
    )
    last_x = max(float(x) for x, _, _ in labels)
    ys = sorted(float(y) for x, y, _ in labels if float(x) == last_x)
    assert len(ys) == 2 and ys[1] - ys[0] >= 24  # taller than a 20-unit label: apart at any size


def test_a_rows_cells_and_its_bar_are_kept_by_what_they_show_in_the_readers_language(app):
    """A rollup keeps each row's cells and chart bar by its counts (a decision changes one district's): the
    same counts read in English or to other decimals, and counts changed by one, are written anew."""
    from flask_babel import force_locale

    from evaluation.reports.charts import stacked_levels
    from evaluation.reports.wording import tally_cells

    counts = tally(pending=3, excellent=1234, good=5678, completed=9, not_completed=1, not_classified=2)
    assert Tally.from_key(counts.key()) == counts
    with app.test_request_context():
        vietnamese, vietnamese_bar = tally_cells(counts, 2), stacked_levels([("Đảng bộ A", counts)])
        with force_locale("en"):
            english, english_bar, good = tally_cells(counts, 2), stacked_levels([("Đảng bộ A", counts)]), G.label
        one_decimal = tally_cells(counts, 1)
        counts.counts[G] += 1
        changed, changed_bar = tally_cells(counts, 2), stacked_levels([("Đảng bộ A", counts)])
    assert "<td>1.234 " in vietnamese and "<td>1,234 " in english
    assert f": {good} 5678 (82.03%)" in english_bar and ": Hoàn thành tốt nhiệm vụ 5678 (82,03%)" in vietnamese_bar
    assert "(17,8%)" in one_decimal and "(17,8%)" not in vietnamese
    assert "<td>5.679 " in changed and ": Hoàn thành tốt nhiệm vụ 5679 " in changed_bar


def test_the_organizations_sentences_are_kept_by_what_they_are_written_from(app):
    """Written once per counts, kind, decimals, language and percentage form: each of these changed alone
    writes them anew, and the same again gives the same sentences."""
    from flask_babel import force_locale

    counts = tally(excellent=135, good=484, completed=55)
    with app.test_request_context():
        first = organizations_sentences(counts, OrgKind.GRASSROOTS)
        again = organizations_sentences(tally(excellent=135, good=484, completed=55), OrgKind.GRASSROOTS)
        with force_locale("en"):
            english = organizations_sentences(counts, OrgKind.GRASSROOTS)
        cells = organizations_sentences(counts, OrgKind.CELL)
        one_decimal = organizations_sentences(counts, OrgKind.GRASSROOTS, decimals=1)
        app.config["REPORT_FIXED_DECIMALS"] = True
        fixed = organizations_sentences(counts, OrgKind.GRASSROOTS, decimals=1)
        app.config["REPORT_FIXED_DECIMALS"] = False
        counts.counts[E] += 1
        changed = organizations_sentences(counts, OrgKind.GRASSROOTS)
    assert again == first and first[0].startswith("619 trong tổng số 674 tổ chức cơ sở đảng")
    assert english[0].startswith("619 of 674 grassroots party organizations") and "(91.84%)" in english[0]
    assert cells[0].startswith("619 trong tổng số 674 chi bộ")
    assert "(chiếm 91,8%)" in one_decimal[0] and "(chiếm 91,84%)" in first[0]
    assert "(chiếm 20%)" in one_decimal[0] and "(chiếm 20,0%)" in fixed[0]
    assert changed[0].startswith("620 trong tổng số 675 ")


def test_a_progress_rows_cells_are_kept_by_its_counts_in_the_readers_language(app):
    from flask_babel import force_locale

    from evaluation.reports.wording import progress_cells
    from evaluation.reviews.counts import Progress

    progress = Progress(Counter({"not_started": 2, "draft": 1234, "decided": 5}))
    with app.test_request_context():
        vietnamese = progress_cells(progress)
        with force_locale("en"):
            english = progress_cells(progress)
        progress.counts["submitted"] += 1
        changed = progress_cells(progress)
    assert vietnamese == "<td>1.241</td><td>2</td><td>1.234</td><td>0</td><td>0</td><td>5</td>"
    assert english == "<td>1,241</td><td>2</td><td>1,234</td><td>0</td><td>0</td><td>5</td>"
    assert changed == "<td>1.242</td><td>2</td><td>1.234</td><td>1</td><td>0</td><td>5</td>"

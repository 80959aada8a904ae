"""The regulation's checks at their boundaries (pure functions, no database)."""

from datetime import date

import pytest

from evaluation.levels import Level
from evaluation.rules import (
    Condition,
    RuleSet,
    check_conditions,
    check_not_classified,
    check_quota,
    check_repeated,
    check_score,
    excellent_quota,
    highest_allowed,
    rule_set_for_year,
    score_band,
)

E, G, C, N, X = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED, Level.NOT_CLASSIFIED


@pytest.mark.parametrize(
    "excellent,good,outstanding,over",
    [(2, 10, False, False), (3, 10, False, True), (2, 14, False, False), (3, 14, False, True), (3, 12, True, False),
     (4, 12, True, True), (0, 0, False, False), (1, 4, False, True), (1, 5, False, False)],
)  # fmt: skip
def test_quota_is_20_percent_of_the_good_count_rounded_down_25_when_outstanding(excellent, good, outstanding, over):
    finding = check_quota("Chi bộ A", excellent, good, outstanding=outstanding)
    assert (finding is not None) is over
    if over:
        assert finding.blocking and "Chi bộ A" in finding.message and f"{good} hoàn thành tốt" in finding.message


def test_going_over_the_quota_with_a_written_reason_is_a_recorded_warning():
    finding = check_quota("Chi bộ A", 3, 10, reason="Đơn vị dẫn đầu phong trào thi đua")
    assert not finding.blocking and "Đơn vị dẫn đầu phong trào thi đua" in finding.message
    assert (
        excellent_quota(10) == 2
        and excellent_quota(10, outstanding=True) == 2
        and excellent_quota(12, outstanding=True) == 3
    )


@pytest.mark.parametrize("score,band", [(100, E), (90, E), (89, G), (70, G), (69, C), (50, C), (49, N), (0, N)])
def test_score_bands_90_70_50(score, band):
    assert score_band(score) is band


def test_a_level_above_the_score_is_refused_and_below_is_allowed():
    assert check_score(RuleSet.QD366, 89, E).blocking
    assert check_score(RuleSet.QD366, 90, E) is None
    assert check_score(RuleSet.QD366, 95, G) is None  # conditions for excellent may be missing
    assert "69 điểm" in check_score(RuleSet.QD366, 69, G).message
    assert check_score(RuleSet.QD124, 10, E) is None  # no score before 2025
    assert check_score(RuleSet.QD366, 10, X) is None


def test_disqualifying_conditions_cap_at_not_completed_unless_the_self_report_exception_is_recorded():
    assert highest_allowed(RuleSet.QD366, ["discipline"])[0] is N
    assert check_conditions(RuleSet.QD366, ["tasks_undone"], "", C).blocking
    assert check_conditions(RuleSet.QD366, ["tasks_undone"], "", N) is None
    assert check_conditions(RuleSet.QD366, ["discipline"], "Tự phát hiện và báo cáo, đã khắc phục", G) is None


@pytest.mark.parametrize("condition", ["units_failed", "low_confidence", "corruption"])
def test_a_leaders_own_conditions_cap_at_not_completed_under_qd_366(condition):
    assert highest_allowed(RuleSet.QD366, [condition])[0] is N
    assert highest_allowed(RuleSet.QD124, [condition])[0] is E  # not in the older rule sets


def test_older_rule_sets_apply_their_own_conditions():
    assert highest_allowed(RuleSet.HD21, [Condition.SICK_LEAVE])[0] is C
    assert check_conditions(RuleSet.HD21, ["sick_leave"], "", G).blocking
    assert check_conditions(RuleSet.QD366, ["sick_leave"], "", E) is None  # QĐ 366: rated on actual results
    assert check_conditions(RuleSet.QD124, ["degeneration"], "", E) is None  # only discipline under QĐ 124
    assert check_conditions(RuleSet.QD124, ["discipline"], "", C).blocking


@pytest.mark.parametrize("joined,flagged", [(date(2025, 6, 30), False), (date(2025, 7, 1), True), (None, False)])
def test_members_admitted_in_the_last_six_months_are_not_classified(joined, flagged):
    assert (check_not_classified(joined, 2025, G) is not None) is flagged
    assert check_not_classified(joined, 2025, X) is None


def test_two_years_not_completed_in_a_row_are_flagged():
    assert check_repeated(N, N) is not None and not check_repeated(N, N).blocking
    assert check_repeated(C, N) is None and check_repeated(N, C) is None and check_repeated(None, N) is None


BY_YEAR = [(2019, RuleSet.HD21), (2022, RuleSet.HD21), (2023, RuleSet.QD124), (2024, RuleSet.QD124)]


@pytest.mark.parametrize("year,rule_set", [*BY_YEAR, (2025, RuleSet.QD366), (2030, RuleSet.QD366)])
def test_each_year_is_judged_by_its_own_rule_set(year, rule_set):
    assert rule_set_for_year(year) is rule_set

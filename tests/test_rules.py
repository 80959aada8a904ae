"""The regulation's checks at their boundaries (pure functions, no database)."""

from datetime import date, timedelta

import pytest

from evaluation.levels import QUALITY_LEVELS, Level
from evaluation.rules import (
    NOT_CLASSIFIED_SOURCES,
    Condition,
    RuleSet,
    admitted_too_late,
    check_conditions,
    check_not_classified,
    check_quota,
    check_repeated,
    check_score,
    conditions_for,
    excellent_quota,
    highest_allowed,
    parse_condition,
    rule_set_for_year,
    score_band,
    six_months_before,
)

E, G, C, N, X = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED, Level.NOT_CLASSIFIED


@pytest.mark.parametrize(
    "excellent,good,outstanding,over",
    [(2, 10, False, False), (3, 10, False, True), (2, 14, False, False), (3, 14, False, True), (3, 12, True, False),
     (4, 12, True, True), (0, 0, False, False), (1, 4, False, True), (1, 5, False, False)],
)  # fmt: skip
def test_quota_is_20_percent_of_the_good_count_rounded_down_25_when_outstanding(excellent, good, outstanding, over):
    finding = check_quota(RuleSet.QD366, "Chi bộ A", excellent, good, outstanding=outstanding)
    assert (finding is not None) is over
    if over:
        assert finding.blocking and "Chi bộ A" in finding.message and f"{good} hoàn thành tốt" in finding.message


@pytest.mark.parametrize("rule_set", [RuleSet.HD21, RuleSet.QD124])
def test_the_25_percent_for_outstanding_results_exists_only_under_qd_366(rule_set):
    """3 excellent of 12 good: within 25%, over 20%. Before QĐ 366 the "outstanding" mark changes nothing,
    and each year's finding cites that year's own documents."""
    assert check_quota(RuleSet.QD366, "A", 3, 12, outstanding=True) is None
    finding = check_quota(rule_set, "A", 3, 12, outstanding=True)
    assert finding.blocking and "vượt 20%" in finding.message
    assert rule_set.source in finding.source and "25%" not in finding.source and "366" not in finding.source


def test_going_over_the_quota_with_a_written_reason_is_a_recorded_warning():
    finding = check_quota(RuleSet.QD366, "Chi bộ A", 3, 10, reason="Đơn vị dẫn đầu phong trào thi đua")
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


# docs/domain.md §3: what each rule set caps, at which level. Everything else is unknown to that rule set.
CAPS = {
    RuleSet.QD366: {"discipline": N, "degeneration": N, "prohibited": N, "tasks_undone": N, "units_failed": N,
                    "low_confidence": N, "corruption": N},
    RuleSet.QD124: {"discipline": N, "degeneration": N, "prohibited": N, "tasks_undone": N},
    RuleSet.HD21: {"discipline": N, "degeneration": N, "tasks_undone": N, "civil_servant_not_completed": N,
                   "sick_leave": C},
}  # fmt: skip


@pytest.mark.parametrize("rule_set,condition", [(r, c) for r in RuleSet for c in Condition])
def test_each_rule_set_caps_exactly_the_conditions_it_lists_and_cites_itself(rule_set, condition):
    cap = CAPS[rule_set].get(condition.value)
    assert (condition in conditions_for(rule_set)) is (cap is not None)
    if cap is None:
        assert highest_allowed(rule_set, [condition])[0] is E
        return
    above = QUALITY_LEVELS[QUALITY_LEVELS.index(cap) - 1]
    refused = check_conditions(rule_set, [condition.value], "", above)
    assert refused.blocking and refused.source == rule_set.source and condition.label in refused.message
    assert check_conditions(rule_set, [condition.value], "", cap) is None


def test_the_self_report_exception_lifts_discipline_and_nothing_else():
    reason = "Tự phát hiện, tự báo cáo và chủ động khắc phục hậu quả"
    assert check_conditions(RuleSet.QD366, ["discipline"], reason, G) is None
    for other in ("degeneration", "tasks_undone", "low_confidence", "units_failed", "corruption", "prohibited"):
        assert check_conditions(RuleSet.QD366, ["discipline", other], reason, G).blocking, other
        assert "Bị kỷ luật" not in check_conditions(RuleSet.QD366, ["discipline", other], reason, G).message
    assert check_conditions(RuleSet.HD21, ["sick_leave", "discipline"], reason, G).blocking  # still at most completed
    assert check_conditions(RuleSet.QD366, ["discipline"], "   ", G).blocking  # a blank reason is no exception


def test_the_leaders_conditions_are_offered_only_for_a_leader():
    assert {c.value for c in conditions_for(RuleSet.QD366, leader=False)} == {
        "discipline", "degeneration", "prohibited", "tasks_undone"}  # fmt: skip
    assert Condition.UNITS_FAILED in conditions_for(RuleSet.QD366, leader=True)


@pytest.mark.parametrize(
    "text,condition",
    [("discipline", Condition.DISCIPLINE), ("TASKS_UNDONE", Condition.TASKS_UNDONE),
     ("Bị kỷ luật từ khiển trách trở lên trong năm", Condition.DISCIPLINE),
     ("bi ky luat tu khien trach tro len trong nam", Condition.DISCIPLINE),
     ("nghỉ ốm từ 3 tháng trở lên trong năm", Condition.SICK_LEAVE), ("Kỷ luật", Condition.DISCIPLINE),
     ("suy thoai", Condition.DEGENERATION), ("Tín nhiệm thấp", Condition.LOW_CONFIDENCE), ("thoái", None),
     ("", None)],
)  # fmt: skip
def test_conditions_are_read_from_their_key_their_vietnamese_label_or_short_name(text, condition):
    assert parse_condition(text) is condition


REFERENCE = date(2025, 12, 31)


@pytest.mark.parametrize("rule_set", list(RuleSet))
@pytest.mark.parametrize("joined,new", [(date(2025, 6, 30), False), (date(2025, 7, 1), True), (None, False)])
def test_members_admitted_in_the_last_six_months_are_not_classified_and_a_level_is_refused(rule_set, joined, new):
    finding = check_not_classified(rule_set, joined, REFERENCE, G)
    assert (finding is not None) is new
    if new:
        assert finding.blocking and finding.source == NOT_CLASSIFIED_SOURCES[rule_set]
    assert check_not_classified(rule_set, joined, REFERENCE, X) is None


@pytest.mark.parametrize(
    "reference,last_old_enough",
    [(date(2025, 12, 31), date(2025, 6, 30)), (date(2025, 12, 15), date(2025, 6, 15)),
     (date(2025, 8, 31), date(2025, 2, 28)), (date(2024, 8, 31), date(2024, 2, 29)),
     (date(2026, 3, 1), date(2025, 9, 1))],
)  # fmt: skip
def test_the_six_months_are_counted_back_from_the_reference_date(reference, last_old_enough):
    assert six_months_before(reference) == last_old_enough
    assert not admitted_too_late(last_old_enough, reference)
    assert admitted_too_late(last_old_enough + timedelta(days=1), reference)


def test_two_years_not_completed_in_a_row_are_flagged():
    assert check_repeated(N, N) is not None and not check_repeated(N, N).blocking
    assert check_repeated(C, N) is None and check_repeated(N, C) is None and check_repeated(None, N) is None


BY_YEAR = [(2019, RuleSet.HD21), (2022, RuleSet.HD21), (2023, RuleSet.QD124), (2024, RuleSet.QD124)]


@pytest.mark.parametrize("year,rule_set", [*BY_YEAR, (2025, RuleSet.QD366), (2030, RuleSet.QD366)])
def test_each_year_is_judged_by_its_own_rule_set(year, rule_set):
    assert rule_set_for_year(year) is rule_set

"""The regulation: which rule set judges a year, and what each one asks.

Pure functions and data, no Flask and no database, so each rule can be tested at its boundary.
A new regulation is a new rule set, never an edit of an old one: past years keep their rules.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .formatting import format_score
from .i18n import N_, gettext
from .i18n import gettext as _
from .levels import QUALITY_LEVELS, Level, spelling_key


class RuleSet(StrEnum):
    HD21 = "hd21"  # Quy định 132-QĐ/TW, Hướng dẫn 21-HD/BTCTW: years 2019–2022
    QD124 = "qd124"  # Quy định 124-QĐ/TW, Hướng dẫn 25-HD/BTCTW: years 2023–2024
    QD366 = "qd366"  # Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW: from 2025, 100-point score

    @property
    def label(self) -> str:
        return {
            RuleSet.HD21: _("Quy định 132-QĐ/TW, Hướng dẫn 21-HD/BTCTW"),
            RuleSet.QD124: _("Quy định 124-QĐ/TW, Hướng dẫn 25-HD/BTCTW"),
            RuleSet.QD366: _("Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW"),
        }[self]

    @property
    def source(self) -> str:
        """The documents a finding of this rule set cites."""
        return RULE_SET_SOURCES[self]

    @property
    def has_outstanding_quota(self) -> bool:
        """Only QĐ 366 lets a committee raise the quota to 25% for outstanding results (docs/domain.md §4)."""
        return self is RuleSet.QD366

    @property
    def score(self) -> "ScoreScale | None":
        """QĐ 366 art. 4 / HD 43: general criteria /30 + assigned tasks /70 = /100."""
        return ScoreScale(general=30, tasks=70) if self is RuleSet.QD366 else None


RULE_SET_SOURCES = {
    RuleSet.HD21: "QĐ 132-QĐ/TW, HD 21-HD/BTCTW",
    RuleSet.QD124: "QĐ 124-QĐ/TW, HD 25-HD/BTCTW",
    RuleSet.QD366: "QĐ 366-QĐ/TW, HD 43-HD/BTCTW",
}


@dataclass(frozen=True)
class ScoreScale:
    general: int
    tasks: int

    @property
    def total(self) -> int:
        return self.general + self.tasks


def rule_set_for_year(year: int) -> RuleSet:
    """The rule set in force for the year evaluated (docs/domain.md §1)."""
    if year >= 2025:
        return RuleSet.QD366
    if year >= 2023:
        return RuleSet.QD124
    return RuleSet.HD21


# ---- The checks a decision must pass -------------------------------------------------------------
# Each returns a Finding or None. A blocking finding refuses the decision with its message; the
# others are warnings shown before the decision is saved and listed by `flask check`.


@dataclass(frozen=True)
class Finding:
    rule: str  # "quota", "score", "conditions", "not_classified", "repeated"
    message: str
    source: str
    blocking: bool = False
    # A flag that `flask check` fails on without being a breach of the decision (consecutive quarters).
    attention: bool = False

    def __str__(self) -> str:
        return f"{self.message} ({self.source})"

    @property
    def is_violation(self) -> bool:
        """What a decision may not do: on a decided result, a breach of its year's rules. A justified
        exceedance or a flag for the committee (two years not completed) is listed but is not one."""
        return self.blocking

    @property
    def needs_attention(self) -> bool:
        """What `flask check` exits 1 for: a violation, or a flag the committee must take up."""
        return self.blocking or self.attention


# Quota (docs/domain.md §4). Every rule set: within a group of similar people or units, as the competent
# committee decides, those rated excellent may not exceed 20% of those rated good (the denominator is the
# good count, not the total). QĐ 366 alone allows 25% where the committee finds the group's results
# outstanding. Going over needs the committee's written reason.
QUOTA_PERCENT = 20
OUTSTANDING_QUOTA_PERCENT = 25


# How the organizations a committee rates are grouped for the quota, per rule set (docs/domain.md §4, the
# competent committee decides; provinces change this table): by kind, so a province's upper committees and
# the grassroots organizations directly under it are never one group. Members: per grassroots organization.
ORGANIZATION_QUOTA_BY_KIND = {RuleSet.HD21: True, RuleSet.QD124: True, RuleSet.QD366: True}


def quota_source(rule_set: RuleSet) -> str:
    if rule_set.has_outstanding_quota:
        return _("%(source)s: hoàn thành xuất sắc không quá 20%% số hoàn thành tốt, 25%% nếu kết quả nổi trội",
                 source=rule_set.source)  # fmt: skip
    return _("%(source)s: hoàn thành xuất sắc không quá 20%% số hoàn thành tốt", source=rule_set.source)


def excellent_quota(good: int, *, outstanding: bool = False) -> int:
    """The most that may be rated excellent in a group with `good` rated good (rounded down)."""
    return good * (OUTSTANDING_QUOTA_PERCENT if outstanding else QUOTA_PERCENT) // 100


def quota_excess(excellent: int, good: int, *, outstanding: bool = False) -> int:
    """How many excellent ratings a group has beyond its quota (0 when within it)."""
    return max(0, excellent - excellent_quota(good, outstanding=outstanding))


def check_quota(
    rule_set: RuleSet, group: str, excellent: int, good: int, *, outstanding: bool = False, reason: str = ""
) -> Finding | None:
    """Over the quota without the committee's written reason blocks; with one it stays a warning. An
    "outstanding" mark counts only in a rule set that has the 25%."""
    outstanding = outstanding and rule_set.has_outstanding_quota
    if not quota_excess(excellent, good, outstanding=outstanding):
        return None
    share = OUTSTANDING_QUOTA_PERCENT if outstanding else QUOTA_PERCENT
    most = excellent_quota(good, outstanding=outstanding)
    message = _(
        "%(group)s: %(excellent)s hoàn thành xuất sắc, vượt %(share)s%% của %(good)s hoàn thành tốt (tối đa "
        "%(excellent_quota)s)",
        group=group,
        excellent=excellent,
        share=share,
        good=good,
        excellent_quota=most,
    )
    if not most:
        # The usual surprise: rating the best first, before any good one is on record, finds a quota of 0.
        message += _(
            "; cứ %(per)s hoàn thành tốt mới có 1 hoàn thành xuất sắc, nên hãy xếp loại các trường hợp hoàn "
            "thành tốt trước",
            per=100 // share,
        )
    if reason:
        message += _("; lý do của cấp ủy: %(reason)s", reason=reason)
    return Finding("quota", message, quota_source(rule_set), blocking=not reason)


# Score bands (QĐ 366, HD 43; docs/domain.md §2–3): ≥ 90 excellent (with its conditions),
# 70 to < 90 good, 50 to < 70 completed, < 50 not completed. A level above the band is refused;
# a lower one is allowed, since conditions can pull a level down but never up.
SCORE_BANDS = ((90, Level.EXCELLENT), (70, Level.GOOD), (50, Level.COMPLETED), (0, Level.NOT_COMPLETED))
SCORE_SOURCE = "QĐ 366-QĐ/TW, HD 43-HD/BTCTW: khung điểm 90 / 70 / 50"


def score_band(score: Decimal | int) -> Level:
    return next(level for floor, level in SCORE_BANDS if score >= floor)


def check_score(rule_set: "RuleSet", score: Decimal | int | None, level: Level) -> Finding | None:
    if rule_set.score is None or score is None or not level.is_quality_level:
        return None
    band = score_band(score)
    if QUALITY_LEVELS.index(level) >= QUALITY_LEVELS.index(band):
        return None
    return Finding(
        "score",
        _(
            "%(score)s điểm chỉ cho phép đến mức “%(label)s”, không thể “%(label2)s”",
            score=format_score(score),
            label=band.label,
            label2=level.label,
        ),
        SCORE_SOURCE,
        True,
    )


class Condition(StrEnum):
    """Facts of the year that cap a level (docs/domain.md §3), recorded on the review by the committee."""

    DISCIPLINE = "discipline"  # bị kỷ luật từ khiển trách trở lên trong năm
    DEGENERATION = "degeneration"  # có kết luận suy thoái, "tự diễn biến", "tự chuyển hóa"
    PROHIBITED = "prohibited"  # vi phạm những điều đảng viên không được làm, quy định nêu gương
    TASKS_UNDONE = "tasks_undone"  # hơn 50% chỉ tiêu, nhiệm vụ trong năm không hoàn thành
    CIVIL_SERVANT_NOT_COMPLETED = "civil_servant_not_completed"  # công chức bị cơ quan xếp loại không hoàn thành
    SICK_LEAVE = "sick_leave"  # nghỉ ốm từ 3 tháng trở lên (HD 21 only)
    # Leaders (Mẫu 2A) also, under QĐ 366:
    UNITS_FAILED = "units_failed"  # hơn 50% đơn vị thuộc phạm vi phụ trách xếp loại không hoàn thành nhiệm vụ
    LOW_CONFIDENCE = "low_confidence"  # hơn 50% phiếu tín nhiệm thấp
    CORRUPTION = "corruption"  # để xảy ra tham nhũng, tiêu cực trong phạm vi phụ trách bị xử lý kỷ luật

    @property
    def label(self) -> str:
        return gettext(CONDITION_LABELS[self])

    @property
    def leaders_only(self) -> bool:
        return self in LEADER_CONDITIONS


LEADER_CONDITIONS = frozenset({Condition.UNITS_FAILED, Condition.LOW_CONFIDENCE, Condition.CORRUPTION})
CONDITION_LABELS = {
    Condition.DISCIPLINE: N_("Bị kỷ luật từ khiển trách trở lên trong năm"),
    Condition.DEGENERATION: N_("Có kết luận suy thoái, “tự diễn biến”, “tự chuyển hóa”"),
    Condition.PROHIBITED: N_("Vi phạm những điều đảng viên không được làm hoặc quy định về nêu gương"),
    Condition.TASKS_UNDONE: N_("Hơn 50% tổng số chỉ tiêu, nhiệm vụ trong năm không hoàn thành"),
    Condition.CIVIL_SERVANT_NOT_COMPLETED: N_("Công chức, viên chức bị cơ quan xếp loại không hoàn thành nhiệm vụ"),
    Condition.SICK_LEAVE: N_("Nghỉ ốm từ 3 tháng trở lên trong năm"),
    Condition.UNITS_FAILED: N_("Cán bộ lãnh đạo: hơn 50% đơn vị phụ trách không hoàn thành nhiệm vụ"),
    Condition.LOW_CONFIDENCE: N_("Cán bộ lãnh đạo: hơn 50% phiếu tín nhiệm thấp"),
    Condition.CORRUPTION: N_("Cán bộ lãnh đạo: để xảy ra tham nhũng, tiêu cực trong phạm vi phụ trách"),
}

# What each rule set does with each condition it knows (docs/domain.md §3): the highest level it allows.
# A condition a rule set does not list cannot be recorded for its years.
_NOT_COMPLETED_UNDER_ALL = (Condition.DISCIPLINE, Condition.DEGENERATION, Condition.TASKS_UNDONE)
CONDITION_CAPS: dict[RuleSet, dict[Condition, Level]] = {
    RuleSet.QD366: {
        **dict.fromkeys((*_NOT_COMPLETED_UNDER_ALL, Condition.PROHIBITED), Level.NOT_COMPLETED),
        **dict.fromkeys(LEADER_CONDITIONS, Level.NOT_COMPLETED),
    },
    RuleSet.QD124: dict.fromkeys((*_NOT_COMPLETED_UNDER_ALL, Condition.PROHIBITED), Level.NOT_COMPLETED),
    RuleSet.HD21: {
        **dict.fromkeys((*_NOT_COMPLETED_UNDER_ALL, Condition.CIVIL_SERVANT_NOT_COMPLETED), Level.NOT_COMPLETED),
        Condition.SICK_LEAVE: Level.COMPLETED,
    },
}
# The self-report exception ("tự giác báo cáo, chủ động khắc phục hậu quả", decided case by case by the
# competent level with its reason) belongs to the discipline condition only: it never lifts degeneration,
# tasks not done, low-confidence votes or the leaders' conditions (docs/domain.md §3).
EXCEPTION_LIFTS = frozenset({Condition.DISCIPLINE})


def conditions_for(rule_set: RuleSet, *, leader: bool = True) -> list[Condition]:
    """The conditions a year's rule set knows; the leaders' ones only for a leader (Mẫu 2A)."""
    return [c for c in CONDITION_CAPS[rule_set] if leader or not c.leaders_only]


# The statistical table breaks the members not completed down by reason (docs/domain.md §12), one reason each:
# the first of these the committee recorded, else "other".
NOT_COMPLETED_REASONS = (
    Condition.DEGENERATION,
    Condition.TASKS_UNDONE,
    Condition.CIVIL_SERVANT_NOT_COMPLETED,
    Condition.DISCIPLINE,
)
OTHER_REASON = "other"


def not_completed_reason(conditions) -> str:
    """The one reason the statistics count a member not completed under."""
    return next((c.value for c in NOT_COMPLETED_REASONS if c.value in (conditions or ())), OTHER_REASON)


# The few words an organization department's spreadsheet uses for each condition, beside its full label.
CONDITION_SHORT_NAMES = {
    Condition.DISCIPLINE: "kỷ luật",
    Condition.DEGENERATION: "suy thoái",
    Condition.PROHIBITED: "vi phạm điều không được làm",
    Condition.TASKS_UNDONE: "không hoàn thành chỉ tiêu",
    Condition.CIVIL_SERVANT_NOT_COMPLETED: "công chức không hoàn thành",
    Condition.SICK_LEAVE: "nghỉ ốm",
    Condition.UNITS_FAILED: "đơn vị không hoàn thành",
    Condition.LOW_CONFIDENCE: "tín nhiệm thấp",
    Condition.CORRUPTION: "tham nhũng",
}


def parse_condition(text: str) -> Condition | None:
    """A condition from its key, its Vietnamese label or its short name, ignoring accents, case and
    punctuation."""
    wanted = spelling_key(text)
    return next(
        (c for c in Condition if wanted in map(spelling_key, (c.value, CONDITION_LABELS[c], CONDITION_SHORT_NAMES[c]))),
        None,
    )


def highest_allowed(rule_set: RuleSet, conditions, exception_reason: str = "") -> tuple[Level, list[str]]:
    """The highest level the recorded conditions allow, and why, each reason citing its source; a recorded
    self-report exception lifts the discipline condition, and only it."""
    highest, capped = _capping(rule_set, conditions, exception_reason)
    return highest, [f"{reason} ({rule_set.source})" for reason in capped]


def _capping(rule_set: RuleSet, conditions, exception_reason: str) -> tuple[Level, list[str]]:
    caps = CONDITION_CAPS[rule_set]
    lifted = EXCEPTION_LIFTS if exception_reason.strip() else frozenset()
    applying = [c for c in map(Condition, conditions) if c in caps and c not in lifted]
    if not applying:
        return Level.EXCELLENT, []
    highest = max((caps[c] for c in applying), key=QUALITY_LEVELS.index)
    return highest, [_("%(label)s → tối đa “%(label2)s”", label=c.label, label2=caps[c].label) for c in applying]


def check_conditions(rule_set: RuleSet, conditions, exception_reason: str, level: Level) -> Finding | None:
    if not level.is_quality_level:
        return None
    highest, capped = _capping(rule_set, conditions, exception_reason)
    if QUALITY_LEVELS.index(level) >= QUALITY_LEVELS.index(highest):
        return None
    return Finding("conditions", "; ".join(capped), rule_set.source, blocking=True)


# Not classified (docs/domain.md §5): members exempt from work and party activities, suspended, or admitted
# less than six months before the reference date are not reviewed (QĐ 366 Điều 5, QĐ 124) or reviewed but
# not classified (HD 21); under HD 21 an organization founded less than six months before is not classified
# either. A quality level for a new member is refused, never a warning that lets it through. The reference
# date, 31 December by default, is configurable per rule set (NEW_MEMBER_REFERENCE).
NEW_MEMBER_MONTHS = 6
RULE_SETS_WITH_NEW_ORGANIZATIONS = frozenset({RuleSet.HD21})  # organizations founded < 6 months: not classified
NOT_CLASSIFIED_SOURCES = {
    RuleSet.HD21: "HD 21-HD/BTCTW: đảng viên mới kết nạp, tổ chức mới thành lập chưa đủ 6 tháng",
    RuleSet.QD124: "QĐ 124-QĐ/TW: đảng viên mới kết nạp chưa đủ 6 tháng",
    RuleSet.QD366: "QĐ 366-QĐ/TW Điều 5: đảng viên mới kết nạp chưa đủ 6 tháng",
}


def six_months_before(reference: date) -> date:
    """The same day six months before `reference`, or that month's last day when it is shorter."""
    year, month = (reference.year, reference.month - NEW_MEMBER_MONTHS)
    if month < 1:
        year, month = year - 1, month + 12
    return date(year, month, min(reference.day, calendar.monthrange(year, month)[1]))


def admitted_too_late(joined: date | None, reference: date) -> bool:
    """Admitted (or, for an organization, founded) less than six months before the reference date."""
    return joined is not None and joined > six_months_before(reference)


def check_not_classified(rule_set: RuleSet, joined: date | None, reference: date, level: Level) -> Finding | None:
    """A quality level for a member admitted (or an organization founded, HD 21) too late is refused."""
    if level.is_quality_level and admitted_too_late(joined, reference):
        return Finding(
            "not_classified",
            _(
                "kết nạp (thành lập) ngày %(joined)s, chưa đủ %(new_member_months)s tháng đến ngày %(reference)s: "
                "không xếp loại",
                joined=format(joined, "%d/%m/%Y"),
                new_member_months=NEW_MEMBER_MONTHS,
                reference=format(reference, "%d/%m/%Y"),
            ),
            NOT_CLASSIFIED_SOURCES[rule_set],
            blocking=True,
        )
    return None


# The cell meeting's vote (docs/domain.md §7): the share of the cell's official members who must vote for a
# proposed level. The guides left the thresholds to provinces; these are the ones long used (excellent at
# least two thirds, good more than half). A shortfall is a warning, the committee decides.
VOTE_THRESHOLDS: dict[RuleSet, dict[Level, tuple[int, int, bool]]] = {
    rule_set: {Level.EXCELLENT: (2, 3, True), Level.GOOD: (1, 2, False)} for rule_set in RuleSet
}  # level: (numerator, denominator, whether reaching the share exactly is enough)
VOTES_SOURCE = N_("ngưỡng biểu quyết của chi bộ (xuất sắc từ 2/3, tốt trên 1/2 số đảng viên chính thức)")


def check_votes(rule_set: RuleSet, level: Level, votes: int | None, official: int | None) -> Finding | None:
    """Too few votes at the cell meeting for the proposed level: a warning for the committee."""
    threshold = VOTE_THRESHOLDS[rule_set].get(level)
    if threshold is None or votes is None or not official:
        return None
    numerator, denominator, exact_enough = threshold
    enough = votes * denominator >= numerator * official if exact_enough else votes * denominator > numerator * official
    if enough:
        return None
    share = f"{numerator}/{denominator}" if exact_enough else _("quá %(n)s/%(d)s", n=numerator, d=denominator)
    message = _(
        "%(votes)s/%(official)s phiếu tán thành mức “%(level)s”: chưa đạt %(share)s số đảng viên chính thức",
        votes=votes, official=official, level=level.label, share=share,
    )  # fmt: skip
    return Finding("votes", message, gettext(VOTES_SOURCE))


# Leaders are judged with the unit they head (docs/domain.md §3). Where the rule set says so (QĐ 366 here; a
# province may change this table), the head's level is not above the level decided for the unit; and under
# every rule set that has the condition, more than half of the units under them not completed is a fact,
# computed from the results instead of ticked by hand.
HEAD_NOT_ABOVE_UNIT = {RuleSet.HD21: False, RuleSet.QD124: False, RuleSet.QD366: True}


def units_failed(rated: int, not_completed: int) -> bool:
    """More than 50% of the units a leader is responsible for rated not completed."""
    return rated > 0 and not_completed * 2 > rated


def check_head(rule_set: RuleSet, level: Level, unit: str, unit_level: Level | None) -> Finding | None:
    """The head of a unit rated above the unit's decided level, where the rule set forbids it."""
    if not HEAD_NOT_ABOVE_UNIT[rule_set] or unit_level is None or not unit_level.is_quality_level:
        return None
    if not level.is_quality_level or QUALITY_LEVELS.index(level) >= QUALITY_LEVELS.index(unit_level):
        return None
    return Finding(
        "head",
        _("người đứng đầu %(unit)s, đơn vị được xếp loại “%(unit_level)s”: không xếp loại cao hơn đơn vị",
          unit=unit, unit_level=unit_level.label),
        rule_set.source,
        blocking=True,
    )  # fmt: skip


# Members rated not completed in consecutive years are brought to the committee for consideration
# under the Party Statute (Điều lệ Đảng, Điều 8: đảng viên 2 năm liền không hoàn thành nhiệm vụ).
REPEATED_YEARS = 2


def check_repeated(previous: Level | None, level: Level) -> Finding | None:
    if level is Level.NOT_COMPLETED and previous is Level.NOT_COMPLETED:
        return Finding(
            "repeated",
            _(
                "%(repeated_years)s năm liền không hoàn thành nhiệm vụ: cấp ủy xem xét theo Điều lệ Đảng",
                repeated_years=REPEATED_YEARS,
            ),
            "Điều lệ Đảng Điều 8; HD 43-HD/BTCTW",
        )
    return None


# ---- Quarters feed the year (from 2026) ------------------------------------------------------------
# Leaders and managers are evaluated each quarter (KL 198-KL/TW, HD 02-HD/BTCTW). A quarter not completed
# rules out excellent for the year, and consecutive quarters not completed bring the person to the
# committee's attention. A province's framework file says whether each applies (evaluation/frameworks).
QUARTERS_SOURCE = "QĐ 366-QĐ/TW; KL 198-KL/TW; HD 02-HD/BTCTW"


def check_quarters(quarters: Mapping[int, Level | None], level: Level, *, needs_every_quarter: bool) -> Finding | None:
    """Excellent for the year while a quarter of it was decided not completed: refused."""
    failed = sorted(q for q, quarter_level in quarters.items() if quarter_level is Level.NOT_COMPLETED)
    if level is not Level.EXCELLENT or not failed or not needs_every_quarter:
        return None
    return Finding(
        "quarters",
        _(
            "Quý %(quarters)s không hoàn thành nhiệm vụ: không thể xếp loại hoàn thành xuất sắc nhiệm vụ cả năm",
            quarters=", ".join(str(q) for q in failed),
        ),
        QUARTERS_SOURCE,
        blocking=True,
    )


def consecutive_not_completed(quarters: Mapping[int, Level | None], run: int) -> Finding | None:
    """`run` consecutive quarters not completed (0: the framework never flags): for the committee's attention."""
    streak = longest = 0
    for quarter in range(1, 5):
        streak = streak + 1 if quarters.get(quarter) is Level.NOT_COMPLETED else 0
        longest = max(longest, streak)
    if not run or longest < run:
        return None
    return Finding(
        "quarters_in_a_row",
        _("%(count)s quý liền không hoàn thành nhiệm vụ: báo cáo cấp ủy xem xét", count=longest),
        QUARTERS_SOURCE,
        attention=True,
    )

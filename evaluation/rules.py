"""The regulation: which rule set judges a year, and what each one asks.

Pure functions and data, no Flask and no database, so each rule can be tested at its boundary.
A new regulation is a new rule set, never an edit of an old one: past years keep their rules.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask_babel import gettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .i18n import N_
from .levels import QUALITY_LEVELS, Level


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
    def score(self) -> "ScoreScale | None":
        """QĐ 366 art. 4 / HD 43: general criteria /30 + assigned tasks /70 = /100."""
        return ScoreScale(general=30, tasks=70) if self is RuleSet.QD366 else None


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

    def __str__(self) -> str:
        return f"{self.message} ({self.source})"


# Quota (docs/domain.md §4). Quy định 366-QĐ/TW and the guides before it: within a group of similar
# people or units, as the competent committee decides, those rated excellent may not exceed 20% of
# those rated good (the denominator is the good count, not the total); 25% where the committee
# finds the group's results outstanding. Going over needs the committee's written reason.
QUOTA_PERCENT = 20
OUTSTANDING_QUOTA_PERCENT = 25
QUOTA_SOURCE = _l(
    "tỷ lệ hoàn thành xuất sắc không quá 20% tổng số hoàn thành tốt; QĐ 366-QĐ/TW: 25% nếu kết quả nổi trội"
)


def excellent_quota(good: int, *, outstanding: bool = False) -> int:
    """The most that may be rated excellent in a group with `good` rated good (rounded down)."""
    return good * (OUTSTANDING_QUOTA_PERCENT if outstanding else QUOTA_PERCENT) // 100


def quota_excess(excellent: int, good: int, *, outstanding: bool = False) -> int:
    """How many excellent ratings a group has beyond its quota (0 when within it)."""
    return max(0, excellent - excellent_quota(good, outstanding=outstanding))


def check_quota(
    group: str, excellent: int, good: int, *, outstanding: bool = False, reason: str = ""
) -> Finding | None:
    """Over the quota without the committee's written reason blocks; with one it stays a warning."""
    if not quota_excess(excellent, good, outstanding=outstanding):
        return None
    share = OUTSTANDING_QUOTA_PERCENT if outstanding else QUOTA_PERCENT
    message = _(
        "%(group)s: %(excellent)s hoàn thành xuất sắc > %(share)s%% của %(good)s hoàn thành tốt (tối đa "
        "%(excellent_quota)s)",
        group=group,
        excellent=excellent,
        share=share,
        good=good,
        excellent_quota=excellent_quota(good, outstanding=outstanding),
    )
    if reason:
        message += _("; lý do của cấp ủy: %(reason)s", reason=reason)
    return Finding("quota", message, QUOTA_SOURCE, blocking=not reason)


# Score bands (QĐ 366, HD 43; docs/domain.md §2–3): ≥ 90 excellent (with its conditions),
# 70 to < 90 good, 50 to < 70 completed, < 50 not completed. A level above the band is refused;
# a lower one is allowed, since conditions can pull a level down but never up.
SCORE_BANDS = ((90, Level.EXCELLENT), (70, Level.GOOD), (50, Level.COMPLETED), (0, Level.NOT_COMPLETED))
SCORE_SOURCE = "QĐ 366-QĐ/TW, HD 43-HD/BTCTW: khung điểm 90 / 70 / 50"


def score_band(score: int) -> Level:
    return next(level for floor, level in SCORE_BANDS if score >= floor)


def check_score(rule_set: "RuleSet", score: int | None, level: Level) -> Finding | None:
    if rule_set.score is None or score is None or not level.is_quality_level:
        return None
    band = score_band(score)
    if QUALITY_LEVELS.index(level) >= QUALITY_LEVELS.index(band):
        return None
    return Finding(
        "score",
        _(
            "%(score)s điểm chỉ cho phép đến mức “%(label)s”, không thể “%(label2)s”",
            score=score,
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
    TASKS_UNDONE = "tasks_undone"  # hơn 50% nhiệm vụ trong năm không hoàn thành
    SICK_LEAVE = "sick_leave"  # nghỉ ốm từ 3 tháng trở lên (HD 21 only)
    # Leaders also (docs/domain.md §3, QĐ 366):
    UNITS_FAILED = "units_failed"  # hơn 50% đơn vị thuộc phạm vi phụ trách xếp loại không hoàn thành nhiệm vụ
    LOW_CONFIDENCE = "low_confidence"  # hơn 50% phiếu tín nhiệm thấp
    CORRUPTION = "corruption"  # để xảy ra tham nhũng, tiêu cực trong phạm vi phụ trách bị xử lý kỷ luật

    @property
    def label(self) -> str:
        return gettext(CONDITION_LABELS[self])


CONDITION_LABELS = {
    Condition.DISCIPLINE: N_("Bị kỷ luật từ khiển trách trở lên trong năm"),
    Condition.DEGENERATION: N_("Có kết luận suy thoái, “tự diễn biến”, “tự chuyển hóa”"),
    Condition.PROHIBITED: N_("Vi phạm những điều đảng viên không được làm hoặc quy định về nêu gương"),
    Condition.TASKS_UNDONE: N_("Hơn 50% tổng số chỉ tiêu, nhiệm vụ trong năm không hoàn thành"),
    Condition.SICK_LEAVE: N_("Nghỉ ốm từ 3 tháng trở lên trong năm"),
    Condition.UNITS_FAILED: N_("Cán bộ lãnh đạo: hơn 50% đơn vị phụ trách không hoàn thành nhiệm vụ"),
    Condition.LOW_CONFIDENCE: N_("Cán bộ lãnh đạo: hơn 50% phiếu tín nhiệm thấp"),
    Condition.CORRUPTION: N_("Cán bộ lãnh đạo: để xảy ra tham nhũng, tiêu cực trong phạm vi phụ trách"),
}

# What each rule set does with each condition: the highest level it allows, and its source.
CONDITION_CAPS: dict[RuleSet, dict[Condition, tuple[Level, str]]] = {
    RuleSet.QD366: {
        Condition.DISCIPLINE: (Level.NOT_COMPLETED, "QĐ 366-QĐ/TW"),
        Condition.DEGENERATION: (Level.NOT_COMPLETED, "QĐ 366-QĐ/TW"),
        Condition.PROHIBITED: (Level.NOT_COMPLETED, "QĐ 366-QĐ/TW"),
        Condition.TASKS_UNDONE: (Level.NOT_COMPLETED, "QĐ 366-QĐ/TW"),
        Condition.UNITS_FAILED: (Level.NOT_COMPLETED, "QĐ 366-QĐ/TW"),
        Condition.LOW_CONFIDENCE: (Level.NOT_COMPLETED, "QĐ 366-QĐ/TW"),
        Condition.CORRUPTION: (Level.NOT_COMPLETED, "QĐ 366-QĐ/TW"),
    },
    RuleSet.QD124: {
        Condition.DISCIPLINE: (Level.NOT_COMPLETED, "QĐ 124-QĐ/TW, HD 25-HD/BTCTW"),
    },
    RuleSet.HD21: {
        Condition.DISCIPLINE: (Level.NOT_COMPLETED, "HD 21-HD/BTCTW"),
        Condition.SICK_LEAVE: (Level.COMPLETED, "HD 21-HD/BTCTW"),
    },
}


def conditions_for(rule_set: RuleSet) -> list[Condition]:
    return list(CONDITION_CAPS[rule_set])


def highest_allowed(rule_set: RuleSet, conditions, exception_reason: str = "") -> tuple[Level, list[str]]:
    """The highest level the recorded conditions allow, and why; a recorded self-report exception lifts them."""
    caps = CONDITION_CAPS[rule_set]
    applying = [(caps[c], c) for c in map(Condition, conditions) if c in caps]
    if not applying or exception_reason:
        return Level.EXCELLENT, []
    highest = max((cap for (cap, _), _ in applying), key=QUALITY_LEVELS.index)
    return highest, [
        _("%(label)s → tối đa “%(label2)s” (%(source)s)", label=c.label, label2=cap.label, source=source)
        for (cap, source), c in applying
    ]


def check_conditions(rule_set: RuleSet, conditions, exception_reason: str, level: Level) -> Finding | None:
    if not level.is_quality_level:
        return None
    highest, reasons = highest_allowed(rule_set, conditions, exception_reason)
    if QUALITY_LEVELS.index(level) >= QUALITY_LEVELS.index(highest):
        return None
    return Finding("conditions", "; ".join(reasons), rule_set.label, blocking=True)


# Not classified (QĐ 366 Điều 5, QĐ 124; docs/domain.md §5): exempt from activities, suspended, or
# admitted less than 6 months before the year's end are not reviewed; they are counted apart.
NEW_MEMBER_MONTHS = 6


def admitted_too_late(joined: date | None, year: int) -> bool:
    """Admitted less than six months before 31 December of the year (so after 30 June)."""
    return joined is not None and joined > date(year, 6, 30)


def check_not_classified(joined: date | None, year: int, level: Level) -> Finding | None:
    if level.is_quality_level and admitted_too_late(joined, year):
        return Finding(
            "not_classified",
            _(
                "kết nạp ngày %(joined)s, chưa đủ %(new_member_months)s tháng đến hết năm %(year)s: không xếp loại",
                joined=format(joined, "%d/%m/%Y"),
                new_member_months=NEW_MEMBER_MONTHS,
                year=year,
            ),
            "QĐ 366-QĐ/TW Điều 5",
        )
    return None


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

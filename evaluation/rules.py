"""The regulation: which rule set judges a year, and what each one asks.

Pure functions and data, no Flask and no database, so each rule can be tested at its boundary.
A new regulation is a new rule set, never an edit of an old one: past years keep their rules.
"""

from dataclasses import dataclass
from enum import StrEnum


class RuleSet(StrEnum):
    HD21 = "hd21"  # Quy định 132-QĐ/TW, Hướng dẫn 21-HD/BTCTW: years 2019–2022
    QD124 = "qd124"  # Quy định 124-QĐ/TW, Hướng dẫn 25-HD/BTCTW: years 2023–2024
    QD366 = "qd366"  # Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW: from 2025, 100-point score

    @property
    def label(self) -> str:
        return {
            RuleSet.HD21: "Quy định 132-QĐ/TW, Hướng dẫn 21-HD/BTCTW",
            RuleSet.QD124: "Quy định 124-QĐ/TW, Hướng dẫn 25-HD/BTCTW",
            RuleSet.QD366: "Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW",
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
    """The rule set in force for the year evaluated (domain.md §1)."""
    if year >= 2025:
        return RuleSet.QD366
    if year >= 2023:
        return RuleSet.QD124
    return RuleSet.HD21


# Quota (domain.md §4). Quy định 366-QĐ/TW and the guides before it: within a group of similar
# people or units, as the competent committee decides, those rated excellent may not exceed 20% of
# those rated good (the denominator is the good count, not the total); 25% where the committee
# finds the group's results outstanding. Going over is a recorded exception, not an error.
QUOTA_PERCENT = 20
OUTSTANDING_QUOTA_PERCENT = 25


def excellent_quota(good: int, *, outstanding: bool = False) -> int:
    """The most that may be rated excellent in a group with `good` rated good."""
    return good * (OUTSTANDING_QUOTA_PERCENT if outstanding else QUOTA_PERCENT) // 100


def quota_excess(excellent: int, good: int, *, outstanding: bool = False) -> int:
    """How many excellent ratings a group has beyond its quota (0 when within it)."""
    return max(0, excellent - excellent_quota(good, outstanding=outstanding))

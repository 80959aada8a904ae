"""The statistical table each level sends up beside its report (docs/domain.md §12): members and grassroots
organizations, a column for the total and one per type of grassroots organization.

Read from the kept tallies at the root (a few rows per type), never counted from the reviews:
- members: present at the time of review (1) = exempt (2) + not yet reviewed (3) + reviewed (4); reviewed by
  level, and the not completed by reason. While a year is open, those present are the members there now;
  once it is closed, those it reviewed.
- organizations: the grassroots organizations (and apart, đảng bộ cơ sở, counted again by the tallies, and
  chi bộ cơ sở, the rest) and the cells, each = rated by level + not rated (of which newly founded, not
  classified for that reason).
"""

from collections import Counter
from dataclasses import dataclass, field

from ..extensions import db
from ..formatting import format_number
from ..levels import QUALITY_LEVELS, Level, NotClassifiedReason
from ..org.models import OTHER_TYPE, Organization, OrganizationType, OrgKind
from ..periods.models import Period
from ..reviews.counts import counts_current_members
from ..reviews.models import ReviewState
from ..reviews.tallies import MEMBER, PARTY_COMMITTEE, KeptTally, SubtreeSize
from ..rules import NOT_COMPLETED_REASONS, OTHER_REASON

REASONS = (*(c.value for c in NOT_COMPLETED_REASONS), OTHER_REASON)


@dataclass
class MemberRow:
    """One column of the members' table."""

    present: int = 0
    exempt: int = 0
    reviewed: int = 0
    levels: Counter = field(default_factory=Counter)  # Level → count, the four quality levels
    not_completed_by_reason: Counter = field(default_factory=Counter)

    @property
    def not_reviewed(self) -> int:
        return self.present - self.exempt - self.reviewed

    def as_json(self) -> dict:
        return {
            "present": self.present,
            "exempt": self.exempt,
            "not_reviewed": self.not_reviewed,
            "reviewed": self.reviewed,
            **{level.value: self.levels[level] for level in QUALITY_LEVELS},
            "not_completed_by_reason": {reason: self.not_completed_by_reason[reason] for reason in REASONS},
        }


@dataclass
class OrgRow:
    """One column of an organizations' table."""

    total: int = 0
    rated: int = 0
    newly_founded: int = 0
    levels: Counter = field(default_factory=Counter)

    @property
    def not_rated(self) -> int:
        return self.total - self.rated

    def minus(self, part: "OrgRow") -> "OrgRow":
        """The rest of these organizations once `part` of them is taken away."""
        return OrgRow(self.total - part.total, self.rated - part.rated, self.newly_founded - part.newly_founded,
                      self.levels - part.levels)  # fmt: skip

    def as_json(self) -> dict:
        return {
            "total": self.total,
            "rated": self.rated,
            "not_rated": self.not_rated,
            "newly_founded": self.newly_founded,
            **{level.value: self.levels[level] for level in QUALITY_LEVELS},
        }


@dataclass
class Column:
    """The total, or one type of grassroots organization."""

    key: str  # "" for the total
    name: str
    members: MemberRow = field(default_factory=MemberRow)
    grassroots: OrgRow = field(default_factory=OrgRow)
    cells: OrgRow = field(default_factory=OrgRow)
    # The grassroots organizations apart: đảng bộ cơ sở (with cells) and chi bộ cơ sở (members directly).
    party_committees: OrgRow = field(default_factory=OrgRow)
    cell_grassroots: OrgRow = field(default_factory=OrgRow)

    def has_rows(self) -> bool:
        return bool(self.members.present or self.grassroots.total or self.cells.total)


@dataclass
class Statistics:
    org: Organization
    period: Period
    total: Column
    by_type: list[Column]  # the types present, in the table's order

    def as_json(self) -> dict:
        """The shape a check outside the repository relies on (docs/reference.md)."""
        return {
            "org": self.org.code,
            "year": self.period.year,
            "columns": [column.key for column in self.by_type],
            "members": {
                "total": self.total.members.as_json(),
                "by_type": {c.key: c.members.as_json() for c in self.by_type},
            },
            "organizations": {
                "total": self.total.grassroots.as_json(),
                "by_type": {c.key: c.grassroots.as_json() for c in self.by_type},
            },
            "cells": {"total": self.total.cells.as_json(), "by_type": {c.key: c.cells.as_json() for c in self.by_type}},
        }


ORG_SUBJECTS = {
    OrgKind.GRASSROOTS.value: "grassroots",
    OrgKind.CELL.value: "cells",
    PARTY_COMMITTEE: "party_committees",
}


def statistics(root: Organization, period: Period) -> Statistics:
    types = list(db.session.scalars(db.select(OrganizationType).order_by(OrganizationType.position)))
    columns = {t.key: Column(t.key, t.name) for t in types}
    total = Column("", "Tổng số")
    for subject, state, level, org_type, reason, count in _tallies(root, period):
        for column in (total, columns[org_type or OTHER_TYPE]):
            _count(column, subject, ReviewState(state), Level(level) if level else None, reason, count)
    if counts_current_members(period):  # while a year is open, everyone there now, reviewed or not
        for column in (total, *columns.values()):
            column.members.present = column.grassroots.total = column.cells.total = column.party_committees.total = 0
        for kind, org_type, count in _sizes(root):
            for column in (total, columns[org_type or OTHER_TYPE]):
                _size(column, kind, count)
    for column in (total, *columns.values()):
        column.cell_grassroots = column.grassroots.minus(column.party_committees)
    return Statistics(root, period, total, [c for c in columns.values() if c.has_rows()])


def _tallies(root: Organization, period: Period):
    kept = KeptTally
    return db.session.execute(
        db.select(kept.subject, kept.state, kept.level, kept.org_type, kept.reason, kept.count).where(
            kept.organization_id == root.id,
            kept.period_id == period.id,
            kept.subject.in_((MEMBER, *ORG_SUBJECTS)),
            kept.count != 0,
        )
    )


def _sizes(root: Organization):
    return db.session.execute(
        db.select(SubtreeSize.kind, SubtreeSize.org_type, SubtreeSize.count).where(
            SubtreeSize.organization_id == root.id,
            SubtreeSize.kind.in_((MEMBER, *ORG_SUBJECTS)),
            SubtreeSize.count != 0,
        )
    )


def _count(column: Column, subject: str, state: ReviewState, level: Level | None, reason: str, count: int) -> None:
    decided = level if state is ReviewState.DECIDED else None
    if subject == MEMBER:
        row = column.members
        row.present += count
        if decided in QUALITY_LEVELS:
            row.reviewed += count
            row.levels[decided] += count
            if decided is Level.NOT_COMPLETED:
                row.not_completed_by_reason[reason] += count
        elif decided is Level.NOT_CLASSIFIED and reason == NotClassifiedReason.EXEMPT.value:
            row.exempt += count
        return
    _count_organization(getattr(column, ORG_SUBJECTS[subject]), state, level, reason, count)


def _count_organization(orgs: OrgRow, state: ReviewState | None, level: Level | None, reason: str, count: int) -> None:
    decided = level if state is ReviewState.DECIDED else None
    orgs.total += count
    if decided in QUALITY_LEVELS:
        orgs.rated += count
        orgs.levels[decided] += count
    elif decided is Level.NOT_CLASSIFIED and reason == NotClassifiedReason.NEW_MEMBER.value:
        orgs.newly_founded += count


def _size(column: Column, kind: str, count: int) -> None:
    if kind == MEMBER:
        column.members.present += count
    else:
        orgs: OrgRow = getattr(column, ORG_SUBJECTS[kind])
        orgs.total += count


@dataclass(frozen=True)
class TableRow:
    number: str
    label: str
    depth: int  # 0 a row of the form, 1 its breakdown, 2 "of which"; -1 a section's heading
    values: list[int]


_LEVEL_LABELS = {
    Level.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
    Level.GOOD: "Hoàn thành tốt nhiệm vụ",
    Level.COMPLETED: "Hoàn thành nhiệm vụ",
    Level.NOT_COMPLETED: "Không hoàn thành nhiệm vụ",
}
_REASON_LABELS = {
    "degeneration": "Trong đó: có kết luận suy thoái, “tự diễn biến”, “tự chuyển hóa”",
    "tasks_undone": "hoàn thành dưới 50% chỉ tiêu, nhiệm vụ",
    "civil_servant_not_completed": "công chức, viên chức bị xếp loại không hoàn thành nhiệm vụ",
    "discipline": "bị xử lý kỷ luật trong năm",
    OTHER_REASON: "lý do khác",
}


def table(stats: Statistics) -> list[TableRow]:
    """The official form's rows, a value per column (the total, then each type): the one layout the page,
    the print, the CSV, the XLSX and the text share. Its words are the form's, in Vietnamese."""
    columns = [stats.total, *stats.by_type]

    def row(number: str, label: str, depth: int, value) -> TableRow:
        return TableRow(number, label, depth, [value(c) for c in columns])

    def heading(label: str) -> TableRow:
        return TableRow("", label, -1, [])

    rows = [heading("A. ĐẢNG VIÊN")]
    rows += [
        row("1", "Đảng viên có mặt tại thời điểm kiểm điểm", 0, lambda c: c.members.present),
        row("2", "Đảng viên được miễn kiểm điểm", 0, lambda c: c.members.exempt),
        row("3", "Đảng viên chưa kiểm điểm, xếp loại", 0, lambda c: c.members.not_reviewed),
        row("4", "Đảng viên đã kiểm điểm, xếp loại", 0, lambda c: c.members.reviewed),
    ]
    for i, level in enumerate(QUALITY_LEVELS, start=1):
        rows.append(row(f"4.{i}", _LEVEL_LABELS[level], 1, lambda c, level=level: c.members.levels[level]))
    for reason in REASONS:
        rows.append(row("", _REASON_LABELS[reason], 2, lambda c, r=reason: c.members.not_completed_by_reason[r]))
    for letter, title, attribute, number in (("B", "TỔ CHỨC CƠ SỞ ĐẢNG", "grassroots", "5"),
                                             ("", "Trong đó: đảng bộ cơ sở", "party_committees", "5a"),
                                             ("", "Trong đó: chi bộ cơ sở", "cell_grassroots", "5b"),
                                             ("C", "CHI BỘ TRỰC THUỘC ĐẢNG BỘ CƠ SỞ", "cells", "6")):  # fmt: skip
        rows += [heading(f"{letter}. {title}" if letter else title), *_organization_rows(row, attribute, number)]
    return rows


def _organization_rows(row, attribute: str, number: str) -> list[TableRow]:
    def of(c) -> OrgRow:
        return getattr(c, attribute)

    rows = [
        row(number, "Tổng số", 0, lambda c: of(c).total),
        row(f"{number}.1", "Đã đánh giá, xếp loại", 1, lambda c: of(c).rated),
    ]
    for level in QUALITY_LEVELS:
        rows.append(row("", _LEVEL_LABELS[level], 2, lambda c, level=level: of(c).levels[level]))
    rows += [
        row(f"{number}.2", "Chưa đánh giá, xếp loại", 1, lambda c: of(c).not_rated),
        row("", "Trong đó: mới thành lập", 2, lambda c: of(c).newly_founded),
    ]
    return rows


def headers(stats: Statistics) -> list[str]:
    return ["STT", "Chỉ tiêu", "Tổng số", *(c.name for c in stats.by_type)]


def as_text(stats: Statistics) -> str:
    """The table for a terminal: one line per row, the numbers right-aligned under their column."""
    head = headers(stats)
    lines = [f"Thống kê kết quả đánh giá, xếp loại năm {stats.period.year}: {stats.org.name}", ""]
    widths = [max(len(h), 8) for h in head[2:]]
    lines.append(f"{'':<6}{'':<76}" + "".join(f"{h:>{w + 2}}" for h, w in zip(head[2:], widths, strict=True)))
    for row in table(stats):
        label = "  " * max(row.depth, 0) + row.label
        numbers = "".join(f"{format_number(v):>{w + 2}}" for v, w in zip(row.values, widths, strict=False))
        lines.append(f"{row.number:<6}{label[:74]:<76}{numbers}")
    return "\n".join(lines) + "\n"

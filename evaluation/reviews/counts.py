"""The counts the workflow and the regulation's checks need, made by the database.

Each is read from the kept tallies (`tallies.py`) or is one GROUP BY over the reviews of a year: the
progress of a cell, the levels decided under a committee (the quota's base), who is still undecided,
and the members of a list with their reviews. The reports layer builds its rollups from the same
`Tally` and `unit_results`, so a page and a check can never count differently.

A member counts under the organization of their review for the year (their cell that year); while
a period is not closed, members who have not started count too, under their current cell.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

import sqlalchemy as sa

from ..auth.permissions import RATED_BY_GRASSROOTS, rated_by
from ..extensions import db, read_columns
from ..i18n import gettext as _
from ..levels import QUALITY_LEVELS, Level
from ..members.models import Member
from ..members.operations import member_matches
from ..org.models import Organization, OrgKind
from ..periods.models import Period, PeriodState
from ..rules import ORGANIZATION_QUOTA_BY_KIND
from .models import Review, ReviewState, organization_review_in
from .tallies import MEMBER, PARTY_COMMITTEE, QUARTER_SUBJECTS, KeptTally, SubtreeSize

NOT_STARTED = "not_started"
# The columns of a progress table, in the workflow's order.
PROGRESS_STATES = (NOT_STARTED, *(state.value for state in ReviewState))
GOOD_OR_BETTER = "good_or_better"  # hoàn thành tốt nhiệm vụ trở lên: excellent + good
SHARE_KEYS = (*QUALITY_LEVELS, GOOD_OR_BETTER)
# The stored values' members, looked up once: a rollup reads a few hundred rows per page.
STATES = {state.value: state for state in ReviewState}
LEVELS = {level.value: level for level in Level}


class Threshold(Protocol):
    """A target (chỉ tiêu): a good-or-better share, in percent of the classified, to reach or to exceed."""

    min_percent: Decimal
    strictly_above: bool


def percent(part: int, whole: int, decimals: int = 2) -> Decimal | None:
    """`part` as a percentage of `whole`, rounded half up as the reports do (0,725 → 0,73)."""
    if not whole:
        return None
    exact = Decimal(part) * 100 / Decimal(whole)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass
class Progress:
    """How far the reviews of a set of members have come."""

    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __getitem__(self, key: str) -> int:
        return self.counts[key]


@dataclass
class Tally:
    """The final levels of a set of members or organizations in one year.

    Shares are of the classified (the four levels); the not classified and the not yet decided
    are counted apart, as the official reports do (docs/domain.md §9).
    """

    counts: Counter = field(default_factory=Counter)
    pending: int = 0  # not decided yet, or not started while the period is not closed

    def __getitem__(self, key: Level | str) -> int:
        if key == GOOD_OR_BETTER:
            return self.good_or_better
        return self.counts[key if isinstance(key, Level) else LEVELS[key]]

    @property
    def classified(self) -> int:
        return sum(self.counts[level] for level in QUALITY_LEVELS)

    @property
    def good_or_better(self) -> int:
        return self.counts[Level.EXCELLENT] + self.counts[Level.GOOD]

    @property
    def not_classified(self) -> int:
        return self.counts[Level.NOT_CLASSIFIED]

    @property
    def total(self) -> int:
        return self.classified + self.not_classified + self.pending

    def percent(self, key: Level | str, decimals: int = 2) -> Decimal | None:
        return percent(self[key], self.classified, decimals)

    def add(self, other: "Tally") -> None:
        self.counts.update(other.counts)
        self.pending += other.pending

    def copy(self) -> "Tally":
        return Tally(Counter(self.counts), self.pending)

    def key(self) -> tuple[int, ...]:
        """The tally as a value (the pending, then each level's count), to keep what is written from it by."""
        return (self.pending, *(self.counts[level] for level in Level))

    @classmethod
    def from_key(cls, key: tuple[int, ...]) -> "Tally":
        pending, *counts = key
        return cls(Counter({level: count for level, count in zip(Level, counts, strict=True) if count}), pending)

    def meets(self, target: Threshold | None) -> bool | None:
        """Whether the good-or-better share reaches the target ("từ 85% trở lên") or, for "trên 85%", is
        above it; None when there is nothing to judge."""
        if target is None or not self.classified:
            return None
        share, bar = Decimal(self.good_or_better) * 100, target.min_percent * self.classified
        return share > bar if target.strictly_above else share >= bar


@dataclass
class UnitResult:
    """One row of a rollup: an organization's subtree, or the whole root for the total row."""

    org: Organization
    members: Tally = field(default_factory=Tally)
    progress: Progress = field(default_factory=Progress)
    orgs: dict[OrgKind, Tally] = field(default_factory=dict)  # rated organizations in the subtree, itself included
    own_level: Level | None = None  # the organization's own rating
    # members decided not classified, by reason (levels.NotClassifiedReason value): the report counts each apart
    not_classified_by_reason: Counter = field(default_factory=Counter)

    def org_tally(self, kind: OrgKind) -> Tally:
        tally = self.orgs.get(kind)
        return tally if tally is not None else Tally()

    def row_of(self, org: Organization) -> "UnitResult":
        """The same counts as a row of `org` (the same organization, loaded by another session), without the
        organization's own rating, read apart. The counts are shared, not copied: a rollup's rows are read,
        never changed, and copying twenty-one rows' counters cost a province's page 5% of its instructions."""
        return UnitResult(org, self.members, self.progress, self.orgs, None, self.not_classified_by_reason)


def counts_current_members(period: Period) -> bool:
    """While a year is not closed, members who have not started count too, under their current cell."""
    return period.state is not PeriodState.CLOSED


def _add_to(tally: Tally, state: ReviewState | None, level: Level | None, count: int) -> None:
    if state is ReviewState.DECIDED and level is not None:
        tally.counts[level] += count
    else:
        tally.pending += count


# Built once with bound parameters (a list of organizations expands at run time): the rollup pages run them
# on every view, and building a statement costs about as much as running it.
_TALLY_KEYS = (KeptTally.organization_id, KeptTally.subject, KeptTally.state, KeptTally.level, KeptTally.reason)
_UNITS_TALLIES = (
    db.select(*_TALLY_KEYS, sa.func.sum(KeptTally.count))
    .where(
        KeptTally.organization_id.in_(sa.bindparam("orgs", expanding=True)),
        KeptTally.period_id == sa.bindparam("period"),
        # Counted again for the statistics, not a kind; and the leaders' quarters, read apart.
        KeptTally.subject.not_in((PARTY_COMMITTEE, *QUARTER_SUBJECTS)),
        KeptTally.count != 0,
    )
    .group_by(*_TALLY_KEYS)  # the types added up by the database: a fifteenth of the rows to read
)
_UNITS_SIZES = (
    db.select(SubtreeSize.organization_id, SubtreeSize.kind, sa.func.sum(SubtreeSize.count))
    .where(SubtreeSize.organization_id.in_(sa.bindparam("orgs", expanding=True)), SubtreeSize.kind != PARTY_COMMITTEE)
    .group_by(SubtreeSize.organization_id, SubtreeSize.kind)  # the types added up
)


def unit_results(orgs: list[Organization], period: Period) -> dict[int, UnitResult]:
    """Each organization's subtree counts for the period, read from the kept tallies: a few indexed
    rows per organization, whatever the size of the subtree."""
    units = {org.id: UnitResult(org) for org in orgs}
    rows = read_columns(_UNITS_TALLIES, {"orgs": list(units), "period": period.id})
    for org_id, subject, state, level, reason, count in rows:
        unit, state, level = units[org_id], STATES[state], LEVELS.get(level)
        if subject == MEMBER:
            _add_to(unit.members, state, level, count)
            unit.progress.counts[state.value] += count
            if level is Level.NOT_CLASSIFIED and state is ReviewState.DECIDED:
                unit.not_classified_by_reason[reason] += count
        else:
            _add_to(unit.orgs.setdefault(OrgKind(subject), Tally()), state, level, count)
    if counts_current_members(period):
        _add_not_started(units, period)
    return units


def _add_not_started(units: dict[int, UnitResult], period: Period) -> None:
    """While a period is open, whoever has no review yet is pending: the subtree's size minus its reviews."""
    sizes = read_columns(_UNITS_SIZES, {"orgs": list(units)})
    for org_id, kind, count in sizes:
        unit = units[org_id]
        if kind == MEMBER:
            missing = count - unit.members.total
            unit.members.pending += missing
            unit.progress.counts[NOT_STARTED] += missing
        elif kind != OrgKind.PROVINCE.value:
            tally = unit.orgs.setdefault(OrgKind(kind), Tally())
            tally.pending += count - tally.total


def progress(root: Organization, period: Period) -> Progress:
    """Review states of the members in the subtree, for the workflow pages."""
    return unit_results([root], period)[root.id].progress


def members_tally(root: Organization, period: Period) -> Tally:
    """The final levels of the members under `root` (a quota group, a readiness check)."""
    return unit_results([root], period)[root.id].members


def organizations_tally(committee: Organization, period: Period, kind: OrgKind | None = None) -> Tally:
    """The final levels of the organizations a committee rates (of one kind, when given)."""
    tally = Tally()
    rows = db.session.execute(
        db.select(Review.state, Review.final_level, sa.func.count(Organization.id))
        .select_from(Organization)
        .outerjoin(
            Review,
            sa.and_(Review.organization_id == Organization.id, organization_review_in(period.id)),
        )
        .where(rated_by(committee), Organization.kind == kind if kind else sa.true())
        .group_by(Review.state, Review.final_level)
    )
    for state, level, count in rows:
        _add_to(tally, state, level, count)
    return tally


def undecided_organizations_under(roots: list[Organization], period: Period) -> dict[int, list[str]]:
    """For each of `roots`, the names of the rated organizations strictly under it without a decided level for
    the period, in tree order: one statement for them all (a committee's page asks it of each organization it
    rates)."""
    names: dict[int, list[str]] = {root.id: [] for root in roots}
    if not roots:
        return names
    decided = sa.exists().where(
        Review.organization_id == Organization.id, organization_review_in(period.id, decided=True)
    )
    rows = db.session.execute(
        db.select(Organization.path, Organization.name).where(
            sa.or_(*(root.subtree_clause() for root in roots)), Organization.kind != OrgKind.PROVINCE, ~decided
        )
    )
    # Put in tree order here: asked to order them, SQLite walks every organization in path order rather than
    # each root's range.
    for path, name in sorted(rows):
        for ancestor in path.strip("/").split("/")[:-1]:  # the roots may lie under one another: a section's cells
            if (under := names.get(int(ancestor))) is not None:
                under.append(name)
    return names


def undecided(period: Period) -> list[str]:
    """For closing the year: members and rated organizations without a decided result, everywhere."""
    decided = sa.and_(Review.period_id == period.id, Review.state == ReviewState.DECIDED)
    members = db.session.scalar(
        db.select(sa.func.count(Member.id)).where(
            Member.id.not_in(db.select(Review.member_id).where(decided, Review.member_id.is_not(None)))
        )
    )
    organizations = db.session.scalar(
        db.select(sa.func.count(Organization.id)).where(
            Organization.kind != OrgKind.PROVINCE,
            Organization.id.not_in(
                db.select(Review.organization_id).where(organization_review_in(period.id, decided=True))
            ),
        )
    )
    if not (members or organizations):
        return []
    return [
        _(
            "còn %(members)s đảng viên và %(organizations)s tổ chức đảng chưa được xếp loại",
            members=members,
            organizations=organizations,
        )  # fmt: skip
    ]


def quota_groups(
    period: Period, *, members: bool, root: Organization | None = None
) -> dict[tuple[int, OrgKind | None], Tally]:
    """Decided results per group of the quota (docs/domain.md §4), keyed by (the deciding committee's id,
    the kind of organization or None for members), everywhere or of the committees under `root`.

    The groups: members per grassroots organization; organizations per the committee that rates them
    (auth.permissions.RATED_BY_GRASSROOTS: the grassroots committee for cells and sections, the parent
    otherwise) and, where the year's rule set says so (rules.ORGANIZATION_QUOTA_BY_KIND), per kind.
    """
    by_kind = ORGANIZATION_QUOTA_BY_KIND[period.rule_set]
    subject = Review.member_id.is_not(None) if members else Review.member_id.is_(None)
    columns = (Organization.path, Organization.kind, Organization.parent_id, Review.final_level)
    # A committee's groups hold only results under it, so a subtree's committees need only the subtree's.
    within = root.subtree_clause() if root is not None else sa.true()
    rows = db.session.execute(
        db.select(*columns, sa.func.count(Review.id))
        .join(Organization, Review.organization_id == Organization.id)
        .where(Review.period_id == period.id, subject, Review.state == ReviewState.DECIDED, within)
        .group_by(*columns)
    )
    nearest_grassroots = _nearest_grassroots()
    groups: dict[tuple[int, OrgKind | None], Tally] = {}
    for path, kind, parent_id, level, count in rows:
        by_grassroots = members or kind in RATED_BY_GRASSROOTS
        group = nearest_grassroots(path if members else path.rsplit("/", 2)[0] + "/") if by_grassroots else parent_id
        if group is not None:
            key = (group, None if members or not by_kind else kind)
            groups.setdefault(key, Tally()).counts[level] += count
    return groups


def _nearest_grassroots():
    """A function from a path to the id of the deepest grassroots organization on it."""
    grassroots = set(db.session.scalars(db.select(Organization.id).where(Organization.kind == OrgKind.GRASSROOTS)))

    def find(path: str) -> int | None:
        ids = [int(part) for part in path.strip("/").split("/")]
        return next((org_id for org_id in reversed(ids) if org_id in grassroots), None)

    return find


def members_with_reviews(
    root: Organization,
    period: Period,
    *,
    subtree: bool = False,
    states: tuple[ReviewState | None, ...] | None = None,
    search: str = "",
):
    """(member, review or None) for the members of `root` (or its whole subtree), in list order.

    Sorted by cell then by given name the Vietnamese way; `search` ignores accents and case.
    """
    query = (
        db.select(Member, Review)
        .join(Organization, Member.organization_id == Organization.id)
        .outerjoin(Review, sa.and_(Review.member_id == Member.id, Review.period_id == period.id))
        .order_by(Organization.name, Member.name_sort_key)
    )
    query = query.where(root.subtree_clause() if subtree else Member.organization_id == root.id)
    if states:  # None among them: the members who have not started
        started = [state for state in states if state is not None]
        query = query.where(sa.or_(Review.state.in_(started), Review.id.is_(None) if None in states else sa.false()))
    if search:
        query = query.where(member_matches(search))
    return db.session.execute(query).all()

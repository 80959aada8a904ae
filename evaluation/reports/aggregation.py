"""Every count the reports show, made by the database over an organization's subtree.

The pages, the exports, the command line and the JSON API call these; views and templates never
count. A subtree is one indexed prefix match on `Organization.path`, so a rollup is a handful of
GROUP BY queries whatever the depth of the tree.

A member counts under the organization of their review for the year (their cell that year); while
a period is not closed, members who have not started count too, under their current cell.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..auth.permissions import RATED_BY_GRASSROOTS, rated_by
from ..extensions import db
from ..levels import QUALITY_LEVELS, Level
from ..members.models import Member
from ..org.models import Organization, OrgKind
from ..periods.models import Period, PeriodState
from ..reviews.models import QuotaException, Review, ReviewState
from ..text import fold
from .models import Target, TargetSubject
from .tallies import MEMBER, KeptTally, SubtreeSize

NOT_STARTED = "not_started"
GOOD_OR_BETTER = "good_or_better"  # hoàn thành tốt nhiệm vụ trở lên: excellent + good
SHARE_KEYS = (*QUALITY_LEVELS, GOOD_OR_BETTER)


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

    def add(self, other: "Progress") -> None:
        self.counts.update(other.counts)


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
        return self.counts[Level(key)]

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

    def meets(self, target: Target | None) -> bool | None:
        """Whether the good-or-better share reaches the target; None when there is nothing to judge."""
        if target is None or not self.classified:
            return None
        return Decimal(self.good_or_better) * 100 >= target.min_percent * self.classified


@dataclass
class UnitResult:
    """One row of a rollup: an organization's subtree, or the whole root for the total row."""

    org: Organization
    members: Tally = field(default_factory=Tally)
    progress: Progress = field(default_factory=Progress)
    orgs: dict[OrgKind, Tally] = field(default_factory=dict)  # rated organizations in the subtree, itself included
    own_level: Level | None = None  # the organization's own rating

    def org_tally(self, kind: OrgKind) -> Tally:
        return self.orgs.get(kind, Tally())

    def add(self, other: "UnitResult") -> None:
        self.members.add(other.members)
        self.progress.add(other.progress)
        for kind, tally in other.orgs.items():
            self.orgs.setdefault(kind, Tally()).add(tally)


@dataclass
class Rollup:
    org: Organization
    year: int
    period: Period | None
    total: UnitResult
    children: list[UnitResult]
    quota_exceptions: list[QuotaException] = field(default_factory=list)  # reasons for going over, in the subtree

    @property
    def is_open(self) -> bool:
        return self.period is not None and self.period.state is not PeriodState.CLOSED

    def below(self, kind: OrgKind) -> Tally:
        """The organizations of a kind strictly under the root (its own rating is not a child's)."""
        tally = Tally()
        for child in self.children:
            tally.add(child.org_tally(kind))
        return tally

    def kinds_below(self) -> list[OrgKind]:
        return [kind for kind in OrgKind if self.below(kind).total]


def period_for_year(year: int) -> Period | None:
    return db.session.scalars(db.select(Period).where(Period.year == year)).first()


def years() -> list[int]:
    """Years with a period (open, closed or imported), newest first."""
    return list(db.session.scalars(db.select(Period.year).order_by(Period.year.desc())))


def _counts_current_members(period: Period) -> bool:
    return period.state is not PeriodState.CLOSED


def _members_counted(root: Organization, period: Period, *columns, member_columns: bool = True):
    """SELECT `columns` over the members the year counts under the subtree.

    A closed year counts its reviews where they were (the cell of that year). A year still open
    also counts the members who have not started, under their current cell. Counting a closed year
    selects no member column, so `member_columns=False` spares it the join to the member table.
    """
    if _counts_current_members(period):
        counted_under = sa.func.coalesce(Review.organization_id, Member.organization_id)
        query = db.select(*columns).select_from(Member)
        query = query.outerjoin(Review, sa.and_(Review.member_id == Member.id, Review.period_id == period.id))
    else:
        counted_under = Review.organization_id
        query = db.select(*columns).select_from(Review).where(Review.period_id == period.id)
        query = query.join(Member, Review.member_id == Member.id) if member_columns else query
        query = query.where(Review.member_id.is_not(None))
    return query.join(Organization, Organization.id == counted_under).where(root.subtree_clause())


def _add_to(tally: Tally, state: ReviewState | None, level: Level | None, count: int) -> None:
    if state is ReviewState.DECIDED and level is not None:
        tally.counts[level] += count
    else:
        tally.pending += count


def _unit_results(orgs: list[Organization], period: Period) -> dict[int, UnitResult]:
    """Each organization's subtree counts for the period, read from the kept tallies: a few indexed
    rows per organization, whatever the size of the subtree."""
    units = {org.id: UnitResult(org) for org in orgs}
    rows = db.session.execute(
        db.select(
            KeptTally.organization_id, KeptTally.subject, KeptTally.state, KeptTally.level, KeptTally.count
        ).where(KeptTally.organization_id.in_(units), KeptTally.period_id == period.id, KeptTally.count != 0)
    )
    for org_id, subject, state, level, count in rows:
        unit, state, level = units[org_id], ReviewState(state), Level(level) if level else None
        if subject == MEMBER:
            _add_to(unit.members, state, level, count)
            unit.progress.counts[state.value] += count
        else:
            _add_to(unit.orgs.setdefault(OrgKind(subject), Tally()), state, level, count)
    if _counts_current_members(period):
        _add_not_started(units, period)
    return units


def _add_not_started(units: dict[int, UnitResult], period: Period) -> None:
    """While a period is open, whoever has no review yet is pending: the subtree's size minus its reviews."""
    sizes = db.session.execute(
        db.select(SubtreeSize.organization_id, SubtreeSize.kind, SubtreeSize.count).where(
            SubtreeSize.organization_id.in_(units)
        )
    )
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
    return _unit_results([root], period)[root.id].progress


def members_tally(root: Organization, period: Period) -> Tally:
    """The final levels of the members under `root` (a quota group, a readiness check)."""
    return _unit_results([root], period)[root.id].members


def organizations_tally(committee: Organization, period: Period) -> Tally:
    """The final levels of the organizations a committee rates."""
    tally = Tally()
    rows = db.session.execute(
        db.select(Review.state, Review.final_level, sa.func.count(Organization.id))
        .select_from(Organization)
        .outerjoin(
            Review,
            sa.and_(
                Review.organization_id == Organization.id, Review.member_id.is_(None), Review.period_id == period.id
            ),
        )
        .where(rated_by(committee))
        .group_by(Review.state, Review.final_level)
    )
    for state, level, count in rows:
        _add_to(tally, state, level, count)
    return tally


def undecided_organizations_below(root: Organization, period: Period) -> list[Organization]:
    """Rated organizations strictly under `root` without a decided level for the period, in tree order."""
    decided = db.select(Review.organization_id).where(
        Review.period_id == period.id, Review.member_id.is_(None), Review.state == ReviewState.DECIDED
    )
    return list(
        db.session.scalars(
            db.select(Organization)
            .where(
                root.subtree_clause(),
                Organization.id != root.id,
                Organization.kind != OrgKind.PROVINCE,
                Organization.id.not_in(decided),
            )
            .order_by(Organization.path)
        )
    )


def undecided_counts(period: Period) -> tuple[int, int]:
    """Members and rated organizations without a decided result in the period, everywhere."""
    decided = sa.and_(Review.period_id == period.id, Review.state == ReviewState.DECIDED)
    members = db.session.scalar(
        db.select(sa.func.count(Member.id)).where(
            Member.id.not_in(db.select(Review.member_id).where(decided, Review.member_id.is_not(None)))
        )
    )
    organizations = db.session.scalar(
        db.select(sa.func.count(Organization.id)).where(
            Organization.kind != OrgKind.PROVINCE,
            Organization.id.not_in(db.select(Review.organization_id).where(decided, Review.member_id.is_(None))),
        )
    )
    return members, organizations


def rollup(root: Organization, year: int) -> Rollup:
    """The year's results of `root`'s subtree: one row per direct child and a total row."""
    period = period_for_year(year)
    children = list(root.children)
    if period is None:
        return Rollup(root, year, None, UnitResult(root), [UnitResult(child) for child in children])
    units = _unit_results([root, *children], period)
    own_levels = db.session.execute(
        db.select(Review.organization_id, Review.final_level).where(
            Review.organization_id.in_(units),
            Review.member_id.is_(None),
            Review.period_id == period.id,
            Review.state == ReviewState.DECIDED,
        )
    )
    for org_id, level in own_levels:
        units[org_id].own_level = level
    total = units.pop(root.id)
    return Rollup(root, year, period, total, list(units.values()), _quota_exceptions(root, period))


def _quota_exceptions(root: Organization, period: Period) -> list[QuotaException]:
    """Committees in the subtree whose quota decision in force (their latest) says why they go over it."""
    latest = (
        db.select(sa.func.max(QuotaException.id))
        .where(QuotaException.period_id == period.id)
        .group_by(QuotaException.organization_id, QuotaException.for_members)
    )
    return list(
        db.session.scalars(
            db.select(QuotaException)
            .join(Organization, QuotaException.organization_id == Organization.id)
            .where(QuotaException.id.in_(latest), QuotaException.reason != "", root.subtree_clause())
            .order_by(Organization.path)
        )
    )


@dataclass
class YearResult:
    year: int
    members: Tally
    grassroots: Tally
    changes: dict[str, Decimal | None] = field(default_factory=dict)  # percentage points since the year before


def history(root: Organization, until: int, limit: int = 5, decimals: int = 2) -> list[YearResult]:
    """The decided results of the subtree year by year, oldest first, with the change in points."""
    rows = db.session.execute(
        db.select(Period.year, KeptTally.subject, KeptTally.level, KeptTally.count)
        .join(Period, KeptTally.period_id == Period.id)
        .where(
            KeptTally.organization_id == root.id,
            KeptTally.state == ReviewState.DECIDED.value,
            KeptTally.subject.in_((MEMBER, OrgKind.GRASSROOTS.value)),
            KeptTally.count != 0,
            Period.year <= until,
        )
    )
    by_year: dict[int, YearResult] = {}
    for year, subject, level, count in rows:
        result = by_year.setdefault(year, YearResult(year, Tally(), Tally()))
        (result.members if subject == MEMBER else result.grassroots).counts[Level(level)] += count
    results = [by_year[year] for year in sorted(by_year)][-limit:]
    for before, after in zip(results, results[1:], strict=False):
        after.changes = {
            f"members.{key}": _change(before.members, after.members, key, decimals) for key in SHARE_KEYS
        } | {"grassroots.good_or_better": _change(before.grassroots, after.grassroots, GOOD_OR_BETTER, decimals)}
    return results


def _change(before: Tally, after: Tally, key, decimals: int) -> Decimal | None:
    old, new = before.percent(key, decimals), after.percent(key, decimals)
    return None if old is None or new is None else new - old


def targets(root: Organization, year: int) -> dict[TargetSubject, Target]:
    """The targets that apply to `root` in a year: its own, else the nearest ancestor's."""
    found = db.session.scalars(
        db.select(Target)
        .join(Organization, Target.organization_id == Organization.id)
        .where(Target.organization_id.in_(root.ancestor_ids), Target.year == year)
        .order_by(Organization.depth)
    )
    return {target.subject: target for target in found}  # deeper ones come later and win


def quota_groups(period: Period, *, members: bool) -> dict[int, Tally]:
    """Decided results per group of the quota (docs/domain.md §4), keyed by the deciding committee's id.

    The default groups: members per grassroots organization; organizations per the committee that
    rates them (auth.permissions.RATED_BY_GRASSROOTS: the grassroots committee for cells and sections,
    the parent otherwise).
    """
    subject = Review.member_id.is_not(None) if members else Review.member_id.is_(None)
    columns = (Organization.path, Organization.kind, Organization.parent_id, Review.final_level)
    rows = db.session.execute(
        db.select(*columns, sa.func.count(Review.id))
        .join(Organization, Review.organization_id == Organization.id)
        .where(Review.period_id == period.id, subject, Review.state == ReviewState.DECIDED)
        .group_by(*columns)
    )
    nearest_grassroots = _nearest_grassroots()
    groups: dict[int, Tally] = {}
    for path, kind, parent_id, level, count in rows:
        by_grassroots = members or kind in RATED_BY_GRASSROOTS
        group = nearest_grassroots(path if members else path.rsplit("/", 2)[0] + "/") if by_grassroots else parent_id
        if group is not None:
            groups.setdefault(group, Tally()).counts[level] += count
    return groups


def _nearest_grassroots():
    """A function from a path to the id of the deepest grassroots organization on it."""
    grassroots = set(db.session.scalars(db.select(Organization.id).where(Organization.kind == OrgKind.GRASSROOTS)))

    def find(path: str) -> int | None:
        ids = [int(part) for part in path.strip("/").split("/")]
        return next((org_id for org_id in reversed(ids) if org_id in grassroots), None)

    return find


def member_results(root: Organization, period: Period, search: str = ""):
    """One plain row per member the year counts under the subtree, for lists and exports.

    Columns, not ORM objects, streamed in list order: an export of a whole province never sits in
    memory. `search` ignores accents and case.
    """
    columns = (
        Member.code,
        Member.full_name,
        Organization.code.label("org_code"),
        Organization.name.label("org_name"),
        Review.state,
        Review.self_level,
        Review.proposed_level,
        Review.final_level,
        Review.not_classified_reason,
    )
    query = _members_counted(root, period, *columns).order_by(Organization.path, Member.name_sort_key)
    if search:
        query = query.where(_name_matches(search))
    return db.session.execute(query.execution_options(yield_per=2000))


def _name_matches(search: str):
    return Member.search_name.contains(fold(search), autoescape=True)


def members_with_reviews(
    root: Organization,
    period: Period,
    *,
    subtree: bool = False,
    states: tuple[ReviewState, ...] | None = None,
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
    if states:
        query = query.where(Review.state.in_(states))
    if search:
        query = query.where(_name_matches(search))
    return db.session.execute(query).all()

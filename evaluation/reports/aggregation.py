"""Every count the reports show, made by the database over an organization's subtree.

The pages, the exports, the command line and the JSON API call these; views and templates never
count. A subtree is one indexed prefix match on `Organization.path`, so a rollup is a handful of
GROUP BY queries whatever the depth of the tree. The counting itself (`Tally`, `unit_results`) is the
reviews package's, shared with the workflow's checks; this module arranges it into rollups, year
series and export rows.
"""

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from .. import kept, stamps
from ..dbtypes import batches
from ..extensions import db, read_columns
from ..levels import Level
from ..members.models import Member
from ..members.operations import member_matches
from ..org.models import Organization, OrgKind, in_subtree
from ..periods.models import Period, PeriodState
from ..periods.operations import period_for_year
from ..reviews.counts import (
    GOOD_OR_BETTER,
    SHARE_KEYS,
    Tally,
    UnitResult,
    counts_current_members,
    unit_results,
)
from ..reviews.models import (
    QUOTA_DECISIONS_IN_FORCE,
    QuotaException,
    Review,
    ReviewState,
    handed_in_self_level,
    organization_review_in,
)
from ..reviews.tallies import MEMBER, QUARTER_SUBJECTS, KeptTally
from .models import Target, TargetSubject


@dataclass
class Rollup:
    """An organization's results for a year: a row per direct child and the total. Read it, never change it:
    its rows share their counts with the ones this worker keeps for the next page (`_kept_unit_results`)."""

    org: Organization
    year: int
    period: Period | None
    total: UnitResult
    children: list[UnitResult]
    quota_exceptions: list[sa.Row] = field(default_factory=list)  # reasons for going over, in the subtree
    _below: dict[OrgKind, Tally] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_open(self) -> bool:
        return self.period is not None and self.period.state is not PeriodState.CLOSED

    def below(self, kind: OrgKind) -> Tally:
        """The organizations of a kind strictly under the root (its own rating is not a child's). Added up once
        per kind: a report page asks a dozen times. Read it, do not change it."""
        if kind not in self._below:
            tally = self._below[kind] = Tally()
            for child in self.children:
                if (counted := child.orgs.get(kind)) is not None:
                    tally.add(counted)
        return self._below[kind]

    def kinds_below(self) -> list[OrgKind]:
        return [kind for kind in OrgKind if self.below(kind).total]


def _members_counted(period: Period, where: sa.ColumnElement[bool], *columns) -> sa.CompoundSelect | sa.Select:
    """SELECT `columns` over the members the year counts in the organizations `where` selects (a condition on
    them, and on the members).

    A closed year counts its reviews where they were (the cell of that year). A year still open also counts
    the members who have not started, under their current cell: the reviews in those organizations, then
    the members there without one. Each part finds its rows by an index from the organizations; asked in one
    join on "the review's organization, else the member's", the database read every member of the province.
    """
    reviews = (
        db.select(*columns)
        .select_from(Review)
        .join(Member, Review.member_id == Member.id)
        .join(Organization, Organization.id == Review.organization_id)
        .where(Review.period_id == period.id, where)
    )
    if not counts_current_members(period):
        return reviews
    not_started = (
        db.select(*columns)
        .select_from(Member)
        .join(Organization, Organization.id == Member.organization_id)
        .outerjoin(Review, sa.and_(Review.member_id == Member.id, Review.period_id == period.id))
        .where(Review.id.is_(None), where)
    )
    return sa.union_all(reviews, not_started)


# The rollup page's statements, built once with bound parameters: building one costs about as much as running
# it.

# The root and its children, each with its own decided rating of the year (or None), children by name: one
# statement where loading the children and reading their ratings were two. Joined from the organizations,
# SQLite finds each rating by the index of the organizations' own reviews; asked with a list of organizations,
# it took "member_id IS NULL" for an equality on the unique (period, member) index and read every
# organization's review of the year (0.7 ms on a province).
_WITH_OWN_LEVELS = (
    db.select(Organization, Review.final_level)
    .outerjoin(
        Review,
        sa.and_(
            Review.organization_id == Organization.id,
            organization_review_in(sa.bindparam("period"), decided=True),
        ),
    )
    .where(sa.or_(Organization.id == sa.bindparam("root"), Organization.parent_id == sa.bindparam("root")))
    .order_by(Organization.name, Organization.id)
)

_HISTORY = (
    db.select(Period.year, KeptTally.subject, KeptTally.level, sa.func.sum(KeptTally.count))
    .join(Period, KeptTally.period_id == Period.id)
    .where(
        KeptTally.organization_id == sa.bindparam("root"),
        KeptTally.state == ReviewState.DECIDED.value,
        KeptTally.subject.in_((MEMBER, OrgKind.GRASSROOTS.value)),
        KeptTally.count != 0,
        Period.year <= sa.bindparam("until"),
    )
    .group_by(Period.year, KeptTally.subject, KeptTally.level)  # over the types and reasons
)
_TARGETS = (
    db.select(Target)
    .join(Organization, Target.organization_id == Organization.id)
    .where(Target.organization_id.in_(sa.bindparam("ancestors", expanding=True)), Target.year == sa.bindparam("year"))
    .order_by(Organization.depth)
)


_STAMP = stamps.ResultsStamp
_EVERY_YEARS_STAMP = sa.and_(_STAMP.organization_id == stamps.EVERY_YEAR[0], _STAMP.period_id == stamps.EVERY_YEAR[1])
_STAMPS = (
    db.select(_STAMP.organization_id, _STAMP.period_id, _STAMP.token)
    .outerjoin(Period, Period.id == _STAMP.period_id)
    .where(
        sa.or_(
            _EVERY_YEARS_STAMP,
            sa.and_(_STAMP.organization_id == sa.bindparam("org"), Period.year <= sa.bindparam("year")),
        )
    )
    .order_by(_STAMP.organization_id, _STAMP.period_id)
)


def results_stamp(org: Organization, year: int) -> str | None:
    """What a report of `org` for `year` is made from (its subtree's counters of that year and the years
    before it, for the comparison), as one key to keep it under; None while this transaction has changed
    results it has not committed. Read before the results: a change committed in between is then kept under
    the older stamp, never the reverse."""
    found = read_columns(_STAMPS, {"org": org.id, "year": year}).all()
    if stamps.uncommitted(db.session.connection()):
        return None
    return ",".join(f"{org_id}:{period_id}:{token}" for org_id, period_id, token in found)


def rollup(root: Organization, year: int) -> Rollup:
    """The year's results of `root`'s subtree: one row per direct child and a total row."""
    period = period_for_year(year)
    if period is None:
        return Rollup(root, year, None, UnitResult(root), [UnitResult(child) for child in root.children])
    found = db.session.execute(_WITH_OWN_LEVELS, {"root": root.id, "period": period.id}).all()
    units = _kept_unit_results([root, *(org for org, _level in found if org.id != root.id)], period)
    for org, level in found:
        units[org.id].own_level = level
    total = units.pop(root.id)
    return Rollup(root, year, period, total, list(units.values()), _quota_exceptions(root, period))


# The report's sentence needs the committee's name and its reason: columns, not the decisions and their
# organizations as ORM objects (a third of the cost of counting the province again after a decision).
_QUOTA_EXCEPTIONS = (
    QUOTA_DECISIONS_IN_FORCE.with_only_columns(
        Organization.name.label("org_name"), QuotaException.for_members, QuotaException.reason
    )
    .select_from(QuotaException)
    .join(Organization, QuotaException.organization_id == Organization.id)
    .where(QuotaException.reason != "", in_subtree(Organization.path, sa.bindparam("subtree")))
    .order_by(Organization.path)
)


_UNIT_STAMPS = db.select(_STAMP.organization_id, _STAMP.token).where(
    sa.or_(
        _EVERY_YEARS_STAMP,
        sa.and_(
            _STAMP.organization_id.in_(sa.bindparam("orgs", expanding=True)), _STAMP.period_id == sa.bindparam("period")
        ),
    )
)


def _kept_unit_results(orgs: list[Organization], period: Period) -> dict[int, UnitResult]:
    """`unit_results`, each organization's kept under its stamp of the year and the stamp of every year: after a
    decision in one district, the province's rollup counts the province and that district again, not the
    other districts. The counters are read after the stamps, as `results_stamp` has the pages do."""
    store = kept.counts()
    tokens = dict(read_columns(_UNIT_STAMPS, {"orgs": [org.id for org in orgs], "period": period.id}).all())
    if stamps.uncommitted(db.session.connection()):
        return unit_results(orgs, period)
    every_year = tokens.get(stamps.EVERY_YEAR[0])
    # The period's state too: it was read before the stamps, and a year closed in between counts differently.
    key = {org.id: ("units", org.id, period.id, period.state, tokens.get(org.id), every_year) for org in orgs}
    found = {org.id: unit for org in orgs if (unit := store.get(key[org.id])) is not None}
    counted = unit_results([org for org in orgs if org.id not in found], period) if len(found) < len(orgs) else {}
    for org_id, unit in counted.items():
        store.set(key[org_id], unit.row_of(unit.org))  # a row apart: the caller sets its own rating
    return {org.id: counted[org.id] if org.id in counted else found[org.id].row_of(org) for org in orgs}


def _quota_exceptions(root: Organization, period: Period) -> list[sa.Row]:
    """Committees in the subtree whose quota decision in force (their latest) says why they go over it: the
    committee's name (`org_name`), whether it is of the members (`for_members`) and the `reason`."""
    return list(read_columns(_QUOTA_EXCEPTIONS, {"period": period.id, "subtree": root.path}))


@dataclass
class YearResult:
    year: int
    members: Tally
    grassroots: Tally
    changes: dict[str, Decimal | None] = field(default_factory=dict)  # percentage points since the year before


def history(root: Organization, until: int, limit: int = 5, decimals: int = 2) -> list[YearResult]:
    """The decided results of the subtree year by year, oldest first, with the change in points."""
    rows = read_columns(_HISTORY, {"root": root.id, "until": until})
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
    found = db.session.scalars(_TARGETS, {"ancestors": root.ancestor_ids, "year": year})
    return {target.subject: target for target in found}  # deeper ones come later and win


def member_results(root: Organization, period: Period, search: str = "") -> Iterator[sa.Row]:
    """One plain row per member the year counts under the subtree, for lists and exports, in list order (by
    organization, then the Vietnamese name order).

    Columns, not ORM objects, streamed: an export of a whole province never sits in memory. `search`
    ignores accents and case.
    """
    columns = (
        Organization.path,
        Member.name_sort_key,
        Member.code,
        Member.full_name,
        Organization.code.label("org_code"),
        Organization.name.label("org_name"),
        Review.state,
        handed_in_self_level(),
        Review.proposed_level,
        Review.final_level,
        Review.not_classified_reason,
        Review.rerated_by,
    )

    def ordered(where: sa.ColumnElement[bool]) -> sa.Select:
        rows = _members_counted(period, where, *columns).subquery()
        return sa.select(rows).order_by(rows.c.path, rows.c.name_sort_key, rows.c.code)  # namesakes by code

    if search:  # a few rows: one query
        return iter(db.session.execute(ordered(sa.and_(root.subtree_clause(), member_matches(search)))))
    return _by_organizations(ordered, root)


# Organizations per query of a long list: about 20,000 members to sort each time at the national average.
ORGS_PER_QUERY = 1_000


def _by_organizations(ordered: Callable[[sa.ColumnElement[bool]], sa.Select], root: Organization) -> Iterator[sa.Row]:
    """`ordered`'s rows, a thousand organizations at a time in path order. Ordered in one query, the
    database sorts the whole subtree before the first row (at 5.6 million members, 20 s before the first
    byte of an export); a slice of organizations sorts its own members only, so the first row comes at
    once and each further one at the same pace, whatever the size of the subtree."""
    subtree = db.select(Organization.id).where(root.subtree_clause()).order_by(Organization.path)
    # Core, not the ORM, which would turn each result into a list first: rows come from the driver one by one.
    connection = db.session.connection()
    ids = array("q", connection.execute(subtree).scalars())  # 8 bytes an organization
    for batch in batches(ids, ORGS_PER_QUERY):
        yield from connection.execute(ordered(Organization.id.in_(list(batch))))


# ---- The leaders' quarters ---------------------------------------------------------------------------


@dataclass
class QuarterUnit:
    """One organization's leaders in one quarter: their levels, and each area's results banded into levels."""

    org: Organization
    levels: Tally = field(default_factory=Tally)
    areas: dict[str, Tally] = field(default_factory=dict)

    def area(self, key: str) -> Tally:
        return self.areas.get(key, Tally())


@dataclass
class QuarterRollup:
    org: Organization
    period: Period
    quarter: int
    total: QuarterUnit
    children: list[QuarterUnit]


def quarter_rollup(root: Organization, period: Period, quarter: int) -> QuarterRollup:
    """A quarter's results under `root`, one row per direct child and a total, read from the kept tallies."""
    units = {org.id: QuarterUnit(org) for org in (root, *root.children)}
    kept = KeptTally
    rows = db.session.execute(
        db.select(kept.organization_id, kept.state, kept.level, kept.reason, sa.func.sum(kept.count))
        .where(
            kept.organization_id.in_(units),
            kept.period_id == period.id,
            kept.subject == QUARTER_SUBJECTS[quarter - 1],
            kept.count != 0,
        )  # fmt: skip
        .group_by(kept.organization_id, kept.state, kept.level, kept.reason)  # over the types
    )
    for org_id, state, level, area, count in rows:
        unit = units[org_id]
        tally = unit.areas.setdefault(area, Tally()) if area else unit.levels
        if state == ReviewState.DECIDED.value and level:
            tally.counts[Level(level)] += count
        else:
            tally.pending += count
    total = units.pop(root.id)
    return QuarterRollup(root, period, quarter, total, list(units.values()))

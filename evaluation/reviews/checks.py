"""The regulation applied to reviews: gathers the facts from the database and asks `rules`.

`rules` holds what the regulation says as pure functions; this module knows where the facts are
(the score, the recorded conditions, last year's level, the quota group's counts). Decisions call
it to refuse what is forbidden; pages call it to warn before a decision is saved; `flask check`
calls it for a whole subtree.
"""

import calendar
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy.orm import aliased

from ..auth.permissions import deciding_org, rated_kinds, rated_organizations, rating_org
from ..extensions import db
from ..formatting import format_score
from ..i18n import gettext as _
from ..levels import QUALITY_LEVELS, Level, NotClassifiedReason
from ..members.models import Member
from ..org.models import Organization, OrgKind
from ..periods.models import Period
from ..rules import (
    HEAD_NOT_ABOVE_UNIT,
    ORGANIZATION_QUOTA_BY_KIND,
    RULE_SETS_WITH_NEW_ORGANIZATIONS,
    Condition,
    Finding,
    check_conditions,
    check_head,
    check_not_classified,
    check_quarters,
    check_quota,
    check_repeated,
    check_score,
    check_votes,
    conditions_for,
    consecutive_not_completed,
    highest_allowed,
    score_band,
    units_failed,
)
from . import quarterly
from .counts import (
    Tally,
    members_tally,
    organizations_tally,
    quota_groups,
    undecided_organizations_under,
    unit_results,
)
from .models import QUOTA_DECISIONS_IN_FORCE, CellMeeting, QuotaException, Review, ReviewState, organization_review_in
from .quarter_models import QuarterReview


def quota_group(review: Review) -> Organization:
    """The committee whose decisions form the review's quota group (docs/domain.md §4 default groups)."""
    if review.is_of_member:
        return deciding_org(review.organization)
    group = rating_org(review.organization)
    assert group is not None, "the province is rated by nobody here, so it has no review to check"
    return group


def group_kind(review: Review) -> OrgKind | None:
    """The kind an organization's quota group is made of (None for members, or when kinds are not apart)."""
    if review.is_of_member or not ORGANIZATION_QUOTA_BY_KIND[review.period.rule_set]:
        return None
    return review.organization.kind


def quota_exception(period: Period, group: Organization, for_members: bool) -> QuotaException | None:
    """The group's quota decision in force: the latest of its rows (each change is a new one)."""
    return db.session.scalars(
        db.select(QuotaException)
        .where(
            QuotaException.period_id == period.id,
            QuotaException.organization_id == group.id,
            QuotaException.for_members == for_members,
        )
        .order_by(QuotaException.id.desc())
    ).first()


def group_tally(period: Period, group: Organization, for_members: bool, kind: OrgKind | None = None) -> Tally:
    return members_tally(group, period) if for_members else organizations_tally(group, period, kind)


def quota_finding(
    period: Period, group: Organization, for_members: bool, extra: Counter | None = None, kind: OrgKind | None = None
) -> Finding | None:
    """The group's quota as decided, plus `extra` levels about to be decided."""
    tally = group_tally(period, group, for_members, kind)
    tally.counts.update(extra or Counter())
    return _group_quota(period, group, tally, kind, quota_exception(period, group, for_members))


def organization_quota_findings(period: Period, committee: Organization) -> list[Finding]:
    """The quota of each group of organizations the committee rates (one per kind where kinds are apart)."""
    kinds = rated_kinds(committee) if ORGANIZATION_QUOTA_BY_KIND[period.rule_set] else [None]
    return [f for kind in kinds if (f := quota_finding(period, committee, False, kind=kind)) is not None]


def _group_quota(
    period: Period, group: Organization, tally: Tally, kind: OrgKind | None, exception: QuotaException | None
) -> Finding | None:
    name = group.name if kind is None else _("%(name)s, nhóm %(kind)s", name=group.name, kind=kind.label.lower())
    return check_quota(
        period.rule_set,
        name,
        tally[Level.EXCELLENT],
        tally[Level.GOOD],
        outstanding=bool(exception and exception.outstanding),
        reason=exception.reason if exception else "",
    )


def new_member_reference(period: Period) -> date:
    """The day the year's six months for new members are counted to (NEW_MEMBER_REFERENCE, else 31/12)."""
    table = current_app.config.get("NEW_MEMBER_REFERENCE") or {}
    day, month = table.get(period.rule_set.value) or table.get("*") or (31, 12)
    day = min(day, calendar.monthrange(period.year, month)[1])  # 29/02 in a year that has none
    return date(period.year, month, day)


def not_classified_category(review: Review) -> NotClassifiedReason:
    """Why a review decided not classified without a recorded category is so: a new member, or other."""
    new = check_not_classified(
        review.period.rule_set, _joined(review), new_member_reference(review.period), Level.COMPLETED
    )
    return NotClassifiedReason.NEW_MEMBER if new else NotClassifiedReason.OTHER


def previous_levels(period: Period, member_ids: list[int]) -> dict[int, Level]:
    """The members' decided levels the year before, in one query: {member id: level} (the repeated-failure
    flag)."""
    rows = db.session.execute(
        db.select(Review.member_id, Review.final_level)
        .join(Period, Review.period_id == Period.id)
        .where(Review.member_id.in_(member_ids), Period.year == period.year - 1, Review.state == ReviewState.DECIDED)
    )
    return {member_id: level for member_id, level in rows}


def review_findings(review: Review, level: Level, previous: Mapping[int, Level | None] | None = None) -> list[Finding]:
    """What the regulation says about giving `review` this level, the quota apart. `previous`: the year
    before's levels read for a whole selection (`previous_levels`); without it, this member's is read."""
    period, rule_set = review.period, review.period.rule_set
    findings = [
        check_conditions(rule_set, conditions_of(review), review.exception_reason, level),
        check_not_classified(rule_set, _joined(review), new_member_reference(period), level),
    ]
    if review.member is not None:
        known = previous_levels(period, [review.member.id]) if previous is None else previous
        before = known.get(review.member.id)
        findings += [check_score(rule_set, review.judged_score, level), check_repeated(before, level)]
        if (unit := review.member.leads) is not None:
            findings.append(check_head(rule_set, level, unit.name, unit_level(unit, period)))
        if quarterly.is_evaluated(review.member, period):  # nobody else has quarters: no query per decision
            findings.append(_quarters_finding(period, quarterly.quarter_levels(period, review.member), level))
    return [finding for finding in findings if finding is not None]


def _quarters_finding(period: Period, quarters: dict[int, Level | None], level: Level) -> Finding | None:
    """A year's level against its quarters, as the year's framework says they feed it."""
    needs_every = quarterly.framework_of(period).excellent_needs_every_quarter
    return check_quarters(quarters, level, needs_every_quarter=needs_every)


def _quarters_cap(review: Review) -> Finding | None:
    """Why a member evaluated each quarter may not be rated excellent for the year, if a quarter rules it out."""
    member = review.member
    if member is None or not quarterly.is_evaluated(member, review.period):
        return None
    return _quarters_finding(review.period, quarterly.quarter_levels(review.period, member), Level.EXCELLENT)


def failed_quarters(root: Organization, period: Period) -> dict[int, tuple[str, dict[int, Level | None]]]:
    """{member id: (member code, {quarter: level})} for each member under `root` with a quarter of the year
    decided not completed: the only ones the quarter rules can find anything on."""
    rows = db.session.execute(
        db.select(QuarterReview.member_id, Member.code, QuarterReview.quarter)
        .join(Member, QuarterReview.member_id == Member.id)
        .join(Organization, QuarterReview.organization_id == Organization.id)
        .where(
            QuarterReview.period_id == period.id,
            QuarterReview.state == ReviewState.DECIDED,
            QuarterReview.final_level == Level.NOT_COMPLETED,
            root.subtree_clause(),
        )  # fmt: skip
        .order_by(Member.code)
    )
    found: dict[int, tuple[str, dict[int, Level | None]]] = {}
    for member_id, code, quarter in rows:
        found.setdefault(member_id, (code, {}))[1][quarter] = Level.NOT_COMPLETED
    return found


def conditions_of(review: Review) -> list[str]:
    """The conditions recorded on the review, and those the results prove: a leader (Mẫu 2A) who heads a unit
    more than half of whose rated organizations are not completed (`units_failed`)."""
    recorded = list(review.conditions or [])
    member = review.member
    if member is None or member.leads is None or not review.is_leaders:
        return recorded
    if Condition.UNITS_FAILED.value in recorded or Condition.UNITS_FAILED not in conditions_for(review.period.rule_set):
        return recorded
    tally = organizations_tally(member.leads, review.period)
    failed = units_failed(tally.classified, tally[Level.NOT_COMPLETED])
    return [*recorded, Condition.UNITS_FAILED.value] if failed else recorded


@dataclass
class Cap:
    level: Level
    why: str


def _head_cap(review: Review) -> Cap | None:
    """The head of a unit already rated: no higher than the unit, where the rule set says so."""
    member = review.member
    if member is None or member.leads is None or not HEAD_NOT_ABOVE_UNIT[review.period.rule_set]:
        return None
    level = unit_level(member.leads, review.period)
    if level is None or not level.is_quality_level:
        return None
    why = _(
        "%(unit)s được xếp loại “%(level)s”: người đứng đầu không cao hơn", unit=member.leads.name, level=level.label
    )
    return Cap(level, why)


def unit_level(unit: Organization, period: Period) -> Level | None:
    """The level decided for an organization in the period, if it is decided."""
    return db.session.scalars(
        db.select(Review.final_level).where(
            Review.organization_id == unit.id, organization_review_in(period.id, decided=True)
        )
    ).first()


def _joined(review: Review) -> date | None:
    """When the member joined; for an organization, when it was founded if its rule set asks (HD 21)."""
    if review.member is not None:
        return review.member.joined_date
    return review.organization.founded_on if review.period.rule_set in RULE_SETS_WITH_NEW_ORGANIZATIONS else None


def projected_findings(
    review: Review, level: Level | None, previous: Mapping[int, Level | None] | None = None
) -> list[Finding]:
    """Everything the page warns about before `level` is decided, the group's quota and the cell's vote
    included."""
    if level is None:
        return []
    extra = Counter({level: 1}) if review.state is not ReviewState.DECIDED else Counter()
    quota = quota_finding(review.period, quota_group(review), review.is_of_member, extra, group_kind(review))
    return review_findings(review, level, previous) + [f for f in (quota, vote_finding(review, level)) if f]


def vote_finding(review: Review, level: Level) -> Finding | None:
    """The cell meeting's votes for `level`, against the year's thresholds, when both are recorded."""
    if review.member is None or review.votes_for is None or level is not review.proposed_level:
        return None
    meeting = db.session.scalars(
        db.select(CellMeeting).where(
            CellMeeting.period_id == review.period_id, CellMeeting.organization_id == review.organization_id
        )
    ).first()
    return check_votes(review.period.rule_set, level, review.votes_for, meeting and meeting.official_members)


def early_warnings(review: Review | None, previous: Mapping[int, Level | None] | None = None) -> list[Finding]:
    """What the member (on their self-rating) and the cell (on its proposal) are told before the committee
    sees the review: the findings the committee would meet at that level, said early. `previous`: as for
    `review_findings`, when the page has read the year before already."""
    if review is None:
        return []
    if review.proposed_level is not None:
        return projected_findings(review, review.proposed_level, previous)
    return review_findings(review, review.self_level, previous) if review.self_level is not None else []


def allowed_levels(review: Review) -> tuple[list[Level], list[str]]:
    """The levels a decision may give, and why the others are not offered."""
    highest, why = highest_allowed(review.period.rule_set, conditions_of(review), review.exception_reason)
    if review.is_of_member and review.period.rule_set.score and review.judged_score is not None:
        band = score_band(review.judged_score)
        if QUALITY_LEVELS.index(band) > QUALITY_LEVELS.index(highest):
            highest = band
            why = [
                *why,
                _("%(score)s điểm: tối đa “%(label)s”", score=format_score(review.judged_score), label=band.label),
            ]
    if (head := _head_cap(review)) is not None and QUALITY_LEVELS.index(head.level) > QUALITY_LEVELS.index(highest):
        highest, why = head.level, [*why, head.why]
    if highest is Level.EXCELLENT and (quarters := _quarters_cap(review)) is not None:
        highest, why = Level.GOOD, [*why, quarters.message]
    allowed = [level for level in QUALITY_LEVELS if QUALITY_LEVELS.index(level) >= QUALITY_LEVELS.index(highest)]
    if new := check_not_classified(review.period.rule_set, _joined(review), new_member_reference(review.period),
                                   Level.COMPLETED):  # fmt: skip
        return [Level.NOT_CLASSIFIED], [new.message]
    return [*allowed, Level.NOT_CLASSIFIED], why


def readiness_problems(org: Organization, period: Period) -> list[str]:
    """What must be decided before `org` itself is rated: its members, then the organizations under it."""
    return readiness([org], period)[org.id]


def readiness(orgs: list[Organization], period: Period) -> dict[int, list[str]]:
    """`readiness_problems` of each organization, read for them all at once."""
    if not orgs:  # a committee whose organizations are all rated: nothing to ask
        return {}
    units = unit_results(orgs, period)
    undecided = undecided_organizations_under(orgs, period)
    return {org.id: _problems(units[org.id].members.pending, undecided[org.id]) for org in orgs}


def _problems(pending_members: int, undecided: list[str]) -> list[str]:
    problems = []
    if pending_members:
        problems.append(
            _("Còn %(pending_members)s đảng viên chưa có quyết định xếp loại.", pending_members=pending_members)
        )
    if undecided:
        names = ", ".join(undecided[:10]) + (_(" …") if len(undecided) > 10 else "")
        problems.append(
            _("Còn %(count)s tổ chức trực thuộc chưa được xếp loại: %(names)s.", count=len(undecided), names=names)
        )
    return problems


def ready_to_rate(committee: Organization, period: Period) -> int:
    """How many of the organizations `committee` rates are still to rate and have nothing left below them
    to decide: the number its home page says it can rate now."""
    rated = rated_organizations(committee)
    decided = set(
        db.session.scalars(
            db.select(Review.organization_id).where(
                Review.organization_id.in_([org.id for org in rated]), organization_review_in(period.id, decided=True)
            )
        )
    )
    waiting = [org for org in rated if org.id not in decided]
    problems = readiness(waiting, period)
    return sum(1 for org in waiting if not problems[org.id])


def subtree_findings(root: Organization, period: Period) -> list[tuple[str, Finding]]:
    """Every finding on the period's decided results under `root`, as (unit code, finding).

    Imported results are checked too: old results are facts, so these are reported, never undone.
    """
    findings = list(quota_findings(period, root))
    failed = failed_quarters(root, period)
    run = quarterly.framework_of(period).flag_consecutive
    findings += [(code, f) for code, levels in failed.values() if (f := consecutive_not_completed(levels, run))]
    previous = aliased(Review)
    previous_period = aliased(Period)
    last_year = (
        db.select(previous.final_level)
        .join(previous_period, previous.period_id == previous_period.id)
        .where(
            previous.member_id == Review.member_id,
            previous_period.year == period.year - 1,
            previous.state == ReviewState.DECIDED,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(
            Review,
            Member.code,
            Organization.code,
            Member.joined_date,
            Organization.founded_on,
            last_year,
            Member.leads_id,
        )  # fmt: skip
        .outerjoin(Member, Review.member_id == Member.id)
        .join(Organization, Review.organization_id == Organization.id)
        .where(Review.period_id == period.id, Review.state == ReviewState.DECIDED, root.subtree_clause())
        .order_by(Organization.path, Member.code)
        .execution_options(yield_per=1000)
    )
    rule_set, reference = period.rule_set, new_member_reference(period)
    founding_counts = rule_set in RULE_SETS_WITH_NEW_ORGANIZATIONS
    for review, member_code, org_code, joined, founded, before, leads in rows:
        level, of_member = review.final_level, review.member_id is not None
        conditions = conditions_of(review) if leads else review.conditions or []  # a leader's: from the results too
        checked = (
            check_score(rule_set, review.judged_score, level) if of_member else None,
            check_conditions(rule_set, conditions, review.exception_reason, level),
            check_head(rule_set, level, review.member.leads.name, unit_level(review.member.leads, period))
            if leads
            else None,
            check_not_classified(
                rule_set, joined if of_member else founded if founding_counts else None, reference, level
            ),  # fmt: skip
            check_repeated(before, level) if of_member else None,
            _quarters_finding(period, failed[review.member_id][1], level) if review.member_id in failed else None,
        )
        findings += [(member_code if of_member else org_code, f) for f in checked if f is not None]
    return findings


def quota_findings(period: Period, root: Organization | None = None, subjects=(True, False)):
    """(committee code, finding) for each quota group over its quota, under `root` or anywhere."""
    exceptions = _quota_exceptions_in_force(period)
    for for_members in subjects:
        groups: dict[int, list[tuple[OrgKind | None, Tally]]] = defaultdict(list)
        for (committee_id, kind), tally in sorted(quota_groups(period, members=for_members, root=root).items(),
                                                  key=lambda item: str(item[0][1])):  # fmt: skip
            groups[committee_id].append((kind, tally))
        query = db.select(Organization).where(Organization.id.in_(groups)).order_by(Organization.path)
        for committee in db.session.scalars(query.where(root.subtree_clause()) if root else query):
            exception = exceptions.get((committee.id, for_members))
            for kind, tally in groups[committee.id]:
                if finding := _group_quota(period, committee, tally, kind, exception):
                    yield committee.code, finding


def _quota_exceptions_in_force(period: Period) -> dict[tuple[int, bool], QuotaException]:
    """Each group's quota decision in force (its latest), by (committee id, for members), in one query."""
    found = db.session.scalars(QUOTA_DECISIONS_IN_FORCE, {"period": period.id})
    return {(exception.organization_id, exception.for_members): exception for exception in found}

"""Who was rated excellent several years in a row ("hoàn thành xuất sắc nhiệm vụ 5 năm liền"): the basis
for commendation the reports list (docs/domain.md §12).

A member or an organization is listed when its decided level was excellent in each of the `years` years
ending with `year`, and it is under the root in `year` (where that year's review counted it). A year without
a period breaks every streak.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..levels import Level
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period
from ..reviews.models import Review, ReviewState

MOST_YEARS = 20  # the reader chooses N; a longer run than this is no list anybody asked for


@dataclass(frozen=True)
class Streak:
    code: str
    name: str
    unit: str  # the cell (members) or the organization above (organizations), as the list shows it


def _excellent_in(first: int, last: int):
    """Reviews decided excellent in the years first..last."""
    return (
        db.select(Review)
        .join(Period, Review.period_id == Period.id)
        .where(
            Period.year.between(first, last),
            Review.state == ReviewState.DECIDED,
            Review.final_level == Level.EXCELLENT,
        )
    )


def members_excellent(root: Organization, year: int, years: int) -> list[Streak]:
    """Members excellent in each of the `years` years up to `year`, under the root that year."""
    first = year - years + 1
    this_year = (
        _excellent_in(year, year)
        .join(Organization, Review.organization_id == Organization.id)
        .where(Review.member_id.is_not(None), root.subtree_clause())
        .with_only_columns(Review.member_id, Review.organization_id)
        .subquery()
    )
    runs = (
        _excellent_in(first, year)
        .where(Review.member_id.in_(sa.select(this_year.c.member_id)))
        .with_only_columns(Review.member_id)
        .group_by(Review.member_id)
        .having(sa.func.count(sa.distinct(Review.period_id)) == years)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Member.code, Member.full_name, Organization.name)
        .join(runs, runs.c.member_id == Member.id)
        .join(this_year, this_year.c.member_id == Member.id)
        .join(Organization, Organization.id == this_year.c.organization_id)
        .order_by(Organization.path, Member.name_sort_key)
    )
    return [Streak(*row) for row in rows]


def organizations_excellent(root: Organization, year: int, years: int) -> list[Streak]:
    """Organizations under the root (itself included) excellent in each of the `years` years up to `year`."""
    runs = (
        _excellent_in(year - years + 1, year)
        .join(Organization, Review.organization_id == Organization.id)
        .where(Review.member_id.is_(None), root.subtree_clause())
        .with_only_columns(Review.organization_id)
        .group_by(Review.organization_id)
        .having(sa.func.count(sa.distinct(Review.period_id)) == years)
        .subquery()
    )
    parent = sa.orm.aliased(Organization)
    rows = db.session.execute(
        db.select(Organization.code, Organization.name, sa.func.coalesce(parent.name, ""))
        .join(runs, runs.c.organization_id == Organization.id)
        .outerjoin(parent, parent.id == Organization.parent_id)
        .order_by(Organization.path)
    )
    return [Streak(*row) for row in rows]

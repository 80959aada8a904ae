"""Reviews follow their member: where a review counts when the member moves, or a closed year reopens."""

from ..extensions import db
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period, PeriodState
from .models import Review


def follow_moves_into(period: Period) -> None:
    """A closed year reopened: the reviews of members who moved while it was closed follow them to their
    cell now, as an open year's do, so the year counts each member once, where they are.

    Through the ORM, so the kept tallies follow (reviews/tallies.py).
    """
    moved = db.session.scalars(
        db.select(Review)
        .join(Member, Review.member_id == Member.id)
        .where(Review.period_id == period.id, Review.organization_id != Member.organization_id)
    )
    for review in moved:
        review.organization = review.member.organization


def follow_member(member: Member, to_org: Organization) -> None:
    """A review still being worked on counts under the new cell; a closed year keeps its published counts.

    Through the ORM, one review at a time (a member has one per open year), so the kept tallies follow.
    """
    closed = db.select(Period.id).where(Period.state == PeriodState.CLOSED)
    for review in db.session.scalars(
        db.select(Review).where(Review.member_id == member.id, Review.period_id.not_in(closed))
    ):
        review.organization = to_org

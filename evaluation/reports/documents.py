"""What the printed documents of a year say beyond the counts: the dossier an organization sends up
(Mẫu 04) and the re-rating decisions (Mẫu 03)."""

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ..auth.permissions import deciding_org, rating_org
from ..extensions import db
from ..levels import Level
from ..org.models import Organization
from ..periods.models import Period
from ..reviews.models import CellMeeting, Review, ReviewEvent, ReviewState
from ..reviews.operations import find_organization_review
from ..reviews.workflow import Action


@dataclass
class Dossier:
    """What an organization sends up with its year's results (Mẫu 04): the documents and how many of each."""

    own_review: Review | None  # its collective review (Mẫu 01)
    reviews_submitted: int  # members' self-reviews handed in, in the subtree
    meetings: int  # cell meetings recorded (biên bản), in the subtree
    organization_reviews: int  # collective reviews of the organizations under it
    rerated: int  # results changed by a re-rating decision (Mẫu 03)


def dossier(root: Organization, period: Period) -> Dossier:
    in_subtree = db.select(Organization.id).where(root.subtree_clause())
    reviews = Review.period_id == period.id, Review.organization_id.in_(in_subtree)
    handed_in = Review.state != ReviewState.DRAFT

    def count(*where) -> int:
        return db.session.scalar(db.select(sa.func.count(Review.id)).where(*reviews, *where)) or 0

    own = find_organization_review(period, root)
    meetings = db.select(sa.func.count(CellMeeting.id)).where(
        CellMeeting.period_id == period.id, CellMeeting.organization_id.in_(in_subtree)
    )
    return Dossier(
        own_review=own,
        reviews_submitted=count(Review.member_id.is_not(None), handed_in),
        meetings=db.session.scalar(meetings) or 0,
        organization_reviews=count(Review.member_id.is_(None), Review.organization_id != root.id, handed_in),
        rerated=count(Review.rerated_by != ""),
    )


@dataclass(frozen=True)
class Rerating:
    """One re-rating decision (quyết định xếp loại lại, Mẫu 03): who issued it, whose level it changed, from
    what to what, and why."""

    review: Review
    issuer: Organization  # the competent level: the grassroots committee, or the committee that rates
    number: str
    decided_on: date
    previous: Level | None
    level: Level
    reason: str
    recorded_at: datetime


# The history entry of a re-rating carries the decision as `reviews.operations.rerate` wrote it.
_DECISION = re.compile(r"Quyết định số (?P<number>.+?) ngày (?P<day>\d{2}/\d{2}/\d{4})(?:: (?P<reason>.*))?", re.S)
_SETS_LEVEL = {Action.DECIDE, Action.RERATE, Action.IMPORT}


def reratings(root: Organization, period: Period, review_id: int | None = None) -> list[Rerating]:
    """The year's re-rating decisions in the subtree, by organization then in the order taken; or one review's."""
    query = (
        db.select(ReviewEvent)
        .join(Review, ReviewEvent.review_id == Review.id)
        .join(Organization, Review.organization_id == Organization.id)
        .where(Review.period_id == period.id, ReviewEvent.action == Action.RERATE, root.subtree_clause())
        .order_by(Organization.path, ReviewEvent.id)
    )
    if review_id is not None:
        query = query.where(Review.id == review_id)
    return [_rerating(event) for event in db.session.scalars(query)]


def _rerating(event: ReviewEvent) -> Rerating:
    review = event.review
    earlier = [e for e in review.events if e.id < event.id and e.action in _SETS_LEVEL]
    found = _DECISION.fullmatch(event.reason)
    issuer = deciding_org(review.organization) if review.is_of_member else rating_org(review.organization)
    # Only `rerate` writes these entries, always with the decision and a level; the province is never rated.
    assert found is not None and event.level is not None and issuer is not None
    return Rerating(
        review=review,
        issuer=issuer,
        number=found["number"],
        decided_on=datetime.strptime(found["day"], "%d/%m/%Y").date(),
        previous=max(earlier, key=lambda e: e.id).level if earlier else None,
        level=event.level,
        reason=found["reason"] or "",
        recorded_at=event.at,
    )

"""Publication of a year's results inside the organization (công khai kết quả đánh giá, xếp loại).

The regulation makes the results known within the organization. Once the grassroots committee that decides
publishes a year, each member under it sees their own cell's list (names and levels) and their own file over
the years (levels, the reviews, the cell's comments); never anything else about other members. A closed year
counts as published: by then the round is over and its results announced.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import journal
from ..auth.models import User
from ..auth.permissions import deciding_org, is_committee_officer, require
from ..dbtypes import Timestamp, utcnow
from ..errors import DomainError
from ..extensions import Model, db
from ..i18n import N_
from ..i18n import gettext as _
from ..levels import Level
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period, PeriodState
from .counts import members_tally
from .models import Review, ReviewState

# How many years of their own reviews a member reads in full (the regulation's look back over a term).
OWN_REVIEW_YEARS = 3


class Publication(Model):
    """A grassroots committee made a year's results known to its members."""

    __tablename__ = "publication"
    __table_args__ = (sa.UniqueConstraint("period_id", "organization_id", name="uq_publication_period_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    actor: Mapped[User | None] = relationship()


def find_publication(period: Period, committee: Organization) -> Publication | None:
    return db.session.scalars(
        db.select(Publication).where(Publication.period_id == period.id, Publication.organization_id == committee.id)
    ).first()


def is_published(period: Period, cell: Organization) -> bool:
    """Whether the members of `cell` may see the year's results (published by their committee, or closed)."""
    return period.state is PeriodState.CLOSED or find_publication(period, deciding_org(cell)) is not None


def publish(period: Period, committee: Organization, actor: User) -> Publication:
    """Publish the year's results to the members under `committee`, once every member has a decision.

    :raise DomainError: while a member under it has none, or when already published.
    """
    require(is_committee_officer(actor, committee))
    if find_publication(period, committee) is not None:
        raise DomainError(_("Kết quả năm %(year)s đã được công bố.", year=period.year))
    if pending := members_tally(committee, period).pending:
        raise DomainError(
            _("Chưa công bố được: còn %(count)s đảng viên chưa có quyết định xếp loại.", count=pending)
        )  # fmt: skip
    publication = Publication(period_id=period.id, organization_id=committee.id, actor=actor)
    db.session.add(publication)
    detail = N_("Năm %(year_published)s")
    journal.write(journal.Change.PUBLICATION, actor, committee.code, detail, organization=committee, year=period.year,
                  year_published=str(period.year))  # fmt: skip
    db.session.flush()
    return publication


@dataclass(frozen=True)
class YearResult:
    """One year of a member's own file."""

    period: Period
    review: Review
    published: bool


def own_file(member: Member) -> list[YearResult]:
    """The member's decided reviews, newest first; a year not yet published shows no level."""
    rows = db.session.scalars(
        db.select(Review)
        .join(Period, Review.period_id == Period.id)
        .where(Review.member_id == member.id, Review.state == ReviewState.DECIDED)
        .order_by(Period.year.desc())
    )
    return [YearResult(review.period, review, is_published(review.period, review.organization)) for review in rows]


def own_review_of(member: Member, year: int) -> Review | None:
    """The member's decided, published review of `year`, if it is one of the years they read in full."""
    years = [result for result in own_file(member) if result.published][:OWN_REVIEW_YEARS]
    return next((result.review for result in years if result.period.year == year), None)


def cell_results(period: Period, cell: Organization) -> list[tuple[str, Level | None]]:
    """(name, decided level) of each member who counted under `cell` that year, in the list's order."""
    rows = db.session.execute(
        db.select(Member.full_name, Review.final_level)
        .join(Review, Review.member_id == Member.id)
        .where(Review.period_id == period.id, Review.organization_id == cell.id)
        .order_by(Member.name_sort_key)
    )
    return [(name, level) for name, level in rows]

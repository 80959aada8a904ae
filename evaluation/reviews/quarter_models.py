"""The quarterly evaluation of leaders and managers (đánh giá hằng quý, KL 198-KL/TW, HD 02-HD/BTCTW).

A year has four quarterly rounds beside its annual one. In each, a person the year's framework names
registers their products, reports results and self-scores; the committee that decides their annual level
scores, rates on the four levels, may return, and decides. A quarter's review moves along the same
workflow table as the annual one (`workflow.TRANSITIONS`, capacities QUARTER_AUTHOR and QUARTER_ASSESSOR)
and keeps the same kind of append-only history.
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..dbtypes import Timestamp, enum_column, utcnow
from ..extensions import Model
from ..i18n import gettext
from ..levels import Level
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period, PeriodState
from .models import SCORE, STATE_LABELS, Chronicled, HistoryEntry, ReviewState, ScoreParts

QUARTERS = (1, 2, 3, 4)


class QuarterRound(Model):
    """One quarter of a year (đợt đánh giá quý): opened and closed like a period, with its own deadlines."""

    __tablename__ = "quarter_round"
    __table_args__ = (sa.UniqueConstraint("period_id", "quarter", name="uq_quarter_round_period_quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"))
    quarter: Mapped[int]
    state: Mapped[PeriodState] = mapped_column(enum_column(PeriodState), default=PeriodState.DRAFT)
    register_by: Mapped[date]  # the products are registered (đăng ký sản phẩm)
    report_by: Mapped[date]  # results reported and self-scored
    decide_by: Mapped[date]  # the committee rates

    period: Mapped[Period] = relationship()

    def __repr__(self) -> str:
        return f"<QuarterRound {self.period.year} Q{self.quarter} {self.state.value}>"

    @property
    def is_open(self) -> bool:
        return self.state is PeriodState.OPEN

    @property
    def deadlines(self) -> list[tuple[str, date]]:
        return [
            (gettext("Đăng ký sản phẩm"), self.register_by),
            (gettext("Báo cáo kết quả và tự chấm điểm"), self.report_by),
            (gettext("Cấp ủy chấm điểm và xếp loại"), self.decide_by),
        ]


class QuarterReview(Chronicled, ScoreParts, Model):
    """A person's quarter: the products registered, the results, the self-score and the committee's.

    `criteria` holds part A as {criterion key: passed}; `products` part B as a list of
    {task, area, due_on, weight, result, self: {measure: %}, accepted: {measure: %}}, kept as JSON so a
    province's framework needs no migration. The scores are worked out by `evaluation.framework` on each
    save and stored, so lists and reports read them as columns.
    """

    __tablename__ = "quarter_review"
    __table_args__ = (
        sa.UniqueConstraint("period_id", "quarter", "member_id", name="uq_quarter_review_period_quarter_member"),
        sa.Index("ix_quarter_review_org_period", "organization_id", "period_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"))
    quarter: Mapped[int]
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    # The cell the person belonged to when the quarter began: what the quarter counts under.
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    state: Mapped[ReviewState] = mapped_column(enum_column(ReviewState), default=ReviewState.DRAFT)
    criteria: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    accepted_criteria: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    products: Mapped[list] = mapped_column(sa.JSON, default=list)
    self_score_general: Mapped[Decimal | None] = mapped_column(SCORE)
    self_score_tasks: Mapped[Decimal | None] = mapped_column(SCORE)
    accepted_score_general: Mapped[Decimal | None] = mapped_column(SCORE)
    accepted_score_tasks: Mapped[Decimal | None] = mapped_column(SCORE)
    # Each area's decided result banded into a level ({area key: Level value}): the rollup per area.
    area_levels: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    self_level: Mapped[Level | None] = mapped_column(enum_column(Level))
    final_level: Mapped[Level | None] = mapped_column(enum_column(Level))
    comments: Mapped[str] = mapped_column(sa.Text, default="")  # the committee's comments (nhận xét)
    registered_at: Mapped[datetime | None] = mapped_column(Timestamp)
    submitted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    period: Mapped[Period] = relationship()
    member: Mapped[Member] = relationship()
    organization: Mapped[Organization] = relationship()
    events: Mapped[list["QuarterEvent"]] = relationship(
        back_populates="review", order_by="QuarterEvent.id", cascade="save-update, merge"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<QuarterReview {self.id} Q{self.quarter} member={self.member_id} {self.state.value}>"

    @validates("member")
    def _count_under_members_cell(self, _key, member: Member) -> Member:
        self.organization = member.organization
        return member

    @property
    def state_label(self) -> str:
        return gettext(STATE_LABELS[self.state]) if self.state is not ReviewState.SUBMITTED else gettext(
            "Chờ cấp ủy chấm điểm"
        )  # fmt: skip

    @property
    def is_locked(self) -> bool:
        return self.state is ReviewState.DECIDED

    @property
    def is_of_member(self) -> bool:
        return True

    @property
    def subject_name(self) -> str:
        return self.member.full_name


class QuarterEvent(HistoryEntry, Model):
    """One entry of a quarter's history, kept like a review's."""

    __tablename__ = "quarter_event"

    review_id: Mapped[int] = mapped_column(sa.ForeignKey("quarter_review.id"), index=True)

    review: Mapped[QuarterReview] = relationship(back_populates="events")

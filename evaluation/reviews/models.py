"""A member's annual review (bản tự kiểm điểm and what the cell and committee make of it)."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates

from ..auth.models import User
from ..dbtypes import Timestamp, enum_column, utcnow
from ..extensions import Model
from ..i18n import N_, gettext
from ..levels import Level
from ..members.models import FormType, Member
from ..org.models import Organization
from ..periods.models import Period

# A score part: up to 70 points, to a half point (Numeric, so 28.5 stays 28.5 on every database).
SCORE = sa.Numeric(4, 1, asdecimal=True)


class ReviewState(StrEnum):
    DRAFT = "draft"  # the member is writing
    SUBMITTED = "submitted"  # with the cell: comments and proposal
    PROPOSED = "proposed"  # the cell's proposal is with the committee
    DECIDED = "decided"  # final; locked until the committee reopens it

    @property
    def label(self) -> str:
        return gettext(STATE_LABELS[self])


STATE_LABELS = {
    ReviewState.DRAFT: N_("Đang viết"),
    ReviewState.SUBMITTED: N_("Đã nộp chi bộ"),
    ReviewState.PROPOSED: N_("Chi bộ đã đề xuất"),
    ReviewState.DECIDED: N_("Đã quyết định"),
}
NOT_STARTED_LABEL = N_("Chưa bắt đầu")
# An organization's review has no cell stage: submitted means with the committee above.
ORG_STATE_LABELS = STATE_LABELS | {ReviewState.SUBMITTED: N_("Chờ cấp trên xếp loại")}


class ScoreParts:
    """The two parts of a score (/30 and /70), the person's own and the one the deciding level accepts: an annual
    review's and a leader's quarter's."""

    if TYPE_CHECKING:  # the columns are each model's own
        self_score_general: Decimal | None
        self_score_tasks: Decimal | None
        accepted_score_general: Decimal | None
        accepted_score_tasks: Decimal | None

    @property
    def self_score(self) -> Decimal | None:
        if self.self_score_general is None or self.self_score_tasks is None:
            return None
        return self.self_score_general + self.self_score_tasks

    @property
    def accepted_score(self) -> Decimal | None:
        if self.accepted_score_general is None or self.accepted_score_tasks is None:
            return None
        return self.accepted_score_general + self.accepted_score_tasks

    @property
    def judged_score(self) -> Decimal | None:
        """The score the bands judge: the one the deciding level accepted, else the person's own."""
        return self.accepted_score if self.accepted_score is not None else self.self_score


class Chronicled:
    """A review with an append-only history, oldest entry first: an annual review or a leader's quarter."""

    if TYPE_CHECKING:  # the columns and the history are each model's own
        state: ReviewState
        events: Sequence["HistoryEntry"]

    @property
    def return_reason(self) -> str | None:
        """Why it was sent back to its author (trả lại), while they have not submitted again."""
        return self._pending_reason("return", ReviewState.DRAFT)

    def _pending_reason(self, action: str, state: ReviewState) -> str | None:
        last = self.events[-1] if self.events else None
        if self.state is state and last is not None and last.action == action:
            return last.reason
        return None


class Review(Chronicled, ScoreParts, Model):
    """One year's review of a member or, when `member_id` is empty, of an organization.

    Both kinds share the states, the history and the lock, so one workflow serves both
    (docs/domain.md §7). `organization_id` is what the review counts under in the reports: for a
    member, the cell they belonged to that year (it follows a move until the period closes, so
    closed years keep the counts that were published); for an organization, itself.
    """

    __tablename__ = "review"
    __table_args__ = (
        sa.UniqueConstraint("period_id", "member_id", name="uq_review_period_member"),
        # One review per organization and period. Organization first, like every lookup of a subtree.
        sa.Index(
            "uq_review_period_rated_org",
            "organization_id",
            "period_id",
            unique=True,
            sqlite_where=sa.text("member_id IS NULL"),
            postgresql_where=sa.text("member_id IS NULL"),
        ),
        sa.Index("ix_review_org_period", "organization_id", "period_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    form_type: Mapped[FormType | None] = mapped_column(enum_column(FormType))  # members' forms only
    state: Mapped[ReviewState] = mapped_column(enum_column(ReviewState), default=ReviewState.DRAFT, index=True)
    # The self-review's sections, keyed as in reviews.formspec; JSON so a new form needs no migration.
    sections: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Points to a half point, as provinces' rubrics give them: /30 and /70 (QĐ 366).
    self_score_general: Mapped[Decimal | None] = mapped_column(SCORE)
    self_score_tasks: Mapped[Decimal | None] = mapped_column(SCORE)
    # The score the deciding level accepts (docs/domain.md §3): the bands apply to it; the self-score is the
    # member's proposal. Empty until the committee records one.
    accepted_score_general: Mapped[Decimal | None] = mapped_column(SCORE)
    accepted_score_tasks: Mapped[Decimal | None] = mapped_column(SCORE)
    self_level: Mapped[Level | None] = mapped_column(enum_column(Level))
    # Nhập hộ: who in the cell typed the member's signed paper self-review in, and the paper's date (empty
    # when the member wrote it here).
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    paper_signed_on: Mapped[date | None]
    cell_comments: Mapped[str] = mapped_column(sa.Text, default="")  # ý kiến góp ý của chi bộ
    proposed_level: Mapped[Level | None] = mapped_column(enum_column(Level))
    final_level: Mapped[Level | None] = mapped_column(enum_column(Level), index=True)
    not_classified_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # exempt, suspended, new_member or other (levels.NotClassifiedReason); "" until not classified
    not_classified_category: Mapped[str] = mapped_column(sa.String(20), default="")
    # The decision that last re-rated the decided level (Mẫu 03), "" if none: exports and pages mark it.
    rerated_by: Mapped[str] = mapped_column(sa.String(200), default="")
    # Votes for the proposed level at the cell meeting (biểu quyết), when the secretary records them.
    votes_for: Mapped[int | None]
    # Facts of the year that cap the level (rules.Condition values), and the committee's reason when it
    # applies the self-report exception (docs/domain.md §3).
    conditions: Mapped[list] = mapped_column(sa.JSON, default=list)
    exception_reason: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    # The page (a random token of static/js/app.js) that saved the text last: its own late save is no conflict.
    saved_by_client: Mapped[str] = mapped_column(sa.String(40), default="")
    # Optimistic lock: every write names the version it read; SQLAlchemy checks it on UPDATE too.
    version: Mapped[int] = mapped_column(default=1)

    period: Mapped[Period] = relationship()
    member: Mapped[Member | None] = relationship()
    organization: Mapped[Organization] = relationship()
    entered_by: Mapped[User | None] = relationship()
    events: Mapped[list["ReviewEvent"]] = relationship(
        back_populates="review", order_by="ReviewEvent.id", cascade="save-update, merge"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Review {self.id} member={self.member_id} org={self.organization_id} {self.state.value}>"

    @validates("member")
    def _count_under_members_cell(self, _key, member: Member | None) -> Member | None:
        if member is not None:
            self.organization = member.organization
        return member

    @property
    def is_of_member(self) -> bool:
        return self.member_id is not None or self.member is not None

    @property
    def is_leaders(self) -> bool:
        """A leader's or manager's review (Mẫu 2A): the leaders' conditions apply to it."""
        return self.form_type is FormType.LEADER

    @property
    def subject_name(self) -> str:
        """Whose review it is: the member's full name, or the organization's name."""
        return self.member.full_name if self.member is not None else self.organization.name

    @property
    def state_label(self) -> str:
        return gettext((STATE_LABELS if self.is_of_member else ORG_STATE_LABELS)[self.state])

    @property
    def has_text(self) -> bool:
        """Whether anything was written in it (a review proposed "not classified" for an exempt member has not)."""
        return any((text or "").strip() for text in self.sections.values())

    @property
    def shown_self_level(self) -> Level | None:
        """The self-rating as others see it: a draft's is the member's own until they submit."""
        return self.self_level if self.handed_in else None

    @property
    def handed_in(self) -> bool:
        """Out of its authors' hands: the cell and the committee read it from now on."""
        return self.state is not ReviewState.DRAFT

    @property
    def is_locked(self) -> bool:
        return self.state is ReviewState.DECIDED

    @property
    def sent_back_reason(self) -> str | None:
        """Why the committee sent the cell's proposal back, while the cell has not yet proposed again."""
        return self._pending_reason("send_back", ReviewState.SUBMITTED)


class HistoryEntry:
    """What an entry of an append-only history holds, a review's or a quarter's (the database refuses changes
    to their rows): who did what, the states it moved between, the level and the reason given, and when."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)  # first, before the entry's review_id
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[ReviewState | None] = mapped_column(enum_column(ReviewState))
    to_state: Mapped[ReviewState | None] = mapped_column(enum_column(ReviewState))
    level: Mapped[Level | None] = mapped_column(enum_column(Level))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)  # the history pages by time

    @declared_attr
    def actor(cls) -> Mapped[User | None]:
        return relationship(User)


class ReviewEvent(HistoryEntry, Model):
    """One entry of a review's history."""

    __tablename__ = "review_event"

    review_id: Mapped[int] = mapped_column(sa.ForeignKey("review.id"), index=True)

    review: Mapped[Review] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<ReviewEvent {self.review_id} {self.action}>"


class QuotaException(Model):
    """A committee's decision on the quota of one group in one year (docs/domain.md §4).

    `outstanding` raises the quota to 25%; `reason` is the written justification for going over
    it, recorded with the decision and shown in the reports. Each change is a new row, and the
    latest is in force: the rows are the register of the committee's decisions, never rewritten.
    """

    __tablename__ = "quota_exception"
    __table_args__ = (sa.Index("ix_quota_exception_group", "period_id", "organization_id", "for_members"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))  # the deciding committee
    for_members: Mapped[bool]  # the group is the members it decides, else the organizations it rates
    outstanding: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    set_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    organization: Mapped[Organization] = relationship()


# The decisions in force: each group's latest (a statement built once; bind "period").
QUOTA_DECISIONS_IN_FORCE = sa.select(QuotaException).where(
    QuotaException.id.in_(
        sa.select(sa.func.max(QuotaException.id))
        .where(QuotaException.period_id == sa.bindparam("period"))
        .group_by(QuotaException.organization_id, QuotaException.for_members)
    )
)


class Commitment(Model):
    """What a member or an organization commits to at the start of the year (đăng ký nêu gương, "5 rõ").

    The self-review at the end of the year shows it beside the form so the review answers it.
    """

    __tablename__ = "commitment"
    __table_args__ = (
        sa.UniqueConstraint("period_id", "member_id", name="uq_commitment_period_member"),
        sa.Index(
            "uq_commitment_period_org",
            "period_id",
            "organization_id",
            unique=True,
            sqlite_where=sa.text("member_id IS NULL"),
            postgresql_where=sa.text("member_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)


class CellMeeting(Model):
    """The cell's review meeting of a year (hội nghị kiểm điểm chi bộ): when, how many official members the
    cell has and how many came. The votes for each proposal are on its review; the minutes print both."""

    __tablename__ = "cell_meeting"
    __table_args__ = (sa.UniqueConstraint("period_id", "organization_id", name="uq_cell_meeting_period_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    held_on: Mapped[date]
    official_members: Mapped[int]  # đảng viên chính thức: the base of the vote thresholds
    present: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))

    organization: Mapped[Organization] = relationship()


def handed_in_self_level():
    """`Review.shown_self_level` as a column, for lists and exports read as rows."""
    column = Review.__table__.c.self_level
    shown = sa.case((Review.state != ReviewState.DRAFT, Review.self_level), else_=None)
    return sa.type_coerce(shown, column.type).label("self_level")


def organization_review_in(period, *, decided: bool = False) -> sa.ColumnElement[bool]:
    """An organization's own review for the period (not one of its members'), only a decided one when asked:
    the caller says which organizations. `period` is a period's id or a bound parameter."""
    own = sa.and_(Review.member_id.is_(None), Review.period_id == period)
    return sa.and_(own, Review.state == ReviewState.DECIDED) if decided else own

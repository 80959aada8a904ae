"""The evaluation period: one a year, opened by an administrator, with a deadline per stage."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import Timestamp, enum_column, utcnow
from ..extensions import Model
from ..i18n import gettext as _
from ..rules import RuleSet

if TYPE_CHECKING:  # periods sit below auth (docs/architecture.md): the actor's type is for the checker only
    from ..auth.models import User


class PeriodState(StrEnum):
    DRAFT = "draft"  # being prepared: nobody writes yet
    OPEN = "open"  # reviews are written, proposed and decided
    CLOSED = "closed"  # read-only

    @property
    def label(self) -> str:
        return {PeriodState.DRAFT: _("Chuẩn bị"), PeriodState.OPEN: _("Đang mở"), PeriodState.CLOSED: _("Đã đóng")}[
            self
        ]


class Period(Model):
    __tablename__ = "period"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    rule_set: Mapped[RuleSet] = mapped_column(enum_column(RuleSet))
    state: Mapped[PeriodState] = mapped_column(enum_column(PeriodState), default=PeriodState.DRAFT)
    opens_on: Mapped[date]
    submit_by: Mapped[date]  # members submit their self-reviews
    propose_by: Mapped[date]  # cells forward their proposals
    decide_by: Mapped[date]  # committees decide members' levels
    rate_orgs_by: Mapped[date]  # higher committees rate the organizations
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Why the period was closed with results still undecided (empty when everything was decided).
    closing_note: Mapped[str] = mapped_column(sa.Text, default="")
    # The framework of the year's quarterly evaluation (a file of evaluation/frameworks, without .toml).
    quarter_framework: Mapped[str] = mapped_column(sa.String(40), default="default")

    def __repr__(self) -> str:
        return f"<Period {self.year} {self.state.value}>"

    @property
    def is_open(self) -> bool:
        return self.state is PeriodState.OPEN

    @property
    def deadlines(self) -> list[tuple[str, date]]:
        return [
            (_("Đảng viên nộp bản tự kiểm điểm"), self.submit_by),
            (_("Chi bộ chuyển đề xuất xếp loại"), self.propose_by),
            (_("Đảng ủy quyết định xếp loại đảng viên"), self.decide_by),
            (_("Cấp ủy cấp trên xếp loại tổ chức đảng"), self.rate_orgs_by),
        ]


class PeriodAction(StrEnum):
    CREATE = "create"
    OPEN = "open"
    CLOSE = "close"
    REOPEN = "reopen"  # a closed year opened again by an administrator, with the reason
    IMPORT = "import"  # archive results loaded into a closed year
    # Deadlines moved (usually extended), with the reason and the old dates. Short, so the column (VARCHAR 14)
    # needs no migration.
    DEADLINES = "dates"
    QUARTER = "rounds"  # a quarterly round made, opened, closed or its deadlines moved; the framework chosen

    @property
    def label(self) -> str:
        return {
            PeriodAction.CREATE: _("Tạo kỳ"),
            PeriodAction.OPEN: _("Mở kỳ"),
            PeriodAction.CLOSE: _("Đóng kỳ"),
            PeriodAction.REOPEN: _("Mở lại kỳ đã đóng"),
            PeriodAction.IMPORT: _("Nhập kết quả lưu trữ"),
            PeriodAction.DEADLINES: _("Đổi thời hạn"),
            PeriodAction.QUARTER: _("Đánh giá hằng quý"),
        }[self]


class PeriodEvent(Model):
    """One entry of a period's history: append-only, like the reviews' (the database refuses changes)."""

    __tablename__ = "period_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    action: Mapped[PeriodAction] = mapped_column(enum_column(PeriodAction))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)

    period: Mapped[Period] = relationship()
    actor: Mapped["User | None"] = relationship()

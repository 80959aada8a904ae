"""Targets (chỉ tiêu) a committee sets for its subtree, e.g. "≥ 85% of members good or better"."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..dbtypes import Timestamp, enum_column, utcnow
from ..extensions import Model
from ..i18n import gettext as _
from ..org.models import Organization


class TargetSubject(StrEnum):
    """What a target counts: members, or the grassroots organizations (tổ chức cơ sở đảng)."""

    MEMBERS = "members"
    GRASSROOTS = "grassroots"

    @property
    def label(self) -> str:
        return {TargetSubject.MEMBERS: _("đảng viên"), TargetSubject.GRASSROOTS: _("tổ chức cơ sở đảng")}[self]


class Target(Model):
    """The share, in percent of the classified, that should be rated good or better in a year: at least it,
    or strictly above it.

    Set on one organization, it applies to every organization under it that has none of its own.
    """

    __tablename__ = "target"
    __table_args__ = (sa.UniqueConstraint("organization_id", "year", "subject", name="uq_target_org_year_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    year: Mapped[int]
    subject: Mapped[TargetSubject] = mapped_column(enum_column(TargetSubject))
    min_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    # "trên 85%" is strictly above; "từ 85% trở lên" is at least (the resolutions use both).
    strictly_above: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    set_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    set_by: Mapped[User | None] = relationship()

    @property
    def shown_percent(self) -> Decimal:
        """As a resolution writes it: 85, 78,3 (no trailing zeros)."""
        trimmed = self.min_percent.normalize()
        return trimmed.quantize(Decimal(1)) if trimmed == trimmed.to_integral() else trimmed

    def __repr__(self) -> str:
        return f"<Target {self.organization_id} {self.year} {self.subject.value} ≥{self.min_percent}>"

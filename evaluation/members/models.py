"""Party members (đảng viên) and the record of their moves between cells."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..dbtypes import Timestamp, enum_column, upper_code_index, utcnow
from ..extensions import Model
from ..i18n import gettext as _
from ..org.models import Organization
from ..text import clean_name, fold, name_sort_key


class FormType(StrEnum):
    """Which official self-review form a member fills (HD 43, docs/domain.md §7)."""

    LEADER = "2A"  # Mẫu 2A: giữ chức vụ lãnh đạo, quản lý
    STAFF = "2B"  # Mẫu 2B: không giữ chức vụ lãnh đạo, quản lý
    OUTSIDE = "2C"  # Mẫu 2C: không làm việc trong hệ thống chính trị (hưu trí, sinh viên, doanh nghiệp...)

    @property
    def label(self) -> str:
        return {
            FormType.LEADER: _("Mẫu 2A – đảng viên giữ chức vụ lãnh đạo, quản lý"),
            FormType.STAFF: _("Mẫu 2B – đảng viên không giữ chức vụ lãnh đạo, quản lý"),
            FormType.OUTSIDE: _("Mẫu 2C – đảng viên không làm việc trong hệ thống chính trị"),
        }[self]


class Member(Model):
    __tablename__ = "member"
    __table_args__ = (
        sa.Index("ix_member_org_sort", "organization_id", "name_sort_key"),
        # A search that matches many names walks this in order and stops at the page's hundred.
        sa.Index("ix_member_name_sort_key", "name_sort_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # Derived from full_name on every assignment: list order and accent-free search.
    name_sort_key: Mapped[str] = mapped_column(sa.String(400), default="")
    search_name: Mapped[str] = mapped_column(sa.String(200), default="")  # searched by a trigram index
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    form_type: Mapped[FormType] = mapped_column(enum_column(FormType), default=FormType.STAFF)
    position: Mapped[str] = mapped_column(sa.String(255), default="")  # chức vụ (Mẫu 2A)
    workplace: Mapped[str] = mapped_column(sa.String(255), default="")  # đơn vị công tác
    email: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    birth_date: Mapped[date | None]
    joined_date: Mapped[date | None]  # ngày vào Đảng
    # The unit a leader heads (người đứng đầu), when they do: they are judged together with it (docs/domain.md §3).
    leads_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"))

    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    leads: Mapped[Organization | None] = relationship(foreign_keys=[leads_id])

    def __repr__(self) -> str:
        return f"<Member {self.code}>"

    @validates("full_name")
    def _derive_name_keys(self, _key, value: str) -> str:
        value = clean_name(value)
        self.name_sort_key = name_sort_key(value)
        self.search_name = fold(value)
        return value


upper_code_index("ix_member_code_upper", Member.__table__.c.code)


class MembershipChange(Model):
    """A move between cells (chuyển sinh hoạt): kept so a member's history survives the move."""

    __tablename__ = "membership_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    from_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    to_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    moved_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    from_org: Mapped[Organization] = relationship(foreign_keys=[from_org_id])
    to_org: Mapped[Organization] = relationship(foreign_keys=[to_org_id])

    def __repr__(self) -> str:
        return f"<MembershipChange member={self.member_id} {self.from_org_id}->{self.to_org_id}>"

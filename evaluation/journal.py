"""The journal (nhật ký quản trị): every change outside a review's workflow, one row each.

Reviews and periods keep histories of their own (ReviewEvent, PeriodEvent) and moves between cells
theirs (MembershipChange). Everything else an administrator or a committee changes — logins, roles,
targets, quota decisions, imports — is written here, in the same transaction as the change, and the
database refuses to change or delete a row (migration 0012). `audit.py` reads all of them as one history.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .dbtypes import Timestamp, enum_column, utcnow
from .extensions import Model, db
from .i18n import N_, gettext


class Change(StrEnum):
    USER_CREATE = "user_create"  # tạo tài khoản
    USER_DISABLE = "user_disable"  # khóa tài khoản
    USER_ENABLE = "user_enable"  # mở lại tài khoản
    PASSWORD_RESET = "password_reset"  # quản trị đặt lại mật khẩu
    SESSIONS_END = "sessions_end"  # quản trị đăng xuất người dùng khỏi mọi thiết bị
    UNLOCK = "unlock"  # quản trị mở khóa đăng nhập sau nhiều lần nhập sai
    TWO_FACTOR_ON = "two_factor_on"  # bật xác thực hai bước
    TWO_FACTOR_OFF = "two_factor_off"  # tắt xác thực hai bước
    ROLE_GRANT = "role_grant"  # giao vai trò
    ROLE_REVOKE = "role_revoke"  # thu hồi vai trò (the grant keeps its row, ended)
    TARGET = "target"  # đặt, đổi hoặc bỏ chỉ tiêu
    QUOTA = "quota"  # quyết định về tỷ lệ xuất sắc (nổi trội, lý do vượt)
    IMPORT = "import"  # nhập danh sách tổ chức hoặc đảng viên từ tệp
    MEETING = "meeting"  # ghi hội nghị kiểm điểm của chi bộ (ngày, số đảng viên chính thức, số có mặt)
    ORG_TYPE = "org_type"  # đặt loại hình của tổ chức cơ sở đảng
    CONFIRMATION = "confirmation"  # xác nhận số liệu của năm, hoặc cấp trên trả lại xác nhận
    PUBLICATION = "publication"  # công bố kết quả xếp loại của năm trong đảng bộ

    @property
    def label(self) -> str:
        return gettext(CHANGE_LABELS[self])


CHANGE_LABELS = {
    Change.USER_CREATE: N_("Tạo tài khoản"),
    Change.USER_DISABLE: N_("Khóa tài khoản"),
    Change.USER_ENABLE: N_("Mở lại tài khoản"),
    Change.PASSWORD_RESET: N_("Quản trị đặt lại mật khẩu"),
    Change.SESSIONS_END: N_("Quản trị đăng xuất người dùng khỏi mọi thiết bị"),
    Change.UNLOCK: N_("Quản trị mở khóa đăng nhập"),
    Change.TWO_FACTOR_ON: N_("Bật xác thực hai bước"),
    Change.TWO_FACTOR_OFF: N_("Tắt xác thực hai bước"),
    Change.ROLE_GRANT: N_("Giao vai trò"),
    Change.ROLE_REVOKE: N_("Thu hồi vai trò"),
    Change.TARGET: N_("Đặt chỉ tiêu"),
    Change.QUOTA: N_("Quyết định về tỷ lệ xuất sắc"),
    Change.IMPORT: N_("Nhập dữ liệu từ tệp"),
    Change.MEETING: N_("Ghi hội nghị kiểm điểm chi bộ"),
    Change.ORG_TYPE: N_("Đặt loại hình tổ chức cơ sở đảng"),
    Change.CONFIRMATION: N_("Xác nhận số liệu"),
    Change.PUBLICATION: N_("Công bố kết quả xếp loại"),
}


class JournalEntry(Model):
    """One change: what, who, when, on which organization (for the committee's scope) and year."""

    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    change: Mapped[Change] = mapped_column(enum_column(Change), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    year: Mapped[int | None]
    subject: Mapped[str] = mapped_column(sa.String(255), default="")  # a login, a member code, a file
    # What changed: a sentence (a catalog message, in Vietnamese) and its values, kept apart so each
    # reader sees it in their own language, like notices.
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<JournalEntry {self.change.value} {self.subject}>"


def write(change: Change, actor, subject: str, detail: str = "", *, organization=None, year=None, **params):
    """Append an entry; the caller's transaction commits it with the change it records.

    `detail` is a message marked with N_ and `params` its values: plain data, or labels in Vietnamese
    (the catalog's keys), which `describe` translates for the reader.
    """
    entry = JournalEntry(
        change=change,
        actor_id=getattr(actor, "id", None),
        organization_id=getattr(organization, "id", None),
        year=year,
        subject=subject[:255],
        detail=detail,
        params={key: str(value) for key, value in params.items()},
    )
    db.session.add(entry)
    return entry


def describe(detail: str, params: dict | None) -> str:
    """An entry's detail in the reader's language."""
    if not detail:
        return ""
    return gettext(detail) % {key: gettext(value) if value else "" for key, value in (params or {}).items()}

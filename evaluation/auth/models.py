"""Logins and the roles they hold, each role granted on one organization (and its subtree)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..dbtypes import Timestamp, enum_column, utcnow
from ..extensions import Model
from ..i18n import gettext as _
from ..members.models import Member
from ..org.models import Organization


class Role(StrEnum):
    """A role held on one organization. Being a member needs no grant: it is the login's member link."""

    SECRETARY = "secretary"  # bí thư chi bộ
    DEPUTY_SECRETARY = "deputy_secretary"  # phó bí thư chi bộ: the same powers over the cell
    COMMITTEE = "committee"  # cấp ủy viên acting for the committee's decisions (đảng ủy cơ sở)
    LEADER = "leader"  # lãnh đạo / người xem: reads the whole subtree, changes nothing

    @property
    def label(self) -> str:
        return {
            Role.SECRETARY: _("Bí thư chi bộ"),
            Role.DEPUTY_SECRETARY: _("Phó bí thư chi bộ"),
            Role.COMMITTEE: _("Cấp ủy (quyết định xếp loại)"),
            Role.LEADER: _("Lãnh đạo, theo dõi"),
        }[self]


CELL_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY)


CREDENTIALS = "credentials"


class User(UserMixin, Model):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # The credentials are read together, only where they are checked or changed: the login that every page
    # reads leaves them out, so neither a hash nor a secret sits in memory for a page that has no use for it.
    password_hash: Mapped[str] = mapped_column(sa.String(255), deferred=True, deferred_group=CREDENTIALS)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), unique=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Set while the password is one somebody else chose (the demo's, an administrator's initial one):
    # every page sends the user to change it first.
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # Part of every session's and remember cookie's id: raising it ends them all, on every device
    # (logout, password change, disabling, a revoked role, "log out everywhere").
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Two-factor login (auth/two_factor.py): the TOTP secret, the last time step accepted (a code works
    # once), and the recovery codes' hashes.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64), deferred=True, deferred_group=CREDENTIALS)
    totp_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger, deferred=True, deferred_group=CREDENTIALS)
    recovery_codes: Mapped[list | None] = mapped_column(
        sa.JSON, default=list, deferred=True, deferred_group=CREDENTIALS
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    member: Mapped[Member | None] = relationship()
    # The roles held now; a revoked grant keeps its row, ended, for the history.
    grants: Mapped[list["RoleGrant"]] = relationship(
        primaryjoin="and_(User.id == RoleGrant.user_id, RoleGrant.ended_at.is_(None))", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def end_sessions(self) -> None:
        self.session_epoch += 1

    @property
    def name(self) -> str:
        return self.member.full_name if self.member else self.display_name or self.username

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class RoleGrant(Model):
    """A role held from `granted_at` until `ended_at` (revoked); rows are never deleted."""

    __tablename__ = "role_grant"
    __table_args__ = (
        # One live grant of a role per user and organization; ended ones stay beside it.
        sa.Index(
            "uq_role_grant_live",
            "user_id",
            "organization_id",
            "role",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    granted_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp)
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organization: Mapped[Organization] = relationship()

    def __repr__(self) -> str:
        return f"<RoleGrant {self.user_id} {self.role.value}@{self.organization_id}>"

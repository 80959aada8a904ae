"""Creating, disabling and resetting logins, and granting and revoking roles: each written in the journal."""

import functools
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import joinedload, selectinload, undefer_group
from sqlalchemy.orm.util import AliasedClass

from ..dbtypes import utcnow
from ..errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..i18n import gettext as _
from ..journal import Change, write
from ..members.models import Member
from ..org.models import Organization
from ..text import fold
from .models import CELL_ROLES, CREDENTIALS, Role, RoleGrant, User
from .passwords import password_problems
from .permissions import RATING_KINDS


def create_user(
    username: str,
    password: str,
    *,
    member: Member | None = None,
    display_name: str = "",
    is_admin: bool = False,
    must_change_password: bool = True,
    actor: User | None = None,
) -> User:
    """A login whose initial password its holder must change at first login, unless they chose it."""
    if db.session.scalars(db.select(User).where(User.username == username)).first():
        raise DomainError(_("Tên đăng nhập %(username)s đã có người dùng.", username=username))
    if member is not None and db.session.scalars(db.select(User).where(User.member_id == member.id)).first():
        raise DomainError(_("Đồng chí %(full_name)s đã có tài khoản.", full_name=member.full_name))
    if problems := password_problems(password, username, display_name, member.full_name if member else ""):
        raise DomainError(" ".join(problems))
    user = User(
        username=username,
        member=member,
        display_name=display_name,
        is_admin=is_admin,
        must_change_password=must_change_password,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if member is not None:
        write(Change.USER_CREATE, actor, username, N_("tài khoản của đảng viên %(code)s"), code=member.code)
    else:
        write(Change.USER_CREATE, actor, username, N_("quản trị hệ thống") if is_admin else "")
    return user


def set_active(user: User, active: bool, actor: User) -> None:
    """Disable a login (it can no longer log in, and its open sessions end) or enable it again."""
    if user.id == actor.id:
        raise DomainError(_("Không tự khóa tài khoản của chính mình."))
    if user.active is active:
        return
    user.active = active
    user.end_sessions()
    write(Change.USER_ENABLE if active else Change.USER_DISABLE, actor, user.username)
    db.session.flush()


def reset_password(user: User, password: str, actor: User) -> None:
    """An administrator sets a new initial password; its holder must change it at the next login."""
    if problems := password_problems(password, user.username, user.name):
        raise DomainError(" ".join(problems))
    user.set_password(password)
    user.must_change_password = True
    user.end_sessions()
    write(Change.PASSWORD_RESET, actor, user.username)
    db.session.flush()


def grant_role(user: User, org: Organization, role: Role, actor: User | None = None) -> RoleGrant:
    """Grant a role on one organization; the role fits the organization's kind."""
    if role in CELL_ROLES and not org.kind.holds_members:
        raise DomainError(_("Bí thư, phó bí thư chỉ được giao ở chi bộ hoặc chi bộ cơ sở."))
    if role is Role.COMMITTEE and org.kind not in RATING_KINDS:
        raise DomainError(_("Vai trò cấp ủy được giao ở tỉnh, đảng bộ cấp trên cơ sở hoặc tổ chức cơ sở đảng."))
    if any(g.organization_id == org.id and g.role is role for g in user.grants):
        raise DomainError(_("Người dùng đã có vai trò này ở tổ chức này."))
    grant = RoleGrant(user=user, organization=org, role=role, granted_by_id=getattr(actor, "id", None))
    db.session.add(grant)
    write(Change.ROLE_GRANT, actor, user.username, organization=org, **_role_detail(role, org))
    db.session.flush()
    db.session.expire(user, ["grants"])
    return grant


def _role_detail(role: Role, org: Organization) -> dict:
    """The role's label as the catalog's key (Vietnamese), which the journal translates for its reader."""
    with force_locale("vi"):
        label = role.label
    return {"detail": N_("%(role)s · %(code)s %(name)s"), "role": label, "code": org.code, "name": org.name}


def revoke_grant(grant: RoleGrant, actor: User | None = None) -> None:
    """End a grant; its row stays, so the history shows who held the role and until when."""
    if grant.ended_at is not None:
        raise DomainError(_("Vai trò này đã được thu hồi."))
    grant.ended_at, grant.ended_by_id = utcnow(), getattr(actor, "id", None)
    grant.user.end_sessions()  # a page opened with the role must not keep acting with it
    org = grant.organization
    write(Change.ROLE_REVOKE, actor, grant.user.username, organization=org, **_role_detail(grant.role, org))
    db.session.flush()
    db.session.expire(grant.user, ["grants"])


def change_password(user: User, current: str, new: str) -> None:
    """The holder's own password: proves the current one, then the new one must pass the rules."""
    if not user.check_password(current):
        raise DomainError(_("Mật khẩu hiện tại không đúng."))
    if new == current:
        raise DomainError(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    if problems := password_problems(new, user.username, user.name, current):
        raise DomainError(" ".join(problems))
    user.set_password(new)
    user.must_change_password = False
    user.end_sessions()  # whoever knew the old password is logged out everywhere; the caller logs this one in again
    db.session.flush()


def end_sessions(user: User, actor: User) -> None:
    """Log a user out on every device (their own "log out everywhere", or an administrator's)."""
    user.end_sessions()
    if actor.id != user.id:
        write(Change.SESSIONS_END, actor, user.username)
    db.session.flush()


# Initial passwords handed out on paper: no letters that read alike (l/1, o/0), three groups to type.
_HANDWRITTEN = "abcdefghjkmnpqrstuvwxyz23456789"


def initial_password() -> str:
    """A random password of about 60 bits, easy to copy from a letter ("k7rm-p2ax-9dfq")."""
    while True:
        password = "-".join("".join(secrets.choice(_HANDWRITTEN) for _ in range(4)) for _ in range(3))
        if not password_problems(password):
            return password


@dataclass(frozen=True)
class IssuedLogin:
    """A login just made for a member, with the initial password shown this once (only its hash is kept)."""

    member: Member
    username: str
    password: str


def members_without_login(org: Organization):
    """The members in `org`'s subtree who have no login yet, by cell then name."""
    return (
        db.select(Member)
        .join(Organization, Member.organization_id == Organization.id)
        .outerjoin(User, User.member_id == Member.id)
        .where(org.subtree_clause(), User.id.is_(None))
        .order_by(Organization.path, Member.name_sort_key)
    )


def create_member_logins(org: Organization, actor: User, limit: int) -> list[IssuedLogin]:
    """Logins for up to `limit` members under `org` who have none: the username is the member's code in
    small letters, the password random, to be changed at first login. `limit` keeps one request under its
    time bound (each password hash takes a tenth of a second on purpose); the page offers the rest next."""
    issued = []
    for member in db.session.scalars(members_without_login(org).limit(limit)):
        username, password = _free_username(member.code.lower()), initial_password()
        create_user(username, password, member=member, actor=actor)
        issued.append(IssuedLogin(member, username, password))
    return issued


def _free_username(wanted: str) -> str:
    taken = set(db.session.scalars(db.select(User.username).where(User.username.like(f"{wanted}%"))))
    return next(name for name in (wanted, *(f"{wanted}-{n}" for n in range(2, 1000))) if name not in taken)


def search_users(search: str = "", limit: int = 200) -> list[User]:
    """Logins whose username or member's name contains `search` (accents and case ignored in names), with the
    member and the roles (and their organizations) the list shows: three statements, not three a login."""
    query = (
        db.select(User)
        .options(joinedload(User.member), selectinload(User.grants).joinedload(RoleGrant.organization))
        .order_by(User.username)
    )
    if search:
        query = query.outerjoin(Member).where(
            User.username.contains(search, autoescape=True) | Member.search_name.contains(fold(search), autoescape=True)
        )
    return list(db.session.scalars(query.limit(limit)))


def ended_grants(user: User) -> list[RoleGrant]:
    """The roles the user held once, latest ended first (a revoked grant keeps its row)."""
    return list(
        db.session.scalars(
            db.select(RoleGrant)
            .where(RoleGrant.user_id == user.id, RoleGrant.ended_at.is_not(None))
            .order_by(RoleGrant.ended_at.desc())
        )
    )


def find_user(username: str) -> User | None:
    """The login by its name, with its credentials: the login form checks them next."""
    query = db.select(User).where(User.username == username).options(undefer_group(CREDENTIALS))
    return db.session.scalars(query).first()


def session_user(user_id: int, epoch: int | None, *also: Any) -> tuple[User | None, tuple]:
    """The login a session names, only while it is enabled and its sessions were not ended since; with the
    values of `also`, what every page needs anyway (its unread notices, the current period), read in the same
    statement. An entity of `also` is a selectable of one row or none, joined to the login."""
    row = db.session.execute(_login_statement(also), {"user_id": user_id}).unique().first()
    if row is None or not row[0].active or row[0].session_epoch != epoch:
        return None, ()
    return row[0], tuple(row[1:])


@functools.lru_cache(maxsize=8)  # a statement per set of columns (the callers pass constants): built once
def _login_statement(also: tuple[Any, ...]) -> sa.Select:
    # Every page asks for the login's grants and most for its member and the member's cell: read with it, one
    # statement, not four.
    loads = (joinedload(User.grants), joinedload(User.member).joinedload(Member.organization))
    statement = sa.select(User, *also).options(*loads).where(User.id == sa.bindparam("user_id"))
    for entity in (item for item in also if isinstance(item, AliasedClass)):
        statement = statement.outerjoin(entity, sa.true())
    return statement

"""Creating logins and granting roles."""

from flask_babel import gettext as _

from ..errors import DomainError
from ..extensions import db
from ..members.models import Member
from ..org.models import Organization
from .models import CELL_ROLES, Role, RoleGrant, User
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
) -> User:
    """A login whose initial password its holder must change at first login, unless they chose it."""
    if db.session.scalars(db.select(User).where(User.username == username)).first():
        raise DomainError(_("Tên đăng nhập %(username)s đã có người dùng.", username=username))
    if member is not None and db.session.scalars(db.select(User).where(User.member_id == member.id)).first():
        raise DomainError(_("Đồng chí %(full_name)s đã có tài khoản.", full_name=member.full_name))
    if problems := password_problems(password, username):
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
    return user


def grant_role(user: User, org: Organization, role: Role) -> RoleGrant:
    """Grant a role on one organization; the role fits the organization's kind."""
    if role in CELL_ROLES and not org.kind.holds_members:
        raise DomainError(_("Bí thư, phó bí thư chỉ được giao ở chi bộ hoặc chi bộ cơ sở."))
    if role is Role.COMMITTEE and org.kind not in RATING_KINDS:
        raise DomainError(_("Vai trò cấp ủy được giao ở tỉnh, đảng bộ cấp trên cơ sở hoặc tổ chức cơ sở đảng."))
    if any(g.organization_id == org.id and g.role is role for g in user.grants):
        raise DomainError(_("Người dùng đã có vai trò này ở tổ chức này."))
    grant = RoleGrant(user=user, organization=org, role=role)
    db.session.add(grant)
    db.session.flush()
    return grant


def revoke_grant(grant: RoleGrant) -> None:
    db.session.delete(grant)


def change_password(user: User, current: str, new: str) -> None:
    """The holder's own password: proves the current one, then the new one must pass the rules."""
    if not user.check_password(current):
        raise DomainError(_("Mật khẩu hiện tại không đúng."))
    if new == current:
        raise DomainError(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    if problems := password_problems(new, user.username):
        raise DomainError(" ".join(problems))
    user.set_password(new)
    user.must_change_password = False
    db.session.flush()

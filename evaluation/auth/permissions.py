"""Who may do what, as boolean predicates over the organization tree.

Views use them to answer 403/404 and templates to hide buttons; operations call `require`
again before changing anything, so no path around a view skips the check.
"""

import sqlalchemy as sa

from ..extensions import db
from ..i18n import gettext as _
from ..org.models import Organization, OrgKind
from .models import CELL_ROLES, Role, RoleGrant, User

RATING_KINDS = (OrgKind.PROVINCE, OrgKind.UPPER, OrgKind.GRASSROOTS)  # kinds whose committees rate others


class PermissionDenied(Exception):
    """The user lacks the role for this action; views answer 403."""


def require(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise PermissionDenied(message or _("Đồng chí không có quyền thực hiện thao tác này."))


def _has_grant(user: User, org: Organization, roles) -> bool:
    return any(g.organization_id == org.id and g.role in roles for g in user.grants)


def holds_committee_of(user: User, org: Organization) -> bool:
    """Acts for this organization's own committee (cấp ủy), whatever its kind."""
    return _has_grant(user, org, (Role.COMMITTEE,))


def holds_committee_above(user: User, org: Organization) -> bool:
    """Acts for the committee of an organization strictly above this one."""
    above = set(org.ancestor_ids[:-1])
    return any(g.organization_id in above and g.role is Role.COMMITTEE for g in user.grants)


def is_cell_officer(user: User, org: Organization) -> bool:
    """Secretary or deputy of this cell (or of this chi bộ cơ sở)."""
    return org.kind.holds_members and _has_grant(user, org, CELL_ROLES)


def is_committee_officer(user: User, org: Organization) -> bool:
    """Acts for the decisions of this grassroots organization's committee."""
    return org.kind is OrgKind.GRASSROOTS and _has_grant(user, org, (Role.COMMITTEE,))


def is_rating_committee(user: User, org: Organization) -> bool:
    """Acts for a committee (province, upper or grassroots) in rating the organizations under it."""
    return org.kind in RATING_KINDS and _has_grant(user, org, (Role.COMMITTEE,))


def writes_collective_review(user: User, org: Organization) -> bool:
    """Writes an organization's own collective review: its secretaries (a cell, a chi bộ cơ sở) or committee."""
    return is_cell_officer(user, org) or (org.kind in RATING_KINDS and _has_grant(user, org, (Role.COMMITTEE,)))


# Who rates whom (HD 43 part 3), the one rule: cells and sections are rated by the grassroots committee
# above them; every other organization by the level directly above it. `rating_org` applies it to one
# organization, `rated_by` to the rows of a query, and the quota groups by path (reviews.counts).
RATED_BY_GRASSROOTS = (OrgKind.CELL, OrgKind.SECTION)


def rating_org(org: Organization) -> Organization | None:
    """The organization whose committee rates `org`; None for the province, which nobody here rates."""
    if org.kind in RATED_BY_GRASSROOTS:
        return deciding_org(org)
    return org.parent


def rated_by(committee: Organization):
    """SQL condition on Organization: the organizations whose `rating_org` is `committee`."""
    if committee.kind is OrgKind.GRASSROOTS:
        return sa.and_(committee.subtree_clause(), Organization.kind.in_(RATED_BY_GRASSROOTS))
    return sa.and_(Organization.parent_id == committee.id, Organization.kind.not_in(RATED_BY_GRASSROOTS))


def rated_organizations(committee: Organization, only: int | None = None) -> list[Organization]:
    """The organizations `committee` rates, in tree order (`only`: just that one, if it is among them)."""
    query = db.select(Organization).where(rated_by(committee)).order_by(Organization.path)
    if only is not None:
        query = query.where(Organization.id == only)
    return list(db.session.scalars(query))


def rated_kinds(committee: Organization) -> list[OrgKind]:
    """The kinds of organization `committee` rates, in the tree's order of kinds."""
    found = set(db.session.scalars(db.select(Organization.kind).where(rated_by(committee)).distinct()))
    return [kind for kind in OrgKind if kind in found]


def can_view_org(user: User, org: Organization) -> bool:
    """Any role on this organization or an ancestor reads its subtree; admins read everything."""
    if user.is_admin:
        return True
    ancestors = set(org.ancestor_ids)
    return any(g.organization_id in ancestors for g in user.grants)


def can_set_targets(user: User, org: Organization) -> bool:
    """A committee officer or leader of this organization or above sets its targets (chỉ tiêu)."""
    if user.is_admin:
        return True
    ancestors = set(org.ancestor_ids)
    return any(g.organization_id in ancestors and g.role in (Role.COMMITTEE, Role.LEADER) for g in user.grants)


def deciding_org(org: Organization) -> Organization:
    """The grassroots organization whose committee decides for members of `org`.

    It is the nearest grassroots ancestor (or `org` itself for a chi bộ cơ sở).
    """
    if org.kind is OrgKind.GRASSROOTS:
        return org
    # Remembered on the loaded organization for its path (a move changes the path): a bulk decision asks it
    # once per cell, not once per member.
    remembered = org.__dict__.get("_deciding")
    if remembered is not None and remembered[0] == org.path:
        return remembered[1]
    found = db.session.scalars(
        db.select(Organization)
        .where(Organization.id.in_(org.ancestor_ids), Organization.kind == OrgKind.GRASSROOTS)
        .order_by(Organization.depth.desc())
    ).first()
    if found is None:
        raise LookupError(f"{org.code} has no grassroots organization above it")
    org.__dict__["_deciding"] = (org.path, found)
    return found


def viewable_roots(user: User) -> list[Organization]:
    """The organizations whose subtrees a user may read, without ones nested in another."""
    if user.is_admin:
        return list(db.session.scalars(db.select(Organization).where(Organization.parent_id.is_(None))))
    orgs = {g.organization for g in user.grants}
    return sorted((o for o in orgs if not any(p is not o and p.contains(o) for p in orgs)), key=lambda o: o.path)


def officers(org: Organization | None, roles) -> list[User]:
    """The active logins holding one of `roles` on `org`, by name."""
    if org is None:
        return []
    users = db.session.scalars(
        db.select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.organization_id == org.id, RoleGrant.role.in_(roles), RoleGrant.ended_at.is_(None))
    ).unique()
    return sorted((u for u in users if u.active), key=lambda u: u.name)


def orgs_with_role(user: User, roles) -> list[Organization]:
    return sorted({g.organization for g in user.grants if g.role in roles}, key=lambda o: o.name)

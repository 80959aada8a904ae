"""Load-or-abort and route guards: what a view checks before it does anything."""

from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user, login_required
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from ..i18n import gettext as _
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period
from ..periods.operations import current_period, period_for_year

Loaded = TypeVar("Loaded", Organization, Member)


@cache  # `Session.get` builds and hashes a new statement at every call, about 40% of the lookup's CPU
def _by_id(model: type[Organization] | type[Member]) -> sa.Select[Any]:
    return sa.select(model).where(model.id == sa.bindparam("id"))


def _by_id_or_404(model: type[Loaded], ident: int) -> Loaded:
    if identity_key(model, ident) in db.session.identity_map:  # loaded with the login: no statement
        return db.get_or_404(model, ident)
    found = db.session.scalars(_by_id(model), {"id": ident}).first()
    if found is None:
        abort(404)
    return found


def load_org(org_id: int) -> Organization:
    """:raise 404: when there is no such organization."""
    return _by_id_or_404(Organization, org_id)


def load_member_in(org: Organization, member_id: int, *, subtree: bool) -> Member:
    """The member, only if they belong to `org` (or its subtree).

    :raise 404: otherwise, so ids cannot be probed for members elsewhere.
    """
    member = _by_id_or_404(Member, member_id)
    inside = org.contains(member.organization) if subtree else member.organization_id == org.id
    if not inside:
        abort(404)
    return member


def own_member() -> Member:
    """The party member the login is linked to.

    :raise 403: for a login that is not linked to a party member.
    """
    if current_user.member is None:
        abort(403)
    return current_user.member


def require_period() -> Period:
    """:raise 404: when no evaluation period exists yet."""
    period = current_period()
    if period is None:
        abort(404, description=_("Chưa có kỳ đánh giá nào."))
    return period


def period_of_year(year: int) -> Period:
    """:raise 404: when the year has no period, so no results to show."""
    # Bounded before the database sees it: PostgreSQL refuses an integer out of range with an error.
    period = period_for_year(year) if 1900 <= year <= 2100 else None
    if period is None:
        abort(404, description=_("Chưa có kết quả của năm này."))
    return period


def viewed_period() -> Period:
    """The year a deciding page asks for (`?year=`: a closed year, to re-rate), else the open (or latest) one.

    :raise 404: when there is no such period.
    """
    year = request.args.get("year", type=int)
    return require_period() if year is None else period_of_year(year)


def role_required(predicate: Callable[..., bool]):
    """Guard a view taking `org_id`: 403 unless `predicate(current_user, org)` holds."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(org_id: int, **kwargs):
            org = load_org(org_id)
            if not predicate(current_user, org):
                abort(403)
            return view(org, **kwargs)

        return wrapped

    return decorator


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped

"""Each user's home page: what they can do now, and by when."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..auth.models import CELL_ROLES, Role
from ..auth.permissions import orgs_with_role, viewable_roots
from ..org.models import OrgKind
from ..periods.operations import current_period
from ..reports.aggregation import organizations_tally, progress
from ..reviews.operations import find_organization_review, find_review

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    period = current_period()
    own_review = find_review(period, current_user.member) if period and current_user.member else None
    cells = orgs_with_role(current_user, CELL_ROLES)
    committees = orgs_with_role(current_user, (Role.COMMITTEE,))
    decides_members = [org for org in committees if org.kind is OrgKind.GRASSROOTS]
    return render_template(
        "home/index.html",
        period=period,
        own_review=own_review,
        cells=[(org, progress(org, period) if period else None) for org in cells],
        committees=[(org, progress(org, period) if period else None) for org in decides_members],
        raters=[(org, organizations_tally(org, period) if period else None) for org in committees],
        collectives=[(org, find_organization_review(period, org) if period else None) for org in cells + committees],
        viewable=viewable_roots(current_user),
    )

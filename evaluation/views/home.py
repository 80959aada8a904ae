"""Each user's home page: what they can do now, and by when."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.models import CELL_ROLES, Role
from ..auth.permissions import orgs_with_role, viewable_roots
from ..org.models import OrgKind
from ..periods.operations import current_period
from ..reviews import quarterly
from ..reviews.checks import ready_to_rate
from ..reviews.counts import organizations_tally, progress
from ..reviews.operations import find_organization_review, find_review, may
from ..reviews.workflow import Action

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
        own_todo=bool(period and current_user.member)
        and Action.SUBMIT in may(current_user, period, own_review, member=current_user.member),
        cells=[(org, _cell_role(org), progress(org, period) if period else None) for org in cells],
        committees=[(org, progress(org, period) if period else None) for org in decides_members],
        raters=[
            (org, organizations_tally(org, period) if period else None, ready_to_rate(org, period) if period else 0)
            for org in committees
        ],
        collectives=[_collective(org, period) for org in cells + committees],
        viewable=viewable_roots(current_user),
        quarter=_own_quarter(period),
    )


def _own_quarter(period):
    """(the round under way, the person's quarter in it) for a leader evaluated each quarter, else None."""
    member, round_ = current_user.member, quarterly.open_round()
    period = round_.period if round_ else period
    if period is None or member is None or not quarterly.is_evaluated(member, period):
        return None
    return round_, quarterly.find_quarter(period, round_.quarter, member) if round_ else None


def _collective(org, period):
    """(organization, its collective review, whether writing it is still to do) for the home page."""
    review = find_organization_review(period, org) if period else None
    return org, review, bool(period) and Action.SUBMIT in may(current_user, period, review, org=org)


def _cell_role(org):
    """The user's own title in the cell (bí thư or phó bí thư), as their home page names it."""
    return next(
        grant.role for grant in current_user.grants if grant.organization_id == org.id and grant.role in CELL_ROLES
    )


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links; the icon is the static SVG."""
    return redirect(url_for("static", filename="favicon.svg"), 301)

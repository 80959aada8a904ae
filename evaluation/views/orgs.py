"""Leaders' view of their subtree: progress per child organization, down to a cell's members."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..auth.permissions import can_view_org, viewable_roots
from ..extensions import db
from ..org.models import Organization
from ..reports.queries import members_with_reviews, progress, progress_by_child
from ._helpers import require_period, role_required

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


@bp.route("/")
@login_required
def roots():
    return render_template("orgs/roots.html", roots=viewable_roots(current_user))


@bp.route("/<int:org_id>")
@role_required(can_view_org)
def show(org):
    period = require_period()
    ancestors = db.session.scalars(
        db.select(Organization).where(Organization.id.in_(org.ancestor_ids[:-1])).order_by(Organization.depth)
    ).all()
    visible_ancestors = [a for a in ancestors if can_view_org(current_user, a)]
    rows = members_with_reviews(org, period, search=request.args.get("q", "")) if org.kind.holds_members else []
    return render_template(
        "orgs/show.html",
        org=org,
        period=period,
        ancestors=visible_ancestors,
        total=progress(org, period),
        children=progress_by_child(org, period),
        rows=rows,
    )

"""A committee rating the organizations under it (docs/domain.md §7): the grassroots committee its cells,
an upper committee its grassroots organizations, the province its upper committees."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.permissions import is_rating_committee, rated_organizations
from ..i18n import lazy_gettext as _l
from ..org.models import Organization
from ..periods.operations import years
from ..reviews import checks, formspec
from ..reviews import operations as ops
from ..reviews.workflow import Capacity
from .deciding import DECIDER_ACTIONS, decision_forms, decision_page, quota_form, record_quota
from .guards import role_required, viewed_period

bp = Blueprint("rating", __name__, url_prefix="/rating")


@bp.route("/<int:org_id>")
@role_required(is_rating_committee)
def index(org):
    period = viewed_period()
    rated = rated_organizations(org)
    reviews, readiness = ops.organization_reviews(period, rated), checks.readiness(rated, period)
    rows = [(child, reviews.get(child.id), readiness[child.id]) for child in rated]
    return render_template(
        "rating/index.html",
        org=org,
        period=period,
        rows=rows,
        quotas=checks.organization_quota_findings(period, org),
        quota_form=quota_form(period, org, for_members=False) if period.is_open else None,
        years=years(),
    )


@bp.post("/<int:org_id>/quota")
@role_required(is_rating_committee)
def quota(org):
    """Record that the organizations it rates are outstanding (25%) or why they go over the quota."""
    record_quota(org, for_members=False)
    return redirect(url_for(".index", org_id=org.id))


def _load_rated(committee: Organization, child_id: int) -> Organization:
    """:raise 404: unless the committee rates this organization, so ids cannot be probed."""
    return next(iter(rated_organizations(committee, only=child_id)), None) or abort(404)


@bp.route("/<int:org_id>/orgs/<int:child_id>", methods=["GET", "POST"])
@role_required(is_rating_committee)
def organization(org, child_id: int):
    period = viewed_period()
    child = _load_rated(org, child_id)
    review = ops.find_organization_review(period, child)
    forms, why_not = decision_forms(review, period, suggested=review.self_level if review else None, back="return")
    if request.method == "POST" and decision_page(review, forms, ACTIONS):
        return redirect(url_for(".organization", org_id=org.id, child_id=child.id, year=period.year))
    shown_level = forms["decide"].level.data or (review.self_level if review else None)
    return render_template(
        "rating/organization.html",
        org=org,
        child=child,
        period=period,
        review=review,
        forms=forms,
        may=ops.may(current_user, period, review, org=child),
        own_case=ops.own_case_note(current_user, Capacity.RATING, child),
        why_not=why_not,
        readiness=checks.readiness_problems(child, period),
        findings=checks.projected_findings(review, shown_level) if review else [],
        sections=formspec.ORGANIZATION_SECTIONS,
    )


ACTIONS = {
    "decide": (ops.rate_organization, lambda f: (f.level.data, f.note.data), _l("Đã xếp loại tổ chức.")),
    "return": (ops.return_to_organization, lambda f: (f.reason.data,), _l("Đã trả lại bản kiểm điểm tập thể.")),
    "reopen": (ops.reopen_organization, lambda f: (f.reason.data,), _l("Đã mở lại; lý do được ghi vào lịch sử.")),
    **DECIDER_ACTIONS,
}

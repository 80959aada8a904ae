"""An organization's own officers: its collective self-review (Mẫu 01), written, saved and submitted
to the committee one level up."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from ..auth.permissions import rating_org, writes_collective_review
from ..dbtypes import utcnow
from ..i18n import gettext as _
from ..org.operations import document_place
from ..reviews import formspec
from ..reviews import operations as ops
from ..reviews.forms import CollectiveReviewForm, CommitmentForm
from ..reviews.models import ReviewState
from .guards import require_period, role_required
from .running import flash_invalid, perform
from .written import autosave_written_review, commitment_context, save_written_review

bp = Blueprint("collective", __name__, url_prefix="/collective")


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@role_required(writes_collective_review)
def review(org):
    period = require_period()
    review = ops.find_organization_review(period, org)
    stored = {"version": 0}  # a page that saw no review yet
    if review:
        stored = {**review.sections, "self_level": review.self_level, "version": review.version}
    form = CollectiveReviewForm(data=stored) if request.method == "GET" else CollectiveReviewForm()
    conflict = None
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = _save(org, period, form, submit=request.form.get("action") == "submit")
            if outcome.saved:
                return redirect(url_for(".review", org_id=org.id))
            conflict = outcome.conflict
        else:
            flash_invalid(form)
    return render_template(
        "collective/review.html",
        **commitment_context(period, review, org),
        org=org,
        rater=rating_org(org),
        period=period,
        review=review,
        form=form,
        conflict=conflict,
        sections=formspec.ORGANIZATION_SECTIONS,
        editable=period.is_open and (review is None or review.state is ReviewState.DRAFT),
        problems=ops.submission_problems(review) if review and review.state is ReviewState.DRAFT else [],
    )


@bp.get("/<int:org_id>/print")
@role_required(writes_collective_review)
def print_review(org):
    """The collective self-review (Mẫu 01) on A4 in the official layout, to sign and send up."""
    period = require_period()
    review = ops.find_organization_review(period, org)
    if review is None:
        abort(404, description=_("Chưa có bản kiểm điểm tập thể để in."))
    with force_locale("vi"):  # the official form is Vietnamese whatever the page's language
        return render_template(
            "print/collective.html",
            org=org,
            review=review,
            period=period,
            sections=formspec.ORGANIZATION_SECTIONS,
            place=document_place(org),
            today=utcnow(),
        )


@bp.post("/<int:org_id>/autosave")
@role_required(writes_collective_review)
def autosave(org):
    period = require_period()
    return autosave_written_review(
        lambda: ops.start_organization_review(period, org, current_user), CollectiveReviewForm()
    )


@bp.post("/<int:org_id>/commitment")
@role_required(writes_collective_review)
def commitment(org):
    """The organization's commitments for the year, registered at its start."""
    period = require_period()
    form = CommitmentForm()
    if form.validate_on_submit():
        perform(ops.save_commitment, period, current_user, form.text.data, org, success=_("Đã lưu nội dung đăng ký."))
    else:
        flash(" ".join(form.text.errors) or _("Chưa lưu được."), "error")
    return redirect(url_for(".review", org_id=org.id))


def _save(org, period, form: CollectiveReviewForm, submit: bool):
    return save_written_review(
        lambda: ops.start_organization_review(period, org, current_user),
        form,
        submit=submit,
        submitted=_("Đã nộp bản kiểm điểm tập thể lên cấp ủy cấp trên."),
    )

"""The member's own self-review: write, save drafts, submit, and see the outcome."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required

from ..dbtypes import utcnow
from ..i18n import gettext as _
from ..org.operations import document_place
from ..reviews import checks, formspec, publication, quarterly
from ..reviews import operations as ops
from ..reviews.forms import CommitmentForm, ConfirmSubmissionForm, SelfReviewForm
from ..reviews.models import ReviewState
from .guards import own_member, require_period
from .running import attempt, flash_invalid, perform
from .written import autosave_written_review, commitment_context, save_written_review, written_form_data

bp = Blueprint("member", __name__, url_prefix="/my-review")


@bp.route("/", methods=["GET", "POST"])
@login_required
def review():
    member, period = own_member(), require_period()
    review = ops.find_review(period, member, with_history=request.method == "GET")
    conflict = None
    if request.method == "POST":
        form = SelfReviewForm()
        if form.validate_on_submit():
            # "Nộp" saves the draft and shows what will be sent; the submission itself is the next page's button.
            outcome = _save(member, period, review, form, confirm=request.form.get("action") == "submit")
            if outcome.saved:
                return redirect(url_for(".confirm" if outcome.ready else ".review"))
            conflict = outcome.conflict
        else:
            flash_invalid(form)
    before = ops.last_year(period, member)  # read for the page only: a save redirects
    carried = before.shortcomings
    if request.method == "GET":
        form = SelfReviewForm(data=written_form_data(review, carried))
    return render_template(
        "member/review.html",
        **commitment_context(period, review, member),
        member=member,
        period=period,
        review=review,
        form=form,
        conflict=conflict,
        sections=formspec.sections_of(member, period, review),
        editable=period.is_open and (review is None or review.state is ReviewState.DRAFT),
        problems=ops.submission_problems(review) if review and review.state is ReviewState.DRAFT else [],
        findings=checks.early_warnings(review, {member.id: before.level}),
        carried=carried,
        quarters=quarterly.year_quarters(period, member),
    )


@bp.get("/results")
@login_required
def results():
    """The member's own file over the years: each decided year's level once published, and the way to the
    last years' reviews and their cell's list."""
    member = own_member()
    return render_template(
        "member/results.html", member=member, file=publication.own_file(member), readable=publication.OWN_REVIEW_YEARS
    )


@bp.get("/results/<int:year>")
@login_required
def year_review(year: int):
    """One of the member's last published years, read-only: the review, the cell's comments, the level."""
    member = own_member()
    review = publication.own_review_of(member, year) or abort(404)
    return render_template(
        "member/year.html",
        member=member,
        review=review,
        period=review.period,
        sections=formspec.sections_of(member, review.period, review),
    )


@bp.get("/results/<int:year>/cell")
@login_required
def cell_results(year: int):
    """The member's cell's list that year, names and levels only, once the year is published."""
    member = own_member()
    review = next((r.review for r in publication.own_file(member) if r.period.year == year and r.published), None)
    if review is None:
        abort(404)
    return render_template(
        "member/cell_results.html",
        member=member,
        period=review.period,
        cell=review.organization,
        rows=publication.cell_results(review.period, review.organization),
    )


@bp.get("/print")
@login_required
def print_review():
    """The self-review on A4 in the official layout, to sign and hand to the cell."""
    member, period = own_member(), require_period()
    review = ops.find_review(period, member)
    if review is None:
        abort(404, description=_("Chưa có bản tự kiểm điểm để in."))
    with force_locale("vi"):  # the official form is Vietnamese whatever the page's language
        return render_template(
            "print/review.html",
            member=member,
            review=review,
            period=period,
            sections=formspec.sections_of(member, period, review),
            place=document_place(member.organization),
            today=utcnow(),
            back=url_for(".review"),
        )


@bp.post("/autosave")
@login_required
def autosave():
    member, period = own_member(), require_period()
    form = SelfReviewForm()
    return autosave_written_review(
        lambda: ops.start_review(period, member, current_user),
        form,
        score_general=form.score_general.data,
        score_tasks=form.score_tasks.data,
    )


@bp.post("/commitment")
@login_required
def commitment():
    """The year's commitments (đăng ký nêu gương), registered at the start of the year."""
    member, period = own_member(), require_period()
    form = CommitmentForm()
    if form.validate_on_submit():
        perform(
            ops.save_commitment,
            period,
            current_user,
            form.text.data,
            member,
            success=_("Đã lưu nội dung đăng ký."),
        )
    else:
        flash(" ".join(form.text.errors) or _("Chưa lưu được."), "error")
    return redirect(url_for(".review"))


def _save(member, period, review, form: SelfReviewForm, confirm: bool):
    return save_written_review(
        lambda: review or ops.start_review(period, member, current_user),
        form,
        submit=False,
        confirm=confirm,
        score_general=form.score_general.data,
        score_tasks=form.score_tasks.data,
    )


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
def confirm():
    """The self-review as the cell will receive it, and the one button that submits it for good."""
    member, period = own_member(), require_period()
    review = ops.find_review(period, member)
    if review is None or review.state is not ReviewState.DRAFT or not period.is_open:
        return redirect(url_for(".review"))
    form = ConfirmSubmissionForm()
    if request.method == "POST" and form.validate_on_submit():
        _done, refusal = attempt(ops.submit_self_review, review, current_user, form.version_read)
        if refusal is None:
            flash(_("Đã nộp bản tự kiểm điểm cho chi bộ."), "success")
            return redirect(url_for(".review"))
        flash(str(refusal), "error")
    elif request.method == "POST":
        flash_invalid(form)
    form.version.data = review.version
    return render_template(
        "member/confirm.html",
        member=member,
        period=period,
        review=review,
        form=form,
        sections=formspec.sections_of(member, period, review),
        problems=ops.submission_problems(review),
        findings=checks.early_warnings(review),
    )

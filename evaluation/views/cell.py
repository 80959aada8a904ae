"""The cell secretary's pages: the cell's progress, comments and proposals, returns, forwarding."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from ..auth.permissions import is_cell_officer
from ..dbtypes import utcnow
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..org.operations import document_place
from ..reviews import checks, formspec, quarterly
from ..reviews import operations as ops
from ..reviews.counts import members_with_reviews, percent, progress
from ..reviews.forms import (
    BulkForm,
    MeetingForm,
    NotClassifiedForm,
    OnBehalfForm,
    ProposalForm,
    ReasonForm,
    VersionedForm,
)
from ..reviews.models import ReviewState
from ..reviews.workflow import Action, Capacity
from .guards import load_member_in, require_period, role_required
from .running import act, attempt, flash_invalid, perform
from .written import written_form_data

bp = Blueprint("cell", __name__, url_prefix="/cell")


# The cell's list by where each review stands (None: not started).
FILTERS = {
    "all": (None, _l("Tất cả")),
    "not_started": ((None,), _l("Chưa bắt đầu")),
    "draft": ((ReviewState.DRAFT,), _l("Đang viết")),
    "submitted": ((ReviewState.SUBMITTED,), _l("Chờ chi bộ đề xuất")),
    "proposed": ((ReviewState.PROPOSED,), _l("Đã chuyển đảng ủy")),
    "decided": ((ReviewState.DECIDED,), _l("Đã quyết định")),
}


@bp.route("/<int:org_id>")
@role_required(is_cell_officer)
def index(cell):
    return _index_page(cell, None)


def _index_page(cell, meeting_form: MeetingForm | None):
    """The cell's list; `meeting_form` is a posted one to show again with what was typed and why it failed."""
    period = require_period()
    show = request.args.get("show", "all")
    states, _label = FILTERS.get(show, FILTERS["all"])
    search = request.args.get("q", "")
    rows = members_with_reviews(cell, period, states=states, search=search)
    # Counted over the whole cell, whatever the list shows: the bulk forward sends them all. The whole list,
    # when it shows it, has them already.
    submitted = ReviewState.SUBMITTED
    whole = rows if states is None and not search else members_with_reviews(cell, period, states=(submitted,))
    ready = sum(1 for _, r in whole if r is not None and r.state is submitted and r.proposed_level)
    meeting = ops.find_meeting(period, cell)
    return render_template(
        "cell/index.html",
        cell=cell,
        period=period,
        rows=rows,
        sent_back=ops.sent_back_among(review for _, review in rows),
        show=show,
        filters=FILTERS,
        progress=progress(cell, period),
        ready=ready,
        bulk_form=BulkForm(),
        meeting=meeting,
        meeting_form=meeting_form or MeetingForm(formdata=None, obj=meeting),
    )


@bp.post("/<int:org_id>/meeting")
@role_required(is_cell_officer)
def meeting(cell):
    """Record the cell's review meeting: its date, the official members and those present."""
    period, form = require_period(), MeetingForm()
    if not form.validate_on_submit():
        flash_invalid(form)
        return _index_page(cell, form)
    recorded = perform(ops.record_meeting, period, cell, current_user, form.held_on.data,
                       form.official_members.data, form.present.data,
                       success=_("Đã ghi hội nghị kiểm điểm của chi bộ."))  # fmt: skip
    return redirect(url_for(".index", org_id=cell.id)) if recorded else _index_page(cell, form)


@bp.get("/<int:org_id>/minutes")
@role_required(is_cell_officer)
def minutes(cell):
    """The minutes of the cell's review meeting (biên bản), each member's proposal and its votes, on A4."""
    period = require_period()
    meeting, rows = ops.find_meeting(period, cell), members_with_reviews(cell, period)
    shares = {  # of the official members, as the thresholds count them
        review.id: percent(review.votes_for, meeting.official_members)
        for _, review in rows
        if meeting and review and review.votes_for is not None
    }
    with force_locale("vi"):  # an official record: Vietnamese whatever the page's language
        return render_template(
            "print/minutes.html",
            cell=cell,
            period=period,
            meeting=meeting,
            rows=rows,
            shares=shares,
            place=document_place(cell),
            today=utcnow(),
        )


@bp.get("/<int:org_id>/print")
@role_required(is_cell_officer)
def print_reviews(cell):
    """For the cell meeting: the list of proposals, then every submitted self-review, each on its own A4 page."""
    period = require_period()
    rows = members_with_reviews(cell, period)
    documents = [
        (member, review, formspec.sections_of(member, period, review))
        for member, review in rows
        if review and review.handed_in and review.has_text  # an exempt member has nothing to sign
    ]
    with force_locale("vi"):  # the official form is Vietnamese whatever the page's language
        return render_template(
            "print/cell.html",
            cell=cell,
            period=period,
            rows=rows,
            documents=documents,
            place=document_place(cell),
            today=utcnow(),
        )


@bp.post("/<int:org_id>/forward")
@role_required(is_cell_officer)
def forward_all(cell):
    period = require_period()
    if BulkForm().validate_on_submit():
        # The pairs are kept while the forward runs: a member loaded but no longer referenced leaves the
        # session, and each review's `.member` would then be read again, one query per member.
        pairs = members_with_reviews(cell, period, states=(ReviewState.SUBMITTED,))
        count = perform(ops.forward_ready, [review for _, review in pairs], current_user)
        if count is not None:
            flash(
                _("Đã chuyển %(count)s đề xuất lên đảng ủy.", count=count)
                if count
                else _("Chưa có bản kiểm điểm nào đã nộp và có đề xuất để chuyển."),
                "success" if count else "info",
            )
    return redirect(url_for(".index", org_id=cell.id))


@bp.route("/<int:org_id>/members/<int:member_id>", methods=["GET", "POST"])
@role_required(is_cell_officer)
def member(cell, member_id: int):
    period = require_period()
    member = load_member_in(cell, member_id, subtree=False)
    review = ops.find_review(period, member, with_history=request.method == "GET")
    action = request.form.get("action", "")
    forms = _forms(review)
    if request.method == "POST" and action in forms and forms[action].validate_on_submit():
        if _act(action, forms[action], period, member, review):
            return redirect(url_for(".member", org_id=cell.id, member_id=member.id))
    return render_template(
        "cell/member.html",
        cell=cell,
        period=period,
        member=member,
        review=review,
        forms=forms,
        may=ops.may(current_user, period, review, member=member),
        own_case=ops.own_case_note(current_user, Capacity.CELL, member),
        sections=formspec.sections_of(member, period, review),
        findings=checks.early_warnings(review),
        quarters=quarterly.year_quarters(period, member),
    )


@bp.route("/<int:org_id>/members/<int:member_id>/on-behalf", methods=["GET", "POST"])
@role_required(is_cell_officer)
def on_behalf(cell, member_id: int):
    """Nhập hộ: type in the signed paper self-review of a member who cannot use the app, and submit it."""
    period = require_period()
    member = load_member_in(cell, member_id, subtree=False)
    review = ops.find_review(period, member)
    if Action.ENTER_ON_BEHALF not in ops.may(current_user, period, review, member=member):
        flash(_("Chỉ nhập hộ được khi đảng viên chưa nộp bản tự kiểm điểm và kỳ đánh giá đang mở."), "error")
        return redirect(url_for(".member", org_id=cell.id, member_id=member.id))
    carried = ops.last_year(period, member).shortcomings
    form = OnBehalfForm(data=written_form_data(review, carried)) if request.method == "GET" else OnBehalfForm()
    if request.method == "POST" and form.validate_on_submit():
        _done, refusal = attempt(
            ops.enter_on_behalf, period, member, current_user, sections=form.section_data(),
            self_level=form.self_level.data, score_general=form.score_general.data,
            score_tasks=form.score_tasks.data, paper_signed_on=form.paper_signed_on.data,
            expected_version=form.version_read,
        )  # fmt: skip
        if refusal is None:
            flash(_("Đã nhập hộ và nộp bản tự kiểm điểm của đồng chí %(name)s.", name=member.full_name), "success")
            return redirect(url_for(".member", org_id=cell.id, member_id=member.id))
        flash(str(refusal), "error")
    elif request.method == "POST":
        flash_invalid(form)
    return render_template(
        "cell/on_behalf.html",
        cell=cell,
        period=period,
        member=member,
        form=form,
        sections=formspec.sections_of(member, period, review),
        carried=carried,
    )


def _forms(review) -> dict:
    """The page's forms, prefilled from the review; the one that was posted keeps what was typed."""
    version = {"version": review.version if review else 0}
    proposal = dict(version)
    if review:
        proposal.update(comments=review.cell_comments, level=review.proposed_level, votes=review.votes_for,
                        reason=review.not_classified_reason, category=review.not_classified_category)  # fmt: skip
    return {
        "propose": ProposalForm(prefix="p", data=proposal),
        "forward": VersionedForm(prefix="f", data=version),
        "return": ReasonForm(prefix="r", data=version),
        "not_classified": NotClassifiedForm(prefix="n", data=version),
    }


def _act(action: str, form, period, member, review) -> bool:
    if action == "not_classified":
        # The only action that may start the review: it takes the member, not a review.
        return bool(
            perform(
                ops.mark_not_classified,
                period,
                member,
                current_user,
                form.reason.data,
                form.category.data,
                expected_version=form.version_read,
                success=_("Đã đề xuất không xếp loại và chuyển lên đảng ủy."),
            )
        )
    return review is not None and act(ACTIONS, action, form, review)


ACTIONS = {
    "propose": (
        ops.record_proposal,
        lambda f: (f.comments.data, f.level.data, f.reason.data, f.category.data, f.votes.data),
        _l("Đã lưu ý kiến và đề xuất của chi bộ."),
    ),
    "return": (ops.return_to_member, lambda f: (f.reason.data,), _l("Đã trả lại bản kiểm điểm để đảng viên sửa.")),
    "forward": (ops.forward, lambda f: (), _l("Đã chuyển đề xuất lên đảng ủy.")),
}

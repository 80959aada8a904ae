"""The grassroots committee's pages: every proposal under it, decisions one by one or in bulk."""

import re
from collections import Counter

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.permissions import is_committee_officer
from ..formatting import format_number
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..periods.operations import years
from ..reports.aggregation import quarter_rollup
from ..reviews import checks, formspec, publication, quarterly
from ..reviews import operations as ops
from ..reviews.counts import members_with_reviews, progress
from ..reviews.forms import BulkForm
from ..reviews.models import Review, ReviewState
from ..reviews.quarter_forms import QuarterDecisionForm, QuarterReasonForm, assess_form
from ..reviews.workflow import Capacity
from .deciding import DECIDER_ACTIONS, decision_forms, decision_page, quota_form, record_quota
from .guards import load_member_in, require_period, role_required, viewed_period
from .quarter import quarter_period
from .running import attempt, perform

bp = Blueprint("committee", __name__, url_prefix="/committee")

FILTERS = {
    "proposed": ((ReviewState.PROPOSED,), _l("Chờ quyết định")),
    "decided": ((ReviewState.DECIDED,), _l("Đã quyết định")),
    "in_cell": ((ReviewState.DRAFT, ReviewState.SUBMITTED), _l("Đang ở chi bộ")),
    "all": (None, _l("Tất cả đảng viên")),
}


@bp.route("/<int:org_id>")
@role_required(is_committee_officer)
def index(org):
    period = viewed_period()
    # A closed year has nothing left to decide: what there is to see (and re-rate) is the decided.
    key = request.args.get("show", "proposed" if period.is_open else "decided")
    states, _ = FILTERS.get(key, FILTERS["proposed"])
    rows = members_with_reviews(org, period, subtree=True, states=states, search=request.args.get("q", ""))
    return render_template(
        "committee/index.html",
        org=org,
        period=period,
        rows=rows,
        show=key,
        filters=FILTERS,
        progress=progress(org, period),
        bulk_form=BulkForm(),
        quotas=[q for q in [checks.quota_finding(period, org, True)] if q],
        quota_form=quota_form(period, org, for_members=True) if period.is_open else None,
        years=years(),
        published=publication.find_publication(period, org),
    )


@bp.post("/<int:org_id>/publish")
@role_required(is_committee_officer)
def publish(org):
    """Publish the year's results to the members under this committee (công khai kết quả)."""
    period = viewed_period()
    if BulkForm().validate_on_submit():
        perform(publication.publish, period, org, current_user,
                success=_("Đã công bố kết quả năm %(year)s: đảng viên xem được kết quả của chi bộ mình.",
                          year=period.year))  # fmt: skip
    return redirect(url_for(".index", org_id=org.id, year=period.year))


@bp.post("/<int:org_id>/quota")
@role_required(is_committee_officer)
def quota(org):
    """Record that the committee's members are outstanding (25%) or why they go over the quota."""
    record_quota(org, for_members=True)
    return redirect(url_for(".index", org_id=org.id))


_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits that fit an integer column; "²".isdigit() is True


# The most reviews one selection names: what one form can post (MAX_FORM_PARTS). Past the decisions one request
# makes (DECISIONS_PER_REQUEST), the confirmation page sends them in parts with a progress bar.
SELECTION_MAX = 19_000


class TooManySelected(Exception):
    """More reviews ticked than one request takes."""


def _selected_reviews(org, most: int) -> list[tuple[Review, int]]:
    """The (review, version read) pairs ticked on the list, each once, each checked to lie under `org`.

    :raise TooManySelected: over `most` (counted before anything is read from the database).
    :raise 400: when the same review is named with two versions.
    :raise 404: when an id is not a review under this committee.
    """
    values = request.form.getlist("review")
    if len(values) > most:
        raise TooManySelected()
    if not all(_ID.fullmatch(review_id) and _ID.fullmatch(version) for review_id, version in
               (value.partition(":")[::2] for value in values)):  # fmt: skip
        abort(404)
    versions: dict[int, int] = {}
    for review_id, version in (map(int, value.split(":")) for value in values):
        if versions.setdefault(review_id, version) != version:
            abort(400)
    ids = list(versions)
    # One query for the whole selection, already limited to this committee's subtree.
    found = {review.id: review for review in ops.member_reviews_in(org, ids)}
    if len(found) != len(ids):
        abort(404)
    return [(found[review_id], version) for review_id, version in versions.items()]


def _too_many(org, most: int):
    flash(_("Mỗi lần chọn tối đa %(most)s đảng viên; hãy chia thành nhiều lần.", most=format_number(most)), "error")
    return redirect(url_for(".index", org_id=org.id))


@bp.post("/<int:org_id>/confirm")
@role_required(is_committee_officer)
def confirm(org):
    """Show what a bulk decision will do before it is done."""
    period = require_period()
    if not BulkForm().validate_on_submit():
        abort(400)
    try:
        selected = _selected_reviews(org, SELECTION_MAX)
    except TooManySelected:
        return _too_many(org, SELECTION_MAX)
    if not selected:
        flash(_("Chưa chọn đảng viên nào."), "info")
        return redirect(url_for(".index", org_id=org.id))
    proposed = Counter(review.proposed_level for review, _ in selected if review.proposed_level)
    previous = ops.previous_levels_of([review for review, _ in selected])
    return render_template(
        "committee/confirm.html",
        org=org,
        period=period,
        selected=selected,
        findings={
            review.id: checks.review_findings(review, review.proposed_level, previous)
            for review, _ in selected
            if review.proposed_level
        },  # fmt: skip
        quotas=[q for q in [checks.quota_finding(period, org, True, proposed)] if q],
        bulk_form=BulkForm(),
        per_request=current_app.config["DECISIONS_PER_REQUEST"],
    )


@bp.post("/<int:org_id>/decide")
@role_required(is_committee_officer)
def decide_bulk(org):
    require_period()
    if not BulkForm().validate_on_submit():
        abort(400)
    most = current_app.config["DECISIONS_PER_REQUEST"]
    try:
        selected = _selected_reviews(org, most)
    except TooManySelected:
        return _too_many(org, most)
    if request.accept_mimetypes.best == "application/json":  # a part of a larger selection (confirm.html)
        count, refusal = attempt(ops.decide_many, selected, current_user)
        return jsonify(decided=0 if refusal else count, refusal=str(refusal) if refusal else None)
    count = perform(ops.decide_many, selected, current_user)
    if count is not None:
        flash(_("Đã quyết định xếp loại cho %(count)s đảng viên theo đề xuất của chi bộ.", count=count), "success")
    return redirect(url_for(".index", org_id=org.id))


@bp.route("/<int:org_id>/members/<int:member_id>", methods=["GET", "POST"])
@role_required(is_committee_officer)
def member(org, member_id: int):
    period = viewed_period()
    member = load_member_in(org, member_id, subtree=True)
    review = ops.find_review(period, member, with_history=request.method == "GET")
    suggested = review.proposed_level if review else None
    forms, why_not = decision_forms(review, period, suggested=suggested, back="send_back")
    if request.method == "POST" and decision_page(review, forms, ACTIONS):
        return redirect(url_for(".member", org_id=org.id, member_id=member.id, year=period.year))
    shown_level = forms["decide"].level.data or (review.proposed_level if review else None)
    return render_template(
        "committee/member.html",
        org=org,
        period=period,
        member=member,
        review=review,
        forms=forms,
        may=ops.may(current_user, period, review, member=member),
        own_case=ops.own_case_note(current_user, Capacity.COMMITTEE, member),
        why_not=why_not,
        findings=checks.projected_findings(review, shown_level) if review else [],
        sections=formspec.sections_of(member, period, review),
        quarters=quarterly.year_quarters(period, member),
    )


ACTIONS = {
    "decide": (ops.decide, lambda f: (f.level.data, f.note.data), _l("Đã quyết định xếp loại.")),
    "send_back": (ops.send_back, lambda f: (f.reason.data,), _l("Đã trả đề xuất về chi bộ.")),
    "reopen": (ops.reopen, lambda f: (f.reason.data,), _l("Đã mở lại bản kiểm điểm; lý do được ghi vào lịch sử.")),
    **DECIDER_ACTIONS,
}


# ---- The leaders' quarters (đánh giá hằng quý) --------------------------------------------------------


def _round_asked(period):
    """The quarter asked for (`?quarter=`), else the open round, else the latest; None before any round."""
    rounds = quarterly.rounds(period)
    asked = request.args.get("quarter", type=int)
    return quarterly.chosen_round(rounds, asked) or quarterly.chosen_round(rounds, None), rounds


@bp.get("/<int:org_id>/quarters")
@role_required(is_committee_officer)
def quarters(org):
    """The quarter of every leader under the committee: what waits for its score, and the counts."""
    period = quarter_period()
    round_, rounds = _round_asked(period)
    reviews = {r.member_id: r for r in quarterly.quarters_under(org, round_)} if round_ else {}
    members = quarterly.evaluated_members(org, period)
    listed = {m.id for m in members}
    members += [review.member for review in reviews.values() if review.member_id not in listed]  # imported
    return render_template(
        "committee/quarters.html",
        org=org,
        period=period,
        round=round_,
        rounds=rounds,
        members=members,
        reviews=reviews,
        summary=quarter_rollup(org, period, round_.quarter) if round_ else None,
    )


def _quarter_forms(review, framework) -> dict:
    version = {"version": review.version if review else 0}
    accepted = [p["accepted"] for p in review.products] if review else []
    criteria = review.accepted_criteria or review.criteria if review else {}
    return {
        "score": assess_form(framework, prefix="s", data={
            **version, "accepted": accepted, "comments": review.comments if review else "",
            **{f"criterion_{key}": passed for key, passed in (criteria or {}).items()}}),
        "decide": QuarterDecisionForm(prefix="d", data={**version, "level": quarterly.highest_level(review)
                                                        if review else None}),
        "return": QuarterReasonForm(prefix="r", data=version),
        "reopen": QuarterReasonForm(prefix="o", data=version),
    }  # fmt: skip


QUARTER_ACTIONS = {
    "decide": (quarterly.decide_quarter, lambda f: (f.level.data,), _l("Đã xếp loại quý.")),
    "return": (quarterly.return_quarter, lambda f: (f.reason.data,), _l("Đã trả lại báo cáo quý để sửa.")),
    "reopen": (quarterly.reopen_quarter, lambda f: (f.reason.data,), _l("Đã mở lại kết quả quý.")),
}


@bp.route("/<int:org_id>/quarters/<int:member_id>", methods=["GET", "POST"])
@role_required(is_committee_officer)
def quarter(org, member_id: int):
    """One leader's quarter: the products and results, the committee's score, and its decision."""
    period, member = quarter_period(), load_member_in(org, member_id, subtree=True)
    round_ = quarterly.find_round(period, request.args.get("quarter", 0, type=int)) or abort(404)
    review = quarterly.find_quarter(period, round_.quarter, member)
    framework = quarterly.framework_of(period)
    forms = _quarter_forms(review, framework)

    def scored(form):
        return form.criteria(framework), [row.form.measures() for row in form.accepted], form.comments.data

    actions = {**QUARTER_ACTIONS, "score": (quarterly.assess_quarter, scored, _l("Đã lưu điểm của cấp ủy."))}
    if request.method == "POST" and decision_page(review, forms, actions):
        return redirect(url_for(".quarter", org_id=org.id, member_id=member.id, year=period.year,
                                quarter=round_.quarter))  # fmt: skip
    return render_template(
        "committee/quarter.html",
        org=org,
        period=period,
        round=round_,
        member=member,
        review=review,
        forms=forms,
        framework=framework,
        may=quarterly.may(current_user, round_, review, member),
        highest=quarterly.highest_level(review) if review else None,
        year_levels=quarterly.quarter_levels(period, member),
    )

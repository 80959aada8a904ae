"""Load-or-abort helpers and the one way a view runs an operation and commits."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, flash, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from ..auth.permissions import PermissionDenied
from ..errors import DomainError
from ..extensions import db
from ..formatting import format_time
from ..members.models import Member
from ..org.models import Organization
from ..periods.operations import current_period
from ..reviews import checks
from ..reviews import operations as ops
from ..reviews.forms import CommitmentForm, ConditionsForm, DecisionForm, QuotaForm, ReasonForm, level_choices
from ..reviews.operations import StaleReview


def attempt(operation: Callable, *args, **kwargs) -> tuple[object, DomainError | None]:
    """Run an operation and commit once: (its result, None) or, when refused, (None, why) after a rollback.

    :raise 403: when the operation finds the user lacks the role.
    """
    try:
        result = operation(*args, **kwargs)
        db.session.commit()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        return None, exc
    except StaleDataError:
        db.session.rollback()
        return None, StaleReview()
    return (result if result is not None else True), None


def perform(operation: Callable, *args, success: str = "", **kwargs):
    """`attempt` for a page: the refusal or the success is flashed. Returns the result, or None if refused."""
    result, refusal = attempt(operation, *args, **kwargs)
    if refusal:
        flash(str(refusal), "error")
    elif success:
        flash(success, "success")
    return result


def flash_invalid(form) -> None:
    """Why a form was refused: a page too old to name the version it shows, or the marked fields."""
    if version_errors := form.errors.get("version"):
        flash(" ".join(version_errors), "error")
    else:
        flash(_("Chưa lưu được: vui lòng sửa các chỗ được đánh dấu bên dưới."), "error")


def load_org(org_id: int) -> Organization:
    """:raise 404: when there is no such organization."""
    return db.get_or_404(Organization, org_id)


def load_member_in(org: Organization, member_id: int, *, subtree: bool) -> Member:
    """The member, only if they belong to `org` (or its subtree).

    :raise 404: otherwise, so ids cannot be probed for members elsewhere.
    """
    member = db.get_or_404(Member, member_id)
    inside = org.contains(member.organization) if subtree else member.organization_id == org.id
    if not inside:
        abort(404)
    return member


def require_period():
    """:raise 404: when no evaluation period exists yet."""
    period = current_period()
    if period is None:
        abort(404, description=_("Chưa có kỳ đánh giá nào."))
    return period


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


def _conflict_choices(form) -> dict[str, str]:
    """What the person chose to keep of each field the conflict page showed them.

    :raise DomainError: when a field shown as changed elsewhere has no choice yet.
    """
    shown = request.form.getlist("conflict")
    keep = {key: request.form.get(f"keep-{key}", "") for key in shown}
    if missing := [key for key, choice in keep.items() if choice not in ops.KEEP_CHOICES]:
        titles = [form[key].label.text for key in missing if key in form]
        raise DomainError(_("Hãy chọn giữ nội dung nào cho: %(fields)s.", fields=", ".join(titles)))
    return keep


def _written_review_saver(start: Callable, form, submit: bool, **scores) -> Callable:
    def save():
        review = start()
        problems = ops.save_written_review(
            review,
            current_user,
            sections=form.section_data(),
            self_level=form.self_level.data,
            submit=submit,
            expected_version=form.version_read,
            client=form.client.data or "",
            keep=_conflict_choices(form),
            **scores,
        )
        return review, problems

    return save


def autosave_written_review(start: Callable, form, **scores):
    """The draft the page sends by itself every few seconds and when it is left: JSON for the page's script,
    with the new version the page must name in its next save. A conflict stops the page's saving by itself
    until the person has compared the two versions (`conflict`)."""
    if not form.validate_on_submit():
        problems = [message for messages in form.errors.values() for message in messages]
        return jsonify(error=_("Chưa tự động lưu được: ") + " ".join(problems)), 422
    done, refusal = attempt(_written_review_saver(start, form, False, **scores))
    if refusal:
        return jsonify(error=str(refusal), conflict=isinstance(refusal, ops.EditConflict)), 409
    review = done[0]
    return jsonify(version=review.version, saved_at=format_time(review.updated_at))


@dataclass
class WrittenSave:
    """How saving a written review went: saved, or refused with the conflict to show (if that was why)."""

    saved: bool
    conflict: ops.EditConflict | None = None


def save_written_review(start: Callable, form, *, submit: bool, submitted: str, **scores) -> WrittenSave:
    """Save a self-review (a member's or an organization's) and, when asked, submit it.

    A submission that is not complete still saves the draft, and says what is missing. On a conflict the
    form keeps what was typed and names the version now stored, which the conflict page shows beside it.
    """
    done, refusal = attempt(_written_review_saver(start, form, submit, **scores))
    if refusal:
        flash(str(refusal), "error")
        if isinstance(refusal, ops.EditConflict):
            form.version.data = refusal.version
            return WrittenSave(False, refusal)
        return WrittenSave(False)
    problems = done[1]
    if problems:
        flash(_("Đã lưu nháp nhưng chưa nộp được: ") + " ".join(problems), "error")
    else:
        flash(submitted if submit else _("Đã lưu nháp."), "success")
    return WrittenSave(True)


def decision_forms(review, period, *, suggested, back: str) -> tuple[dict, list[str]]:
    """The forms of a page where a committee decides a review: decide (only the allowed levels), send
    `back` with a reason, reopen, and record the conditions; plus why higher levels are not offered."""
    version = {"version": review.version if review else 0}
    conditions = {"conditions": review.conditions, "exception_reason": review.exception_reason} if review else {}
    forms = {
        "decide": DecisionForm(prefix="d", data={**version, "level": suggested}),
        back: ReasonForm(prefix=back[0], data=version),
        "reopen": ReasonForm(prefix="o", data=version),
        "conditions": ConditionsForm(prefix="c", data={**version, **conditions}).set_rule_set(period.rule_set),
    }
    allowed, why_not = checks.allowed_levels(review) if review else ([], [])
    forms["decide"].level.choices = level_choices(allowed)
    return forms, why_not


def act(actions: dict, action: str, form, review) -> bool:
    """Run the operation a posted form names: `actions[action]` is (operation, form → arguments, success).

    When someone else changed the review meanwhile, the form keeps what was typed and takes the version
    now stored, with `form.stale` set: the page shows the review as it now is (and, for text, what is stored
    beside what was typed), so acting again is a choice made on what the person has seen.
    """
    operation, arguments, success = actions[action]
    result, refusal = attempt(operation, review, current_user, *arguments(form), expected_version=form.version_read)
    if refusal is None:
        flash(str(success), "success")
        return True
    flash(str(refusal), "error")
    if isinstance(refusal, StaleReview):
        form.version.data, form.stale = review.version, True
    return False


def quota_form(period, group, *, for_members: bool) -> QuotaForm:
    """The committee's quota decision for its group, filled with what it recorded."""
    exception = checks.quota_exception(period, group, for_members)
    data = {"outstanding": exception.outstanding, "reason": exception.reason} if exception else {}
    return QuotaForm(formdata=None, data=data)


def record_quota(group, *, for_members: bool) -> None:
    """Save a posted quota decision (outstanding, or the reason for going over)."""
    form = QuotaForm()
    if form.validate_on_submit():
        perform(
            ops.set_quota_exception,
            require_period(),
            group,
            for_members,
            form.outstanding.data,
            form.reason.data,
            current_user,
            success=_("Đã ghi quyết định về tỷ lệ xuất sắc."),
        )


def decision_page(review, forms: dict, actions: dict):
    """The POST side of a page where a committee acts on a review.

    Returns True when the posted action was done (the caller redirects), False to show the page again.
    :raise 400: for an action the page does not offer, or no review to act on.
    """
    action = request.form.get("action")
    if review is None or action not in forms:
        abort(400)
    form = forms[action]
    return form.validate_on_submit() and act(actions, action, form, review)


def commitment_context(period, review, *, member=None, org=None) -> dict:
    """What a self-review page needs to show and edit the year's commitments beside the form."""
    commitment = ops.find_commitment(period, member=member, org=org)
    return {
        "commitment": commitment,
        "commitment_open": ops.commitment_open(period, review),
        "commitment_form": CommitmentForm(formdata=None, data={"text": commitment.text if commitment else ""}),
    }

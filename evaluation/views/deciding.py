"""The pages where a committee decides a review or records its quota decision."""

from flask import abort, request
from flask_login import current_user

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..reviews import checks
from ..reviews import operations as ops
from ..reviews.forms import ConditionsForm, DecisionForm, QuotaForm, ReasonForm, RerateForm, level_choices
from .guards import require_period
from .running import act, perform


def decision_forms(review, period, *, suggested, back: str) -> tuple[dict, list[str]]:
    """The forms of a page where a committee decides a review: decide (only the allowed levels), send
    `back` with a reason, reopen, and record the conditions; plus why higher levels are not offered."""
    version = {"version": review.version if review else 0}
    conditions = _recorded_facts(review) if review else {}
    forms = {
        "decide": DecisionForm(prefix="d", data={**version, "level": suggested}),
        back: ReasonForm(prefix=back[0], data=version),
        "reopen": ReasonForm(prefix="o", data=version),
        "rerate": RerateForm(prefix="x", data=version),
        "conditions": ConditionsForm(prefix="c", data={**version, **conditions}).set_rule_set(
            period.rule_set, leader=bool(review and review.is_leaders), scored=bool(review and review.is_of_member)
        ),
    }
    allowed, why_not = checks.allowed_levels(review) if review else ([], [])
    forms["decide"].level.choices = level_choices(allowed)
    return forms, why_not


def _recorded_facts(review) -> dict:
    """What the committee recorded, to fill its form: the conditions, the exception, and the score it
    accepts (the member's own until it records one)."""
    accepted = review.accepted_score is not None
    return {
        "conditions": review.conditions,
        "exception_reason": review.exception_reason,
        "score_general": review.accepted_score_general if accepted else review.self_score_general,
        "score_tasks": review.accepted_score_tasks if accepted else review.self_score_tasks,
    }


def posted_scores(form) -> tuple[int | None, int | None]:
    """The accepted score a conditions form carries: none where the form has no score fields."""
    if form.score_general is None:
        return None, None
    return form.score_general.data, form.score_tasks.data


def decision_page(review, forms: dict, actions: dict):
    """The POST side of a page where a committee acts on a review.

    Returns True when the posted action was done (the caller redirects), False to show the page again.
    :raise 400: for an action the page does not offer, or no review to act on.
    """
    action = request.form.get("action", "")
    if review is None or action not in forms:
        abort(400)
    form = forms[action]
    return form.validate_on_submit() and act(actions, action, form, review)


def quota_form(period, group, *, for_members: bool) -> QuotaForm:
    """The committee's quota decision for its group, filled with what it recorded."""
    exception = checks.quota_exception(period, group, for_members)
    data = {"outstanding": exception.outstanding, "reason": exception.reason} if exception else {}
    return _for_rule_set(QuotaForm(formdata=None, data=data), period)


def _for_rule_set(form: QuotaForm, period) -> QuotaForm:
    """Without the 25% for outstanding results where the year's rule set does not have it."""
    if not period.rule_set.has_outstanding_quota:
        del form.outstanding
    return form


def record_quota(group, *, for_members: bool) -> None:
    """Save a posted quota decision (outstanding, or the reason for going over)."""
    period = require_period()
    form = _for_rule_set(QuotaForm(), period)
    if form.validate_on_submit():
        perform(
            ops.set_quota_exception,
            period,
            group,
            for_members,
            bool(form.outstanding and form.outstanding.data),
            form.reason.data,
            current_user,
            success=_("Đã ghi quyết định về tỷ lệ xuất sắc."),
        )


# What the deciding level does alike on a member's review and an organization's, from the forms
# `decision_forms` builds: (operation, form → arguments, success), as `running.act` takes them.
DECIDER_ACTIONS = {
    "rerate": (
        ops.rerate,
        lambda f: (f.level.data, f.decision.data, f.decided_on.data, f.reason.data),
        _l("Đã xếp loại lại theo quyết định; cả hai mức được giữ trong lịch sử."),
    ),
    "conditions": (
        ops.record_conditions,
        lambda f: (f.conditions.data, f.exception_reason.data, posted_scores(f)),
        _l("Đã ghi điều kiện xếp loại."),
    ),
}

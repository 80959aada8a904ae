"""Saving a written self-review (a member's or an organization's) from its page: by hand, by itself, and
through a conflict with another tab."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, jsonify, request
from flask_login import current_user

from ..errors import DomainError
from ..formatting import format_time
from ..i18n import gettext as _
from ..reviews import formspec
from ..reviews import operations as ops
from ..reviews.forms import CommitmentForm
from .running import attempt


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
    save = _written_review_saver(start, form, False, **scores)

    def save_draft():
        review, _problems = save()
        # Read before the commit expires them: after it, they would cost a statement of their own.
        return review.version, review.updated_at

    done, refusal = attempt(save_draft)
    if refusal:
        return jsonify(error=str(refusal), conflict=isinstance(refusal, ops.EditConflict)), 409
    version, saved_at = done
    return jsonify(version=version, saved_at=format_time(saved_at))


@dataclass
class WrittenSave:
    """How saving a written review went: saved, or refused with the conflict to show (if that was why)."""

    saved: bool
    conflict: ops.EditConflict | None = None
    ready: bool = False  # saved, complete, and to be confirmed on the next page


def save_written_review(
    start: Callable, form, *, submit: bool, submitted: str = "", confirm: bool = False, **scores
) -> WrittenSave:
    """Save a self-review (a member's or an organization's) and, when asked, submit it (`submit`) or say
    whether it is ready to be confirmed (`confirm`).

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
    review, problems = done
    if confirm and not problems:
        problems = ops.submission_problems(review)
    if problems:
        flash(_("Đã lưu nháp nhưng chưa nộp được: ") + " ".join(problems), "error")
    elif not confirm:
        flash(submitted if submit else _("Đã lưu nháp."), "success")
    return WrittenSave(True, ready=confirm and not problems)


def commitment_context(period, review, subject) -> dict:
    """What a self-review page needs to show and edit the year's commitments of `subject` (a member or an
    organization) beside the form."""
    commitment = ops.find_commitment(period, subject)
    return {
        "commitment": commitment,
        "commitment_open": ops.commitment_open(period, review),
        "commitment_form": CommitmentForm(formdata=None, data={"text": commitment.text if commitment else ""}),
    }


def written_form_data(review, carried: list[str]) -> dict:
    """The form as stored; version 0 when the member has not started (the page saw no review). Last year's
    shortcomings start the follow-up section, one line each, until the member writes it."""
    start = {"followup": formspec.followup_draft(carried)} if carried else {}
    if review is None:
        return {"version": 0, **start}
    return {
        **start,
        **{key: text for key, text in review.sections.items() if text},
        "self_level": review.self_level,
        "version": review.version,
        "score_general": review.self_score_general,
        "score_tasks": review.self_score_tasks,
    }

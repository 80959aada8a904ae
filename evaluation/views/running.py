"""The one way a view runs an operation: commit once, or roll back and say why."""

from collections.abc import Callable
from typing import Any

from flask import abort, flash
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..auth.permissions import PermissionDenied
from ..errors import DomainError
from ..extensions import db
from ..i18n import gettext as _
from ..reviews.operations import StaleReview


def attempt(operation: Callable, *args, **kwargs) -> tuple[Any, DomainError | None]:
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

"""Each user's notices: returns, proposals and decisions that concern them, and reminders.

Reading the list changes nothing; a notice is marked read when it is opened (a POST that then
follows its link) or when the user marks them all read.
"""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..notices.operations import latest, mark_read, own_notice
from .running import perform

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.route("/")
@login_required
def index():
    return render_template("notices/index.html", notices=latest(current_user))


@bp.post("/read")
@login_required
def read_all():
    perform(mark_read, current_user)
    return redirect(url_for("notices.index"))


@bp.post("/<int:notice_id>/open")
@login_required
def open_notice(notice_id: int):
    """Mark the notice read and follow its link; someone else's notice is not found."""
    notice = own_notice(current_user, notice_id) or abort(404)
    perform(mark_read, current_user, notice)
    return redirect(notice.link or url_for("notices.index"))

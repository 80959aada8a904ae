"""Each user's notices: returns, proposals and decisions that concern them, and reminders."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..dbtypes import utcnow
from ..extensions import db
from ..notices.models import Notice

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.route("/")
@login_required
def index():
    notices = list(
        db.session.scalars(
            db.select(Notice).where(Notice.user_id == current_user.id).order_by(Notice.id.desc()).limit(200)
        )
    )
    page = render_template("notices/index.html", notices=notices)
    # Reading the page reads them: a GET that writes, but only the reader's own read marks.
    db.session.execute(
        db.update(Notice).where(Notice.user_id == current_user.id, Notice.read_at.is_(None)).values(read_at=utcnow())
    )
    db.session.commit()
    return page

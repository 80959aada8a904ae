"""A leader's own quarters (đánh giá hằng quý): register the products, report the results, self-score, submit."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..framework import MEASURES
from ..i18n import lazy_gettext as _l
from ..reviews import quarterly
from ..reviews.quarter_forms import BLANK_ROWS, quarter_form
from ..reviews.quarter_models import QuarterReview
from ..reviews.workflow import StaleReview
from .guards import own_member, period_of_year, require_period
from .running import attempt, flash_invalid

bp = Blueprint("quarter", __name__, url_prefix="/my-quarters")

SAVES = {
    "save": _l("Đã lưu báo cáo quý."),
    "register": _l("Đã đăng ký sản phẩm của quý."),
    "submit": _l("Đã nộp báo cáo quý cho cấp ủy."),
}


def quarter_period():
    """The year a quarterly page asks for (`?year=`), else the year of the round under way, else the current one.

    :raise 404: when there is no such period.
    """
    year = request.args.get("year", type=int)
    if year is not None:
        return period_of_year(year)
    round_ = quarterly.open_round()
    return round_.period if round_ else require_period()


@bp.get("/")
@login_required
def index():
    """The year's quarters of the person: each round's deadlines, state and level."""
    member = own_member()
    period = quarter_period()
    return render_template(
        "quarter/index.html",
        member=member,
        period=period,
        rounds=quarterly.rounds(period),
        quarters=quarterly.quarters_of(period, member),
        evaluated=quarterly.is_evaluated(member, period),
        framework=quarterly.framework_of(period),
    )


def form_data(review: QuarterReview | None) -> dict:
    """The form as stored, with empty rows below the products for new ones."""
    if review is None:
        return {"version": 0, "products": [{}] * BLANK_ROWS}
    products = [
        {"task": p["task"], "area": p["area"], "weight": p["weight"], "result": p.get("result", ""),
         "due_on": _date(p.get("due_on")), **{name: p["self"].get(name) for name in MEASURES}}
        for p in review.products or []
    ]  # fmt: skip
    return {
        "version": review.version,
        "products": products + [{}] * BLANK_ROWS,
        "self_level": review.self_level,
        **{f"criterion_{key}": passed for key, passed in (review.criteria or {}).items()},
    }


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@bp.route("/<int:year>/<int:quarter>", methods=["GET", "POST"])
@login_required
def show(year: int, quarter: int):
    member, period = own_member(), period_of_year(year)
    round_ = quarterly.find_round(period, quarter) or abort(404)
    review = quarterly.find_quarter(period, quarter, member)
    if review is None and not quarterly.is_evaluated(member, period):
        abort(404)
    framework = quarterly.framework_of(period)
    form = quarter_form(framework, data=form_data(review)) if request.method == "GET" else quarter_form(framework)
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "save")
        action = action if action in SAVES else "save"
        _done, refusal = attempt(_save, round_, member, form, framework, action)
        if refusal is None:
            flash(str(SAVES[action]), "success")
            return redirect(url_for(".show", year=year, quarter=quarter))
        flash(str(refusal), "error")
        if isinstance(refusal, StaleReview) and (now := quarterly.find_quarter(period, quarter, member)):
            form.version.data = now.version
        review = quarterly.find_quarter(period, quarter, member)
    elif request.method == "POST":
        flash_invalid(form)
    return render_template(
        "quarter/show.html",
        member=member,
        period=period,
        round=round_,
        review=review,
        form=form,
        framework=framework,
        may=quarterly.may(current_user, round_, review, member),
        problems=(problems := quarterly.submission_problems(review) if review else []),
        # What the score allows means something once every product is self-scored.
        highest=quarterly.highest_level(review) if review and not problems else None,
    )


def _save(round_, member, form, framework, action: str) -> None:
    review = quarterly.start_quarter(round_, member, current_user)
    products = [row.form.product() for row in form.products]
    quarterly.save_quarter(review, current_user, criteria=form.criteria(framework), products=products,
                           self_level=form.self_level.data, register=action == "register",
                           expected_version=form.version_read)  # fmt: skip
    if action == "submit":
        quarterly.submit_quarter(review, current_user)

"""Leaders' pages: an organization's results for a year, rolled up per child, down to a cell's members.

The report paragraph, the tables, the charts, the exports and the JSON all read one rollup from
`reports.aggregation`; nothing is counted here.
"""

import re
from collections.abc import Iterable
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename

from .. import kept
from ..auth.permissions import can_set_targets, can_view_org, viewable_roots
from ..dbtypes import utcnow
from ..i18n import current_language
from ..i18n import gettext as _
from ..org.models import Organization
from ..org.operations import ancestors, document_place
from ..periods.models import PeriodState
from ..periods.operations import current_period, period_for_year, years
from ..reports import charts, documents, exports, statistics, streaks, wording
from ..reports.aggregation import history, member_results, quarter_rollup, results_stamp, rollup, targets
from ..reports.forms import TargetForm
from ..reports.operations import set_target
from ..reviews import checks, confirmations, quarterly
from ..reviews.forms import BulkForm, ReturnConfirmationForm
from ..templating import render_blocks
from .guards import period_of_year, role_required
from .quarter import quarter_period
from .running import perform

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@login_required
def roots():
    return render_template("orgs/roots.html", roots=viewable_roots(current_user))


def _year() -> int:
    """The year asked for, else the open (or latest) period's, else this year."""
    if (year := request.args.get("year", type=int)) is not None:
        if not 1900 <= year <= 2100:
            abort(404, description=_("Không có số liệu năm %(year)s.", year=year))
        return year
    period = current_period()
    return period.year if period else date.today().year


def _decimals() -> int:
    asked = request.args.get("decimals", type=int)
    return asked if asked is not None and 0 <= asked <= 4 else current_app.config["REPORT_DECIMALS"]


def _visible_ancestors(org: Organization) -> list[Organization]:
    return [a for a in ancestors(org) if can_view_org(current_user, a)]


@bp.route("/<int:org_id>")
@role_required(can_view_org)
def show(org):
    return _page(org, _year(), TargetForm(formdata=None))


def _page(org: Organization, year: int, target_form: TargetForm):
    decimals, period = _decimals(), period_for_year(year)
    members = None
    if org.kind.holds_members and not org.children and period is not None:  # a đảng bộ: drill down instead
        members = list(member_results(org, period, search=request.args.get("q", "")))
    return render_template(
        "orgs/show.html",
        org=org,
        year=year,
        period=period,
        years=years(),
        decimals=decimals,
        shared=_shared_parts(org, year, decimals),
        ancestors=_visible_ancestors(org),
        can_set_targets=can_set_targets(current_user, org),
        target_form=target_form,
        members=members,
    )


def _shared_parts(org: Organization, year: int, decimals: int) -> kept.Parts:
    """The report, tables, charts, targets and years: the same for everyone who may see the page, so kept until
    the results they show change (evaluation/stamps.py). A second look costs no counting."""
    stamp = results_stamp(org, year)  # first: what the parts are made of is then at least as new as their key
    key = f"orgs.show:{org.id}:{year}:{decimals}:{current_language()}:{request.script_root}:{stamp}"
    return kept.kept(key if stamp is not None else None, lambda: _render_shared(org, year, decimals))


def _render_shared(org: Organization, year: int, decimals: int) -> kept.Parts:
    result, goals = rollup(org, year), targets(org, year)
    past = history(org, year, decimals=decimals)
    return render_blocks(
        "orgs/_shared.html",
        org=org,
        year=year,
        decimals=decimals,
        result=result,
        paragraphs=wording.report_paragraphs(result, decimals, past, goals) if result.period else [],
        history=past,
        targets=goals,
        links=_pages_of([c.org.id for c in result.children], year, decimals),
        bars=charts.stacked_levels([(c.org.name, c.members) for c in result.children], decimals),
        trend=charts.trend(past, decimals) if len(past) > 1 else None,
    )


def _pages_of(org_ids: list[int], year: int, decimals: int) -> dict[int, str]:
    """Each child's page, for its rows in the tables. One address is built and the others written after it:
    building one costs about 10 µs, and a national page has sixty children, a province's a hundred."""
    path, _mark, query = url_for("orgs.show", org_id=0, year=year, decimals=decimals).partition("?")
    return {org_id: f"{path[:-1]}{org_id}?{query}" for org_id in org_ids}


@bp.route("/<int:org_id>/findings")
@role_required(can_view_org)
def findings(org):
    """What the year's decided results under the organization break, exactly as `flask check` lists it."""
    year = _year()
    period = period_of_year(year)
    found = checks.subtree_findings(org, period)
    return render_template("orgs/findings.html", org=org, year=year, period=period, findings=found,
                           violations=sum(1 for _code, finding in found if finding.is_violation))  # fmt: skip


@bp.route("/<int:org_id>/dossier")
@role_required(can_view_org)
def dossier(org):
    """The list of the dossier the organization sends up with its results (Mẫu 04), on A4."""
    year = _year()
    period = period_of_year(year)
    with force_locale("vi"):  # an official document: Vietnamese whatever the page's language
        return render_template(
            "print/dossier.html",
            org=org,
            period=period,
            dossier=documents.dossier(org, period),
            result=rollup(org, year),
            place=document_place(org),
            today=utcnow(),
        )


@bp.route("/<int:org_id>/reratings")
@role_required(can_view_org)
def reratings(org):
    """The year's re-rating decisions under the organization (Mẫu 03), one per A4 page; `?review=` picks
    one review's."""
    period = period_of_year(_year())
    decisions = documents.reratings(org, period, request.args.get("review", type=int))
    with force_locale("vi"):
        return render_template(
            "print/rerating.html",
            org=org,
            period=period,
            decisions=[(decision, document_place(decision.issuer)) for decision in decisions],
        )


@bp.route("/<int:org_id>/statistics")
@role_required(can_view_org)
def statistics_page(org):
    """The statistical table of the subtree (members and grassroots organizations by type), printable."""
    period = period_of_year(_year())
    found = statistics.statistics(org, period)
    return render_template("orgs/statistics.html", org=org, period=period, years=years(), stats=found,
                           headers=statistics.headers(found), rows=statistics.table(found), place=document_place(org),
                           today=utcnow())  # fmt: skip


@bp.route("/<int:org_id>/statistics.<any(csv, xlsx):fmt>")
@role_required(can_view_org)
def statistics_export(org, fmt: str):
    period = period_of_year(_year())
    found = statistics.statistics(org, period)
    name = secure_filename(f"thong-ke-{org.code}-{period.year}.{fmt}")
    if fmt == "csv":
        body = b"".join(exports.csv_stream(statistics.headers(found), exports.statistics_rows(found)))
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        handle = exports.statistics_xlsx(found, document_place(org), utcnow().date())
        response = send_file(handle, mimetype=XLSX, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _streak_years() -> int:
    asked = request.args.get("years", type=int)
    return asked if asked is not None and 2 <= asked <= streaks.MOST_YEARS else 5


@bp.route("/<int:org_id>/streaks")
@role_required(can_view_org)
def streaks_page(org):
    """Members and organizations rated excellent N years in a row up to a year (N chosen by the reader)."""
    year, run = _year(), _streak_years()
    period = period_of_year(year)
    return render_template("orgs/streaks.html", org=org, year=year, run=run, years=years(), period=period,
                           members=streaks.members_excellent(org, year, run),
                           organizations=streaks.organizations_excellent(org, year, run))  # fmt: skip


@bp.route("/<int:org_id>/streaks.csv")
@role_required(can_view_org)
def streaks_export(org):
    year, run = _year(), _streak_years()
    rows = [["Đảng viên", s.code, s.name, s.unit] for s in streaks.members_excellent(org, year, run)]
    rows += [["Tổ chức đảng", s.code, s.name, s.unit] for s in streaks.organizations_excellent(org, year, run)]
    headers = ["Loại", "Mã", "Họ và tên / Tên tổ chức", f"Đơn vị năm {year}"]
    return _small_csv(headers, rows, f"xuat-sac-{run}-nam-lien-{org.code}-{year}.csv")


def _small_csv(headers: list[str], rows: list[list[exports.Cell]], name: str) -> Response:
    """A CSV of a few hundred rows at most, as a download that no cache keeps."""
    response = Response(b"".join(exports.csv_stream(headers, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{secure_filename(name)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:org_id>/confirmations")
@role_required(can_view_org)
def confirmations_page(org):
    """Who under the organization has confirmed the year's figures, when, and who is late; and its own."""
    period = period_of_year(_year())
    below = confirmations.confirming_under(org)
    own = confirmations.statuses(period, [org])[0] if org.kind in confirmations.CONFIRMING_KINDS else None
    return render_template(
        "orgs/confirmations.html",
        org=org,
        period=period,
        own=own,
        may_confirm=own is not None and confirmations.can_confirm(current_user, org) and period.is_open,
        left=confirmations.what_is_left(period, org) if own is not None and not own.confirmed else [],
        rows=confirmations.statuses(period, below),
        may_return={o.id for o in below if confirmations.can_return(current_user, o)} if period.is_open else set(),
        form=ReturnConfirmationForm(formdata=None),
        confirm_form=BulkForm(formdata=None),
    )


@bp.post("/<int:org_id>/confirmations/confirm")
@role_required(confirmations.can_confirm)
def confirm(org):
    """The committee confirms its organization's figures for the year."""
    period = period_of_year(_year())
    if BulkForm().validate_on_submit():
        perform(confirmations.confirm, period, org, current_user,
                success=_("Đã xác nhận số liệu năm %(year)s.", year=period.year))  # fmt: skip
    return redirect(url_for(".confirmations_page", org_id=org.id, year=period.year))


@bp.post("/<int:org_id>/confirmations/return")
@role_required(confirmations.can_return)
def return_confirmation(org):
    """A committee above returns the organization's confirmation, with a reason."""
    period = period_of_year(_year())
    form = ReturnConfirmationForm()
    if form.validate_on_submit():
        perform(confirmations.return_confirmation, period, org, current_user, form.reason.data,
                success=_("Đã trả lại xác nhận số liệu của %(name)s.", name=org.name))  # fmt: skip
    else:
        flash(" ".join(map(str, form.reason.errors)) or _("Chưa gửi được: vui lòng tải lại trang."), "error")
    return redirect(url_for(".confirmations_page", org_id=(org.parent or org).id, year=period.year))


@bp.route("/<int:org_id>/report.json")
@role_required(can_view_org)
def report_json(org):
    """The same contract as `flask report --format json` (README, "JSON report")."""
    result = rollup(org, _year())
    if result.period is None:
        abort(404, description=_("Chưa có kết quả của năm này."))
    response = jsonify(exports.rollup_json(result))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:org_id>/export/<any(rollup, members):table>.<any(csv, xlsx):fmt>")
@role_required(can_view_org)
def export(org, table: str, fmt: str):
    year = _year()
    period = period_of_year(year)
    rows: Iterable[list[exports.Cell]]
    if table == "rollup":
        headers, rows = exports.ROLLUP_HEADERS, exports.rollup_rows(rollup(org, year), _decimals())
    else:
        headers, rows = exports.MEMBER_HEADERS, exports.member_rows(org, period)
    name = secure_filename(f"{'ket-qua' if table == 'rollup' else 'dang-vien'}-{org.code}-{year}.{fmt}")
    if fmt == "csv":
        response = Response(
            stream_with_context(exports.csv_stream(headers, exports.in_vietnamese(rows))), mimetype="text/csv"
        )
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = send_file(
            exports.xlsx_file(headers, exports.in_vietnamese(rows), f"{year}"),
            mimetype=XLSX,
            as_attachment=True,
            download_name=name,
        )
    response.headers["Cache-Control"] = "no-store"
    _acknowledge_download(response)
    return response


_DOWNLOAD_TOKEN = re.compile(r"[0-9a-z]{8,32}")


def _acknowledge_download(response) -> None:
    """The page's script waits for this cookie to know the file has started, and hides its progress bar:
    a large export takes seconds before the browser shows anything."""
    token = request.args.get("download", "")
    if _DOWNLOAD_TOKEN.fullmatch(token):
        response.set_cookie("download", token, max_age=60, samesite="Lax", secure=request.is_secure)


@bp.route("/<int:org_id>/targets/<int:year>", methods=["POST"])
@role_required(can_set_targets)
def save_target(org, year: int):
    """Set a target; a refused entry shows the page again with what was typed and why."""
    form = TargetForm()
    if not form.validate_on_submit():
        return _page(org, year, form)
    saved = perform(set_target, org, year, form.subject.data, form.min_percent.data, current_user,
                    form.comparison.data == "above", success=_("Đã lưu chỉ tiêu."))  # fmt: skip
    if not saved:
        return _page(org, year, form)
    return redirect(url_for("orgs.show", org_id=org.id, year=year))


def _quarter_asked(period):
    """The quarter asked for, else the latest round that is not in preparation; None when there is none."""
    rounds = [r for r in quarterly.rounds(period) if r.state is not PeriodState.DRAFT]
    return quarterly.chosen_round(rounds, request.args.get("quarter", type=int)), rounds


def _quarter_or_404(period):
    round_, _rounds = _quarter_asked(period)
    if round_ is None:
        abort(404, description=_("Chưa có kết quả đánh giá quý này."))
    return round_


@bp.route("/<int:org_id>/quarters")
@role_required(can_view_org)
def quarters(org):
    """A quarter's results of the leaders under the organization: levels and areas of results, per child."""
    period = quarter_period()
    round_, rounds = _quarter_asked(period)
    return render_template("orgs/quarters.html", org=org, period=period, round=round_, rounds=rounds,
                           rollup=quarter_rollup(org, period, round_.quarter) if round_ else None,
                           decimals=_decimals(), framework=quarterly.framework_of(period))  # fmt: skip


@bp.route("/<int:org_id>/quarters.csv")
@role_required(can_view_org)
def quarters_export(org):
    period = quarter_period()
    round_ = _quarter_or_404(period)
    rollup = quarter_rollup(org, period, round_.quarter)
    rows = exports.quarter_rows(rollup, quarterly.framework_of(period), _decimals())
    return _small_csv(exports.QUARTER_HEADERS, rows, f"danh-gia-quy-{round_.quarter}-{period.year}-{org.code}.csv")


@bp.route("/<int:org_id>/quarters/print")
@role_required(can_view_org)
def quarters_print(org):
    """The collective quarterly summary (báo cáo tổng hợp kết quả đánh giá quý), on A4."""
    period = quarter_period()
    round_ = _quarter_or_404(period)
    return render_template("print/quarter.html", org=org, period=period, round=round_,
                           rollup=quarter_rollup(org, period, round_.quarter),
                           reviews=quarterly.quarters_under(org, round_), framework=quarterly.framework_of(period),
                           decimals=_decimals(), place=document_place(org), today=utcnow())  # fmt: skip

"""The system administrator's pages: periods, logins and roles, moves between cells."""

import sqlalchemy as sa
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
    stream_with_context,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user

from .. import audit, journal
from .. import framework as frameworks
from ..admin.forms import (
    DeadlinesForm,
    GrantForm,
    HistoryFilterForm,
    MoveForm,
    PeriodForm,
    QuarterFrameworkForm,
    ResetPasswordForm,
    RoundDeadlinesForm,
    UserForm,
)
from ..auth import operations as auth_ops
from ..auth import two_factor
from ..auth.models import RoleGrant, User
from ..dbtypes import utcnow
from ..errors import DomainError
from ..extensions import db
from ..i18n import gettext as _
from ..members.models import Member
from ..members.operations import find_member, move_member, moves_of, search_members
from ..org.models import Organization
from ..org.operations import change_type, find_org, organization_types, search_organizations
from ..periods import operations as period_ops
from ..periods.models import Period, PeriodState
from ..reports.exports import csv_stream, in_vietnamese
from ..reviews import quarterly
from ..reviews.forms import BulkForm
from ..text import clean
from .auth import unlock as unlock_login
from .guards import admin_required
from .running import attempt, flash_invalid, perform

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/", methods=["GET", "POST"])
@admin_required
def periods():
    form = PeriodForm()
    if form.validate_on_submit():
        created = perform(
            period_ops.create_period,
            form.year.data,
            opens_on=form.opens_on.data,
            submit_by=form.submit_by.data,
            propose_by=form.propose_by.data,
            decide_by=form.decide_by.data,
            rate_orgs_by=form.rate_orgs_by.data,
            actor=current_user,
            success=_("Đã tạo kỳ đánh giá năm %(year)s.", year=form.year.data),
        )
        if created:
            return redirect(url_for(".periods"))
    return render_template("admin/periods.html", form=form, periods=period_ops.all_periods(), action_form=BulkForm())


@bp.post("/periods/<int:period_id>/<any(open, close):change>")
@admin_required
def change_period(period_id: int, change: str):
    period = db.get_or_404(Period, period_id)
    if BulkForm().validate_on_submit():
        note = clean(request.form.get("note", ""))
        if change == "open":
            perform(
                period_ops.open_period,
                period,
                current_user,
                note,
                success=_("Đã mở kỳ đánh giá năm %(year)s.", year=period.year),
            )
        else:
            perform(
                period_ops.close_period,
                period,
                note,
                current_user,
                success=_("Đã đóng kỳ đánh giá năm %(year)s.", year=period.year),
            )
    return redirect(url_for(".periods"))


@bp.route("/periods/<int:period_id>/quarters", methods=["GET", "POST"])
@admin_required
def quarters(period_id: int):
    """A year's quarterly evaluation: its framework, and its four rounds made, opened and closed."""
    period = db.get_or_404(Period, period_id)
    form = QuarterFrameworkForm(data={"framework": period.quarter_framework})
    form.framework.choices = [(key, frameworks.get(key).name) for key in frameworks.available()]
    if request.method == "POST":
        _quarters_action(period, form)
        return redirect(url_for(".quarters", period_id=period.id))
    return render_template("admin/quarters.html", period=period, form=form, rounds=quarterly.rounds(period),
                           action_form=BulkForm())  # fmt: skip


def _quarters_action(period: Period, form: QuarterFrameworkForm) -> None:
    action = request.form.get("action", "")
    if action == "framework" and form.validate_on_submit():
        perform(quarterly.choose_framework, period, form.framework.data, current_user,
                success=_("Đã chọn khung đánh giá quý của năm %(year)s.", year=period.year))  # fmt: skip
    elif action == "framework":
        flash_invalid(form)
    elif action == "make" and BulkForm().validate_on_submit():
        perform(quarterly.make_rounds, period, current_user, success=_("Đã tạo các đợt đánh giá quý."))
    elif action in ("open", "close") and BulkForm().validate_on_submit():
        round_ = quarterly.find_round(period, request.form.get("quarter", 0, type=int)) or abort(404)
        state = PeriodState.OPEN if action == "open" else PeriodState.CLOSED
        perform(quarterly.set_round_state, round_, state, current_user,
                success=_("Quý %(quarter)s: %(state)s.", quarter=round_.quarter, state=state.label))  # fmt: skip
    else:
        abort(400)


@bp.route("/periods/<int:period_id>/quarters/<int:quarter>/deadlines", methods=["GET", "POST"])
@admin_required
def round_deadlines(period_id: int, quarter: int):
    """Move a quarterly round's deadlines, with the reason, kept in the year's history."""
    period = db.get_or_404(Period, period_id)
    round_ = quarterly.find_round(period, quarter) or abort(404)
    form = RoundDeadlinesForm(obj=round_) if request.method == "GET" else RoundDeadlinesForm()
    if form.validate_on_submit():
        if perform(quarterly.change_round_deadlines, round_, current_user, form.reason.data, form.register_by.data,
                   form.report_by.data, form.decide_by.data,
                   success=_("Đã đổi thời hạn quý %(quarter)s.", quarter=quarter)):  # fmt: skip
            return redirect(url_for(".quarters", period_id=period.id))
    return render_template("admin/round_deadlines.html", period=period, round=round_, form=form)


@bp.route("/periods/<int:period_id>/deadlines", methods=["GET", "POST"])
@admin_required
def deadlines(period_id: int):
    """Move a period's deadlines (extend one), with the reason, kept in its history."""
    period = db.get_or_404(Period, period_id)
    form = DeadlinesForm(obj=period) if request.method == "GET" else DeadlinesForm()
    if form.validate_on_submit():
        dates = {name: form[name].data for name in period_ops.DEADLINE_FIELDS}
        if perform(period_ops.change_deadlines, period, current_user, form.reason.data, **dates,
                   success=_("Đã đổi thời hạn của kỳ đánh giá năm %(year)s.", year=period.year)):  # fmt: skip
            return redirect(url_for(".periods"))
    return render_template("admin/deadlines.html", period=period, form=form)


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    form = UserForm()
    if form.validate_on_submit():
        user = perform(_create_user, form, success=_("Đã tạo tài khoản %(username)s.", username=form.username.data))
        if user:
            return redirect(url_for(".user", user_id=user.id))
    users = auth_ops.search_users(request.args.get("q", "").strip())
    return render_template("admin/users.html", form=form, users=users)


def _create_user(form: UserForm) -> User:
    member = None
    if form.member_code.data:
        member = find_member(form.member_code.data)
        if member is None:
            raise DomainError(_("Không có đảng viên mã %(code)s.", code=form.member_code.data))
    return auth_ops.create_user(
        form.username.data,
        form.password.data,
        member=member,
        display_name=form.display_name.data or "",
        actor=current_user,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = GrantForm()
    if form.validate_on_submit():
        if perform(_grant, user, form, success=_("Đã giao vai trò.")):
            return redirect(url_for(".user", user_id=user.id))
    ended = auth_ops.ended_grants(user)
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        ended=ended,
        revoke_form=BulkForm(),
        reset_form=ResetPasswordForm(formdata=None),
    )


@bp.post("/users/<int:user_id>/<any(disable, enable):change>")
@admin_required
def set_active(user_id: int, change: str):
    """Disable a login (its open sessions end at once) or enable it again; both go into the history."""
    user = db.get_or_404(User, user_id)
    if BulkForm().validate_on_submit():
        done = _("Đã khóa tài khoản %(username)s.") if change == "disable" else _("Đã mở lại tài khoản %(username)s.")
        perform(auth_ops.set_active, user, change == "enable", current_user, success=done % {"username": user.username})
    return redirect(url_for(".user", user_id=user.id))


@bp.post("/users/<int:user_id>/sessions/end")
@admin_required
def end_sessions(user_id: int):
    """Log the user out on every device (a lost phone, a shared computer); recorded in the history."""
    user = db.get_or_404(User, user_id)
    if BulkForm().validate_on_submit():
        done = _("Đã đăng xuất %(username)s khỏi mọi thiết bị.", username=user.username)
        perform(auth_ops.end_sessions, user, current_user, success=done)
    return redirect(url_for(".user", user_id=user.id))


@bp.post("/users/<int:user_id>/unlock")
@admin_required
def unlock(user_id: int):
    """Forget the wrong passwords counted against the login, so its holder can try again at once."""
    user = db.get_or_404(User, user_id)
    if BulkForm().validate_on_submit():
        perform(_unlock, user, success=_("Đã mở khóa đăng nhập cho %(username)s.", username=user.username))
    return redirect(url_for(".user", user_id=user.id))


def _unlock(user: User) -> None:
    unlock_login(user.username)
    journal.write(journal.Change.UNLOCK, current_user, user.username)
    db.session.flush()


@bp.post("/users/<int:user_id>/two-factor/off")
@admin_required
def two_factor_off(user_id: int):
    """For a lost phone: the holder sets two-factor up again (at once, where their role requires it)."""
    user = db.get_or_404(User, user_id)
    if BulkForm().validate_on_submit():
        done = _("Đã tắt xác thực hai bước của %(username)s.", username=user.username)
        perform(two_factor.disable, user, "", current_user, success=done)
    return redirect(url_for(".user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    """A new initial password, to be changed at the next login; recorded in the history."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        perform(
            auth_ops.reset_password,
            user,
            form.password.data,
            current_user,
            success=_("Đã đặt lại mật khẩu cho %(username)s; người dùng phải đổi ở lần đăng nhập tiếp theo.",
                      username=user.username),
        )  # fmt: skip
    else:
        flash(" ".join(str(error) for error in form.password.errors), "error")
    return redirect(url_for(".user", user_id=user.id))


def _grant(user: User, form: GrantForm):
    org = find_org(form.org_code.data)
    if org is None:
        raise DomainError(_("Không có tổ chức mã %(code)s.", code=form.org_code.data))
    return auth_ops.grant_role(user, org, form.role.data, actor=current_user)


@bp.post("/grants/<int:grant_id>/revoke")
@admin_required
def revoke(grant_id: int):
    grant = db.get_or_404(RoleGrant, grant_id)
    user_id = grant.user_id
    if BulkForm().validate_on_submit():
        perform(auth_ops.revoke_grant, grant, current_user, success=_("Đã thu hồi vai trò."))
    return redirect(url_for(".user", user_id=user_id))


@bp.route("/members/<int:member_id>/move", methods=["GET", "POST"])
@admin_required
def move(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = MoveForm()
    if form.validate_on_submit():
        if perform(
            _move,
            member,
            form,
            success=_("Đã chuyển sinh hoạt cho đồng chí %(full_name)s.", full_name=member.full_name),
        ):
            return redirect(url_for(".move", member_id=member.id))
    return render_template("admin/move.html", member=member, form=form, history=moves_of(member))


def _move(member: Member, form: MoveForm):
    org = find_org(form.org_code.data)
    if org is None:
        raise DomainError(_("Không có tổ chức mã %(code)s.", code=form.org_code.data))
    return move_member(member, org, current_user, form.reason.data or "")


@bp.route("/members")
@admin_required
def members():
    q = request.args.get("q", "").strip()
    if not q:
        return render_template("admin/members.html", members=[], q=q)
    return render_template("admin/members.html", members=search_members(q), q=q)


@bp.route("/organizations")
@admin_required
def organizations():
    """Organizations found by code or name: a grassroots one's type (loại hình) to set, and the logins of
    anyone's members to make."""
    q = request.args.get("q", "").strip()
    found = search_organizations(q)
    return render_template("admin/organizations.html", organizations=found, q=q, types=organization_types(),
                           form=BulkForm())  # fmt: skip


# The pickers beside every field that asks for a code (static/js/app.js): a few matches as the person types.
PICKER_MATCHES = 12


@bp.get("/organizations/search.json")
@admin_required
def organizations_json():
    found = search_organizations(request.args.get("q", ""), limit=PICKER_MATCHES)
    return jsonify([{"code": org.code, "label": f"{org.name} · {org.kind.label}"} for org in found])


@bp.get("/members/search.json")
@admin_required
def members_json():
    q = request.args.get("q", "").strip()
    found = search_members(q, limit=PICKER_MATCHES) if q else []
    return jsonify([{"code": m.code, "label": f"{m.full_name} · {m.organization.name}"} for m in found])


@bp.route("/organizations/<int:org_id>/logins", methods=["GET", "POST"])
@admin_required
def member_logins(org_id: int):
    """Logins for every member of an organization at once: the initial passwords come back this once, as a
    letter per person to print or as a CSV; each must be changed at first login."""
    org = db.get_or_404(Organization, org_id)
    form = BulkForm()
    if request.method == "POST" and form.validate_on_submit():
        limit = current_app.config["LOGINS_PER_REQUEST"]
        issued, refusal = attempt(auth_ops.create_member_logins, org, current_user, limit)
        if refusal is None:
            return _issued_logins(org, issued, as_csv=request.form.get("format") == "csv")
        flash(str(refusal), "error")
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(auth_ops.members_without_login(org).subquery()))
    return render_template("admin/logins.html", org=org, waiting=waiting, form=form,
                           limit=current_app.config["LOGINS_PER_REQUEST"])  # fmt: skip


def _issued_logins(org: Organization, issued, *, as_csv: bool):
    """The logins just made, shown once: letters to print, or a CSV (never cached, never kept)."""
    if as_csv:
        # Read now, while the session is open: the response is written after the view returns.
        rows = [[i.member.code, i.member.full_name, i.member.organization.name, i.username, i.password] for i in issued]
        response = Response(csv_stream(LOGIN_HEADERS, rows), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="tai-khoan-{org.code}.csv"'
    else:
        with force_locale("vi"):  # a letter to a member is in Vietnamese whatever the page's language
            response = Response(render_template("print/logins.html", org=org, issued=issued,
                                                address=request.host_url, today=utcnow()))  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


LOGIN_HEADERS = ["Mã đảng viên", "Họ và tên", "Chi bộ", "Tên đăng nhập", "Mật khẩu ban đầu"]


@bp.post("/organizations/<int:org_id>/type")
@admin_required
def organization_type(org_id: int):
    org = db.get_or_404(Organization, org_id)
    if BulkForm().validate_on_submit():
        perform(change_type, org, request.form.get("type", ""), current_user,
                success=_("Đã đặt loại hình cho %(name)s.", name=org.name))  # fmt: skip
    return redirect(url_for(".organizations", q=request.form.get("q", org.code)))


def _history_filter() -> tuple[HistoryFilterForm, audit.HistoryFilter | None]:
    """The filter the address asks for, or None with the form's errors when it cannot be read."""
    form = HistoryFilterForm(request.args)
    if not form.validate():
        return form, None
    org = find_org(form.org.data) if form.org.data else None
    if form.org.data and org is None:
        form.org.errors = [_("Không có tổ chức mã %(code)s.", code=form.org.data)]
        return form, None
    wanted = audit.HistoryFilter(
        year=form.year.data,
        organization=org,
        actor=form.actor.data or "",
        kind=form.kind.data or "",
        since=form.since.data,
        until=form.until.data,
    )
    return form, wanted


@bp.get("/history")
@admin_required
def history():
    """The append-only history, filtered and paged, newest first; the export holds exactly the filtered view."""
    form, wanted = _history_filter()
    page = min(max(request.args.get("page", 1, type=int), 1), 1_000_000)
    rows, total = (list(audit.history_rows(wanted, page)), audit.history_size(wanted)) if wanted else ([], 0)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/history.html",
        form=form,
        headers=audit.HEADERS,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + audit.PAGE_SIZE - 1) // audit.PAGE_SIZE, 1),
        args=args,
    )


@bp.get("/history.csv")
@admin_required
def history_csv():
    form, wanted = _history_filter()
    if wanted is None:
        abort(400, description=" ".join(e for errors in form.errors.values() for e in errors))
    response = Response(
        stream_with_context(csv_stream(audit.HEADERS, in_vietnamese(audit.history_rows(wanted)))), mimetype="text/csv"
    )
    name = f"lich-su-{wanted.year}.csv" if wanted.year else "lich-su.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response

"""Each login's two-factor setup: scan a QR code, confirm a code, keep the recovery codes; or turn it off."""

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from ..auth import two_factor
from ..auth.forms import CodeForm
from ..i18n import gettext as _
from .running import perform

bp = Blueprint("two_factor", __name__, url_prefix="/account/two-factor")


@bp.route("/", methods=["GET", "POST"])
@login_required
def setup():
    user = current_user._get_current_object()
    form = CodeForm()
    action = request.form.get("action")
    if request.method == "POST" and action == "begin":
        perform(two_factor.begin, user)
        return redirect(url_for(".setup"))
    if request.method == "POST" and action in ("confirm", "disable") and form.validate_on_submit():
        if action == "disable":
            if perform(two_factor.disable, user, form.code.data, user, success=_("Đã tắt xác thực hai bước.")):
                login_user(user)  # every session ended with the change; this one goes on
            return redirect(url_for(".setup"))
        codes = perform(two_factor.confirm, user, form.code.data, success=_("Đã bật xác thực hai bước."))
        if codes:  # shown once, never again
            login_user(user)
            return render_template("account/recovery_codes.html", codes=codes)
    return render_template("account/two_factor.html", form=form, user=user, required=two_factor.required(user))


@bp.get("/qr.svg")
@login_required
def qr():
    """The secret being set up, as a QR code; nothing once two-factor is on."""
    if not current_user.totp_secret or current_user.totp_enabled:
        abort(404)
    return Response(two_factor.qr_svg(current_user), mimetype="image/svg+xml")

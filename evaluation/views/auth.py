"""Logging in and out, and changing one's own password."""

import functools
import hashlib
import re
import secrets
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many
from werkzeug.security import check_password_hash, generate_password_hash

from ..auth import operations as auth_ops
from ..auth import two_factor
from ..auth.forms import CodeForm, LoginForm, PasswordChangeForm
from ..auth.models import User
from ..extensions import db, limiter, login_manager
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..notices import operations as notice_ops
from ..periods import operations as period_ops
from ..text import fold
from .running import perform

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
login_manager.login_message_category = "info"

# Pages a user whose password somebody else chose may still open.
BEFORE_SECOND_FACTOR = {"two_factor.setup", "two_factor.qr", "auth.change_password", "auth.end_all_sessions",
                        "auth.logout", "auth.set_language", "static"}  # fmt: skip
BEFORE_PASSWORD_CHANGE = {"auth.change_password", "auth.end_all_sessions", "auth.logout", "auth.set_language", "static"}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's (or remember cookie's) login, "id:epoch": nobody once the login is disabled or its
    sessions were ended since (the epoch moved on), so a copied cookie dies with them."""
    if not re.fullmatch(r"[0-9]{1,9}:[0-9]{1,9}", session_id or ""):
        return None
    user_id, epoch = map(int, session_id.split(":"))
    user, also = auth_ops.session_user(user_id, epoch, notice_ops.UNREAD_OF_LOGIN, period_ops.current_of_login())
    if user is not None:
        unread, period = also
        notice_ops.keep_unread(user, unread)
        period_ops.keep_current(period)
    return user


@bp.before_app_request
def end_stale_sessions():
    """Idle and absolute timeouts (SESSION_IDLE_MINUTES, SESSION_MAX_HOURS): a session left open on a
    shared computer ends by itself."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    if "started" not in session:  # a session restored from a remember cookie starts now
        _start_session(now)
    idle = now - session["seen"] > current_app.config["SESSION_IDLE_MINUTES"] * 60
    if idle or now - session["started"] > current_app.config["SESSION_MAX_HOURS"] * 3600:
        logout_user()
        session.pop("started", None)
        flash(_("Phiên làm việc đã hết hạn; vui lòng đăng nhập lại."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if now - session["seen"] >= 60:  # a minute's precision spares a new cookie on every response
        session["seen"] = now
    return None


def _start_session(now: int) -> None:
    session["started"] = session["seen"] = now


@bp.before_app_request
def require_own_password():
    """An initial password is known to whoever set it: nothing else opens until it is changed."""
    # The page first, the login after: a stylesheet or a script (every page asks for three) reads no login.
    if request.endpoint not in BEFORE_PASSWORD_CHANGE and current_user.is_authenticated:
        if current_user.must_change_password:
            return redirect(url_for("auth.change_password"), code=303)
    return None


def safe_next(target: str | None) -> str:
    """Only same-site paths, printable and without backslashes: an open redirect would make the login page
    a phishing tool, and a line break would split the Location header."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("home.index")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or urlsplit(target).netloc:
        return url_for("home.index")
    return target


# Guessing is slowed per login name, in tiers (a few tries, then a day's worth), and per address. A browser
# that has logged in as that user before carries a signed device cookie (OWASP's device-cookie scheme): the
# account's limit does not apply to it, so nobody can lock the real user out from elsewhere; it has a
# limit of its own instead.
ACCOUNT_LIMIT = "5 per 15 minutes;20 per day"
DEVICE_LIMIT = "10 per 15 minutes"
DEVICE_COOKIE = "device"
DEVICE_DAYS = 365


def _login_name() -> str:
    """The name tried, folded as logins are compared, and bounded: a megabyte of name costs nothing."""
    return fold(request.form.get("username", "").strip()[:200])


def _hashed(kind: str, value: str) -> str:
    """A limiter key of fixed size, whatever was posted."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def _trusted_device() -> bool:
    """This browser logged in before as the login it now tries."""
    try:
        name = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return False
    return name == _login_name()


@bp.before_app_request
def require_second_factor():
    """Administrators and the roles TWO_FACTOR_REQUIRED_FOR names set up two-factor login before anything else."""
    if request.endpoint not in BEFORE_SECOND_FACTOR and current_user.is_authenticated:
        if not current_user.totp_enabled and two_factor.required(current_user):
            return redirect(url_for("two_factor.setup"), code=303)
    return None


def unlock(username: str) -> None:
    """Forget the failures counted against a login name: an administrator's unlock."""
    if not limiter.enabled:
        return
    # The prefix Flask-Limiter put in front of its keys (RATELIMIT_KEY_PREFIX), as it does when it counts.
    prefix = [limiter._key_prefix] if limiter._key_prefix else []
    for item in parse_many(ACCOUNT_LIMIT):
        limiter.limiter.clear(item, *prefix, _hashed("login", fold(username[:200])), "auth.login")


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    "30 per minute", methods=["POST"], error_message=_l("Quá nhiều lần đăng nhập từ máy này; hãy thử lại sau ít phút.")
)
@limiter.limit(
    ACCOUNT_LIMIT,
    key_func=lambda: _hashed("login", _login_name()),
    methods=["POST"],
    deduct_when=_failed,
    exempt_when=_trusted_device,
    error_message=_l(
        "Tên đăng nhập này vừa bị nhập sai mật khẩu nhiều lần; hãy thử lại sau ít phút. Trên máy đã từng đăng "
        "nhập thành công, đồng chí vẫn đăng nhập được."
    ),
)
@limiter.limit(
    DEVICE_LIMIT,
    key_func=lambda: _hashed("device", request.cookies.get(DEVICE_COOKIE, "")),
    methods=["POST"],
    deduct_when=_failed,
    exempt_when=lambda: not _trusted_device(),
    error_message=_l("Quá nhiều lần nhập sai mật khẩu trên máy này; hãy thử lại sau 15 phút."),
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = auth_ops.find_user(form.username.data.strip())
        if _password_matches(user, form.password.data) and user.active:
            if user.totp_enabled:  # the password was right; the second step decides
                session[PENDING] = {"id": user.id, "epoch": user.session_epoch, "at": int(time.time()),
                                    "remember": bool(form.remember.data), "next": request.args.get("next")}  # fmt: skip
                return redirect(url_for("auth.login_code"))
            return _complete_login(user, form.remember.data, request.args.get("next"))
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
    return render_template("auth/login.html", form=form)


PENDING = "pending_login"  # a login whose password was right, waiting for its second factor
PENDING_SECONDS = 300


def _complete_login(user: User, remember: bool, target: str | None):
    login_user(user, remember=remember)
    _start_session(int(time.time()))
    response = redirect(safe_next(target))
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps(fold(user.username)),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response


def _pending_user() -> User | None:
    pending = session.get(PENDING) or {}
    if int(time.time()) - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return auth_ops.session_user(pending.get("id", 0), pending.get("epoch"))[0]


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    "5 per 15 minutes",
    key_func=lambda: f"code:{(session.get(PENDING) or {}).get('id', 0)}",
    methods=["POST"],
    deduct_when=_failed,
    error_message=_l("Nhập sai mã xác thực nhiều lần; hãy thử lại sau 15 phút."),
)
def login_code():
    """The second step of a login that has two-factor on."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Hãy đăng nhập lại."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data):
            db.session.commit()  # the step or the recovery code is spent
            pending = session.pop(PENDING)
            return _complete_login(user, pending["remember"], pending["next"])
        db.session.rollback()
        flash(_("Mã xác thực không đúng hoặc đã dùng."), "error")
    return render_template("auth/login_code.html", form=form)


def _password_matches(user: User | None, password: str) -> bool:
    """A known and an unknown login cost the same hash, so the answer's time tells nothing."""
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return user.check_password(password)


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:  # this session's cookie, copied or not, opens nothing any more
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.pop("started", None)
    flash(_("Đã đăng xuất."), "info")
    response = redirect(url_for("auth.login"))
    # Drafts kept in the browser until the server had them (static/js/app.js) must not outlive the session
    # on a shared computer; the page's script clears them too, for browsers that ignore this header.
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@bp.get("/language/<any(vi, en):code>")
def set_language(code: str):
    """Anyone, logged in or not, may read the pages in English; the choice lasts the session."""
    session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    "5 per 15 minutes",
    key_func=lambda: f"password:{current_user.id}",
    methods=["POST"],
    deduct_when=_failed,
    error_message=_l("Đã nhập sai mật khẩu hiện tại nhiều lần; hãy thử lại sau 15 phút."),
)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if perform(auth_ops.change_password, user, form.current.data, form.new.data, success=_("Đã đổi mật khẩu.")):
            login_user(user)  # every other session ended with the old password; this one goes on
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form, end_form=FlaskForm())


@bp.post("/account/sessions/end")
@login_required
def end_all_sessions():
    """ "Đăng xuất khỏi mọi thiết bị": this one included."""
    if FlaskForm().validate_on_submit():
        perform(auth_ops.end_sessions, current_user._get_current_object(), current_user._get_current_object())
        logout_user()
        flash(_("Đã đăng xuất khỏi mọi thiết bị."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.change_password"))

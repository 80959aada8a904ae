"""The annual quality evaluation of party members and organizations.

(Kiểm điểm, đánh giá, xếp loại chất lượng hằng năm đối với tổ chức đảng và đảng viên.)
"""

import inspect
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from . import assets, config, dbtypes, html_attributes, kept, pool, reading, stamps, templating
from .dbtypes import declared_in_models
from .extensions import csrf, db, init_limiter, login_manager, mail, migrate, talisman
from .i18n import DEFAULT as DEFAULT_LANGUAGE
from .i18n import LANGUAGES, babel, current_language, failed_fields, install_in_templates, select_locale

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class App(Flask):
    """Flask, asking once per function whether it is a coroutine: Flask asks before each hook and view it runs,
    about twenty times a page, and the answer never changes."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Weakly: a function made for one request (copy_current_request_context's) is forgotten with it.
        self._coroutines: weakref.WeakKeyDictionary[Callable, bool] = weakref.WeakKeyDictionary()

    def ensure_sync(self, func: Callable) -> Callable:
        try:
            coroutine = self._coroutines.get(func)
            if coroutine is None:
                coroutine = self._coroutines[func] = inspect.iscoroutinefunction(func)
        except TypeError:  # a callable that takes no weak reference: asked each time
            return super().ensure_sync(func)
        return self.async_to_sync(func) if coroutine else func


def create_app(test_config: dict | None = None) -> Flask:
    app = App(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.jinja_environment = templating.Environment  # before anything asks for app.jinja_env
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    register_extensions(app)
    kept.install(app)
    app.url_map.converters["int"] = DatabaseInteger
    register_blueprints(app)
    register_errorhandlers(app)
    register_input_guard(app)
    reading.install(app)
    register_template_helpers(app)
    assets.install(app)
    html_attributes.install()
    register_commands(app)
    return app


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in a route: ids and years fit the database's 32-bit integers, so a bigger number in an
    address is a 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    if app.config["CHECK_DATABASE_CONNECTIONS"]:
        with app.app_context():
            pool.check_connections(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        include_object=declared_in_models,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    init_limiter(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_locale=DEFAULT_LANGUAGE,
        default_timezone="Asia/Ho_Chi_Minh",
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )
    install_in_templates(app)
    register_security_headers(app)
    from . import (
        audit,
        models,  # noqa: F401  (every model registered before Alembic or queries look)
    )
    from .members.operations import moved
    from .notices.operations import drop_outbox, notify_transition, notify_transitions, send_outbox
    from .org.operations import moved as org_moved
    from .org.operations import retyped
    from .periods.operations import closing, reopened
    from .reviews import confirmations, counts, moves, tallies
    from .reviews.workflow import transitioned, transitioned_many

    tallies.listen()
    stamps.listen()
    dbtypes.listen()
    audit.listen()
    # Lower layers announce, higher ones act: see docs/architecture.md, "Layers".
    reopened.connect(moves.follow_moves_into)
    moved.connect(moves.follow_member)
    closing.connect(counts.undecided)
    closing.connect(confirmations.unconfirmed)
    retyped.connect(tallies.retype)
    org_moved.connect(tallies.follow_move)
    transitioned.connect(notify_transition)
    transitioned_many.connect(notify_transitions)

    if not sa.event.contains(Session, "after_commit", send_outbox):
        sa.event.listen(Session, "after_commit", send_outbox)
        sa.event.listen(Session, "after_rollback", drop_outbox)


# Nothing inline and nothing from elsewhere: an injected <script> or style attribute does not run.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",  # Pico's form controls draw their arrows from data: URIs
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def register_security_headers(app: Flask) -> None:
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # Flask's documented way
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
    )

    @app.after_request
    def never_cache_what_a_login_sees(response):
        """A shared computer's browser or a proxy must not keep a page or an export someone logged in to see."""
        from flask_login import current_user

        # `is_anonymous`, not `is_authenticated`: it reads no column, so a login its request's commit expired
        # is not read again from the database for a header.
        if request.endpoint != "static" and current_user and not current_user.is_anonymous:
            response.headers["Cache-Control"] = "no-store"
        return response


def register_blueprints(app: Flask) -> None:
    from .views import (
        admin,
        auth,
        cell,
        collective,
        committee,
        home,
        member,
        notices,
        orgs,
        quarter,
        rating,
        two_factor,
    )

    for module in (auth, two_factor, home, notices, member, quarter, cell, committee, collective, rating, orgs, admin):
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        return render_template("error.html", error=error), error.code

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, render_error)

    def database_unavailable(error):
        """The database is down, restarting, read-only or full: nothing half-done stays, the user retries."""
        app.logger.exception("database unavailable")
        db.session.rollback()
        message = (
            "Dữ liệu vừa gửi chưa được lưu, nhưng mọi dữ liệu đã lưu trước đó vẫn còn nguyên. "
            "Hãy bấm Quay lại trên trình duyệt (nội dung đã nhập vẫn còn ở đó) và gửi lại sau ít phút."
        )
        return render_template("unavailable.html", message=message), 503, {"Retry-After": "60"}

    app.register_error_handler(sa.exc.OperationalError, database_unavailable)
    app.register_error_handler(sa.exc.InternalError, database_unavailable)


def register_input_guard(app: Flask) -> None:
    """NUL is no one's typing and PostgreSQL refuses it: such a request is bad, whatever route it is for."""
    from flask import abort, request

    @app.before_request
    def refuse_nul():
        values = [*request.args.values(), *request.form.values(), *request.args.keys(), *request.form.keys()]
        if any("\x00" in value for value in values):
            abort(400)


def register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from . import formatting
    from .levels import QUALITY_LEVELS
    from .notices.operations import unread_count
    from .reports.wording import progress_cells, tally_cells
    from .reviews.formspec import SECTION_MAX_CHARS, form_code
    from .reviews.workflow import Action
    from .rules import SCORE_BANDS

    if cache_dir := app.config["TEMPLATE_CACHE_DIR"]:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        app.jinja_env.bytecode_cache = templating.BytecodeCache(cache_dir)
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.globals["url_for"] = templating.kept_url_for(app)
    app.jinja_env.globals["action_label"] = lambda value, of_member=True, quarter=False: Action(value).label_for(
        of_member, quarter
    )
    app.jinja_env.globals["quality_levels"] = QUALITY_LEVELS
    app.jinja_env.globals["level_short"] = formatting.level_short
    app.jinja_env.globals["tally_cells"] = tally_cells
    app.jinja_env.globals["progress_cells"] = progress_cells
    app.jinja_env.globals["Action"] = Action  # pages ask `Action.X in may`, never a state
    app.jinja_env.globals["form_code"] = form_code
    app.jinja_env.globals["score_bands"] = lambda: [[floor, level.label] for floor, level in SCORE_BANDS]
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["failed_fields"] = failed_fields
    app.jinja_env.globals["this_page"] = this_page
    app.jinja_env.globals["deadline_status"] = formatting.deadline_status
    app.jinja_env.globals["section_max_chars"] = SECTION_MAX_CHARS
    app.jinja_env.globals["unread_notices"] = lambda: unread_count(current_user)
    # Macros reach the login without the page's context: a file imported "with context" is run again on every
    # page that imports it, where one imported without it is run once per worker.
    app.jinja_env.globals["current_user"] = current_user


def this_page(**changes) -> str:
    """This page's address with some of its query arguments changed (a filter, a page number)."""
    return url_for(
        request.endpoint or "home.index", **{**(request.view_args or {}), **request.args.to_dict(), **changes}
    )


def register_commands(app: Flask) -> None:
    from .cli import commands

    for command in commands:
        app.cli.add_command(command)

"""Unbound extensions, bound to the app in create_app()."""

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# The models' base class. Flask-SQLAlchemy builds `db.Model` at runtime, which a type checker cannot
# see; to it, the base is the declarative class `db.Model` is made from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()


def read_columns(statement, parameters: dict) -> sa.CursorResult:
    """The rows of a statement that selects columns, not entities, read past the ORM: its handling of the
    result cost more than the query itself (80 of 130 µs for a small read on the member's form). What the
    session has not written yet is flushed first, as the ORM would."""
    db.session.flush()
    return db.session.connection().execute(statement, parameters)


login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
# Counts kept in RATELIMIT_STORAGE_URI: Redis when REDIS_URL is set, so every gunicorn worker shares them.
limiter = Limiter(key_func=get_remote_address)
talisman = Talisman()


def init_limiter(app: Flask, limiter: Limiter = limiter) -> None:
    """Flask-Limiter, checking before every request only when some limit covers more than its own view.

    Its check before every request is for the default, application, meta and blueprint limits. The app
    declares none: its limits are on the views that log in, which check their own when they run. Unneeded,
    that check was 3.5% of a form page's instructions, so it stays installed only if such a limit is declared."""
    limiter.init_app(app)
    manager, checks = limiter.limit_manager, app.before_request_funcs.get(None, [])
    app_wide = manager.default_limits or manager.application_limits or limiter._meta_limits or manager._blueprint_limits
    if limiter._check_request_limit in checks and not app_wide:  # not there when the limiter is disabled
        checks.remove(limiter._check_request_limit)

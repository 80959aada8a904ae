"""Configuration read from the environment; nothing secret lives in the repository."""

import os
import secrets
from datetime import date, timedelta
from pathlib import Path


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "evaluation.sqlite")


def load_secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/.

    A key generated per process would log everyone out at each restart and break
    sessions across gunicorn workers, so it is persisted beside the database.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or default_database_url(instance_path),
        # Each PostgreSQL connection is checked as a request takes it from the pool (evaluation/pool.py).
        "CHECK_DATABASE_CONNECTIONS": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("FORCE_HTTPS") or _flag("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("FORCE_HTTPS") or _flag("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(os.environ.get("REMEMBER_DAYS", "14"))),
        # A session ends after this long without a request, and after this long whatever happens.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "60")),
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        # Who must log in with a second factor: "admin" and/or role values (secretary, committee, leader...).
        "TWO_FACTOR_REQUIRED_FOR": [w for w in os.environ.get("TWO_FACTOR_REQUIRED_FOR", "admin").split(",") if w],
        # Behind HTTPS (FORCE_HTTPS=1): plain HTTP is redirected, cookies are Secure, HSTS is sent.
        "FORCE_HTTPS": _flag("FORCE_HTTPS"),
        # How many reverse proxies stand in front (their X-Forwarded-For/-Proto are trusted, no more).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        "RATELIMIT_HEADERS_ENABLED": True,
        # werkzeug's default (scrypt); tests swap in a cheap method to stay fast.
        "PASSWORD_HASH_METHOD": "scrypt",
        # Logins made at once for an organization's members: each password hash costs ~0.1 s on purpose, so
        # a hundred stay well inside a worker's 30 s; the page offers the rest in the next batch.
        "LOGINS_PER_REQUEST": int(os.environ.get("LOGINS_PER_REQUEST", "100")),
        # Proposals one bulk decision request decides (about 2 s for 5,000); the confirmation page sends a larger
        # selection in parts of this size, with a progress bar.
        "DECISIONS_PER_REQUEST": int(os.environ.get("DECISIONS_PER_REQUEST", "5000")),
        # Compiled templates kept on disk: a new worker loads them instead of compiling each page on its first
        # request (the member's form: 0.38 s first, 0.12 s with them). Empty: none kept.
        "TEMPLATE_CACHE_DIR": os.environ.get("TEMPLATE_CACHE_DIR", str(Path(instance_path) / "template-cache")),
        # The report pages' shared parts each worker keeps (evaluation/kept.py): about 40 kB a rollup page, so
        # 16 MB keep some four hundred. 0: none kept.
        "KEPT_PAGES_BYTES": int(os.environ.get("KEPT_PAGES_BYTES", str(16 * 1024 * 1024))),
        # The counts of an organization's subtree for a year each worker keeps (evaluation/kept.py), about 4 kB
        # each, so some 16 MB: a rollup counted again after a decision counts only the children it changed.
        # 0: none kept.
        "KEPT_COUNTS": int(os.environ.get("KEPT_COUNTS", "4000")),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # A bulk decision sends one field per member: a grassroots organization can have thousands.
        "MAX_FORM_PARTS": 20_000,
        # Decimals of the percentages in reports (15,19%): the official reports use two, some one.
        "REPORT_DECIMALS": int(os.environ.get("REPORT_DECIMALS", "2")),
        # The reports write "chiếm 20%" and "100%"; "1" keeps every percentage at REPORT_DECIMALS ("20,00%").
        "REPORT_FIXED_DECIMALS": os.environ.get("REPORT_FIXED_DECIMALS", "") == "1",
        # The day from which a new member's six months are counted (docs/domain.md §5): "31/12" for every
        # rule set, or per rule set, "qd366=31/12,hd21=15/12"; 31 December by default.
        "NEW_MEMBER_REFERENCE": reference_days(os.environ.get("NEW_MEMBER_REFERENCE", "")),
        # Notices also go by e-mail when a mail server is named (Flask-Mail reads these).
        **_mail_settings(),
    }


def reference_days(text: str) -> dict[str, tuple[int, int]]:
    """{rule set value or "*": (day, month)} from "31/12" or "qd366=31/12,hd21=15/12".

    :raise ValueError: naming the entry that is not a day of the year, so a typo stops the start-up.
    """
    days = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = entry.rpartition("=")
        try:
            day, month = (int(part) for part in value.split("/"))
            date(2024, month, day)  # a leap year: 29/02 is a day of some years
        except ValueError as exc:
            raise ValueError(f"NEW_MEMBER_REFERENCE: {entry!r} is not DD/MM") from exc
        days[key.strip().lower() or "*"] = (day, month)
    return days


def _flag(name: str) -> bool:
    return os.environ.get(name, "0") == "1"


def _mail_settings() -> dict:
    settings: dict[str, str | int | bool] = {
        name: os.environ[name] for name in MAIL_TEXT_SETTINGS if os.environ.get(name)
    }
    if "MAIL_PORT" in os.environ:
        settings["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
    if "MAIL_USE_TLS" in os.environ:
        settings["MAIL_USE_TLS"] = os.environ["MAIL_USE_TLS"] == "1"
    return settings


MAIL_TEXT_SETTINGS = ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER")

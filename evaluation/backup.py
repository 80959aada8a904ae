"""Backing up and restoring the whole database, while the app keeps running.

SQLite is copied page by page with its online backup API (a consistent copy even while others write).
PostgreSQL goes through its own tools, pg_dump and pg_restore, in their custom format; the restore is
one transaction, so a bad file leaves the database as it was.
"""

import shutil
import sqlite3
import subprocess
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa

from .errors import DomainError
from .extensions import db


def backup(path: Path) -> None:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        with _sqlite_file(path) as target, _raw(engine) as live:
            live.backup(target)
    else:
        _run_pg("pg_dump", "--format=custom", "--no-owner", f"--file={path}", f"--dbname={_libpq_url(engine)}")


def restore(path: Path) -> str:
    """Replace the whole database with the backup's content; returns the backup's schema revision.

    :raise DomainError: when the file is not a backup of this application (nothing is changed).
    """
    if not path.is_file():
        raise DomainError(f"Không có tệp {path}.")
    db.session.remove()
    db.engine.dispose()  # nobody may hold the tables the restore replaces
    engine = db.engine
    if engine.dialect.name == "sqlite":
        revision = _sqlite_revision(path)
        with _sqlite_file(path) as source, _raw(engine) as live:
            source.backup(live)
        engine.dispose()
        return revision
    _run_pg("pg_restore", "--list", str(path))  # refuses a file that is not a pg_dump archive
    _run_pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
            f"--dbname={_libpq_url(engine)}", str(path))  # fmt: skip
    with engine.connect() as conn:
        return conn.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _sqlite_file(path: Path, mode: str = "rwc"):
    return closing(sqlite3.connect(f"file:{path}?mode={mode}", uri=True))


@contextmanager
def _raw(engine):
    """The live database's own sqlite3 connection, handed back to the pool after."""
    proxy = engine.raw_connection()
    try:
        yield proxy.driver_connection
    finally:
        proxy.close()


def _sqlite_revision(path: Path) -> str:
    try:
        with _sqlite_file(path, "ro") as conn:
            return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError) as exc:
        raise DomainError(f"Tệp {path.name} không phải bản sao lưu của hệ thống này ({exc}).") from exc


def _libpq_url(engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run_pg(tool: str, *args: str) -> None:
    if shutil.which(tool) is None:
        raise DomainError(f"Cần cài {tool} (gói postgresql-client, cùng phiên bản với máy chủ) để sao lưu.")
    result = subprocess.run([tool, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise DomainError(f"{tool} báo lỗi: {result.stderr.strip()[:500]}")

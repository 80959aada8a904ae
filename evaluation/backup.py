"""Backing up and restoring the whole database, while the app keeps running.

SQLite is copied page by page with its online backup API (a consistent copy even while others write).
PostgreSQL goes through its own tools, pg_dump and pg_restore, in their custom format; the restore is
one transaction, so a bad file leaves the database as it was.

A backup holds password hashes: it is written readable by its owner only (0600). A restore first checks
the whole file — the schema revision this code expects, every table and column, SQLite's integrity check —
and refuses anything else before it touches the database. PostgreSQL's password goes to its tools in
their environment (PGPASSWORD), never on a command line that `ps` shows.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import Migrate

from .errors import DomainError
from .extensions import db


def backup(path: Path) -> None:
    engine = db.engine
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # owner-only before a byte is written
    if engine.dialect.name == "sqlite":
        with _sqlite_file(path) as target, _raw(engine) as live:
            live.backup(target)
            # One file on its own, which opens even from a read-only disk: the copy took the live database's
            # write-ahead log mode with its pages.
            target.execute("PRAGMA journal_mode=DELETE")
    else:
        _run_pg(engine, "pg_dump", "--format=custom", "--no-owner", f"--file={path}")
    path.chmod(0o600)


def restore(path: Path) -> str:
    """Replace the whole database with the backup's content; returns the backup's schema revision.

    :raise DomainError: when the file is not a backup of this application (nothing is changed).
    """
    if not path.is_file():
        raise DomainError(f"Không có tệp {path}.")
    engine = db.engine
    check = _check_sqlite if engine.dialect.name == "sqlite" else _check_pg
    revision = check(engine, path)
    db.session.remove()
    engine.dispose()  # nobody may hold the tables the restore replaces
    if engine.dialect.name == "sqlite":
        with _sqlite_file(path, "ro") as source, _raw(engine) as live:
            source.backup(live)
        engine.dispose()
        return revision
    _run_pg(engine, "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path))
    return revision


def _expected() -> tuple[str, dict[str, set[str]]]:
    """The schema revision this code runs on, and every table with its columns."""
    directory = current_app.extensions["migrate"].directory
    head = ScriptDirectory.from_config(Migrate().get_config(directory)).get_current_head() or ""
    return head, {table.name: {column.name for column in table.columns} for table in db.metadata.sorted_tables}


def _refuse(path: Path, why: str):
    raise DomainError(f"Tệp {path.name} không phải bản sao lưu dùng được của hệ thống này: {why}. Chưa thay đổi gì.")


def _compare(path: Path, revision: str | None, tables: dict[str, set[str]]) -> str:
    head, wanted = _expected()
    if revision != head:
        _refuse(path, f"phiên bản cấu trúc {revision or 'không rõ'}, hệ thống cần {head}")
    for name, columns in wanted.items():
        if missing := columns - tables.get(name, set()):
            _refuse(path, f"bảng {name} thiếu {', '.join(sorted(missing)) if name in tables else 'hẳn'}")
    return head


def _check_sqlite(engine, path: Path) -> str:
    try:
        with _sqlite_file(path, "ro") as conn:
            if (verdict := conn.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
                _refuse(path, f"kiểm tra toàn vẹn báo “{verdict}”")
            names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            tables = {name: {row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')} for name in names}
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in names
                else None
            )
    except sqlite3.DatabaseError as exc:
        _refuse(path, str(exc))
    return _compare(path, row[0] if row else None, tables)


# A table's storage parameters follow its columns (`) WITH (autovacuum_…);`, the tallies' since migration 0027).
_CREATE_TABLE = re.compile(r"CREATE TABLE (?:public\.)?(\w+) \((.*?)\n\)(?:\s*WITH \([^;]*\))?;", re.S)


def _check_pg(engine, path: Path) -> str:
    """Read the archive's schema and its alembic_version without restoring anything."""
    try:
        schema = _run_pg(engine, "pg_restore", "--schema-only", "--file=-", str(path), database=False)
    except DomainError as exc:
        _refuse(path, str(exc))
    tables = {
        name: {line.strip().split()[0].strip('"') for line in body.splitlines() if line.strip()}
        for name, body in _CREATE_TABLE.findall(schema)
    }
    data = _run_pg(engine, "pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path),
                   database=False)  # fmt: skip
    rows = data.split("FROM stdin;\n", 1)[1].split("\n\\.", 1)[0].split() if "FROM stdin;" in data else []
    return _compare(path, rows[0] if rows else None, tables)


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


def _run_pg(engine, tool: str, *args: str, database: bool = True) -> str:
    """Run a PostgreSQL tool on this database (or only on a file); its output, or DomainError."""
    if shutil.which(tool) is None:
        raise DomainError(f"Cần cài {tool} (gói postgresql-client, cùng phiên bản với máy chủ) để sao lưu.")
    url = engine.url
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    bare = sa.engine.URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    target = [f"--dbname={bare.render_as_string()}"] if database else []
    result = subprocess.run([tool, *args, *target], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise DomainError(f"{tool} báo lỗi: {result.stderr.strip()[:500]}")
    return result.stdout

"""Backup and restore: a round trip gives back every row of every table."""

import sqlite3
import subprocess
from contextlib import closing

import pytest
import sqlalchemy as sa

from evaluation.extensions import db
from evaluation.reviews.models import Review
from tests.test_journey import write_and_submit


def every_row() -> dict[str, list]:
    tables = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = [column for column in table.primary_key.columns]
            tables[table.name] = [tuple(row) for row in conn.execute(sa.select(table).order_by(*order))]
    return tables


def test_a_backup_restored_gives_back_every_table_exactly(world, auth, client, runner, tmp_path):
    auth.login("member")
    write_and_submit(client, political="Nội dung có dấu: Đảng viên gương mẫu")
    auth.login("admin")
    client.post(f"/admin/periods/{world.period.id}/close", data={"note": "Hết năm"})
    saved = every_row()
    assert saved["review_event"] and saved["period_event"] and saved["tally"]
    file = tmp_path / "sao-luu.bak"
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output

    client.post(f"/admin/periods/{world.period.id}/open", data={"note": "Sau khi sao lưu"})
    auth.login("member3")
    write_and_submit(client)
    assert every_row() != saved

    result = runner.invoke(args=["restore", str(file), "--yes"])
    assert result.exit_code == 0, result.output
    assert every_row() == saved
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(world, runner, tmp_path):
    saved = every_row()
    bogus = tmp_path / "khong-phai.bak"
    bogus.write_text("member_code,level\nDV1,good\n")
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1 and "Lỗi" in result.output
    assert every_row() == saved
    assert runner.invoke(args=["restore", str(tmp_path / "khong-co.bak"), "--yes"]).exit_code == 1


def test_a_backup_is_readable_by_its_owner_only(world, runner, tmp_path):
    file = tmp_path / "sao-luu.bak"
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    assert file.stat().st_mode & 0o777 == 0o600


def test_restore_refuses_a_database_of_the_right_version_that_lacks_tables_and_changes_nothing(world, runner, tmp_path):
    saved = every_row()
    head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    thin = tmp_path / "mot-bang.sqlite"
    with sqlite3.connect(thin) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (head,))
    result = runner.invoke(args=["restore", str(thin), "--yes"])
    assert result.exit_code == 1 and "không phải bản sao lưu dùng được" in result.output
    if db.engine.dialect.name == "sqlite":  # PostgreSQL's restore takes only its own archives
        assert "thiếu hẳn" in result.output
    assert every_row() == saved


def test_the_postgresql_password_never_reaches_a_command_line(app, monkeypatch, tmp_path):
    from evaluation import backup

    seen = []

    def run(argv, **kwargs):
        seen.append((argv, kwargs["env"]))
        return subprocess.CompletedProcess(argv, 0, stdout="", stderr="")

    monkeypatch.setattr(backup.subprocess, "run", run)
    monkeypatch.setattr(backup.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    engine = sa.create_engine("postgresql+psycopg://evaluation:bi-mat-lam@db.example:5432/evaluation")
    backup._run_pg(engine, "pg_dump", "--format=custom", f"--file={tmp_path / 'x'}")
    argv, env = seen[0]
    assert not any("bi-mat-lam" in arg for arg in argv) and env["PGPASSWORD"] == "bi-mat-lam"
    assert "--dbname=postgresql://evaluation@db.example:5432/evaluation" in argv


def test_a_sqlite_backup_is_one_file_without_the_live_databases_write_ahead_log(world, runner, tmp_path):
    """Opened where no log can be written beside it (a read-only disk), a file in WAL mode would not open."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's backup is pg_dump's archive")
    file = tmp_path / "sao-luu.bak"
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    assert [path.name for path in tmp_path.iterdir()] == ["sao-luu.bak"]

"""What each database's connections are asked for as they open (`evaluation/dbtypes.py`)."""

import psycopg
import pytest
import sqlalchemy as sa

from evaluation.extensions import db


def test_on_sqlite_a_write_commits_while_another_request_is_reading(app):
    """The write-ahead log: a reader's open transaction no longer holds a writer's commit back until the reader
    ends (the default journal needed the file to itself to commit, and said "database is locked")."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's journal")
    reader, writer = db.engine.raw_connection(), db.engine.raw_connection()
    try:
        writer.driver_connection.execute("PRAGMA busy_timeout = 100")  # a refusal in 0.1 s, not the default 5
        reader.driver_connection.execute("BEGIN")
        before = reader.driver_connection.execute("SELECT count(*) FROM notice").fetchone()[0]
        writer.driver_connection.execute("CREATE TABLE wal_probe (id INTEGER)")
        writer.driver_connection.commit()
        writer.driver_connection.execute("DROP TABLE wal_probe")
        writer.driver_connection.commit()
        assert reader.driver_connection.execute("SELECT count(*) FROM notice").fetchone()[0] == before
    finally:
        reader.driver_connection.rollback()
        reader.close(), writer.close()


@pytest.mark.parametrize(
    "statement",
    ["SELECT 1 AS số, 'chữ'::text AS \"Tên có dấu\", NULL::numeric(4, 1) AS điểm", "SELECT ;", "SELECT 1 WHERE false"],
)
def test_on_postgresql_results_are_described_as_psycopg_describes_them(app, statement):
    """The app's cursors describe a result as plain tuples: the same names and type codes as psycopg's own
    description, in the DB-API's seven places, and None where a statement returns no rows."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's cursors")
    with db.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        assert type(cursor).description is not psycopg.Cursor.description  # the app's cursor, not psycopg's
        ours, theirs = cursor.execute(statement).description, psycopg.Cursor.description.fget(cursor)
        assert [column[:2] for column in ours] == [(column.name, column.type_code) for column in theirs]
        assert all(type(column) is tuple and len(column) == 7 for column in ours)
        assert cursor.execute("SET LOCAL statement_timeout = 1000").description is None
        assert connection.execute(sa.text("SELECT 'chữ' AS \"tên\"")).mappings().one() == {"tên": "chữ"}

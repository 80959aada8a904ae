"""Column helpers shared by the models, and what each database is asked for beyond them."""

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import TypeVar

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

T = TypeVar("T")
# Ids one statement names (`IN (…)`): well within every database's limit on bound parameters.
IDS_PER_STATEMENT = 1_000


def batches(items: Sequence[T], size: int = IDS_PER_STATEMENT) -> Iterator[Sequence[T]]:
    """`items` a `size` at a time, for statements that take a bounded number of values."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_cls: type[Enum]) -> sa.Enum:
    """Store an enum as its value in a VARCHAR: portable, readable in SQL, easy to migrate."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


Timestamp = sa.DateTime(timezone=True)


def upsert_into(table: sa.Table, dialect: str):
    """An INSERT that can say what to do on a conflict (`on_conflict_do_update`): PostgreSQL's, else SQLite's."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def keys_among(columns: Sequence[sa.Column], dialect: str) -> tuple[sa.Select, Callable[[Sequence[tuple]], dict]]:
    """A SELECT of `columns` from the rows whose values are among some keys, and the parameters that name the
    keys (tuples in `columns` order, at most `IDS_PER_STATEMENT`). PostgreSQL takes one array per column, so the
    statement is the same short text for any number of keys (a row value per key made a statement of thousands
    of placeholders, which the driver parsed anew every time); SQLite takes the row values."""
    if dialect != "postgresql":
        key = sa.tuple_(*columns)
        return sa.select(*columns).where(key.in_(sa.bindparam("keys", expanding=True))), lambda keys: {"keys": keys}
    names = [column.name for column in columns]
    arrays = (sa.bindparam(column.name, type_=postgresql.ARRAY(column.type)) for column in columns)
    keys = sa.func.unnest(*arrays).table_valued(*names).render_derived()
    found = sa.select(*columns).join_from(columns[0].table, keys, sa.and_(*(c == keys.c[c.name] for c in columns)))
    return found, lambda rows: dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)) if rows else {}


def insert_numbered(session, table: sa.Table, rows: list[dict]) -> list[int]:
    """Insert the rows and say the id each was given, in their order. SQLAlchemy sends an INSERT … RETURNING of
    many rows as one statement of a thousand rows' placeholders at a time, which psycopg parses anew in Python
    each time (a second for a province's 5,500 organizations). On PostgreSQL the ids are drawn from the table's
    sequence first, in one short statement, and the rows sent at once with them."""
    if session.get_bind().dialect.name != "postgresql":
        return list(
            session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
        )
    sequence = sa.func.pg_get_serial_sequence(table.name, "id")
    drawn = sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, len(rows)))
    ids = list(session.execute(drawn).scalars())
    session.execute(sa.insert(table), [row | {"id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids


# Indexes the migrations make on PostgreSQL only, which the models therefore do not declare: trigram indexes
# (pg_trgm) that answer a search for any part of a name, `LIKE '%…%'`. SQLite has no such index and reads the
# table, which at its scale takes milliseconds.
TRIGRAM_INDEXES = {"ix_member_search_trgm", "ix_organization_search_trgm"}


def declared_in_models(_object, name, type_, reflected, _compare_to) -> bool:
    """Alembic's `include_object`: what the migrations are compared with the models on."""
    return not (type_ == "index" and reflected and name in TRIGRAM_INDEXES)


def upper_code_index(name: str, code: sa.ColumnElement) -> sa.Index:
    """An index of the code in capitals: codes are typed in any case ("dv00019" finds DV00019), so they are
    compared as `upper(code)`, and this index answers that equality and, on PostgreSQL, a code's beginning."""
    return sa.Index(name, sa.func.upper(code).label("code_upper"), postgresql_ops={"code_upper": "text_pattern_ops"})


class PlainDescriptionCursor(psycopg.Cursor):
    """psycopg's cursor, describing a result's columns as the DB-API's plain tuples (name, type code and five
    Nones), as SQLAlchemy's own asyncpg cursor does. SQLAlchemy reads the description of every result, even
    where it keeps the result's shape from the statement, and psycopg builds an object per column for it: for a
    row of nine columns, a fifth of the statement's CPU in the worker."""

    @property
    def description(self):
        result = self.pgresult
        if result is None or not result.nfields:
            return super().description  # no rows, or the empty list of a "SELECT ;"
        encoding = self.connection.info.encoding
        return [(result.fname(i).decode(encoding), result.ftype(i), None, None, None, None, None)
                for i in range(result.nfields)]  # fmt: skip


def _on_connect(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
    elif isinstance(dbapi_connection, psycopg.Connection):
        dbapi_connection.cursor_factory = PlainDescriptionCursor


def listen() -> None:
    """What each database's connections are asked for as they open.

    SQLite writes through its write-ahead log (WAL): a commit appends its pages to one file, where the default
    journal copied them aside and back, and readers go on reading while a writer commits instead of waiting
    for it (50 clients' autosaves: p95 306–363 → 246–274 ms). The mode is the file's: the first connection sets
    it, the others only read it; an in-memory database answers "memory" and stays as it is. `synchronous`
    stays FULL, so a commit is on disk before the page says saved.

    PostgreSQL's connections describe their results with `PlainDescriptionCursor`.
    """
    if not sa.event.contains(Engine, "connect", _on_connect):
        sa.event.listen(Engine, "connect", _on_connect)

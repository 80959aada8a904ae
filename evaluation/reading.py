"""Requests that only read (GET, HEAD) read outside a transaction on PostgreSQL, and write nothing anywhere.

A page reads in four to seven statements. Inside a transaction, psycopg first sends `BEGIN` and waits for it,
and the connection's return to the pool sends `ROLLBACK` and waits again: two of a page's eight round trips
to the server, each a wait of 0.15–0.35 ms and a wake-up that costs the worker more CPU than the message
itself. PostgreSQL's default isolation, READ COMMITTED, gives each statement its own snapshot inside a
transaction as outside one, so a page reads the same rows either way.

Outside a transaction, though, each write would commit by itself: half a change could land. So a reading
request refuses any write (`ReadingRequestWrote`), on SQLite too, where its reads were never in a
transaction to begin with (Python's sqlite3 begins one only before a write): a page that writes is a bug the
tests find on either database, never a half-done change in production. A read that streams its rows through
a server-side cursor (an export, `yield_per`) needs a transaction on PostgreSQL: it begins one.
"""

import psycopg
import sqlalchemy as sa
from flask import Flask, g, has_app_context, request
from sqlalchemy.engine import Engine
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.dml import UpdateBase

from .extensions import db

READING_METHODS = frozenset({"GET", "HEAD"})


class ReadingRequestWrote(RuntimeError):
    """A GET or HEAD request tried to write: safe methods must not, and outside a transaction half a change
    would stay."""


def _begin_reading() -> None:
    if request.method not in READING_METHODS or request.endpoint == "static":
        return
    g.reading = True
    # A test's requests share the test's session, which may be in a transaction already: left as it is.
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        g.reading_outside_transactions = True


def _end_reading(_error) -> None:
    """The connection that commits every statement back to the pool at the request's end, not at its app
    context's: a test's requests share the test's, whose next write must be in a transaction. Its transaction
    is closed, not rolled back: a rollback would expire what the page loaded, and a streamed export reads its
    organization after this teardown (Flask 3.1 tears a request down before its body streams)."""
    g.pop("reading", None)
    if g.pop("reading_outside_transactions", False) and (transaction := db.session().get_transaction()):
        transaction.close()


def _before_execute(connection, statement, _multiparams, _params, options) -> None:
    writes = isinstance(statement, UpdateBase | ExecutableDDLElement)
    streams = options.get("stream_results") or options.get("yield_per")  # yield_per streams too
    if not (writes or streams) or not has_app_context() or "reading" not in g:
        return
    if writes:
        raise ReadingRequestWrote(f"{request.method} {request.path} tried to write: {type(statement).__name__}")
    if connection.dialect.name == "postgresql" and not _in_transaction(connection):
        connection.exec_driver_sql("BEGIN")  # a server-side cursor lives in a transaction; the pool ends it


def _in_transaction(connection: sa.Connection) -> bool:
    status = connection.connection.driver_connection.info.transaction_status  # type: ignore[union-attr]
    return status != psycopg.pq.TransactionStatus.IDLE


def install(app: Flask) -> None:
    """First of the app's hooks: the login is read by the hooks after it, in the request's connection."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin_reading)
    app.teardown_request(_end_reading)
    if not sa.event.contains(Engine, "before_execute", _before_execute):
        sa.event.listen(Engine, "before_execute", _before_execute)

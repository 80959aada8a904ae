"""The PostgreSQL connections a worker keeps between requests: each is checked before a request uses it, and
the check waits on the server only when there is reason to.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` at every checkout: a round trip per request, with its wait and
its wake-up. What it guards against, a connection the server has closed (a restart, `pg_terminate_backend`,
an idle timeout), announces itself: the server sends its FATAL message and closes the socket, so the socket of
a connection nobody is using has something to read. Only then, or after a minute unused (long enough for a
firewall to forget the connection without a word), does the check ask the server. A dead connection raises
`DisconnectionError`, on which the pool opens a new one and the request goes on.
"""

import select
import time

import psycopg
import sqlalchemy as sa

UNUSED_SECONDS = 60
_RETURNED = "evaluation_returned"  # when the connection went back to the pool (time.monotonic)


def _check(dbapi_connection, record, _proxy) -> None:
    if not isinstance(dbapi_connection, psycopg.Connection):
        return
    returned = record.info.get(_RETURNED)  # None: opened for this request
    unused_long = returned is not None and time.monotonic() - returned > UNUSED_SECONDS
    if (unused_long or _has_something_to_read(dbapi_connection)) and not _answers(dbapi_connection):
        raise sa.exc.DisconnectionError("the database closed this connection")


def _has_something_to_read(dbapi_connection: psycopg.Connection) -> bool:
    waiting = select.poll()  # not select.select: a descriptor past 1,023 is fine here
    waiting.register(dbapi_connection.fileno(), select.POLLIN)
    return bool(waiting.poll(0))


def _answers(dbapi_connection: psycopg.Connection) -> bool:
    """One round trip, outside psycopg's transactions: libpq's own query, which leaves none open."""
    try:
        result = dbapi_connection.pgconn.exec_(b"SELECT 1")
    except psycopg.Error:
        return False
    return result.status == psycopg.pq.ExecStatus.TUPLES_OK


def _returned(_dbapi_connection, record) -> None:
    record.info[_RETURNED] = time.monotonic()


def check_connections(engine: sa.Engine) -> None:
    """Check each connection `engine`'s pool hands out (`CHECK_DATABASE_CONNECTIONS`, on by default)."""
    if engine.dialect.name == "postgresql" and not sa.event.contains(engine, "checkout", _check):
        sa.event.listen(engine, "checkout", _check)
        sa.event.listen(engine, "checkin", _returned)

"""Requests that only read: outside a transaction on PostgreSQL, and never writing on either database."""

import tempfile
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import jsonify
from psycopg.pq import Trace

from evaluation.extensions import db
from evaluation.org.models import Organization
from evaluation.reading import ReadingRequestWrote
from tests.conftest import client_of
from tests.test_page_costs import FORM, URL, _version, statements


def _with_routes(other_app):
    """An app of its own (each request its own session, as in a worker) with two pages that no real page
    is: one that writes on a GET, one that streams its rows through a server-side cursor."""
    app = other_app()

    @app.get("/test/rename/<int:org_id>")
    def rename(org_id):
        db.session.execute(sa.update(Organization).where(Organization.id == org_id).values(name="Đổi tên khi xem"))
        db.session.commit()
        return "renamed"

    @app.get("/test/streamed")
    def streamed():
        rows = db.session.scalars(sa.select(Organization.name).order_by(Organization.id).execution_options(yield_per=2))
        return jsonify(list(rows))

    return app


def test_a_page_that_writes_on_a_get_is_refused_and_writes_nothing(world, other_app):
    client = _with_routes(other_app).test_client()
    with pytest.raises(ReadingRequestWrote, match="GET /test/rename"):
        client.get(f"/test/rename/{world.cell.id}")
    db.session.expire_all()
    assert db.session.get(Organization, world.cell.id).name != "Đổi tên khi xem"


def test_a_read_streamed_through_a_cursor_works_on_a_get(world, other_app):
    names = _with_routes(other_app).test_client().get("/test/streamed").get_json()
    assert world.cell.name in names and world.grassroots.name in names
    assert len(names) == db.session.scalar(sa.select(sa.func.count()).select_from(Organization))


@contextmanager
def wire(engine):
    """What the app's connections say to PostgreSQL while the block runs, as libpq traces it: one line per
    message, "F" from the app, "B" from the server."""
    lines: list[str] = []
    with tempfile.TemporaryFile() as trace:

        def start(dbapi_connection, _record, _proxy):
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)

        def stop(dbapi_connection, _record):
            dbapi_connection.pgconn.untrace()

        sa.event.listen(engine, "checkout", start)
        sa.event.listen(engine, "checkin", stop)
        try:
            yield lines
        finally:
            sa.event.remove(engine, "checkout", start)
            sa.event.remove(engine, "checkin", stop)
            trace.seek(0)
            lines.extend(trace.read().decode().splitlines())


def _messages(lines: list[str], sender: str, message: str) -> list[str]:
    """What each message of that kind carried: the text of the app's simple queries (BEGIN, COMMIT; its
    statements go by Parse and Bind), the transaction's status at the end of a round trip (I(dle) or T)."""
    return [fields[3].strip() for fields in (line.split("\t") for line in lines) if fields[:3:2] == [sender, message]]


def test_a_page_reaches_postgresql_once_per_statement_and_a_save_in_one_transaction(world, other_app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite is in the process: no round trips")
    app = other_app()
    with app.app_context():
        engine = db.engine
    client = client_of(app, "member")
    with wire(engine) as page, statements(engine) as read:
        assert world.cell.name in client.get(URL).get_data(as_text=True)
    assert _messages(page, "F", "Query") == [], page  # no BEGIN, no ROLLBACK
    # A round trip per statement, and none of them left in a transaction.
    assert _messages(page, "B", "ReadyForQuery") == ["I"] * len(read), page

    version = _version(client)
    with wire(engine) as save:
        assert client.post(URL, data={**FORM, "version": version}).status_code == 302
    begin, commit = _messages(save, "F", "Query")  # the save is one transaction
    assert begin.startswith('"BEGIN') and commit == '"COMMIT"', save

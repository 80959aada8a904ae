"""Faults: a worker killed mid-decision, the database restarted under the app, a database that refuses writes."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from evaluation import pool
from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.members.models import Member
from evaluation.reviews.models import Review, ReviewEvent, ReviewState
from tests.conftest import PASSWORD, client_of
from tests.test_journey import review_of, write_and_submit

ROOT = Path(__file__).resolve().parent.parent
BULK = 5_000  # the most one bulk decision takes: long enough to be killed in the middle


def test_a_database_that_refuses_writes_gives_a_clear_page_and_loses_nothing(world, auth, client, other_app):
    auth.login("member")
    write_and_submit(client, political="Đã lưu trước khi ổ đĩa đầy")
    saved = review_of(world).sections
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        read_only = other_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{url.database}?mode=ro&uri=true")
    else:
        options = {"connect_args": {"options": "-c default_transaction_read_only=on"}}
        read_only = other_app(SQLALCHEMY_ENGINE_OPTIONS=options)
    browser = read_only.test_client()
    assert browser.post("/login", data={"username": "secretary", "password": PASSWORD}).status_code == 302
    version = review_of(world).version  # the page's form, as it was loaded
    refused = browser.post(
        f"/cell/{world.cell.id}/members/{world.m1.id}",
        data={"action": "return", "r-reason": "Viết lại phần ưu điểm", "r-version": version},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 503 and "chưa được lưu" in page and "vẫn còn nguyên" in page
    assert refused.headers["Retry-After"] == "60"
    db.session.expire_all()
    assert review_of(world).sections == saved and review_of(world).state is ReviewState.SUBMITTED


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="a server restart is PostgreSQL's")
def test_a_database_restart_costs_the_user_a_retry_not_an_app_restart(app, world, auth, client, other_app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to restart")
    without_check = other_app(CHECK_DATABASE_CONNECTIONS=False).test_client()
    without_check.post("/login", data={"username": "member", "password": PASSWORD})
    auth.login("member")
    assert client.get("/my-review/").status_code == 200 and without_check.get("/my-review/").status_code == 200
    _kill_the_apps_connections()
    assert client.get("/my-review/").status_code == 200  # the pool's check found the dead connection first
    assert without_check.get("/my-review/").status_code == 503  # without it, one clear error ...
    assert without_check.get("/my-review/").status_code == 200  # ... and the retry works


def test_a_connection_is_asked_whether_it_lives_only_after_a_minute_unused_or_a_message(world, other_app, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to lose")
    asked = []
    monkeypatch.setattr(pool, "_answers", lambda connection: asked.append(connection) or True)
    member = client_of(other_app(), "member")  # each request its own session, as in a worker
    assert member.get("/my-review/").status_code == 200 and member.get("/my-review/").status_code == 200
    assert asked == []  # just used, nothing to read: no round trip
    monkeypatch.setattr(pool, "UNUSED_SECONDS", -1)
    assert member.get("/my-review/").status_code == 200
    assert len(asked) == 1


def _kill_the_apps_connections() -> None:
    """What a restart does to every open connection, waited out: a server process sends its last message
    before it leaves `pg_stat_activity`, so by then each connection it served has something to read."""
    # Outside a transaction: inside one, pg_stat_activity would answer from the snapshot its first read took.
    killer = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        killed = [pid for pid, _ in conn.execute(sa.text(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))]  # fmt: skip
        assert killed, "the app's connections were open"
        deadline = time.monotonic() + 60
        left = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:killed)")
        while (alive := conn.scalar(left, {"killed": killed})) and time.monotonic() < deadline:
            time.sleep(0.01)  # polling a condition, bounded by the deadline
        assert not alive, "the killed server processes are still there after a minute"
    killer.dispose()


class Browser:
    """A cookie-keeping HTTP client for the app under gunicorn, CSRF tokens included."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.read().decode()

    def post(self, path: str, data: list[tuple[str, str]], token_from: str) -> int:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(token_from)).group(1)
        body = urllib.parse.urlencode([("csrf_token", token), *data]).encode()
        with self.opener.open(self.base + path, body, timeout=120) as response:
            response.read()
            return response.status


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(app, database_url):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "faults"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--timeout", "300", "-b", f"127.0.0.1:{port}", "app:app"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/login", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    yield server, base
    server.terminate()
    server.wait(timeout=30)


def _workers(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


WRITERS = sa.text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() AND datname = current_database()"
)


def _wait_for_a_writer_in_flight(request: threading.Thread) -> None:
    """Until another connection holds an open write transaction: the bulk decision has started writing.

    A busy machine may take long to get there (the decision writes once, after checking every proposal), so the
    wait ends on a condition, not a count of polls: the writer seen, or the request over without one being seen.
    """
    engine = db.engine
    deadline = time.monotonic() + 300  # gunicorn's own timeout in this test: past it the worker is gone anyway
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                writing = conn.scalar(WRITERS)
            else:
                writing = _sqlite_locked(conn)
        if writing:
            return
        if not request.is_alive():
            raise AssertionError("the bulk decision ended before it was seen writing; raise BULK")
        time.sleep(0.05)
    raise AssertionError("the bulk decision never started writing")


@contextmanager
def _counters_held():
    """On PostgreSQL, the kept counters locked against writes by another transaction (a lock that takes no
    transaction id, so it is not seen as a writer): the decision writes its reviews and history, then waits at
    its counters, and is killed there for certain, not in a race with its commit (a set-based decision writes
    5,000 reviews in a fraction of a second). SQLite has one writer at a time: the decision is caught writing."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    with db.engine.connect() as conn:
        conn.execute(sa.text("LOCK TABLE tally IN SHARE MODE"))
        yield
        conn.rollback()


def _sqlite_locked(conn) -> bool:
    raw = conn.connection.driver_connection
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except Exception as exc:  # sqlite3.OperationalError: database is locked
        return "locked" in str(exc)
    raw.execute("ROLLBACK")
    return False


def _many_proposals(world) -> list[tuple[str, str]]:
    members = [Member(code=f"DV-K{i:05d}", full_name=f"Đảng viên {i}", organization=world.cell,
                      form_type=world.m1.form_type) for i in range(BULK)]  # fmt: skip
    db.session.add_all(members)
    db.session.flush()
    reviews = [Review(period=world.period, member=member, form_type=member.form_type, sections={},
                      state=ReviewState.PROPOSED, proposed_level=Level.GOOD) for member in members]  # fmt: skip
    db.session.add_all(reviews)
    db.session.commit()
    return [("review", f"{review.id}:{review.version}") for review in reviews]


def test_a_worker_killed_in_the_middle_of_a_bulk_decision_leaves_all_or_none(world, gunicorn):
    server, base = gunicorn
    selection = _many_proposals(world)
    browser = Browser(base)
    browser.post("/login", [("username", "committee"), ("password", PASSWORD)], token_from="/login")
    outcome, page = {}, f"/committee/{world.grassroots.id}"

    def decide_all():
        try:
            outcome["status"] = browser.post(f"{page}/decide", selection, token_from=page)
        except (urllib.error.URLError, ConnectionError, http.client.RemoteDisconnected) as exc:
            outcome["error"] = exc

    request = threading.Thread(target=decide_all)
    with _counters_held():
        request.start()
        _wait_for_a_writer_in_flight(request)  # the decision's transaction has written: killed now, it is half-way
        for worker in _workers(server.pid):
            os.kill(worker, signal.SIGKILL)
    request.join(timeout=120)
    assert "error" in outcome, f"the bulk decision finished before the kill ({outcome}); raise BULK"
    db.session.expire_all()
    decided = db.session.scalar(sa.select(sa.func.count(Review.id)).where(Review.state == ReviewState.DECIDED))
    events = db.session.scalar(sa.select(sa.func.count(ReviewEvent.id)).where(ReviewEvent.action == "decide"))
    assert (decided, events) in ((0, 0), (BULK, BULK))
    # gunicorn's master starts a new worker: the app carries on, the proposals are still there to decide.
    fresh = Browser(base)
    fresh.post("/login", [("username", "committee"), ("password", PASSWORD)], token_from="/login")
    assert f"Đảng viên {BULK - 1}" in fresh.get(page) or decided == BULK

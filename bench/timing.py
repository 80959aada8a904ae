"""What the benchmarks share: the database they build on, and how they time."""

import statistics
import tempfile
import time

import sqlalchemy as sa

from evaluation.extensions import db


def bench_database(url: str | None, name: str = "bench") -> str:
    """The database to build on: a fresh SQLite file, or the PostgreSQL database named, emptied first
    (give it one of its own)."""
    url = url or f"sqlite:///{tempfile.mkdtemp()}/{name}.sqlite"
    if url.startswith("postgresql"):
        with sa.create_engine(url).begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return url


def median_ms(action, runs: int = 7) -> float:
    """The median wall time of `action` in milliseconds, the session's cache emptied between runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
        db.session.expire_all()
    return statistics.median(times)

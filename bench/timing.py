"""Timing helpers shared by the benchmarks."""

import statistics
import time

from evaluation.extensions import db


def median_ms(action, runs: int = 7) -> float:
    """The median wall time of `action` in milliseconds, the session's cache emptied between runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
        db.session.expire_all()
    return statistics.median(times)

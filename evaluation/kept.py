"""Parts of pages, and counts, kept in each process's memory under keys that say exactly what they were made
from.

A key names everything a part depends on (for the reports, the results' stamps of `stamps.py`), so a part is
never out of date: what changed makes another key, and the old part is simply never asked for again. The
parts are bounded by their total size, the least recently used going first: a worker keeps
`KEPT_PAGES_BYTES` of them. The counts (an organization's subtree for a year, `reports.aggregation`) are
bounded by their number, `KEPT_COUNTS`.
"""

import sys
import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache
from flask import Flask, current_app
from markupsafe import Markup

Parts = dict[str, Markup]


class Kept:
    """A bounded store, the least recently used out first: by size when given `getsizeof`, else by number."""

    def __init__(self, maxsize: int, getsizeof: Callable[[Any], int] | None = None):
        self._kept: LRUCache[Hashable, Any] = LRUCache(maxsize, getsizeof=getsizeof)
        self._lock = threading.Lock()  # the development server answers in threads

    def get(self, key: Hashable) -> Any:
        with self._lock:
            return self._kept.get(key)

    def set(self, key: Hashable, value: Any) -> None:
        with self._lock:
            if self._kept.getsizeof(value) <= self._kept.maxsize:
                self._kept[key] = value


def _size(parts: Parts) -> int:
    return sum(sys.getsizeof(part) for part in parts.values())


def install(app: Flask) -> None:
    app.extensions["kept"] = Kept(app.config["KEPT_PAGES_BYTES"], _size)
    app.extensions["kept_counts"] = Kept(app.config["KEPT_COUNTS"])


def counts() -> Kept:
    """The counts this process keeps (none when `KEPT_COUNTS` is 0)."""
    return current_app.extensions["kept_counts"]


def kept(key: str | None, make: Callable[[], Parts]) -> Parts:
    """The parts kept under `key`, else made and kept; made and not kept when there is no key."""
    if key is None:
        return make()
    store: Kept = current_app.extensions["kept"]
    if (parts := store.get(key)) is None:
        parts = make()
        store.set(key, parts)
    return parts

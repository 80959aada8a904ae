"""Parts of pages kept in each process's memory, under keys that say exactly what they were made from.

A key names everything a part depends on (for the reports, the results' stamps of `stamps.py`), so a part is
never out of date: what changed makes another key, and the old part is simply never asked for again. The
parts are bounded by their total size, the least recently used going first: a worker keeps
`KEPT_PAGES_BYTES` of them.
"""

import sys
import threading
from collections.abc import Callable

from cachetools import LRUCache
from flask import Flask, current_app
from markupsafe import Markup

Parts = dict[str, Markup]


class Kept:
    def __init__(self, max_bytes: int):
        self._parts: LRUCache[str, Parts] = LRUCache(max_bytes, getsizeof=_size)
        self._lock = threading.Lock()  # the development server answers in threads

    def get(self, key: str) -> Parts | None:
        with self._lock:
            return self._parts.get(key)

    def set(self, key: str, parts: Parts) -> None:
        with self._lock:
            if self._parts.getsizeof(parts) <= self._parts.maxsize:
                self._parts[key] = parts


def _size(parts: Parts) -> int:
    return sum(sys.getsizeof(part) for part in parts.values())


def install(app: Flask) -> None:
    app.extensions["kept"] = Kept(app.config["KEPT_PAGES_BYTES"])


def kept(key: str | None, make: Callable[[], Parts]) -> Parts:
    """The parts kept under `key`, else made and kept; made and not kept when there is no key."""
    if key is None:
        return make()
    store: Kept = current_app.extensions["kept"]
    if (parts := store.get(key)) is None:
        parts = make()
        store.set(key, parts)
    return parts

"""The app's own stylesheets, script and icon, addressed by their content (`?v=` a hash of the file): a browser
keeps each for a year and asks again only when a release changes it. Without it every page view sent four more
requests to revalidate them."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

KEPT_FOR = 365 * 24 * 3600  # seconds: the address changes with the content, so it can be kept that long


def install(app: Flask) -> None:
    known: dict[str, str] = {}

    @app.url_defaults
    def name_the_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values and app.static_folder:
            name = values["filename"]
            # A release restarts the workers, so a worker's files do not change under it: looked at once.
            # A developer's server (debug) looks every time, so an edited stylesheet gets its new address.
            if (found := known.get(name)) is None or app.debug:
                found = known[name] = version(Path(app.static_folder, name))
            if found:
                values["v"] = found

    @app.after_request
    def keep_a_versioned_file(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={KEPT_FOR}, immutable"
        return response


def version(path: Path) -> str:
    """A short hash of the file's content; empty when there is no such file."""
    try:
        stat = path.stat()
    except OSError:
        return ""
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _digest(path: str, _modified: int, _size: int) -> str:
    # Keyed by the time and size too: an edited file (a developer's server) gets its new hash at once.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]

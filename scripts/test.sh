#!/usr/bin/env bash
# One command from a fresh clone to the whole test suite:  bash scripts/test.sh
# Runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set (or the local server answers).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -d .venv ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt

local_pg="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"  # the server; the suite makes its own database there
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 && command -v pg_ctlcluster >/dev/null; then
    echo "PostgreSQL is installed but stopped: starting it."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    export TEST_DATABASE_URL="$local_pg"
  else
    echo "No PostgreSQL at 127.0.0.1:5432: the database tests run on SQLite only."
  fi
fi
# The browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium for the browser tests."
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  { $apt_get install -y -q chromium chromium-driver || { $apt_get update -q && $apt_get install -y -q chromium chromium-driver; }; } \
    >/dev/null || echo "Could not install Chromium: the browser tests will say so."
fi
[ -n "${TEST_DATABASE_URL:-}" ] && echo "Database tests run on SQLite and on ${TEST_DATABASE_URL%%@*}@…"
.venv/bin/ruff check --quiet .
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache  # the layers (.importlinter)
.venv/bin/mypy --no-error-summary                                                # the annotations (mypy.ini)
# pytest-randomly shuffles the order on every run; pytest's header (hidden by -q) prints the seed, and
# --randomly-seed=N repeats that order.
exec .venv/bin/python -m pytest "$@"

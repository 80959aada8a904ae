#!/usr/bin/env bash
# One command from a fresh clone to a running app on SQLite with demo data:
#   bash scripts/run.sh            (then open http://127.0.0.1:5000)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -d .venv ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
.venv/bin/flask --app app db upgrade
.venv/bin/flask --app app seed-demo
exec .venv/bin/flask --app app run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"

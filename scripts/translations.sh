#!/usr/bin/env bash
# After changing user-facing text: extract the Vietnamese source strings, merge them into the English
# catalog (new ones arrive empty; tests/test_i18n.py fails until they are translated), and compile.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract --ignore-dirs=".* __pycache__ .venv" -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output -o translations/messages.pot .
.venv/bin/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching --ignore-obsolete
.venv/bin/pybabel compile -d translations -l en

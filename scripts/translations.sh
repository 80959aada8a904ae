#!/usr/bin/env bash
# After changing user-facing text: extract the Vietnamese source strings, merge them into the English
# catalog (new ones arrive empty; tests/test_i18n.py fails until they are translated), and compile.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -q -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
.venv/bin/pybabel update -q -i translations/messages.pot -d translations -l en --no-fuzzy-matching
.venv/bin/pybabel compile -q -d translations -l en

#!/usr/bin/env bash
# Run the whole test suite on any Debian/Ubuntu machine (as root): sets the
# machine up first when needed (scripts/setup.sh is idempotent), then runs
# ruff, mypy (on jmap/, configured in pyproject.toml) and pytest from the
# virtual environment against the installed wheel.
#
#   bash scripts/test.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/pytest "$@"

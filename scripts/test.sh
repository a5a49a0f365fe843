#!/usr/bin/env bash
# Run the whole test suite on any Debian/Ubuntu machine (as root): sets the
# machine up first when needed (scripts/setup.sh is idempotent), then runs
# ruff, mypy (on jmap/, configured in pyproject.toml) and pytest from the
# virtual environment against the installed wheel.
#
#   bash scripts/test.sh [PYTEST ARGS...]
#
# pytest runs on every core (pytest-xdist, `-n auto`) and names the slowest
# tests at the end; `-n 0` runs it in one process.
#
# The set-up is skipped when it is already done (scripts/setup-stamp.sh
# compares hashes of what decides it); a change of jmap's sources only
# reinstalls the wheel, so testing starts within seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
if bash scripts/setup-stamp.sh check; then
    if ! bash scripts/setup-stamp.sh package; then
        echo "test: jmap's sources changed: reinstalling the wheel"
        .venv/bin/python -m pip install -q --disable-pip-version-check --force-reinstall --no-deps .
        bash scripts/setup-stamp.sh write
    fi
else
    bash scripts/setup.sh
fi
.venv/bin/ruff check .
.venv/bin/mypy
# On every core (pytest-xdist), the slowest tests named at the end; arguments
# that choose the workers themselves (-n 0 runs in one process) win.
parallel=(-n auto --dist worksteal)
for arg in "$@"; do
    case "$arg" in
        -n | -n* | --numprocesses* | no:xdist | -pno:xdist) parallel=() ;;
    esac
done
exec .venv/bin/pytest "${parallel[@]}" --durations=15 "$@"

#!/usr/bin/env bash
# The stamps that let scripts/test.sh skip a set-up that is already done.
#
#   bash scripts/setup-stamp.sh write    # after a complete scripts/setup.sh
#   bash scripts/setup-stamp.sh check    # exit 0 when the set-up is current
#   bash scripts/setup-stamp.sh package  # exit 0 when the installed wheel is current
#
# The set-up stamp hashes what decides the machine's set-up (setup.sh itself,
# the dependencies in pyproject.toml, the npm lock file); the package stamp
# hashes jmap's sources, so that a code change only reinstalls the wheel.
set -euo pipefail
cd "$(dirname "$0")/.."

SETUP_STAMP=.venv/.jmap-setup-stamp
PACKAGE_STAMP=.venv/.jmap-package-stamp

setup_hash() {
    # A missing file (no npm lock) counts as empty.
    { cat scripts/setup.sh scripts/setup-stamp.sh pyproject.toml tools/mermaid/package-lock.json 2>/dev/null || true; } \
        | sha256sum | cut -d' ' -f1
}

package_hash() {
    find jmap pyproject.toml -type f ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum \
        | sha256sum | cut -d' ' -f1
}

case "${1:-}" in
    write)
        setup_hash >"$SETUP_STAMP"
        package_hash >"$PACKAGE_STAMP"
        ;;
    check)
        [ -x .venv/bin/jmap ] && [ -f "$SETUP_STAMP" ] && [ "$(cat "$SETUP_STAMP")" = "$(setup_hash)" ]
        ;;
    package)
        [ -f "$PACKAGE_STAMP" ] && [ "$(cat "$PACKAGE_STAMP")" = "$(package_hash)" ]
        ;;
    *)
        echo "usage: bash scripts/setup-stamp.sh write|check|package" >&2
        exit 2
        ;;
esac

#!/usr/bin/env bash
# Set up jmap on a fresh Debian or Ubuntu machine (run as root), then render
# the example maps into out/examples/. Safe to run again: it installs only what
# is missing.
#
#   bash scripts/setup.sh
#
# What it installs, and why:
#   graphviz            the `dot` layout engine behind svg/png/pdf
#   chromium            a real headless browser for the HTML page tests
#   fonts-dejavu-core,  fonts for diagrams (Latin, accents) and the emotion faces
#   fonts-noto-color-emoji
#   nodejs, npm         the real Mermaid parser used by the Mermaid tests, and
#                       axe-core (tools/axe) for the page's accessibility tests
#   poppler-utils       pdftotext/pdfinfo: the print tests measure the PDF's text
#   python3-venv        a virtual environment in .venv with jmap installed from
#                       its wheel (not editable: tests exercise what users get)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v "$PYTHON" >/dev/null 2>&1 || missing+=(python3)
if command -v "$PYTHON" >/dev/null 2>&1 && ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
    missing+=(python3-venv python3-pip)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: jmap needs Python 3.11 or newer; $("$PYTHON" --version) found" >&2
    exit 1
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
# A wheel install (not editable): the tests and the benchmark run what users get.
.venv/bin/python -m pip install -q --disable-pip-version-check --force-reinstall --no-deps .
.venv/bin/python -m pip install -q --disable-pip-version-check ".[test]"

if [ -f tools/mermaid/package-lock.json ]; then
    (cd tools/mermaid && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
if [ -f tools/axe/package-lock.json ]; then
    (cd tools/axe && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

.venv/bin/jmap validate --strict examples
.venv/bin/jmap render examples -f svg,png,html,md,mmd -o out/examples
echo "setup: done. Open out/examples/*.html, or run: .venv/bin/jmap --help"

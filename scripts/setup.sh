#!/usr/bin/env bash
# Set up a contributor's machine (fresh Debian or Ubuntu, run as root), then
# render the example maps into out/examples/. Safe to run again: it installs
# only what is missing. Users of jmap do not need this: see "Install" in the
# README.
#
#   bash scripts/setup.sh
#
# What it installs, and why:
#   graphviz            the `dot` layout engine behind svg/png/pdf
#   chromium            a real headless browser for the HTML page tests
#   fonts-dejavu-core,  fonts for diagrams (Latin, accents) and the emotion faces
#   fonts-noto-color-emoji
#   nodejs >= 20, npm   the real Mermaid parser used by the Mermaid tests
#                       (tools/mermaid asks for Node 20; Debian 12 ships 18: then
#                       setup goes on without Node, and those tests are skipped
#                       locally; under CI=1 a missing tool fails them instead)
#                       axe-core (tools/axe) for the page's accessibility tests
#   poppler-utils       pdftotext/pdfinfo: the print tests measure the PDF's text
#   python3-venv        a virtual environment in .venv with jmap installed from
#                       its wheel (not editable: tests exercise what users get)
#
# apt waits up to 10 minutes for the package manager's lock (another install
# running at boot is common) instead of failing at once.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
NODE_MAJOR_MIN=20
APT=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
export DEBIAN_FRONTEND=noninteractive

python_ok() {
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

node_major() {
    # The major version of `node`, or 0 when there is none.
    local version
    version=$(node --version 2>/dev/null || true)
    version=${version#v}
    echo "${version%%.*}" | grep -E '^[0-9]+$' || echo 0
}

# Say what is happening and how long it took: the first set-up takes two to
# three minutes, and a silent terminal looks like a hang.
STEP_START=$SECONDS
SETUP_START=$SECONDS
step() {
    # step "what" "how long it usually takes"
    STEP_START=$SECONDS
    echo "setup: $1${2:+ (usually $2)}..."
}
step_done() {
    echo "setup:   done in $((SECONDS - STEP_START)) s"
}

apt_candidate_major() {
    # The major version apt would install for a package, or 0.
    local candidate
    candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
    candidate=${candidate#*:}
    echo "${candidate%%.*}" | grep -E '^[0-9]+$' || echo 0
}

# 1. Python first: a machine whose Python is too old is refused before
#    anything is installed on it.
if command -v "$PYTHON" >/dev/null 2>&1 && ! python_ok; then
    echo "setup: jmap needs Python 3.11 or newer; $("$PYTHON" --version 2>&1) found (set PYTHON=python3.12, say)" >&2
    exit 1
fi

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v "$PYTHON" >/dev/null 2>&1 || missing+=(python3)
if command -v "$PYTHON" >/dev/null 2>&1 && ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
    missing+=(python3-venv python3-pip)
fi
want_node=false
if [ "$(node_major)" -lt "$NODE_MAJOR_MIN" ]; then
    want_node=true
fi
if [ ${#missing[@]} -gt 0 ] || $want_node; then
    step "updating the package lists (apt-get update)" "10-30 s"
    "${APT[@]}" update -qq
    step_done
fi
if $want_node; then
    # 2. Node from the distribution only when it is recent enough.
    if [ "$(apt_candidate_major nodejs)" -ge "$NODE_MAJOR_MIN" ]; then
        missing+=(nodejs)
        command -v npm >/dev/null 2>&1 || missing+=(npm)
    else
        echo "setup: no Node.js >= $NODE_MAJOR_MIN here or in apt (candidate: $(apt_candidate_major nodejs));" \
            "going on without it: the Mermaid parser tests will be skipped (install Node $NODE_MAJOR_MIN+ to run them)" >&2
    fi
fi
if [ ${#missing[@]} -gt 0 ]; then
    step "installing ${missing[*]} with apt" "1-2 min on a fresh machine"
    "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    step_done
else
    echo "setup: system packages already installed (Graphviz, Chromium, fonts, poppler, Python venv)"
fi

if ! python_ok; then
    echo "setup: jmap needs Python 3.11 or newer; $("$PYTHON" --version 2>&1) found" >&2
    exit 1
fi

step "creating .venv and installing jmap as a wheel, with the test tools (pytest, ruff, mypy…)" "30-60 s"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
# A wheel install (not editable): the tests and the benchmark run what users get.
.venv/bin/python -m pip install -q --disable-pip-version-check --force-reinstall --no-deps .
.venv/bin/python -m pip install -q --disable-pip-version-check ".[test]"
step_done

if [ -f tools/mermaid/package-lock.json ] && [ "$(node_major)" -ge "$NODE_MAJOR_MIN" ] && command -v npm >/dev/null 2>&1; then
    step "installing the Mermaid parser for the tests (npm ci in tools/mermaid)" "20-60 s"
    (cd tools/mermaid && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    step_done
fi
if [ -f tools/axe/package-lock.json ]; then
    step "installing axe-core for the page's accessibility tests (npm ci in tools/axe)" "5-20 s"
    (cd tools/axe && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    step_done
fi

step "validating and rendering examples/ into out/examples" "5-10 s"
.venv/bin/jmap validate --strict examples
.venv/bin/jmap render examples -f svg,png,html,md,mmd -o out/examples
step_done

# What scripts/test.sh compares to skip this set-up next time.
bash scripts/setup-stamp.sh write
echo "setup: done in $((SECONDS - SETUP_START)) s. Open out/examples/*.html, or run: .venv/bin/jmap --help"

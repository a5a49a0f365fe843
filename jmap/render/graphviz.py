"""Running Graphviz's ``dot`` on DOT text.

The program is spawned directly (list arguments, no shell, the source on
standard input), not through the ``graphviz`` package: importing that package
costs more than the whole rendering budget of a small map, and a direct spawn
leaves nothing in the command line for a map to inject into.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from jmap.errors import RenderError

DOT_FORMATS = ("svg", "png", "pdf")

#: Seconds before a layout is abandoned. Generous: a 5,000-touchpoint map takes
#: well under a minute with the large-map settings of jmap.render.dot.
DOT_TIMEOUT = float(os.environ.get("JMAP_DOT_TIMEOUT", "300"))

MISSING_DOT = (
    "the Graphviz program `dot` is not installed: install it with "
    "`apt-get install graphviz` (Debian/Ubuntu) or `brew install graphviz`"
)

#: The creation date written into every PDF. Cairo from 1.17.6 on takes it
#: from SOURCE_DATE_EPOCH; older ones (Debian 12's 1.16) write the clock, so
#: the date is also rewritten afterwards, to the same instant.
SOURCE_DATE_EPOCH = "0"
_FIXED_DATE = b"19700101000000"
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([-+Z0-9']*)\)")

#: Cairo renderers give crisper PNG and PDF output with real fonts than the
#: core ones; SVG uses the core renderer, whose text stays selectable.
_RENDERERS = {"svg": "svg", "png": "png:cairo", "pdf": "pdf:cairo"}


def run_dot(dot_source: str, fmt: str) -> bytes:
    """``dot_source`` rendered to ``fmt`` (svg, png or pdf) by the ``dot`` program.

    Raises RenderError, with one line a user can act on, when ``dot`` is
    missing, fails, or takes longer than DOT_TIMEOUT seconds.
    """
    if fmt not in _RENDERERS:
        raise RenderError(f"Graphviz cannot render format '{fmt}' (choose from {', '.join(DOT_FORMATS)})")
    program = shutil.which("dot")
    if program is None:
        raise RenderError(MISSING_DOT)
    try:
        completed = subprocess.run(
            [program, f"-T{_RENDERERS[fmt]}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT,
            check=False,
            env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        )
    except FileNotFoundError as exc:  # removed between which() and the spawn
        raise RenderError(MISSING_DOT) from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"Graphviz `dot` took longer than {DOT_TIMEOUT:g} seconds and was stopped") from exc
    except OSError as exc:
        raise RenderError(f"could not run Graphviz `dot`: {exc.strerror or exc}") from exc
    if completed.returncode != 0:
        raise RenderError(f"Graphviz `dot` failed: {_first_line(completed.stderr)}")
    if fmt == "pdf":
        return fixed_pdf_dates(completed.stdout)
    return completed.stdout


def fixed_pdf_dates(pdf: bytes) -> bytes:
    """``pdf`` with its creation and modification dates set to SOURCE_DATE_EPOCH,
    so that the same map gives the same bytes. Each date keeps its length (the
    cross-reference table holds byte offsets): digits of the time zone become
    zeros, its sign '+'."""

    def fixed(match: re.Match[bytes]) -> bytes:
        zone = re.sub(rb"\d", b"0", match.group(3)).replace(b"-", b"+")
        return b"/" + match.group(1) + b" (D:" + _FIXED_DATE + zone + b")"

    return _PDF_DATE.sub(fixed, pdf)


def _first_line(stderr: bytes) -> str:
    """dot's first error line (warnings may come before it), else its first line."""
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith("error"):
            return line
    return lines[0] if lines else "no error message (exit status non-zero)"

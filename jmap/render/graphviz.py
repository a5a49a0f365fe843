"""The one place that talks to Graphviz: ``dot`` on DOT text, and ``dot -V``.

The program is spawned directly (list arguments, no shell, the source on
standard input), not through the ``graphviz`` PyPI package: importing that
package costs more than the whole rendering budget of a small map (so
`jmap render` could not use it), and a direct spawn leaves nothing in the
command line for a map to inject into. jmap therefore does not depend on it.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
import time

from jmap.errors import RenderError
from jmap.render.programs import SOURCE_DATE_EPOCH, finish, fixed_pdf_dates, run_program, seconds_setting, start

# Re-exported: the names under which the tests and the other renderers know them.
__all__ = ["SOURCE_DATE_EPOCH", "fixed_pdf_dates", "seconds_setting"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

#: Seconds before a layout is abandoned, unless JMAP_DOT_TIMEOUT says otherwise.
#: Generous: a 5,000-touchpoint map takes well under a minute with the
#: large-map settings of jmap.render.dot.
DEFAULT_DOT_TIMEOUT = 300.0
_VERSION = re.compile(r"version\s+(\d+(?:\.\d+)*)")


def dot_timeout() -> float:
    """JMAP_DOT_TIMEOUT in seconds, or the default (see :func:`seconds_setting`)."""
    return seconds_setting("JMAP_DOT_TIMEOUT", DEFAULT_DOT_TIMEOUT)


MISSING_DOT = (
    "the Graphviz program `dot` is not installed: install it with "
    "`apt-get install graphviz` (Debian/Ubuntu) or `brew install graphviz`"
)

#: Cairo renderers give crisper PNG and PDF output with real fonts than the
#: core ones; SVG uses the core renderer, whose text stays selectable.
#: "layout" is the graph with dot's positions (``-Tdot``), which jmap adjusts
#: before ``neato -n2`` draws it (see :func:`draw_laid_out`).
_RENDERERS = {"svg": "svg", "png": "png:cairo", "pdf": "pdf:cairo", "layout": "dot"}


class DotJob:
    """A ``dot`` process started on DOT text, running while jmap renders the
    other formats; ``result`` waits for it. Same bytes as a direct run."""

    __slots__ = ("fmt", "process", "started", "timeout")

    def __init__(self, process: subprocess.Popen[bytes], fmt: str, started: float, timeout: float) -> None:
        self.process = process
        self.fmt = fmt
        self.started = started
        self.timeout = timeout

    def remaining(self) -> float:
        """Seconds left of the timeout."""
        return max(0.0, self.timeout - (time.monotonic() - self.started))

    def result(self) -> bytes:
        """The rendered bytes; RenderError if dot failed or ran out of time."""
        remaining = max(0.0, self.timeout - (time.monotonic() - self.started))
        try:
            stdout, stderr = self.process.communicate(timeout=remaining)
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"Graphviz `dot` took longer than {self.timeout:g} seconds and was stopped") from exc
        finally:
            finish(self.process)
        if self.process.returncode != 0:
            raise RenderError(f"Graphviz `dot` failed: {_first_line(stderr)}")
        if self.fmt == "pdf":
            return fixed_pdf_dates(stdout)
        return stdout


def start_dot(dot_source: str, fmt: str) -> DotJob:
    """Start ``dot`` on ``dot_source`` for ``fmt`` (svg, png or pdf) and return
    at once; the caller collects the output with ``DotJob.result``.

    Raises RenderError, with one line a user can act on, when ``dot`` is
    missing or cannot be started, or when JMAP_DOT_TIMEOUT is not a number
    of seconds (see :func:`dot_timeout`).
    """
    timeout = dot_timeout()
    if fmt not in _RENDERERS:
        raise RenderError(f"Graphviz cannot render format '{fmt}' (choose from svg, png, pdf)")
    started = time.monotonic()
    try:
        # "dot" is looked up on PATH by the spawn itself (no shutil.which:
        # shutil's import, with its compression modules, costs a render more).
        process = start(
            ["dot", f"-T{_RENDERERS[fmt]}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        )
    except FileNotFoundError as exc:
        raise RenderError(MISSING_DOT) from exc
    except OSError as exc:
        raise RenderError(f"could not run Graphviz `dot`: {exc.strerror or exc}") from exc
    # A thread feeds the source, so neither side can wait on the other
    # however large the map; DotJob.result reads the output.
    feeder = threading.Thread(target=_feed, args=(process.stdin, dot_source.encode("utf-8")), daemon=True)
    process.stdin = None
    feeder.start()
    return DotJob(process, fmt, started, timeout)


def draw_laid_out(laid_out: bytes, fmt: str, timeout: float) -> bytes:
    """A graph laid out by ``dot -Tdot`` (and adjusted by jmap) drawn to
    ``fmt`` (png or pdf) by ``neato -n2``, which keeps every position and
    spline as given: the same picture ``dot -T{fmt}`` draws, with jmap's
    adjustments. ``timeout`` is what is left of JMAP_DOT_TIMEOUT."""
    drawn = run_program(
        ["neato", "-n2", f"-T{_RENDERERS[fmt]}"],
        name="Graphviz `neato`",
        timeout=timeout,
        missing=MISSING_DOT,
        too_long=f"Graphviz `dot` took longer than {dot_timeout():g} seconds and was stopped",
        why=lambda stderr, _status: _first_line(stderr),
        data=laid_out,
        env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
    )
    return fixed_pdf_dates(drawn) if fmt == "pdf" else drawn


def _feed(pipe: IO[bytes] | None, data: bytes) -> None:
    if pipe is None:
        return
    try:
        pipe.write(data)
    except BrokenPipeError:
        pass  # dot stopped reading: its exit status and message tell why
    finally:
        with contextlib.suppress(BrokenPipeError):
            pipe.close()


def run_dot(dot_source: str, fmt: str) -> bytes:
    """``dot_source`` rendered to ``fmt`` (svg, png or pdf) by the ``dot`` program.

    Raises RenderError, with one line a user can act on, when ``dot`` is
    missing, fails, or takes longer than :func:`dot_timeout` seconds.
    """
    return start_dot(dot_source, fmt).result()


def _first_line(stderr: bytes) -> str:
    """dot's first error line (warnings may come before it), else its first line."""
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith("error"):
            return line
    return lines[0] if lines else "no error message (exit status non-zero)"


def graphviz_version() -> str:
    """Graphviz's version (``2.43.0``), since its layout decides the diagram
    bytes; ``absent`` without ``dot`` and ``unknown`` when it does not say."""
    try:
        completed = subprocess.run(["dot", "-V"], capture_output=True, timeout=60, check=False)
    except FileNotFoundError:
        return "absent"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    # dot prints "dot - graphviz version 2.43.0 (0)" on standard error.
    found = _VERSION.search(completed.stderr.decode("utf-8", "replace") + completed.stdout.decode("utf-8", "replace"))
    return found.group(1) if found else "unknown"

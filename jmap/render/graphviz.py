"""Running Graphviz's ``dot`` on DOT text.

The program is spawned directly (list arguments, no shell, the source on
standard input), not through the ``graphviz`` package: importing that package
costs more than the whole rendering budget of a small map, and a direct spawn
leaves nothing in the command line for a map to inject into.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time

from jmap.errors import RenderError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

DOT_FORMATS = ("svg", "png", "pdf")

#: Seconds before a layout is abandoned. Generous: a 5,000-touchpoint map takes
#: well under a minute with the large-map settings of jmap.render.dot.
DOT_TIMEOUT = float(os.environ.get("JMAP_DOT_TIMEOUT", "300"))

MISSING_DOT = (
    "the Graphviz program `dot` is not installed: install it with "
    "`apt-get install graphviz` (Debian/Ubuntu) or `brew install graphviz`"
)

#: Cairo renderers give crisper PNG and PDF output with real fonts than the
#: core ones; SVG uses the core renderer, whose text stays selectable.
_RENDERERS = {"svg": "svg", "png": "png:cairo", "pdf": "pdf:cairo"}


class DotJob:
    """A ``dot`` process started on DOT text, running while jmap renders the
    other formats; ``result`` waits for it. Same bytes as a direct run."""

    __slots__ = ("fmt", "process", "started")

    def __init__(self, process: subprocess.Popen[bytes], fmt: str, started: float) -> None:
        self.process = process
        self.fmt = fmt
        self.started = started

    def result(self) -> bytes:
        """The rendered bytes; RenderError if dot failed or ran out of time."""
        remaining = max(0.0, DOT_TIMEOUT - (time.monotonic() - self.started))
        try:
            stdout, stderr = self.process.communicate(timeout=remaining)
        except subprocess.TimeoutExpired as exc:
            self.process.kill()
            self.process.communicate()
            raise RenderError(f"Graphviz `dot` took longer than {DOT_TIMEOUT:g} seconds and was stopped") from exc
        if self.process.returncode != 0:
            raise RenderError(f"Graphviz `dot` failed: {_first_line(stderr)}")
        return stdout


def start_dot(dot_source: str, fmt: str) -> DotJob:
    """Start ``dot`` on ``dot_source`` for ``fmt`` (svg, png or pdf) and return
    at once; the caller collects the output with ``DotJob.result``.

    Raises RenderError, with one line a user can act on, when ``dot`` is
    missing or cannot be started.
    """
    if fmt not in _RENDERERS:
        raise RenderError(f"Graphviz cannot render format '{fmt}' (choose from {', '.join(DOT_FORMATS)})")
    program = shutil.which("dot")
    if program is None:
        raise RenderError(MISSING_DOT)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            [program, f"-T{_RENDERERS[fmt]}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError as exc:  # removed between which() and the spawn
        raise RenderError(MISSING_DOT) from exc
    except OSError as exc:
        raise RenderError(f"could not run Graphviz `dot`: {exc.strerror or exc}") from exc
    # A thread feeds the source, so neither side can wait on the other
    # however large the map; DotJob.result reads the output.
    feeder = threading.Thread(target=_feed, args=(process.stdin, dot_source.encode("utf-8")), daemon=True)
    process.stdin = None
    feeder.start()
    return DotJob(process, fmt, started)


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
    missing, fails, or takes longer than DOT_TIMEOUT seconds.
    """
    return start_dot(dot_source, fmt).result()


def _first_line(stderr: bytes) -> str:
    """dot's first error line (warnings may come before it), else its first line."""
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith("error"):
            return line
    return lines[0] if lines else "no error message (exit status non-zero)"

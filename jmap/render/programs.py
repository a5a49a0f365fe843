"""The programs jmap draws with (Graphviz's ``dot`` and ``neato``, a
browser), and what they share: how they are started and stopped, their
timeouts, and the PDF dates made reproducible.

Every program runs in a process group of its own, registered with
jmap.interrupt: a terminal's Ctrl-C reaches jmap alone, which then stops the
whole group (see there why). Arguments are a list, never a shell; every way a
run can fail becomes one RenderError line, never a traceback.

jmap.render.graphviz and jmap.render.browser both build on this module, and
neither imports the other.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
from typing import TYPE_CHECKING

from jmap.errors import RenderError
from jmap.interrupt import adopt, stop
from jmap.text import printable

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

#: The creation date written into every PDF. Cairo from 1.17.6 on takes it
#: from SOURCE_DATE_EPOCH; older ones (Debian 12's 1.16) and Chromium write
#: the clock, so the date is also rewritten afterwards, to the same instant.
SOURCE_DATE_EPOCH = "0"
_FIXED_DATE = b"19700101000000"
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([-+Z0-9']*)\)")


def seconds_setting(name: str, default: float) -> float:
    """The environment variable ``name`` as a number of seconds, or ``default``.

    Read when a program runs, not at import, and a value that is not a positive
    number is the user's mistake: the format fails with one line (exit 1) and
    the other formats are still written; it is never a bug in jmap. Shared by
    ``dot`` (JMAP_DOT_TIMEOUT) and the browser (JMAP_BROWSER_TIMEOUT).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise RenderError(
            f"{name} must be a number of seconds greater than 0, not '{printable(raw)}' "
            f"(unset it for the default of {default:g})"
        )
    return seconds


def fixed_pdf_dates(pdf: bytes) -> bytes:
    """``pdf`` with its creation and modification dates set to SOURCE_DATE_EPOCH,
    so that the same map gives the same bytes. Each date keeps its length (the
    cross-reference table holds byte offsets): digits of the time zone become
    zeros, its sign '+'."""

    def fixed(match: re.Match[bytes]) -> bytes:
        zone = re.sub(rb"\d", b"0", match.group(3)).replace(b"-", b"+")
        return b"/" + match.group(1) + b" (D:" + _FIXED_DATE + zone + b")"

    return _PDF_DATE.sub(fixed, pdf)


def start(command: list[str], **options: object) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(command, **options)`` in a new process group,
    registered so that an interruption stops it; :func:`finish` when done.
    OSError (FileNotFoundError when the program is missing) as Popen raises it."""
    process: subprocess.Popen[bytes] = subprocess.Popen(command, start_new_session=True, **options)  # type: ignore[call-overload]
    adopt(process)
    return process


def finish(process: subprocess.Popen[bytes]) -> None:
    """Forget a program, killing whatever is left of its group: the program
    itself after a timeout, an interruption or an error while talking to it,
    and helpers it started that outlived it (the browser's)."""
    stop(process)


def run_program(
    command: list[str],
    *,
    name: str,
    timeout: float,
    missing: str,
    too_long: str,
    why: Callable[[bytes, int], str],
    data: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """The program's standard output. ``name`` starts the failure messages
    (``{name} failed: …``), ``missing`` is the whole message when it is not
    installed, ``too_long`` when it outlives ``timeout``, and ``why`` picks
    the telling part of its standard error (given its exit status)."""
    try:
        process = start(
            command,
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
    except FileNotFoundError as exc:
        raise RenderError(missing) from exc
    except OSError as exc:
        raise RenderError(f"could not run {name}: {exc.strerror or exc}") from exc
    try:
        stdout, stderr = process.communicate(data, timeout=max(timeout, 0.001))
    except subprocess.TimeoutExpired as exc:
        raise RenderError(too_long) from exc
    finally:
        finish(process)
    if process.returncode != 0:
        raise RenderError(f"{name} failed: {why(stderr, process.returncode)}")
    return stdout

"""Running a program jmap draws with (Graphviz's ``neato``, a browser) to
its end: list arguments, no shell, a timeout, and every way it can fail
turned into one RenderError line, never a traceback."""

from __future__ import annotations

import subprocess

from jmap.errors import RenderError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


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
        completed = subprocess.run(
            command, input=data, capture_output=True, timeout=max(timeout, 0.001), env=env, check=False
        )
    except FileNotFoundError as exc:
        raise RenderError(missing) from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(too_long) from exc
    except OSError as exc:
        raise RenderError(f"could not run {name}: {exc.strerror or exc}") from exc
    if completed.returncode != 0:
        raise RenderError(f"{name} failed: {why(completed.stderr, completed.returncode)}")
    return completed.stdout

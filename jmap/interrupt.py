"""Ctrl-C and SIGTERM that always work, and leave no process behind.

The programs jmap draws with (Graphviz's ``dot`` and ``neato``, the browser)
run in process groups of their own, registered here while they run. A
terminal's Ctrl-C then reaches jmap alone, never them: Graphviz 2.43's ``dot``
sometimes deadlocks in its own SIGINT handler, which used to hang a build for
the whole of JMAP_DOT_TIMEOUT. jmap stops them itself instead, whole groups
at once (the browser has children of its own), with :func:`stop_children`:

- when the interpreter exits (an ``atexit`` hook, registered with the first
  child), which covers `render` and `build` once their KeyboardInterrupt has
  unwound;
- by hand where threads render while the main thread waits: `serve` calls
  :func:`stop_children` as it stops, since Python joins the request threads
  before it runs ``atexit`` hooks.

A closed terminal tab, a process manager or a cancelled CI job sends SIGTERM;
:func:`terminate_as_interrupt` turns it into the same quiet KeyboardInterrupt
as Ctrl-C, with the ``finally`` blocks run (the build's manifest saved, no
temporary file left, the server closed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator

_children: set[subprocess.Popen[bytes]] = set()
_guard = threading.Lock()
_at_exit = False


def adopt(process: subprocess.Popen[bytes]) -> None:
    """Register a child started in its own process group (``start_new_session``),
    to be stopped by :func:`stop_children` unless :func:`release` d first."""
    global _at_exit
    with _guard:
        _children.add(process)
        if not _at_exit:
            import atexit

            atexit.register(stop_children)
            _at_exit = True


def release(process: subprocess.Popen[bytes]) -> None:
    """Forget a child that has ended (or was stopped)."""
    with _guard:
        _children.discard(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a child's whole process group (the browser's helpers too) and reap it."""
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()
    with contextlib.suppress(Exception):
        process.wait(timeout=5)
    release(process)


def stop_children() -> None:
    """Kill every drawing program this process started and is still running.

    Safe to call at any time, from any thread, more than once: `serve` calls
    it when it stops; the build's workers when they are told to stop.
    """
    with _guard:
        running = list(_children)
    for process in running:
        stop(process)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Raise KeyboardInterrupt on SIGTERM while the block runs.

    Only the main thread may set signal handlers: elsewhere (a build called
    from a worker thread) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

"""SIGTERM handled as Ctrl-C, for the commands that run until stopped.

A closed terminal tab, a process manager or a cancelled CI job sends SIGTERM;
`build` and `serve` both want it to end the same quiet way as Ctrl-C, with
their ``finally`` blocks run (the build cache saved, no temporary file left,
the server closed).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


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

"""The build's process pool: maps rendered in parallel, a run that stops at
once when interrupted, and workers that never outlive their build.

Ctrl-C reaches the whole foreground process group (jmap and its workers);
SIGTERM may reach the group or jmap alone. Either way the build, not the
workers, decides: the workers ignore SIGINT, and on SIGTERM (which the build
sends them when it is interrupted) stop their drawing programs (which run in
process groups of their own, out of reach of the terminal's Ctrl-C) and end
at once. The build then reports the maps that did finish, so the manifest
keeps them, and removes what the stopped workers left half-written.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from jmap.interrupt import stop_children

Job = TypeVar("Job")
Result = TypeVar("Result")

#: In a pool worker, the pid of the build that started it.
_parent: int | None = None
#: Seconds the build gives its stopped workers before killing them.
STOP_GRACE = 1.0


def parent_gone() -> bool:
    """In a worker: whether the build that started it has died (where no
    ``PR_SET_PDEATHSIG`` killed the worker with it)."""
    return _parent is not None and os.getppid() != _parent


def run_pool(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    workers: int,
    *,
    lock_fds: tuple[int, ...],
    advance: Callable[[Job], None] | None,
    on_done: Callable[[Job, Result], None],
    on_lost: Callable[[Job], Result],
) -> None:
    """Run ``work`` over ``jobs``; ``on_done`` sees the results in job order
    (so logs read the same whatever ``-j``). ``on_lost`` stands for the result
    of a job whose worker died. ``lock_fds`` are closed in the workers."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            result = work(job)
            if advance:
                advance(job)
            on_done(job, result)
        return
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), initializer=_worker_start, initargs=(os.getpid(), lock_fds)
    )
    futures: list[concurrent.futures.Future[Result]] = []
    reported = 0
    try:
        futures = [pool.submit(work, job) for job in jobs]
        if advance:
            index = {f: job for f, job in zip(futures, jobs, strict=True)}
            for future in concurrent.futures.as_completed(futures):
                advance(index[future])
        for job, future in zip(jobs, futures, strict=True):
            try:
                result = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                result = on_lost(job)
            reported += 1
            on_done(job, result)
    except BaseException:
        # Interrupted: drop the maps not started, stop the running ones (their
        # atomic writes leave at most a temporary file, which the build
        # removes), report every map that did finish (so the manifest keeps
        # it), then let the interruption through.
        _stop(pool)
        for job, future in list(zip(jobs, futures, strict=False))[reported:]:
            if future.done() and not future.cancelled() and future.exception() is None:
                on_done(job, future.result())
        raise
    pool.shutdown(wait=True)


def _stop(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop the pool within about STOP_GRACE seconds, leaving no process."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()
            process.join(1.0)
    with contextlib.suppress(Exception):
        pool.shutdown(wait=True)


def _worker_start(parent: int, lock_fds: tuple[int, ...]) -> None:
    """Set up a pool worker.

    Ctrl-C (sent to the whole process group) is left to the build, which
    stops the pool itself. SIGTERM, from the build or from a supervisor,
    stops this worker's drawing programs and ends it at once.

    A build killed alone (SIGKILL from an OOM killer or a CI supervisor)
    must take its workers with it: they would otherwise wait for ever on the
    task pipe, which they hold open themselves. They close their copy of the
    build lock (with ``fork`` they share it, and would keep it held), ask the
    kernel to kill them when the parent dies, and end at once if it already has.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)
    for fd in lock_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    global _parent
    _parent = parent
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(1)


def _terminated(_signum: int, _frame: object) -> None:
    stop_children()
    os._exit(128 + signal.SIGTERM)


def _die_with_parent() -> None:
    """Linux's ``PR_SET_PDEATHSIG``: SIGKILL this process when its parent dies.
    Elsewhere nothing: the parent-alive check at start is all there is."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    # Without prctl (another libc) the parent-alive checks are all there is.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)

"""``OUT/.jmap-build.lock``: one build at a time into a folder.

A second build into the same OUT waits for the first instead of interleaving
with it; ``--check`` takes a shared lock so it never compares against a
half-finished build.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from jmap.errors import JmapError
from jmap.repo.files import SpecialFile, special_file_at

LOCK_NAME = ".jmap-build.lock"


def held_locks() -> tuple[int, ...]:
    """The file descriptors of the locks this process holds (for the workers to close)."""
    return tuple(sorted(_held_locks))


#: File descriptors of the locks this process holds, which pool workers close
#: as they start: a forked worker would otherwise share the lock, and keep it
#: for as long as it lives.
_held_locks: set[int] = set()


@contextlib.contextmanager
def locked(out: Path, exclusive: bool, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold ``OUT/.jmap-build.lock`` for the whole run.

    A second build into the same OUT waits for the first instead of
    interleaving with it; ``--check`` takes a shared lock so it never compares
    against a half-finished build. It is an ``flock``, which the kernel
    releases when its holder dies (workers close their inherited copy), so no
    lock left by a killed build can block the next run.

    The lock file is opened without following links (a link planted there
    would make jmap create a file at its target), without blocking (a named
    pipe planted there would wait for a writer for ever), and must be a
    regular file. ``--check`` only reads: it opens an existing lock file
    read-only and, when there is none or it cannot be opened (a read-only
    checkout), takes no lock, since no build can be writing there.
    """
    try:
        import fcntl
    except ImportError:  # Windows: atomic writes still protect each file
        yield
        return
    path = out / LOCK_NAME
    flags = os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK
    flags |= os.O_RDWR | os.O_CREAT if exclusive else os.O_RDONLY
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise JmapError(f"{path} is a symbolic link: the build lock must be jmap's own file; remove it") from exc
        special = special_file_at(path)
        if special is not None:
            raise JmapError(f"{path} is {special.kind}: the build lock must be jmap's own file; remove it") from exc
        if not exclusive:
            yield
            return
        raise JmapError(f"cannot create the build lock {path}: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            special = SpecialFile(path, mode)
            raise JmapError(f"{path} is {special.kind}: the build lock must be jmap's own file; remove it")
        lock_mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, lock_mode | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait(f"jmap build: waiting for another build into {out} to finish")
            fcntl.flock(fd, lock_mode)
        _held_locks.add(fd)
        yield
    finally:
        _held_locks.discard(fd)
        os.close(fd)

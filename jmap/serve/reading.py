"""Reading a served map without trusting what stands at its path.

Between two saves anything can take a map's place: a named pipe (reading it
waits for a writer that never comes), a device (``/dev/zero`` never ends, a
tape rewinds when opened), a socket, a folder. ``jmap serve`` must keep
answering whatever happens, so it reads only regular files, and boundedly:
the type is checked before opening, the file is opened without blocking,
the type is checked again on the opened descriptor (the path may have
changed in between), and at most one byte more than a map may hold is read,
within a time limit. Anything else is a problem of the map, shown in its
error panel like any other.
"""

from __future__ import annotations

import os
import stat
import time

from jmap.repo.files import kind_of

#: How long reading one map may take, at most (a map on a network drive that
#: stops answering between two reads).
READ_SECONDS = 5.0
#: Bytes read at once: the time limit is checked between two reads.
CHUNK = 1 << 20

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a pipe or a device must not block the open
    | getattr(os, "O_NOCTTY", 0)  # a terminal must not become ours
    | getattr(os, "O_CLOEXEC", 0)  # `dot` and the browser never inherit it
)


class Unreadable(Exception):
    """The path holds no map that can be read: the message says why, in the
    user's words (``this is a named pipe, not a file``)."""

    def __init__(self, message: str, rule: str = "io") -> None:
        super().__init__(message)
        self.message = message
        #: The rule of the diagnostic (``io`` or ``file-too-large``, as `jmap validate` says).
        self.rule = rule


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise Unreadable(f"this is {kind_of(mode)}, not a file: jmap serve reads maps from regular files only")


def read_regular(path: str, limit: int, seconds: float = READ_SECONDS) -> bytes:
    """The bytes of the regular file at ``path``: at most ``limit`` of them,
    read within ``seconds``. Raises Unreadable otherwise, never blocks on a
    pipe or a device, never reads more than ``limit + 1`` bytes."""
    try:
        _check_regular(os.stat(path).st_mode)
        fd = os.open(path, _FLAGS)
    except Unreadable:
        raise
    except FileNotFoundError:
        raise Unreadable("the file is gone (deleted or renamed)") from None
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        found = os.fstat(fd)
        _check_regular(found.st_mode)  # what was opened, not what was looked at
        if found.st_size > limit:
            raise Unreadable(
                f"the file is {found.st_size:,} bytes; jmap reads maps of at most {limit:,} bytes", "file-too-large"
            )
        deadline = time.monotonic() + seconds
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            try:
                chunk = os.read(fd, min(CHUNK, limit + 1 - total))
            except OSError as exc:
                raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if time.monotonic() > deadline:
                raise Unreadable(f"reading the file took more than {seconds:g} s; it is read again at the next save")
        if total > limit:
            raise Unreadable(f"the file grew past {limit:,} bytes while being read", "file-too-large")
        return b"".join(chunks)
    finally:
        os.close(fd)

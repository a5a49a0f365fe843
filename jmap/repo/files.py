"""Atomic file writes.

Outputs are committed to git and read by CI: a crash or a Ctrl-C in the middle
of a write must leave the previous file intact, never half of a new one. The
data goes to a temporary file in the same folder (same file system, so the
rename is atomic), is flushed to disk, then renamed over the target.

The temporary name is made here rather than with ``tempfile``, whose import
(it pulls in ``random`` and ``hashlib``) costs more than the rest of a small
render; ``O_EXCL`` gives the same guarantee that no other writer shares it.
"""

from __future__ import annotations

import contextlib
import itertools
import os

_counter = itertools.count()


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    target = os.fspath(path)
    folder = os.path.dirname(target) or "."
    os.makedirs(folder, exist_ok=True)
    base = os.path.basename(target)
    while True:
        tmp = os.path.join(folder, f".{base}.{os.getpid()}.{next(_counter)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            continue
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            # A write error (a full disk) names no file: name the target, so
            # that the message says which output could not be written.
            if exc.filename is None or exc.filename == tmp:
                raise OSError(exc.errno, exc.strerror or str(exc), target) from exc
            raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

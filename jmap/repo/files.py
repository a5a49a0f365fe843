"""Files jmap writes, and reading back what it wrote.

Outputs are committed to git and read by CI: a crash or a Ctrl-C in the middle
of a write must leave the previous file intact, never half of a new one. The
data goes to a temporary file in the same folder (same file system, so the
rename is atomic), is flushed to disk, then renamed over the target.

OUT is a folder anyone may have put things in: a folder, a named pipe, a
socket or a device where an output should be is refused with its path (never
replaced, never opened in a way that could block), a symbolic link is never
followed, and a folder that is a link is never written through.

The temporary name is made here rather than with ``tempfile``, whose import
(it pulls in ``random`` and ``hashlib``) costs more than the rest of a small
render; ``O_EXCL`` gives the same guarantee that no other writer shares it.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
from pathlib import Path, PurePosixPath

from jmap.errors import JmapError

_counter = itertools.count()
#: Opened this way, a named pipe or a device answers at once instead of
#: waiting for a writer, and a link is refused (ELOOP) rather than followed.
_READ_FLAGS = os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, in the words of a message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


class SpecialFile(JmapError):
    """Something other than a regular file stands where jmap reads or writes one."""

    def __init__(self, path: str | os.PathLike[str], mode: int) -> None:
        self.path = os.fspath(path)
        self.kind = kind_of(mode)
        super().__init__(f"{self.path} is {self.kind}, not a file jmap wrote: remove it")


def special_file_at(path: str | os.PathLike[str]) -> SpecialFile | None:
    """The refusal for ``path`` when something other than a regular file or a
    symbolic link stands there (a link is replaced by a write, never followed)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return None
    return SpecialFile(path, mode)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` all at once. A special file at ``path`` is
    refused (OSError naming it), and every error names ``path``, never the
    temporary file."""
    target = os.fspath(path)
    special = special_file_at(target)
    if special is not None:
        raise OSError(errno.EEXIST, f"{special.kind} is there, where jmap would write a file; remove it", target)
    folder = os.path.dirname(target) or "."
    os.makedirs(folder, exist_ok=True)
    base = os.path.basename(target)
    while True:
        tmp = os.path.join(folder, f".{base}.{os.getpid()}.{next(_counter)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            # A read-only folder: the user asked for the target, not for our
            # temporary name.
            raise OSError(exc.errno, exc.strerror or str(exc), target) from exc
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


def read_regular(path: str | os.PathLike[str], limit: int | None = None) -> bytes | None:
    """The bytes of the regular file at ``path``; None when there is none (a
    symbolic link counts as none: it is replaced, never read through).

    Never blocks: a named pipe or a device is recognised before anything is
    read from it, and refused (SpecialFile, naming the path). ``limit``
    bounds what is read: a longer file gives ``limit + 1`` bytes, so the
    caller can tell it is too long without reading it all.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None
        special = special_file_at(path)  # a socket cannot be opened at all
        if special is not None:
            raise special from exc
        raise OSError(exc.errno, exc.strerror or str(exc), os.fspath(path)) from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise SpecialFile(path, mode)
        os.set_blocking(handle.fileno(), True)
        return handle.read() if limit is None else handle.read(limit + 1)


def read_or_none(path: str | os.PathLike[str]) -> bytes | None:
    """Like :func:`read_regular`, but a special file is also none: for the
    places that only ask whether jmap's own bytes are still there."""
    try:
        return read_regular(path)
    except SpecialFile:
        return None


def write_output(path: Path, data: bytes) -> None:
    """``atomic_write``, its failure one line naming ``path``."""
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise JmapError(f"cannot write {path}: {exc.strerror or exc}") from exc


# -- keeping to OUT ----------------------------------------------------------------


def is_inside(rel: object) -> bool:
    """Whether ``rel`` is a relative POSIX path without ``.`` or ``..``: a
    path that cannot leave the folder it is relative to."""
    if not isinstance(rel, str) or not rel or "\0" in rel or "\\" in rel:
        return False
    pure = PurePosixPath(rel)
    return not pure.is_absolute() and bool(pure.parts) and not any(part in (".", "..") for part in pure.parts)


def output_path(out: Path, rel: str) -> Path:
    """``OUT/rel``, once it is sure that writing there stays inside OUT.

    ``rel`` must be relative, without ``..``, and no folder between OUT and the
    file may be a symbolic link (``OUT/team -> /etc`` would make the build
    write outside OUT) or something other than a folder. A link at the file
    itself is harmless: the atomic rename replaces the link, not its target.
    """
    if not is_inside(rel):
        raise JmapError(f"refusing to write {rel!r}: outputs stay inside {out}")
    folder = out
    for part in PurePosixPath(rel).parts[:-1]:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            break  # created by the write, as a real folder
        if stat.S_ISLNK(mode):
            raise JmapError(f"{folder} is a symbolic link: jmap writes only into real folders inside {out}")
        if not stat.S_ISDIR(mode):
            raise JmapError(f"{folder} is not a folder")
    return out / rel


def sha256_of(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def file_hash(out: Path, rel: str) -> str | None:
    """The sha256 of the regular file ``OUT/rel``; None when there is none,
    when something else stands there or when the path leaves OUT (a link is
    never followed)."""
    try:
        data = read_or_none(output_path(out, rel))
    except (JmapError, OSError):
        return None
    return None if data is None else sha256_of(data)


def provably_ours(out: Path, rel: str, recorded: str) -> Path | None:
    """``OUT/rel`` when it is a regular file inside OUT whose bytes hash to what
    a build recorded writing there; None otherwise. A crafted or stale manifest
    can then make jmap delete only a file jmap itself wrote."""
    if file_hash(out, rel) != recorded:
        return None
    return out / rel


def remove_leftover_temporaries(out: Path, names: set[str]) -> None:
    """Delete temporary files that a killed build left beside its outputs.

    Only names that our atomic writes create for our own outputs are touched
    (``.NAME.<unique part>.tmp``), and only while holding the exclusive lock,
    so no running build can own them.
    """
    by_dir: dict[Path, set[str]] = {}
    for rel in names:
        try:
            target = output_path(out, rel)
        except JmapError:
            continue  # a folder that is a link: never look, nor delete, through it
        by_dir.setdefault(target.parent, set()).add(target.name)
    for directory, targets in by_dir.items():
        try:
            listing = os.listdir(directory)
        except OSError:
            continue
        for name in listing:
            if not (name.startswith(".") and name.endswith(".tmp")):
                continue
            # ".NAME.<unique part>.tmp": drop dot-separated parts from the end
            # until what is left is one of our outputs (the unique part may
            # itself contain dots).
            candidate = name[1:-4]
            while "." in candidate:
                candidate = candidate.rsplit(".", 1)[0]
                if candidate in targets:
                    with contextlib.suppress(OSError):
                        if stat.S_ISREG(os.lstat(directory / name).st_mode):
                            os.unlink(directory / name)
                    break

"""Noticing saves by polling file stamps.

A watcher library (inotify, FSEvents) would save a few tens of
milliseconds of the preview's latency and add a compiled dependency. Polling
the modification time, size and inode of the map and the template files
every 50 ms costs a few stat calls (well under a millisecond for one map),
needs nothing beyond the standard library, works the same on network drives
and in containers where inotify events get lost, and sees every way editors
save: in place, or a new file renamed over the old one. A large folder is
looked at less often, so that looking never takes more than about a tenth
of one core.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

#: What tells two versions of a file apart without reading it.
Stamp = tuple[int, int, int]

#: Seconds between two looks at the files, at least; and how much longer
#: than one look the pause after it is (so a big folder costs at most ~10%).
POLL_INTERVAL = 0.05
POLL_COST_RATIO = 10


def stamp(path: str) -> Stamp | None:
    """The file's modification time, size and inode; None when it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def files_below(folder: str) -> Iterable[str]:
    """Every regular file below ``folder`` (a templates folder), skipping hidden ones."""
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(parent, name)


class Watcher:
    """Which of the watched files changed, appeared or disappeared since the
    last look. ``listing`` names the files to watch, asked again at every
    look so that a map created in a watched folder is seen too."""

    def __init__(self, listing: Callable[[], Iterable[str]]) -> None:
        self._listing = listing
        #: Seconds the last look took.
        self.cost = 0.0
        self._seen = self._look()

    @property
    def interval(self) -> float:
        """The pause before the next look."""
        return max(POLL_INTERVAL, POLL_COST_RATIO * self.cost)

    def _look(self) -> dict[str, Stamp]:
        start = time.perf_counter()
        seen: dict[str, Stamp] = {}
        for path in self._listing():
            found = stamp(path)
            if found is not None:
                seen[path] = found
        self.cost = time.perf_counter() - start
        return seen

    def poll(self) -> set[str]:
        """The paths whose stamp differs from the previous look."""
        now = self._look()
        before = self._seen
        self._seen = now
        return {p for p in now.keys() | before.keys() if now.get(p) != before.get(p)}

    def changes(self, settle: float = 0.01, max_wait: float = 0.5) -> set[str]:
        """Like ``poll``, but once something changed, wait until the files stop
        changing (at most ``max_wait`` seconds): an editor that writes a file
        in several steps must not show a half-written map as an error. A
        file that is empty or missing is waited for longer (up to
        ``max_wait``), as saving often truncates, or removes, before writing."""
        changed = self.poll()
        deadline = time.monotonic() + max_wait
        while changed and time.monotonic() < deadline:
            time.sleep(settle)
            more = self.poll()
            changed |= more
            if not more and not any(self._in_progress(p) for p in changed):
                break
        return changed

    def _in_progress(self, path: str) -> bool:
        seen = self._seen.get(path)
        return seen is None or seen[1] == 0

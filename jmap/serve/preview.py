"""What `jmap serve` shows, kept current: each map's last good render, its
present problems, and the gallery of a folder.

Every change bumps one sequence number; each map (and the gallery) records
the number of its latest state and of its last good render, so a page can
tell whether it must fetch itself again (a new good render) or only show or
hide the problems of the latest save over what it has.

Reading, validating and rendering happen outside the state's lock: the lock
is held only to decide what to render and to publish what was rendered, a
few microseconds each, so a map of 10,000 touchpoints that takes seconds to
render never holds up the other pages, the event streams or Ctrl-C. One
refresh runs at a time (the watcher's); the server only reads.
"""

from __future__ import annotations

import os
import posixpath
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jmap.errors import RenderError
from jmap.model import JourneyMap
from jmap.render.formats import output_stem
from jmap.serve.inject import head_of
from jmap.text import printable

#: The key of the folder's gallery in the event stream.
GALLERY_KEY = ""


@dataclass(slots=True)
class LiveMap:
    """One map being served. Not frozen: it is the live state the watcher
    updates at every save (under the preview's lock) while the server reads it."""

    source: str
    #: Source path relative to the served folder (the gallery's "path" column).
    rel: str
    #: Output path without extension, relative to the served root (``sub/checkout``).
    key: str
    html: bytes | None = None
    #: ``head_of(html)``, computed once per render rather than per event.
    head: str | None = None
    model: JourneyMap | None = None
    #: The sequence number of the last good render (0: none yet).
    good: int = 0
    #: The sequence number of the latest state (good or not).
    version: int = 0
    ok: bool = False
    problems: tuple[str, ...] = ()
    svg: bytes | None = None
    svg_error: str | None = None
    svg_for: int = -1
    #: The page as served (with the live script) and the ``good`` it was made for.
    served: bytes | None = None
    served_for: int = -1
    #: One drawing of this map's diagram at a time; other maps draw meanwhile.
    drawing: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What reading, validating and rendering one path gave, before it is
    published. ``kind``: ``checked`` (a map, valid or not), ``unreadable``
    (something stands at the path that cannot be read as a map: a pipe, a
    device, a folder…), ``not-map`` (a YAML file of a folder that is not a
    map) or ``gone`` (nothing at the path)."""

    kind: str
    ok: bool = False
    problems: tuple[str, ...] = ()
    page: bytes | None = None
    model: JourneyMap | None = None


def render_page(jm: JourneyMap, templates_dir: Path | None) -> bytes:
    """The map's page exactly as `jmap render -f html` writes it. The one
    place where serve asks for a render: the options of the page (the
    persona, review flags) are given here."""
    from jmap.render.page import render_html

    # serve is the team's preview: review flags on, as `render --review` shows them.
    return render_html(jm, templates_dir=templates_dir, review=True).encode("utf-8")


class Preview:
    """The served maps under one PATH (a map or a folder)."""

    def __init__(self, root: Path, templates_dir: Path | None) -> None:
        self.root = root
        self.folder = root.is_dir()
        self.templates_dir = templates_dir
        self.maps: dict[str, LiveMap] = {}
        #: Maps deleted while served: their pages are told so.
        self._removed: dict[str, LiveMap] = {}
        self.seq = 0
        self.gallery: bytes = b""
        self.gallery_head: str = head_of(b"")
        self.gallery_good = 0
        self.gallery_version = 0
        self.gallery_problems: tuple[str, ...] = ()
        self.stopping = False
        #: Held while reading or changing the state (briefly); notified at each change.
        self.changed = threading.Condition(threading.RLock())
        #: Held for a whole refresh: one at a time.
        self._refreshing = threading.Lock()

    # -- what to watch -------------------------------------------------------

    def watched_files(self) -> list[str]:
        from jmap.repo.discover import yaml_files_below
        from jmap.serve.watch import files_below

        files = list(yaml_files_below(str(self.root))) if self.folder else [str(self.root)]
        if self.templates_dir is not None:
            files.extend(files_below(str(self.templates_dir)))
        return files

    def _is_template(self, path: str) -> bool:
        if self.templates_dir is None:
            return False
        folder = os.path.abspath(self.templates_dir)
        return os.path.abspath(path).startswith(folder + os.sep)

    # -- rendering -----------------------------------------------------------

    def start(self) -> list[str]:
        """Render everything once; the terminal lines to print."""
        if self.folder:
            from jmap.repo.discover import yaml_files_below

            # Regular YAML files only; which of them are maps is decided on
            # the bytes read (safely) by the refresh.
            sources = set(yaml_files_below(str(self.root)))
        else:
            sources = {str(self.root)}
        return self.refresh(sources, everything=True)

    def refresh(self, changed: set[str], everything: bool = False) -> list[str]:
        """Re-render the maps among ``changed`` paths (all of them when a
        template changed); the lines to print in the terminal."""
        with self._refreshing:
            if any(self._is_template(p) for p in changed):
                everything = True
            paths = {p for p in changed if not self._is_template(p)}
            if everything:
                with self.changed:
                    paths |= {live.source for live in self.maps.values()}
            # The slow part, with no lock held: pages and streams go on.
            outcomes = [(path, self._outcome(path)) for path in sorted(paths)]
            lines: list[str] = []
            with self.changed:
                if self.stopping:
                    return lines
                self.seq += 1
                for path, outcome in outcomes:
                    lines.extend(self._publish(path, outcome, self.seq))
                self.changed.notify_all()
            if self.folder:
                self._refresh_gallery()
            return lines

    def _outcome(self, path: str) -> Outcome:
        """Read ``path`` (a regular file only, boundedly), validate it and
        render its page. Touches no shared state."""
        from jmap.format.diagnostics import ERROR, MAX_PROBLEMS, Diagnostic
        from jmap.format.loader import MAX_BYTES
        from jmap.format.validator import load_text
        from jmap.serve.reading import Unreadable, read_regular

        try:
            data = read_regular(path, MAX_BYTES)
        except Unreadable as exc:
            if self.folder and not os.path.lexists(path):
                return Outcome("gone")
            return Outcome("unreadable", problems=(Diagnostic(path, 1, 1, ERROR, exc.message, exc.rule).format(),))
        if self.folder:
            from jmap.repo.discover import is_map_bytes

            if not is_map_bytes(data):
                return Outcome("not-map")
        result = load_text(data, path)
        problems = [d.format() for d in result.diagnostics]
        if result.truncated:
            problems.append(
                printable(f"{path}: stopped after {MAX_PROBLEMS} problems; fix those and save to see the rest")
            )
        if result.map is None or any(d.severity == ERROR for d in result.diagnostics):
            return Outcome("checked", problems=tuple(problems))
        try:
            self._check_templates()
            page = render_page(result.map, self.templates_dir)
        except RenderError as exc:
            return Outcome("checked", problems=(*problems, printable(f"{path}: error: {exc}")))
        return Outcome("checked", ok=True, problems=tuple(problems), page=page, model=result.map)

    def _check_templates(self) -> None:
        """Raise RenderError when a file of the templates folder is not a
        regular file: the template engine would wait on a named pipe, or read
        a device without end, and the preview would follow no more saves."""
        if self.templates_dir is None:
            return
        import stat

        from jmap.repo.files import kind_of
        from jmap.serve.watch import files_below

        for name in files_below(str(self.templates_dir)):
            try:
                mode = os.stat(name).st_mode
            except OSError:
                continue  # gone since listed: the engine says so if it needs it
            if not stat.S_ISREG(mode):
                raise RenderError(f"the template {name} is {kind_of(mode)}, not a file")

    def _publish(self, path: str, outcome: Outcome, seq: int) -> list[str]:
        """Make ``outcome`` the state of ``path``'s map (under the lock); the
        terminal lines it brings."""
        live = next((m for m in self.maps.values() if m.source == path), None)
        if self.folder and (outcome.kind in ("gone", "not-map") or (outcome.kind == "unreadable" and live is None)):
            # A pipe or a folder where no map was is none of serve's business;
            # one where a map was shows in that map's panel (below).
            if live is None:
                return []
            del self.maps[live.key]
            live.version = seq
            live.ok = False
            self._removed[live.key] = live
            return [printable(f"jmap serve: {path} is gone")]
        if live is None:
            base = str(self.root) if self.folder else os.path.dirname(str(self.root))
            rel = Path(os.path.relpath(path, base or ".")).as_posix()
            key = posixpath.join(posixpath.dirname(rel), output_stem(rel))
            if key in self.maps:
                return [printable(f"{path}: error: its page would replace that of {self.maps[key].source}; rename it")]
            live = LiveMap(source=path, rel=rel, key=key)
            self.maps[key] = live
            self._removed.pop(key, None)
        live.version = seq
        live.ok = outcome.ok
        live.problems = outcome.problems
        if outcome.ok:
            live.model = outcome.model
            if outcome.page != live.html:
                live.html = outcome.page
                live.head = head_of(outcome.page) if outcome.page is not None else None
                live.good = seq
        return list(outcome.problems)

    def _refresh_gallery(self) -> None:
        """Render the gallery outside the lock, then publish it."""
        from jmap.render.gallery import render_gallery

        with self.changed:
            entries = self._gallery_entries()
        gallery: bytes | None = None
        problems: tuple[str, ...] = ()
        try:
            self._check_templates()
            gallery = render_gallery(entries, self.templates_dir)
        except RenderError as exc:
            problems = (printable(f"error: the gallery cannot be rendered: {exc}"),)
        with self.changed:
            if self.stopping:
                return
            self.seq += 1
            self.gallery_problems = problems
            self.gallery_version = self.seq
            if gallery is not None and gallery != self.gallery:
                self.gallery = gallery
                self.gallery_head = head_of(gallery)
                self.gallery_good = self.seq
            self.changed.notify_all()

    def _gallery_entries(self) -> list[Any]:
        from jmap.repo.build import GalleryEntry

        entries = []
        for live in self.maps.values():
            jm = live.model
            located = tuple(
                line[len(live.source) + 1 :] for line in live.problems if line.startswith(live.source + ":")
            )
            status = ("warnings" if live.problems else "valid") if live.ok else "invalid"
            # Every map links to its live page, even one that never rendered:
            # that page lists its problems and follows the next saves.
            outputs: tuple[tuple[str, str], ...] = (("html", f"{live.key}.html"),)
            if live.html is not None:
                outputs += (("svg", f"{live.key}.svg"),)
            entries.append(
                GalleryEntry(
                    rel=live.rel,
                    status=status,
                    title=jm.title if jm else None,
                    owner=jm.owner if jm else None,
                    tags=tuple(jm.tags) if jm else (),
                    stages=len(jm.stages) if jm else 0,
                    pain_points=sum(1 for _ in jm.all_pain_points()) if jm else 0,
                    outputs=outputs,
                    diagnostics=located,
                )
            )
        return entries

    def diagram(self, key: str) -> tuple[bytes | None, str | None]:
        """The SVG of the map's last good render, drawn when first asked for
        (``dot`` takes longer than the page, which must not wait for it).

        ``dot`` runs outside the state lock, so saves and pages go on while a
        large diagram is laid out; one drawing of a map at a time (other
        maps draw meanwhile). The bytes are those
        `jmap render -f svg` writes (the same path, faces drawn as shapes).
        """
        from jmap.render.formats import RenderOptions, render_each

        with self.changed:
            live = self.maps.get(key)
            if live is None or live.model is None:
                return None, "the map has not rendered yet"
        with live.drawing:
            with self.changed:
                if live.svg_for == live.good:
                    return live.svg, live.svg_error
                model, good = live.model, live.good
            if model is None:  # pragma: no cover - a model once rendered stays
                return None, "the map has not rendered yet"
            [(_, drawn)] = render_each(model, ("svg",), RenderOptions(review=True))
            svg, error = (None, str(drawn)) if isinstance(drawn, RenderError) else (drawn, None)
            with self.changed:
                if live.good == good:
                    live.svg, live.svg_error, live.svg_for = svg, error, good
            return svg, error

    # -- what the pages are told ---------------------------------------------

    def states(self, since: int = 0) -> list[dict[str, Any]]:
        """The states changed after sequence number ``since``, for the event stream."""
        with self.changed:
            found: list[dict[str, Any]] = []
            if self.folder and self.gallery_version > since:
                found.append(
                    {
                        "key": GALLERY_KEY,
                        "good": self.gallery_good,
                        "head": self.gallery_head,
                        "ok": not self.gallery_problems,
                        "problems": list(self.gallery_problems),
                    }
                )
            for live in [*self.maps.values(), *self._removed.values()]:
                if live.version > since:
                    found.append(
                        {
                            "key": live.key,
                            "good": live.good,
                            "head": live.head,
                            "ok": live.ok,
                            "problems": list(live.problems),
                            "removed": live.key not in self.maps,
                        }
                    )
            return found

    def wait(self, since: int, timeout: float) -> int:
        """Block until the sequence number passes ``since`` (or ``timeout``
        seconds, or the server stops); the present sequence number."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.seq <= since and not self.stopping:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.changed.wait(remaining)
            return self.seq

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

"""What `jmap serve` shows, kept current: each map's last good render, its
present problems, and the gallery of a folder.

Every change bumps one sequence number; each map (and the gallery) records
the number of its latest state and of its last good render, so a page can
tell whether it must fetch itself again (a new good render) or only show or
hide the problems of the latest save over what it has.
"""

from __future__ import annotations

import os
import posixpath
import threading
import time
from dataclasses import dataclass
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
        self.gallery_good = 0
        self.gallery_version = 0
        self.gallery_problems: tuple[str, ...] = ()
        self.stopping = False
        #: Held while reading or changing the state; notified at each change.
        self.changed = threading.Condition(threading.RLock())
        self._drawing = threading.Lock()

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
            from jmap.repo.discover import find_maps

            sources = find_maps([str(self.root)])
        else:
            sources = [str(self.root)]
        return self.refresh(set(sources), everything=True)

    def refresh(self, changed: set[str], everything: bool = False) -> list[str]:
        """Re-render the maps among ``changed`` paths (all of them when a
        template changed); the lines to print in the terminal."""
        if any(self._is_template(p) for p in changed):
            everything = True
        if any(os.path.basename(p) == "jmap-portfolio.yaml" for p in changed):
            # Shared personas and channels: every map may show them.
            everything = True
            changed = {p for p in changed if os.path.basename(p) != "jmap-portfolio.yaml"}
        lines: list[str] = []
        with self.changed:
            self.seq += 1
            seq = self.seq
            todo: list[LiveMap] = []
            if everything:
                todo = list(self.maps.values())
            for path in sorted(p for p in changed if not self._is_template(p)):
                found = self._track(path, seq, lines)
                if found is not None and found not in todo:
                    todo.append(found)
            for live in todo:
                lines.extend(self._render(live, seq))
            if self.folder:
                self._render_gallery(seq)
            self.changed.notify_all()
        return lines

    def _track(self, path: str, seq: int, lines: list[str]) -> LiveMap | None:
        """The served map of ``path``, added if new; None (and the map
        dropped) when the file is gone or is not a map any more."""
        from jmap.repo.discover import is_map_file

        base = str(self.root) if self.folder else os.path.dirname(str(self.root))
        rel = Path(os.path.relpath(path, base or ".")).as_posix()
        key = posixpath.join(posixpath.dirname(rel), output_stem(rel))
        live = next((m for m in self.maps.values() if m.source == path), None)
        if self.folder and not (os.path.isfile(path) and is_map_file(path)):
            if live is not None:
                del self.maps[live.key]
                live.version = seq
                live.ok = False
                self._removed[live.key] = live
                lines.append(printable(f"jmap serve: {path} is gone"))
            return None
        if live is None:
            if key in self.maps:
                lines.append(
                    printable(f"{path}: error: its page would replace that of {self.maps[key].source}; rename it")
                )
                return None
            live = LiveMap(source=path, rel=rel, key=key)
            self.maps[key] = live
            self._removed.pop(key, None)
        return live

    def _render(self, live: LiveMap, seq: int) -> list[str]:
        from jmap.format.diagnostics import MAX_PROBLEMS
        from jmap.format.validator import load_file
        from jmap.render.page import render_html

        result = load_file(live.source)
        problems = [d.format() for d in result.diagnostics]
        if result.truncated:
            problems.append(
                printable(f"{live.source}: stopped after {MAX_PROBLEMS} problems; fix those and save to see the rest")
            )
        live.version = seq
        if result.map is None or any(d.severity == "error" for d in result.diagnostics):
            live.ok = False
            live.problems = tuple(problems)
            return problems
        try:
            page = render_html(result.map, templates_dir=self.templates_dir).encode("utf-8")
        except RenderError as exc:
            live.ok = False
            live.problems = (*problems, printable(f"{live.source}: error: {exc}"))
            return list(live.problems)
        live.ok = True
        live.problems = tuple(problems)
        live.model = result.map
        if page != live.html:
            live.html = page
            live.good = seq
        return problems

    def _render_gallery(self, seq: int) -> None:
        from jmap.render.gallery import render_gallery
        from jmap.repo.build import GalleryEntry
        from jmap.repo.portfolio_build import live_portfolio_page

        # A folder that is a portfolio is served with its portfolio page.
        try:
            page = live_portfolio_page(self.root, list(self.maps.values()), self.templates_dir)
        except RenderError as exc:
            self.gallery_problems = (printable(f"error: the portfolio page cannot be rendered: {exc}"),)
            self.gallery_version = seq
            return
        if page is not None:
            self.gallery_problems = ()
            self.gallery_version = seq
            if page != self.gallery:
                self.gallery = page
                self.gallery_good = seq
            return

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
        try:
            gallery = render_gallery(entries, self.templates_dir)
        except RenderError as exc:
            self.gallery_problems = (printable(f"error: the gallery cannot be rendered: {exc}"),)
            self.gallery_version = seq
            return
        self.gallery_problems = ()
        self.gallery_version = seq
        if gallery != self.gallery:
            self.gallery = gallery
            self.gallery_good = seq

    def diagram(self, key: str) -> tuple[bytes | None, str | None]:
        """The SVG of the map's last good render, drawn when first asked for
        (``dot`` takes longer than the page, which must not wait for it).

        ``dot`` runs outside the state lock, so saves and pages go on while a
        large diagram is laid out; one drawing at a time. The bytes are those
        `jmap render -f svg` writes (the same path, faces drawn as shapes).
        """
        from jmap.render.formats import render_each

        with self._drawing:
            with self.changed:
                live = self.maps.get(key)
                if live is None or live.model is None:
                    return None, "the map has not rendered yet"
                if live.svg_for == live.good:
                    return live.svg, live.svg_error
                model, good = live.model, live.good
            [(_, drawn)] = render_each(model, ("svg",))
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
                        "head": head_of(self.gallery),
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
                            "head": head_of(live.html) if live.html is not None else None,
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

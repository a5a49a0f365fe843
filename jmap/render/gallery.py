"""The gallery of a build: ``OUT/index.html``, one row per map with links to
each of its outputs and what validation said about it.

A page like the map pages: Jinja2 with autoescape, self-contained, no
network; a ``--templates`` folder holding ``build/index.html.j2`` replaces
the shipped one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

from jmap.render.formats import FORMAT_LABELS

#: The statuses a map can have in a build, in the order the gallery counts them.
STATUSES = ("valid", "warnings", "invalid", "failed")


@dataclass(slots=True)
class GalleryEntry:
    """What the gallery shows about one map; kept in the build's manifest so
    an unchanged map needs no parsing at all. Not frozen: the build fills it
    in step by step, so a map that fails half-way still shows what was learnt
    about it."""

    rel: str
    status: str  # one of STATUSES
    title: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    stages: int = 0
    pain_points: int = 0
    outputs: tuple[tuple[str, str], ...] = ()
    #: ``LINE:COL: severity: message [rule]``, without the file name: the
    #: gallery must not depend on how SRC was spelled on the command line.
    diagnostics: tuple[str, ...] = ()
    message: str | None = None


def _gallery_number(value: int) -> str:
    """Counts in the gallery, grouped as its (English) text reads: ``1,200``."""
    from jmap.render.locale import format_number

    return format_number(value, "en")


def render_gallery(entries: list[GalleryEntry], templates_dir: Path | None = None) -> bytes:
    """``OUT/index.html``: one row per map, links relative to OUT."""
    from jmap.render.templating import environment, render
    from jmap.resources import templates_dir as shipped_templates

    search = [str(shipped_templates())]
    if templates_dir is not None and (templates_dir / "build" / "index.html.j2").is_file():
        search.insert(0, str(templates_dir))
    env = environment(tuple(search), (("number", _gallery_number),))
    rows = []
    for entry in sorted(entries, key=lambda e: e.rel):
        links = [
            {"label": FORMAT_LABELS[fmt], "format": fmt, "href": quote(path)}
            for fmt in FORMAT_LABELS
            for f, path in entry.outputs
            if f == fmt
        ]
        rows.append({**asdict(entry), "links": links})
    counts = {status: sum(1 for e in entries if e.status == status) for status in STATUSES}
    page = render(env, "build/index.html.j2", maps=rows, counts=counts, total=len(entries))
    return page.encode("utf-8")

"""The gallery of a build: ``OUT/index.html``, one row per map with links to
each of its outputs and what validation said about it.

A page like the map pages: Jinja2 with autoescape, self-contained, no
network; a ``--templates`` folder holding ``build/index.html.j2`` replaces
the shipped one.
"""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import quote

from jmap.render.formats import FORMAT_LABELS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from jmap.repo.build import GalleryEntry

#: The statuses a map can have in a build, in the order the gallery counts them.
STATUSES = ("valid", "warnings", "invalid", "failed")


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

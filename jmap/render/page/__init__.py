"""The HTML swimlane page: one self-contained file per map.

The page is built in two steps. First a plain *view model* is computed here,
in Python: the columns (one per top-level touchpoint, grouped by stage), the
lanes (doing, thinking, feeling, the emotion curve, time, pain points,
opportunities, backstage, owner, metrics) with only the lanes that hold
something, and the emotion curve as ready-made SVG coordinates. Then Jinja2
templates turn that view model into markup. Keeping every decision and every
number in Python means a user who overrides a template (``--templates DIR``)
restyles the page without re-implementing the journey logic, and the logic is
testable without parsing HTML.

The page is made to be handed to a client: the journey comes first (a compact
header and a persona strip, details after the grid), columns share the width
of the screen, numbers and durations are written in the map's language
(jmap.render.locale). The grid is drawn as parts of whole stages, each no
wider than a sheet of A3, so that nothing is shrunk below 6 pt in print: one
table per part, lined up as one grid on screen, so that each column is drawn
once and the page grows linearly with the map.

The view models are frozen, slotted dataclasses with ``eq=False``: templates
only read them and nothing compares or hashes them, so they skip the
generated ``__eq__`` (identity is enough), which Python compiles for each
class when the module is imported, on every `jmap render`.

Safety: the Jinja2 environment autoescapes every template, whatever its file
name, and map text only ever reaches element content or quoted, escaped
attribute values that are not URLs, styles or event handlers. Links inside the
page use positional anchors (``#tp-3``) generated here, never an id or a name
from the map. The only inline style block is produced from our templates, and
the Content-Security-Policy allows exactly that block by its SHA-256 hash, so
the page runs no script and loads nothing, even if a browser is tricked.
"""

from __future__ import annotations

import gc
import os

from jmap.errors import RenderError
from jmap.model import JourneyMap
from jmap.render.page.builder import build_page
from jmap.render.page.geometry import CURVE_HEIGHT, _num
from jmap.render.page.views import PageView

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CURVE_HEIGHT", "PageView", "build_page", "render_html"]

#: The shipped page templates, found with os.path: `jmap render` does not
#: otherwise need pathlib, whose import costs more than rendering a small map.
SHIPPED_HTML_TEMPLATES = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "templates", "html"
)

PAGE_TEMPLATE = "page.html.j2"
STYLE_TEMPLATE = "style.css.j2"


def _search_path(templates_dir: Path | None) -> tuple[str, ...]:
    """User folder first so that any single template can be replaced; a copy of
    the whole shipped ``templates/`` tree (with its ``html/`` folder) works too."""
    shipped = SHIPPED_HTML_TEMPLATES
    paths: list[Path | str] = []
    if templates_dir is not None:
        if not templates_dir.is_dir():
            raise RenderError(f"templates folder '{templates_dir}' does not exist or is not a folder")
        if (templates_dir / "html").is_dir():
            paths.append(templates_dir / "html")
        paths.append(templates_dir)
    paths.append(shipped)
    return tuple(str(p) for p in paths)


def render_html(
    jm: JourneyMap,
    persona: str | None = None,
    templates_dir: Path | None = None,
    *,
    review: bool = False,
    paper: str = "a3",
) -> str:
    """The self-contained HTML swimlane page of ``jm``.

    ``templates_dir`` is a folder of templates that replace the shipped ones
    of the same name. ``review`` shows the team's review flags (a client page
    leaves them out); ``paper`` is the sheet the page prints on. Template problems become a RenderError naming the file
    and line, never a traceback.

    The garbage collector is paused while the page is built: rendering makes
    many small objects and no cycles worth collecting, and on a large map the
    collector's passes over them took a third of the time.
    """
    from markupsafe import Markup

    from jmap.render.templating import csp_hash, environment
    from jmap.render.templating import render as render_template

    paused = gc.isenabled()
    gc.disable()
    try:
        page = build_page(jm, persona, review=review, paper=paper)
        env = environment(_search_path(templates_dir), (("num", _num),), "fr" if page.lang == "fr" else "en")
        css = render_template(env, STYLE_TEMPLATE, page=page)
        if "</style" in css.lower():
            raise RenderError(f"{STYLE_TEMPLATE} must not contain '</style'")
        # The CSP allows exactly this style block: hashing the exact text that
        # sits between <style> and </style> lets the page drop 'unsafe-inline'.
        return render_template(env, PAGE_TEMPLATE, page=page, css=Markup(css), style_hash=csp_hash(css))
    finally:
        if paused:
            gc.enable()

"""The output formats: their list and defaults, output names, and the choice
among the renderers.

Each format has one renderer module with a pure function from the model to
text; this module only chooses among them and turns text into bytes. The
renderers are imported when a format asks for them, so `jmap validate` never
pays for Jinja2 (it imports this module for the lists alone).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from jmap.errors import RenderError, UsageError
from jmap.model import JourneyMap

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from jmap.render.graphviz import DotJob

#: Every output format, in the order `--help` lists them.
FORMATS = ("svg", "png", "pdf", "dot", "html", "md", "mmd", "page-pdf", "page-png")
#: What `jmap render` writes without -f: what a reader opens.
DEFAULT_FORMATS = ("svg", "html", "md")
#: What `jmap build` writes without -f: also the sources others diff and reuse.
BUILD_FORMATS = ("svg", "html", "md", "mmd", "dot")
#: The formats drawn by Graphviz from the DOT text.
DOT_FORMATS = ("svg", "png", "pdf")
#: The formats printed from the HTML page by a headless browser (jmap.render.browser).
PAGE_FORMATS = ("page-pdf", "page-png")
#: How each format is announced in the build's gallery, in the order links are shown.
FORMAT_LABELS: dict[str, str] = {
    "html": "page",
    "svg": "diagram",
    "png": "diagram (PNG)",
    "pdf": "PDF",
    "md": "summary",
    "mmd": "Mermaid",
    "dot": "DOT",
    "page-pdf": "page (PDF)",
    "page-png": "page (PNG)",
}
#: A format's file name suffix where it is not the format's name.
_SUFFIXES = {"page-pdf": "page.pdf", "page-png": "page.png"}


#: Sheet sizes of page-pdf (``--paper``), ISO 216, landscape: a consultant
#: prints the map on A3 by default and as a poster on A2 or A1.
PAPERS = ("a4", "a3", "a2", "a1")
DEFAULT_PAPER = "a3"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How a map is rendered, the same for every format asked: one value passed
    from the command line down to the renderers instead of loose arguments.

    ``persona`` shows one persona's view; ``templates_dir`` overrides the page's
    templates; ``review`` shows the team's review flags (pain points no
    opportunity addresses, warnings), which a client output leaves out;
    ``paper`` is the sheet of page-pdf.
    """

    persona: str | None = None
    templates_dir: Path | None = None
    review: bool = False
    paper: str = DEFAULT_PAPER

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise UsageError(f"unsupported paper '{self.paper}' (choose from {', '.join(PAPERS)})")


def output_suffix(fmt: str) -> str:
    """``svg`` → ``svg``, ``page-pdf`` → ``page.pdf``: outputs are ``STEM.SUFFIX``."""
    return _SUFFIXES.get(fmt, fmt)


def output_stem(path: str | os.PathLike[str]) -> str:
    """``checkout.yaml`` → ``checkout``: the file name without its final
    ``.yaml``/``.yml`` (in any case), as docs/cli.md says; any other name stays whole.
    `render` and `build` both name their outputs ``STEM.EXT`` with it."""
    name = os.path.basename(os.fspath(path))
    for suffix in (".yaml", ".yml"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def output_conflict(path: str, other: str, output: str) -> str:
    """The message when two maps (or a map and the build's gallery) would
    write the same output: one wording for `render` and `build`."""
    return f"{path} and {other} would both write {output}: rename one of them or render them into different folders"


def parse_formats(text: str) -> tuple[str, ...]:
    """``"svg,html"`` → ``("svg", "html")``, keeping order and dropping repeats."""
    wanted: list[str] = []
    for raw in text.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if name not in FORMATS:
            raise UsageError(f"unsupported format '{raw.strip()}' (choose from {', '.join(FORMATS)})")
        if name not in wanted:
            wanted.append(name)
    if not wanted:
        raise UsageError(f"no format given (choose from {', '.join(FORMATS)})")
    return tuple(wanted)


def check_persona(jm: JourneyMap, persona: str | None) -> None:
    if persona is not None and persona not in {p.id for p in jm.personas}:
        from jmap.format.hints import did_you_mean

        known = [p.id for p in jm.personas]
        raise RenderError(f"unknown persona '{persona}'{did_you_mean(persona, known)}")


def render_each(
    jm: JourneyMap, formats: tuple[str, ...], options: RenderOptions | None = None
) -> Iterator[tuple[str, bytes | RenderError]]:
    """Each requested format of one map, in the order asked.

    A failure of one format (say, `dot` missing for svg) is yielded as a
    RenderError instead of stopping the others, so `-f dot,svg,md` still
    writes what it can. ``dot`` starts first and runs in its own processes
    while the other formats render; the bytes are the same as one at a time.
    """
    options = options or RenderOptions()
    persona = options.persona
    check_persona(jm, persona)
    results: dict[str, bytes | RenderError] = {}
    layout: DotJob | None = None
    wanted_dot = [fmt for fmt in formats if fmt == "dot" or fmt in DOT_FORMATS]
    if wanted_dot:
        # dot runs first, in its own processes, while the other formats render.
        try:
            from jmap.render.diagram import render_dot

            dot_source = render_dot(jm, persona=persona, review=options.review)
        except RenderError as exc:
            results.update(dict.fromkeys(wanted_dot, exc))
        else:
            if "dot" in wanted_dot:
                results["dot"] = dot_source.encode("utf-8")
            drawn = [fmt for fmt in wanted_dot if fmt in DOT_FORMATS]
            if drawn:
                from jmap.render.graphviz import start_dot

                try:
                    # One layout, adjusted once, draws every format (draw_laid_out).
                    layout = start_dot(dot_source, "layout")
                except RenderError as exc:
                    results.update(dict.fromkeys(drawn, exc))
    html: str | None = None
    for fmt in formats:
        if fmt in results or (layout is not None and fmt in DOT_FORMATS):
            continue
        try:
            if fmt == "html" or fmt in PAGE_FORMATS:
                if html is None:
                    from jmap.render.page import render_html

                    html = render_html(
                        jm,
                        persona=persona,
                        templates_dir=options.templates_dir,
                        review=options.review,
                        paper=options.paper,
                    )
                if fmt == "html":
                    results[fmt] = html.encode("utf-8")
                else:
                    from jmap.render.browser import page_pdf, page_png

                    results[fmt] = page_pdf(html, options.paper) if fmt == "page-pdf" else page_png(html)
            elif fmt == "md":
                from jmap.render.markdown import render_md

                results[fmt] = render_md(jm, persona=persona).encode("utf-8")
            elif fmt == "mmd":
                from jmap.mermaid.export import render_mmd

                results[fmt] = render_mmd(jm, persona=persona).encode("utf-8")
            else:
                raise UsageError(f"unsupported format '{fmt}'")
        except RenderError as exc:
            results[fmt] = exc
    laid_out: bytes | RenderError | None = None
    for fmt in formats:
        if layout is not None and fmt in DOT_FORMATS and fmt not in results:
            from jmap.render.diagram import align_laid_out, finish_svg
            from jmap.render.graphviz import draw_laid_out

            try:
                if laid_out is None:
                    laid_out = align_laid_out(layout.result())
                if isinstance(laid_out, RenderError):
                    raise laid_out
                drawn_bytes = draw_laid_out(laid_out, fmt, layout.remaining())
                results[fmt] = finish_svg(drawn_bytes) if fmt == "svg" else drawn_bytes
            except RenderError as exc:
                if laid_out is None:
                    laid_out = exc
                results[fmt] = exc
        yield fmt, results[fmt]


def render_map(jm: JourneyMap, formats: tuple[str, ...], options: RenderOptions | None = None) -> dict[str, bytes]:
    """Every requested format of one map, as bytes; raises the first RenderError."""
    out: dict[str, bytes] = {}
    for fmt, data in render_each(jm, formats, options):
        if isinstance(data, RenderError):
            raise data
        out[fmt] = data
    return out

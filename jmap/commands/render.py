"""`jmap render`: check each map, then write each requested format beside the
others (or one format to standard output)."""

from __future__ import annotations

import os
import sys

from jmap.commands import err
from jmap.errors import RenderError, UsageError
from jmap.format.diagnostics import Diagnostic
from jmap.format.validator import Result, load_file
from jmap.repo.discover import collect_maps

#: The stem of the outputs of a map read from standard input (``render -``).
STDIN_STEM = "stdin"


def render_paths(
    paths: tuple[str, ...],
    *,
    formats: tuple[str, ...],
    output: str,
    persona: str | None,
    templates_dir: str | None,
    strict: bool,
    review: bool = False,
    paper: str = "a3",
) -> int:
    """``jmap render``: 0 when every map is rendered in every format, 1 when
    a map is invalid or an output failed (the others are still written)."""
    from jmap.render.formats import RenderOptions, output_conflict, output_stem, output_suffix, render_each
    from jmap.repo.files import atomic_write

    near: list[Diagnostic] = []
    maps = collect_maps(paths, near)
    for warning in near:
        err(warning.format())
    templates = None
    if templates_dir:
        from pathlib import Path  # only here: its import costs a render a few percent

        templates = Path(templates_dir)
    options = RenderOptions(persona=persona, templates_dir=templates, review=review, paper=paper.lower())
    to_stdout = output == "-"
    if to_stdout and (len(maps) != 1 or len(formats) != 1):
        raise UsageError("-o - writes to standard output: give exactly one map and one format")
    by_stem: dict[str, str] = {}
    for path in maps:
        # A map read from standard input has no file name: its outputs are
        # named after the stream (stdin.svg, stdin.html…).
        stem = STDIN_STEM if path == "-" else output_stem(path)
        if stem in by_stem:
            raise UsageError(output_conflict(path, by_stem[stem], f"{stem}.*"))
        by_stem[stem] = path
    failed = False
    for stem, path in by_stem.items():
        result: Result = load_file(path)
        name = result.file
        for d in result.diagnostics:
            err(d.format())
        if result.map is None or (strict and result.warnings):
            err(f"{name}: not rendered: the map is invalid")
            failed = True
            continue
        try:
            outputs = list(render_each(result.map, formats, options))
        except RenderError as exc:  # an unknown --persona for this map: the other maps go on
            err(f"{name}: error: {exc}")
            failed = True
            continue
        for fmt, data in outputs:
            if isinstance(data, RenderError):
                err(f"{name}: error: cannot render {fmt}: {data}")
                failed = True
                continue
            if to_stdout:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
                continue
            target = os.path.join(output, f"{stem}.{output_suffix(fmt)}")
            atomic_write(target, data)
            err(f"wrote {target}")
    return 1 if failed else 0

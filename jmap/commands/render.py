"""`jmap render`: check each map, then write each requested format beside the
others (or one format to standard output)."""

from __future__ import annotations

import os
import sys

from jmap.commands.validate import collect_maps
from jmap.errors import RenderError, UsageError
from jmap.format.diagnostics import Diagnostic, printable
from jmap.format.validator import Result, load_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


#: The stem of the outputs of a map read from standard input (``render -``).
STDIN_STEM = "stdin"


def _err(line: str) -> None:
    sys.stderr.write(printable(line) + "\n")
    sys.stderr.flush()


def render_paths(
    paths: tuple[str, ...],
    *,
    formats: tuple[str, ...],
    output: str,
    persona: str | None,
    templates_dir: Path | None,
    strict: bool,
) -> int:
    from jmap.render.formats import output_stem, render_each
    from jmap.repo.files import atomic_write

    near: list[Diagnostic] = []
    maps = collect_maps(paths, near)
    for warning in near:
        _err(warning.format())
    to_stdout = output == "-"
    if to_stdout and (len(maps) != 1 or len(formats) != 1):
        raise UsageError("-o - writes to standard output: give exactly one map and one format")
    by_stem: dict[str, str] = {}
    for path in maps:
        # A map read from standard input has no file name: its outputs are
        # named after the stream (stdin.svg, stdin.html…).
        stem = STDIN_STEM if path == "-" else output_stem(path)
        if stem in by_stem:
            raise UsageError(
                f"{by_stem[stem]} and {path} would both write {stem}.*: render them into different folders"
            )
        by_stem[stem] = path
    failed = False
    for stem, path in by_stem.items():
        result: Result = load_file(path)
        name = result.file
        for d in result.diagnostics:
            _err(d.format())
        if result.map is None or (strict and result.warnings):
            _err(f"{name}: not rendered: the map is invalid")
            failed = True
            continue
        try:
            outputs = list(render_each(result.map, formats, persona=persona, templates_dir=templates_dir))
        except RenderError as exc:  # an unknown --persona for this map: the other maps go on
            _err(f"{name}: error: {exc}")
            failed = True
            continue
        for fmt, data in outputs:
            if isinstance(data, RenderError):
                _err(f"{name}: error: cannot render {fmt}: {data}")
                failed = True
                continue
            if to_stdout:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
                continue
            target = os.path.join(output, f"{stem}.{fmt}")
            atomic_write(target, data)
            _err(f"wrote {target}")
    return 1 if failed else 0

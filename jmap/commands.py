"""The work behind the commands, kept out of cli.py so that it is testable
without click and imported only by the command that needs it."""

from __future__ import annotations

import os
import sys

from jmap.checking import collect_maps
from jmap.diagnostics import printable
from jmap.errors import JmapError, RenderError, UsageError
from jmap.validator import Result, load_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


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
    from jmap.fsutil import atomic_write
    from jmap.render import output_stem, render_each

    maps = collect_maps(paths)
    to_stdout = output == "-"
    if to_stdout and (len(maps) != 1 or len(formats) != 1):
        raise UsageError("-o - writes to standard output: give exactly one map and one format")
    by_stem: dict[str, str] = {}
    for path in maps:
        stem = output_stem(path)
        if stem in by_stem:
            raise UsageError(
                f"{by_stem[stem]} and {path} would both write {stem}.*: render them into different folders"
            )
        by_stem[stem] = path
    failed = False
    for stem, path in by_stem.items():
        result: Result = load_file(path)
        for d in result.diagnostics:
            _err(d.format())
        if result.map is None or (strict and result.warnings):
            _err(f"{path}: not rendered: the map is invalid")
            failed = True
            continue
        try:
            outputs = list(render_each(result.map, formats, persona=persona, templates_dir=templates_dir))
        except RenderError as exc:  # an unknown --persona for this map: the other maps go on
            _err(f"{path}: error: {exc}")
            failed = True
            continue
        for fmt, data in outputs:
            if isinstance(data, RenderError):
                _err(f"{path}: error: cannot render {fmt}: {data}")
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


def starter_templates() -> list[str]:
    from jmap.resources import templates_dir

    names = {p.name.split(".")[0] for p in (templates_dir() / "init").glob("*.yaml")}
    return sorted(names)


DEFAULT_SCHEMA_REF = "https://jmap.dev/schema/journey-map-1.json"


def init_map(file: str, *, template: str, lang: str, force: bool, schema_ref: str | None) -> int:
    from jmap.fsutil import atomic_write
    from jmap.resources import templates_dir
    from jmap.suggest import did_you_mean

    source = templates_dir() / "init" / f"{template}.{lang}.yaml"
    if not source.is_file():
        names = starter_templates()
        raise UsageError(
            f"unknown template '{template}'{did_you_mean(template, names)} (choose from {', '.join(names)})"
        )
    text = source.read_text(encoding="utf-8")
    if schema_ref:
        text = text.replace(DEFAULT_SCHEMA_REF, schema_ref, 1)
    data = text.encode("utf-8")
    if file == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    if os.path.isdir(file):
        raise UsageError(f"{file} is a folder: give the path of the map file to write")
    if os.path.exists(file) and not force:
        raise UsageError(f"{file} already exists: choose another name or pass --force to overwrite it")
    atomic_write(file, data)
    _err(f"wrote {file}: check it with `jmap validate {file}` and render it with `jmap render {file}`")
    return 0


def import_mermaid_file(file: str, *, output: str | None, force: bool) -> int:
    from jmap.import_mermaid import import_mermaid

    if file == "-":
        text, name = sys.stdin.read(), "<stdin>"
    else:
        with open(file, "rb") as handle:
            raw = handle.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JmapError(f"{file}: the file is not UTF-8 text") from exc
        name = file
    try:
        yaml_text = import_mermaid(text, name)
    except JmapError as exc:  # already "FILE:LINE:COL: error: … [rule]"
        _err(str(exc))
        return 1
    if output is None or output == "-":
        sys.stdout.write(yaml_text)
        sys.stdout.flush()
        return 0
    if os.path.exists(output) and not force:
        raise UsageError(f"{output} already exists: pass --force to overwrite it")
    from jmap.fsutil import atomic_write

    atomic_write(output, yaml_text.encode("utf-8"))
    _err(f"wrote {output}")
    return 0

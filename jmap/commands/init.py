"""`jmap init`: a starter map that validates, with an editor modeline."""

from __future__ import annotations

import os
import sys

from jmap.commands import err
from jmap.errors import UsageError


def starter_templates() -> list[str]:
    from jmap.resources import templates_dir

    names = {p.name.split(".")[0] for p in (templates_dir() / "init").glob("*.yaml")}
    return sorted(names)


def init_map(
    file: str, *, template: str, lang: str, force: bool, schema_ref: str | None, portfolio: bool = False
) -> int:
    from jmap.format.hints import did_you_mean
    from jmap.format.schema import PORTFOLIO_SCHEMA_ID, SCHEMA_ID
    from jmap.repo.files import atomic_write
    from jmap.resources import templates_dir

    source = templates_dir() / "init" / f"{template}.{lang}.yaml"
    if portfolio:
        # A starter portfolio file (docs/portfolio.md), not a map.
        source = templates_dir() / "portfolio" / f"starter.{lang}.yaml"
        SCHEMA_ID = PORTFOLIO_SCHEMA_ID
    if not source.is_file():
        names = starter_templates()
        raise UsageError(
            f"unknown template '{template}'{did_you_mean(template, names)} (choose from {', '.join(names)})"
        )
    text = source.read_text(encoding="utf-8")
    if schema_ref:
        text = text.replace(SCHEMA_ID, schema_ref, 1)
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
    if portfolio:
        err(f"wrote {file}: the maps in its folder and below now share its personas and channels")
        return 0
    err(f"wrote {file}: check it with `jmap validate {file}` and render it with `jmap render {file}`")
    return 0

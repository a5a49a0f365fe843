"""`jmap validate`: find the maps, check them, print the reports."""

from __future__ import annotations

import sys

from jmap.format.diagnostics import Diagnostic, FileReport
from jmap.format.reporters import REPORTERS
from jmap.format.validator import load_file
from jmap.repo.discover import collect_maps
from jmap.repo.portfolio import across_maps


def validate_paths(paths: tuple[str, ...], *, strict: bool, fmt: str, quiet: bool) -> int:
    near: list[Diagnostic] = []
    maps = collect_maps(paths, near)
    # Maps of a portfolio are then checked across the portfolio (jmap.repo.portfolio).
    reports: list[FileReport] = across_maps(maps, [load_file(path) for path in maps])
    # A file that is almost a map is reported with a warning in its place,
    # never skipped in silence.
    reports += [FileReport(d.file, [d], is_map=False) for d in near]
    lines = list(REPORTERS[fmt](reports, strict))
    if quiet and fmt == "text":
        lines = lines[:-1]
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    return 1 if any(r.failed(strict) for r in reports) else 0

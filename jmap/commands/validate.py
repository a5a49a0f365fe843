"""`jmap validate`: find the maps, check them, print the reports."""

from __future__ import annotations

import sys

from jmap.format.reporters import REPORTERS
from jmap.format.validator import load_file
from jmap.repo.discover import collect_maps


def validate_paths(paths: tuple[str, ...], *, strict: bool, fmt: str, quiet: bool) -> int:
    reports = [load_file(path) for path in collect_maps(paths)]
    lines = list(REPORTERS[fmt](reports, strict))
    if quiet and fmt == "text":
        lines = lines[:-1]
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    return 1 if any(r.failed(strict) for r in reports) else 0

"""`jmap validate`: find the maps, check them, print the reports.

Kept free of click so the fast path in ``entry`` can run it directly.
"""

from __future__ import annotations

import os
import sys

from jmap.errors import UsageError
from jmap.format.diagnostics import REPORTERS
from jmap.format.validator import find_maps, load_file


def collect_maps(paths: tuple[str, ...]) -> list[str]:
    """The maps named, plus those found below the folders named.

    A folder without any map is a usage error: a CI job pointed at the wrong
    folder must not pass by checking nothing.
    """
    found = find_maps(list(paths))
    for raw in paths:
        if os.path.isdir(raw):
            folder = os.path.realpath(raw)
            if not any(os.path.realpath(f).startswith(folder + os.sep) for f in found):
                raise UsageError(f"no journey maps under {raw} (YAML files whose top-level mapping has the key 'jmap')")
    return found


def validate_paths(paths: tuple[str, ...], *, strict: bool, fmt: str, quiet: bool) -> int:
    reports = [load_file(path) for path in collect_maps(paths)]
    lines = list(REPORTERS[fmt](reports, strict))
    if quiet and fmt == "text":
        lines = lines[:-1]
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    return 1 if any(r.failed(strict) for r in reports) else 0

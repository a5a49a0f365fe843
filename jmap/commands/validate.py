"""`jmap validate`: find the maps, check them, print the reports.

Kept free of click so the fast path in ``entry`` can run it directly.
"""

from __future__ import annotations

import os
import sys

from jmap.errors import UsageError
from jmap.format.diagnostics import REPORTERS, Diagnostic, FileReport
from jmap.format.validator import find_maps, load_file


def collect_maps(paths: tuple[str, ...], near_maps: list[Diagnostic] | None = None) -> list[str]:
    """The maps named, plus those found below the folders named.

    A folder without any map is a usage error: a CI job pointed at the wrong
    folder must not pass by checking nothing. Files below a folder that are
    almost maps go to ``near_maps`` (a warning each).
    """
    if paths.count("-") > 1:
        raise UsageError("- (standard input) can be given once")
    found = find_maps(list(paths), near_maps)
    for raw in paths:
        if os.path.isdir(raw):
            folder = os.path.realpath(raw)
            if not any(os.path.realpath(f).startswith(folder + os.sep) for f in found):
                for warning in near_maps or ():
                    sys.stderr.write(warning.format() + "\n")
                raise UsageError(f"no journey maps under {raw} (YAML files whose top-level mapping has the key 'jmap')")
    return found


def validate_paths(paths: tuple[str, ...], *, strict: bool, fmt: str, quiet: bool) -> int:
    near: list[Diagnostic] = []
    reports: list[FileReport] = [load_file(path) for path in collect_maps(paths, near)]
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

"""`jmap diff OLD NEW`: read two versions of a map (files or ``REV:PATH``),
compare them and print the changes.

Exit code 0 when the maps say the same thing, 1 when they differ or one of
them is invalid (like ``diff``).
"""

from __future__ import annotations

import sys

from jmap.commands import err
from jmap.errors import UsageError
from jmap.model import JourneyMap


def diff_paths(old: str, new: str, *, fmt: str) -> int:
    from jmap.format.validator import load_text
    from jmap.repo.diff import diff_maps
    from jmap.repo.diff_report import DIFF_FORMATS, FORMATTERS
    from jmap.repo.git import read_source

    if fmt not in FORMATTERS:
        raise UsageError(f"unsupported diff format '{fmt}' (choose from {', '.join(DIFF_FORMATS)})")
    if old == new == "-":
        raise UsageError("only one of OLD and NEW can be - (standard input)")
    sources = [read_source(old), read_source(new)]
    maps: list[JourneyMap] = []
    invalid = False
    for source in sources:
        result = load_text(source.data, source.name)
        for diagnostic in result.diagnostics:
            if diagnostic.severity == "error" or result.map is None:
                err(diagnostic.format())
        if result.map is None:
            invalid = True
        else:
            maps.append(result.map)
    if invalid:
        err("jmap diff: cannot compare an invalid map")
        return 1
    diff = diff_maps(maps[0], maps[1], sources[0].name, sources[1].name)
    sys.stdout.write(FORMATTERS[fmt](diff))
    sys.stdout.flush()
    return 0 if diff.equal else 1

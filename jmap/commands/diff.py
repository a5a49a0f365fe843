"""`jmap diff OLD NEW`: read two versions of a map (files or ``REV:PATH``),
compare them and print the changes.

Exit code 0 when the maps say the same thing, 1 when they differ or one of
them is invalid (like ``diff``).
"""

from __future__ import annotations

import sys

from jmap.commands import err
from jmap.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from jmap.format.portfolio import Shared
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
    from jmap.repo.portfolio_diff import is_folder_spec

    if is_folder_spec(old) and is_folder_spec(new):
        return _diff_folders(old, new, fmt)
    sources = [read_source(old), read_source(new)]
    maps: list[JourneyMap] = []
    invalid = False
    for spec, source in zip((old, new), sources, strict=True):
        result = load_text(source.data, source.name, portfolio=_portfolio_of(spec))
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


def _portfolio_of(spec: str) -> Shared | None:
    """The shared personas and channels a map version may name: those of the
    portfolio of its path in the working tree (``REV:PATH`` too)."""
    from jmap.format.portfolio import portfolio_for
    from jmap.repo.git import split_rev_path

    if spec == "-":
        return portfolio_for("-")
    import os

    if not os.path.exists(spec) and (parts := split_rev_path(spec)) is not None:
        spec = parts[1]
    return portfolio_for(spec)


def _diff_folders(old: str, new: str, fmt: str) -> int:
    """Two folders (or ``REV:DIR``) of maps: jmap.repo.portfolio_diff."""
    from jmap.repo.portfolio_diff import diff_sides, format_portfolio_diff, read_side

    sides = [read_side(old), read_side(new)]
    for side in sides:
        for line in side.problems:
            err(line)
    diff = diff_sides(*sides)
    sys.stdout.write(format_portfolio_diff(diff, fmt))
    sys.stdout.flush()
    return 0 if diff.equal else 1

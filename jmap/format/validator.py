"""Validation of journey maps: every problem of a file, positioned, in one run.

Three passes over the positioned YAML tree:

1. structure — keys, types, ids, enum values, durations, colours, metrics,
   following the table in ``jmap.format.table``; values are converted as they pass;
2. references — ids unique across the map, channels, personas, ``next``,
   ``addresses`` and per-persona emotions resolve;
3. quality warnings — only when the map has no errors, on the built model.

A map becomes a ``JourneyMap`` only when it has no errors, so renderers never
see an invalid map.
"""

from __future__ import annotations

import gc
import os
import stat
from dataclasses import dataclass, replace

from jmap import model as m
from jmap.format.checker import Checker as _Checker
from jmap.format.checker import TooManyProblems
from jmap.format.diagnostics import ERROR, MAX_PROBLEMS, Diagnostic, FileReport, sort_key
from jmap.format.loader import MAX_BYTES, Scalar, compose_repairing, decode, normalize_newlines
from jmap.format.rule_ids import Rule, RuleId


@dataclass(frozen=True, slots=True)
class Result(FileReport):
    """The outcome of validating one file: its diagnostics and, when it has
    no errors, the map."""

    map: m.JourneyMap | None = None

    @property
    def ok(self) -> bool:
        return self.map is not None


# -- entry points --------------------------------------------------------------


#: How a map read from standard input (the path ``-``) is named in messages.
STDIN_NAME = "<stdin>"


def read_stdin() -> bytes:
    """Standard input's bytes, at most one more than a map may have."""
    import sys

    return sys.stdin.buffer.read(MAX_BYTES + 1)


def load_file(path: str | os.PathLike[str], display: str | None = None) -> Result:
    """Validate the map in ``path`` (``-``: standard input); ``display`` is
    the name used in messages."""
    if os.fspath(path) == "-":
        return load_text(read_stdin(), display or STDIN_NAME)
    name = display if display is not None else str(path)
    try:
        status = os.stat(path)
        if stat.S_ISDIR(status.st_mode):
            return _failed(name, Rule.IO, "this is a folder, not a file")
        if not stat.S_ISREG(status.st_mode):
            # Opening a named pipe would wait for a writer; a device never ends.
            return _failed(
                name, Rule.IO, "this is a named pipe, socket or device, not a file: jmap reads maps from files"
            )
        size = status.st_size
        if size > MAX_BYTES:
            return _failed(
                name, Rule.FILE_TOO_LARGE, f"the file is {size:,} bytes; jmap reads maps of at most {MAX_BYTES:,} bytes"
            )
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        return _failed(name, Rule.IO, "this is a folder, not a file")
    except OSError as exc:
        return _failed(name, Rule.IO, f"cannot read the file: {exc.strerror or exc}")
    return load_text(data, name)


def load_text(data: str | bytes, filename: str = "<map>") -> Result:
    """Validate map text (bytes are decoded as a file's would be)."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            return _failed(filename, Rule.FILE_TOO_LARGE, f"the map is larger than {MAX_BYTES:,} bytes")
        text, problems = decode(data)
        if text is None:
            return Result(filename, [_from_problem(filename, p) for p in problems])
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    text = normalize_newlines(text)
    # The trees built below hold no reference cycles; pausing the cyclic
    # collector avoids its repeated full scans, which made large maps
    # superlinear (about 40% of the time at 10,000 touchpoints).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_text(text, filename)
    finally:
        if collecting:
            gc.enable()


def _check_text(text: str, filename: str) -> Result:
    composed = compose_repairing(text)
    root, problems = composed.root, composed.problems
    diagnostics = [_from_problem(filename, p) for p in problems[:MAX_PROBLEMS]]
    if problems and root is None:
        return Result(filename, diagnostics, truncated=len(problems) > MAX_PROBLEMS)
    if root is None or (isinstance(root, Scalar) and root.value is None):
        diagnostics.append(
            Diagnostic(filename, 1, 1, ERROR, "the file is empty: a journey map starts with 'jmap: 1'", Rule.EMPTY_FILE)
        )
        return Result(filename, diagnostics)
    checker = _Checker(filename, text)
    checker.note = _repair_note(composed.repaired)
    for diagnostic in diagnostics:
        checker.report(diagnostic)
    checker.errors = len(diagnostics)
    try:
        journey = checker.run(root)
    except TooManyProblems:
        journey = None
    checker.count_repeats()
    checker.diagnostics.sort(key=sort_key)
    return Result(filename, checker.diagnostics, map=journey, truncated=checker.truncated)


def _repair_note(lines: tuple[int, ...]) -> str:
    """What the checks of a file read with YAML slips repaired say about it:
    their findings are real, but stand on lines read as repaired."""
    if not lines:
        return ""
    shown = [str(n) for n in lines[:3]]
    if len(lines) > 3:
        shown.append(f"{len(lines) - 3:,} more")
    where = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f" (found after repairing line{'s' if len(lines) > 1 else ''} {where} in memory)"


def _failed(filename: str, rule: RuleId, message: str) -> Result:
    return Result(filename, [Diagnostic(filename, 1, 1, ERROR, message, rule)])


def _from_problem(filename: str, p: Diagnostic) -> Diagnostic:
    return replace(p, file=filename)

"""YAML slips: the usual mistakes behind libyaml's messages, and their repair.

libyaml stops at the first syntax error with a message about its grammar
("mapping values are not allowed here", "did not find expected '-'
indicator"). Authors make a handful of slips — a key without its colon, a
line indented a space or two off, a quote never closed, a tab — whose cause
can be told from the lines around the error. Each is named with its fix, and
the fix, as a ``Repair``, lets the loader read the rest of the file in the
same run (see ``jmap.format.loader.compose_repairing``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jmap.format.decoding import FORBIDDEN, LEADING_TAB
from jmap.format.diagnostics import Diagnostic
from jmap.format.nodes import error_at
from jmap.format.rule_ids import Rule

#: Where libyaml breaks lines (its line numbers count these too).
YAML_LINES = re.compile("[\n\x85\u2028\u2029]")
QUOTES = ("'", '"')
#: A line that reads as a key of its own: ``key:`` then a space or the end.
KEY_LINE = re.compile(r"( *)(?:- +)*([A-Za-z_][\w-]*):(?: |$)")


def key_column(line: str) -> int:
    """Where the key of a line starts: after the indentation and any ``- ``."""
    match = re.match(r"[ ]*(?:-[ ]+)*", line)
    return match.end() if match else 0


def explain_syntax(problem: str, text: str, index: int | None) -> str:
    """Add the likely cause to libyaml's terse messages."""
    char = text[index] if index is not None and 0 <= index < len(text) else ""
    # libyaml stops after the anchor or alias name (`& Co`, `&amp;`): look back
    # over the name to the indicator that started it.
    start = index if index is not None and 0 <= index <= len(text) else 0
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_"):
        start -= 1
    indicator = text[start - 1] if start > 0 else ""
    if "undefined alias" in problem or (char == "*" and "alias" in problem):
        return problem + " (a value starting with '*' is a YAML alias: put the value in quotes)"
    if indicator in ("&", "*") and ("anchor" in problem or "alias" in problem or "alphabetic or numeric" in problem):
        kind = "anchor" if indicator == "&" else "alias"
        return problem + f" (a value starting with '{indicator}' is a YAML {kind}: put the value in quotes)"
    if char in ("&", "*") and ("anchor" in problem or "alias" in problem or "alphabetic or numeric" in problem):
        return problem + f" (a value starting with '{char}' is a YAML anchor or alias: put the value in quotes)"
    if "mapping values are not allowed" in problem:
        return problem + " (a value containing ': ' must be put in quotes)"
    if "cannot start any token" in problem:
        return problem + " (put the value in quotes)"
    if "could not find expected ':'" in problem:
        return problem + " (a key must be followed by ':' and a space)"
    return problem


@dataclass(frozen=True, slots=True)
class Repair:
    """The known fix of a YAML slip, applied in memory to read the rest of the
    file: ``line`` (1-based) becomes ``text``; the change ends at column
    ``at`` (0-based) of the original line and moves what follows by ``delta``
    characters (to put positions back where the user sees them)."""

    line: int
    text: str
    at: int
    delta: int


def continuation_slip(problem: str, text: str, line: int) -> tuple[Diagnostic, Repair] | None:
    """Find the real slip behind "mapping values are not allowed here" (or
    "could not find expected ':'") when the ``key:`` it stopped at is the
    first of its line.

    YAML then read the line as the continuation of a plain value started on
    the line above, and there is the mistake: a key without its colon
    (``- id card-by-post``), or this line indented more than its siblings.
    ``line`` is 0-based.
    """
    if "mapping values are not allowed" not in problem and "could not find expected ':'" not in problem:
        return None
    lines = YAML_LINES.split(text)
    if not 0 < line < len(lines) or KEY_LINE.match(lines[line]) is None:
        return None
    above = line - 1
    while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith("#")):
        above -= 1
    if above < 0:
        return None
    before = lines[above]
    key_col = key_column(before)
    content = before[key_col:].split(" #")[0].rstrip()
    here = len(lines[line]) - len(lines[line].lstrip(" "))
    missing = re.fullmatch(r"([A-Za-z_][\w-]*) +([^:#\s].*)", content)
    if missing and ": " not in content and not content.endswith(":"):
        key, value = missing.groups()
        end = key_col + len(key)
        return error_at(
            above + 1,
            key_col + 1,
            Rule.YAML_MISSING_COLON,
            f"'{key}' is not followed by ':', so YAML reads '{plain_text(content)[:40]}' as text that runs on "
            f"into the next line: write '{key}: {plain_text(value)[:30]}'",
        ), Repair(above + 1, before[:end] + ":" + before[end:], end, 1)
    sibling = re.match(r"([A-Za-z_][\w-]*|\"[^\"]*\"|'[^']*'): +[^\s#&*!|>]", content)
    if sibling and here > key_col and "mapping values are not allowed" in problem:
        extra = here - key_col
        spaces = "space" if extra == 1 else "spaces"
        return error_at(
            line + 1,
            here + 1,
            Rule.YAML_INDENTATION,
            f"this line is indented {extra} {spaces} more than '{plain_text(sibling.group(1))[:40]}' on line "
            f"{above + 1}, so YAML reads it as the rest of that value: indent it by {key_col} spaces, "
            "like the keys beside it",
        ), _reindented(lines[line], line, key_col)
    return None


def _reindented(current: str, line: int, width: int) -> Repair:
    """``current`` (on 0-based ``line``) indented by ``width`` spaces."""
    here = len(current) - len(current.lstrip(" "))
    return Repair(line + 1, " " * width + current[here:], here, width - here)


#: How far too shallow a line may be for jmap to say which keys it belongs with.
_SHALLOW_MAX = 2


def shallow_slip(problem: str, text: str, line: int, col: int) -> tuple[Diagnostic, Repair] | None:
    """A line indented one or two spaces less than the keys it belongs with.

    libyaml then says "did not find expected '-' indicator" (in a list item)
    or "did not find expected key", which names neither the line's real
    problem nor its fix. ``line`` and ``col`` (0-based) are where it stopped:
    the start of the shallow line. The keys it belongs with are the nearest
    ones above whose column is one or two to the right of it.
    """
    if "did not find expected '-' indicator" not in problem and "did not find expected key" not in problem:
        return None
    lines = YAML_LINES.split(text)
    if not 0 < line < len(lines):
        return None
    current = lines[line]
    here = len(current) - len(current.lstrip(" "))
    if col != here or not current.strip() or current.lstrip().startswith("#"):
        return None
    for above in range(line - 1, -1, -1):
        before = lines[above]
        if not before.strip() or before.lstrip().startswith("#"):
            continue
        key_col = key_column(before)
        dash = before.lstrip(" ").startswith("-")
        if key_col <= here or (dash and len(before) - len(before.lstrip(" ")) >= here):
            # A key at this column or left of it, or the dash of a list at
            # it: the line may belong where it is, and the slip is another.
            return None
        if key_col - here > _SHALLOW_MAX:
            continue
        missing = key_col - here
        spaces = "space" if missing == 1 else "spaces"
        sibling = re.match(r"([A-Za-z_][\w-]*|\"[^\"]*\"|'[^']*'):", before[key_col:])
        name = f"'{plain_text(sibling.group(1))[:40]}'" if sibling else "the line"
        return error_at(
            line + 1,
            here + 1,
            Rule.YAML_INDENTATION,
            f"this line is indented {missing} {spaces} less than {name} on line {above + 1}, so YAML cannot "
            f"tell which mapping it belongs to: indent it by {key_col} spaces, like the keys beside it",
        ), _reindented(current, line, key_col)
    return None


def unclosed_quote(text: str, line: int, col: int) -> Repair | None:
    """Close a quote that never ends at the end of the line it opens on
    (``line`` and ``col``, 0-based, are where it opens)."""
    lines = YAML_LINES.split(text)
    if not 0 <= line < len(lines) or col >= len(lines[line]) or lines[line][col] not in QUOTES:
        return None
    opening = lines[line].rstrip()
    if opening.endswith("\\"):
        return None  # the quote added would be escaped
    return Repair(line + 1, opening + lines[line][col], len(opening), 0)


def plain_text(problem: str) -> str:
    return " ".join(problem.split())


def tabs_repaired(text: str) -> tuple[str, dict[int, tuple[int, int]]]:
    """The text with the problems ``precheck`` reported made harmless.

    A control character becomes ``_`` (columns stay put, and no YAML
    indicator appears); tabs in a line's
    indentation become the spaces the neighbouring lines suggest: the key
    column of the line above, two more when that line opens a block. Returns
    the text and, per changed line (1-based), where the change ends and by how
    many characters it moved the rest of the line, to put positions back.
    """
    text = FORBIDDEN.sub("_", text)
    lines = text.split("\n")
    shifts: dict[int, tuple[int, int]] = {}
    previous = ""
    for number, line in enumerate(lines):
        match = LEADING_TAB.match(line)
        if match:
            indent = re.match(r"[ \t]*", line)
            end = indent.end() if indent else 0
            width = key_column(previous)
            if previous.rstrip().endswith(":"):
                width += 2
            lines[number] = " " * width + line[end:]
            shifts[number + 1] = (end, width - end)
        if line.strip() and not line.lstrip().startswith("#"):
            previous = lines[number]
    return "\n".join(lines), shifts


def swallowed_lines(text: str, spans: list[tuple[int, int, int]]) -> list[tuple[Diagnostic, Repair | None]]:
    """An unclosed quote that swallowed the lines after it.

    ``name: "I want…`` followed by ``color: "#e76f51"`` is valid YAML: the
    name runs on to the next quote and the colour is gone without a word. A
    quoted value running over lines that holds ``key:`` at the indentation of
    its own key is almost always this slip, so it is reported at that line,
    with the repair: the quote closed at the end of its line.
    """
    if not spans:
        return []
    lines = YAML_LINES.split(text)
    problems: list[tuple[Diagnostic, Repair | None]] = []
    for line, col, end in spans:
        opening = lines[line] if line < len(lines) else ""
        sibling = key_column(opening)
        for number in range(line + 1, min(end, len(lines) - 1) + 1):
            match = KEY_LINE.match(lines[number])
            if match and len(match.group(1)) == sibling and match.start(2) == sibling:
                quote = opening[col] if col < len(opening) else '"'
                slip = error_at(
                    number + 1,
                    sibling + 1,
                    Rule.YAML_UNCLOSED_QUOTE,
                    f"'{match.group(2)}' is read as part of the text quoted at line {line + 1}, column {col + 1}, "
                    f"whose closing {quote} is missing: close the quote on line {line + 1}",
                )
                problems.append((slip, unclosed_quote(text, line, col)))
                break
    return problems

"""Positioned YAML nodes: what the loader builds and the validator reads.

Each node remembers where it was written (1-based line and column), so every
problem can be reported at ``FILE:LINE:COL``; scalars also keep how they were
written, to explain YAML's implicit typing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from jmap.format.diagnostics import ERROR, Diagnostic
from jmap.format.rule_ids import RuleId

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, BINARY, MERGE, VALUE = (_CORE + t for t in ("timestamp", "binary", "merge", "value"))
SEQ, MAP = _CORE + "seq", _CORE + "map"
#: The tag of a value replaced because of a problem already reported here, so
#: that the validator does not report it a second time ("'name' is empty").
BROKEN = "tag:jmap,2026:broken"


def error_at(line: int, col: int, rule: RuleId, message: str) -> Diagnostic:
    """An error found while reading (line and column are 1-based). The loader
    reads text, not files: the validator names the file (``file`` is empty
    until then)."""
    return Diagnostic("", line, col, ERROR, message, rule)


@dataclass(slots=True, eq=False)
class Node:
    """A place in the file. Not frozen: the composer grows a collection's size
    and children while reading it; compared by identity, as places are."""

    line: int
    col: int
    #: Number of nodes below and including this one, aliases expanded.
    size: int = field(default=1, init=False)
    #: Characters of the scalars below and including this one, aliases expanded.
    chars: int = field(default=0, init=False)


@dataclass(slots=True, eq=False)
class Scalar(Node):
    """A typed scalar that remembers how it was written.

    ``raw`` and ``plain`` let the validator explain YAML's implicit typing:
    ``1:30`` written plain arrives as ``90``, and the message can quote it.
    """

    value: Any
    tag: str
    raw: str
    plain: bool

    def __post_init__(self) -> None:
        self.chars = len(self.raw)


@dataclass(slots=True, eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list, init=False)


@dataclass(slots=True, eq=False)
class Mapping(Node):
    pairs: list[tuple[Node, Node]] = field(default_factory=list, init=False)


# -- positions: where the user sees them -----------------------------------------------


def unshift(root: Node | None, problems: list[Diagnostic], shifts: dict[int, tuple[int, int]]) -> None:
    """Give positions on lines whose tabs were replaced their original columns."""

    def column(line: int, col: int) -> int:
        shift = shifts.get(line)
        if shift is None:
            return col
        end, delta = shift
        return max(1, col - delta) if col > end + delta else min(col, end + 1)

    move_positions(root, problems, lambda line, col: (line, column(line, col)))


def remap_positions(text: str, root: Node | None, problems: list[Diagnostic]) -> None:
    """libyaml also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR,
    which editors, git and GitHub show inside a line: translate its positions
    to LF-only lines. Only files holding those characters pay for this."""
    import bisect

    yaml_starts = [0] + [m.end() for m in re.finditer("[\n\x85\u2028\u2029]", text)]
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def moved(line: int, col: int) -> tuple[int, int]:
        if line - 1 >= len(yaml_starts):
            return line, col
        index = yaml_starts[line - 1] + col - 1
        new_line = bisect.bisect_right(starts, index)
        return new_line, index - starts[new_line - 1] + 1

    move_positions(root, problems, moved)


def move_positions(root: Node | None, problems: list[Diagnostic], moved: Callable[[int, int], tuple[int, int]]) -> None:
    """Give every problem and every node (each once, aliases included) the
    position ``moved`` maps its (line, column) to."""
    # Problems are frozen: each one moved is a copy.
    for i, problem in enumerate(problems):
        line, col = moved(problem.line, problem.col)
        problems[i] = replace(problem, line=line, col=col)
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node.line, node.col = moved(node.line, node.col)
        if isinstance(node, Sequence):
            stack.extend(node.items)
        elif isinstance(node, Mapping):
            for key, value in node.pairs:
                stack.append(key)
                stack.append(value)

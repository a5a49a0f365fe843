"""Positioned YAML nodes: what the loader builds and the validator reads.

Each node remembers where it was written (1-based line and column), so every
problem can be reported at ``FILE:LINE:COL``; scalars also keep how they were
written, to explain YAML's implicit typing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

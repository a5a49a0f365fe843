"""A YAML loader that keeps positions and refuses YAML's dangerous corners.

Why not ``yaml.safe_load``: it forgets where each value came from (errors must
point at ``FILE:LINE:COL``), silently keeps the last of two duplicate keys, and
its C composer recurses once per nesting level, which crashes the interpreter
on a few tens of thousands of brackets. So we read libyaml's *event* stream
(a flat state machine, no recursion) and compose positioned nodes ourselves
with an explicit stack, checking as we go:

* only the YAML core tags; anything else (``!!python/object``…) is refused;
* nesting depth is bounded;
* aliases are resolved to the anchored node without copying, their expanded
  size is bounded (a 600-byte "billion laughs" would otherwise expand to
  gigabytes when walked) and an alias to an unfinished ancestor is refused;
* duplicate keys are detected after YAML's implicit typing, so ``yes:`` and
  ``on:`` (both ``True``) or ``1:`` and ``1.0:`` collide as they would in a
  dict;
* scalars are typed by the same rules as ``safe_load`` (YAML 1.1), but a value
  PyYAML cannot build (an impossible date, a 5,000-digit integer) becomes a
  positioned problem instead of an exception.

Byte-level problems (encoding, control characters, tabs in indentation, size)
are checked before parsing (``jmap.format.decoding``) so that each gets its
own explanation; the YAML slips libyaml stops at are told and repaired by
``jmap.format.slips``; the nodes are those of ``jmap.format.nodes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from jmap.format.decoding import MAX_BYTES, decode, normalize_newlines, position, precheck
from jmap.format.diagnostics import MAX_PROBLEMS, Diagnostic
from jmap.format.nodes import (
    _CORE,
    BINARY,
    BOOL,
    BROKEN,
    FLOAT,
    INT,
    MAP,
    MERGE,
    NULL,
    SEQ,
    STR,
    TIMESTAMP,
    VALUE,
    Mapping,
    Node,
    Scalar,
    Sequence,
    error_at,
    remap_positions,
    unshift,
)
from jmap.format.rule_ids import Rule, RuleId
from jmap.format.slips import (
    QUOTES,
    Repair,
    continuation_slip,
    explain_syntax,
    plain_text,
    shallow_slip,
    swallowed_lines,
    tabs_repaired,
    unclosed_quote,
)

try:  # libyaml is much faster; the pure-Python parser is a fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

__all__ = [
    "BINARY",
    "BOOL",
    "BROKEN",
    "FLOAT",
    "INT",
    "MAP",
    "MAX_BYTES",
    "MERGE",
    "NULL",
    "SEQ",
    "STR",
    "TIMESTAMP",
    "VALUE",
    "Composed",
    "Mapping",
    "Node",
    "Scalar",
    "Sequence",
    "compose",
    "compose_repairing",
    "decode",
    "error_at",
    "normalize_newlines",
    "precheck",
]

MAX_DEPTH = 64
#: Aliases may add at most this many nodes plus as many as the file itself holds.
MIN_ALIAS_BUDGET = 100_000
#: YAML values (scalars, lists, mappings, keys included) one file may hold: far
#: above a real map (a 25,000-touchpoint map holds about 690,000), and what
#: keeps a 16 MiB file of one-character keys from costing a minute to read.
MAX_VALUES = 1_000_000
#: Characters aliases may repeat: as many as the file holds plus
#: EXPANSION_FLOOR, never more than EXPANSION_CEILING. Renderers write every
#: repeated character, so this bounds their time, memory and output too.
EXPANSION_FLOOR = 1_000_000
EXPANSION_CEILING = 16_000_000


def expansion_budget(text_length: int) -> int:
    """The characters aliases may repeat in a file of ``text_length`` characters."""
    return min(EXPANSION_FLOOR + text_length, EXPANSION_CEILING)


class _Constructor(SafeConstructor):
    """SafeConstructor's scalar rules, used one scalar at a time."""


_constructor = _Constructor()
_TYPE_WORDS = {INT: "an integer", FLOAT: "a number", TIMESTAMP: "a date", BINARY: "binary data", BOOL: "a boolean"}
_BUILDERS = {
    INT: _constructor.construct_yaml_int,
    FLOAT: _constructor.construct_yaml_float,
    BOOL: _constructor.construct_yaml_bool,
    NULL: _constructor.construct_yaml_null,
    TIMESTAMP: _constructor.construct_yaml_timestamp,
    BINARY: _constructor.construct_yaml_binary,
}


class _Stop(Exception):
    """Raised when composing must stop: too many problems, or too many values."""


class _Composer:
    """Builds the positioned node tree from libyaml events."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.problems: list[Diagnostic] = []
        self.alias_chars_budget = expansion_budget(len(text))
        self.alias_chars = 0
        #: Composing stopped early: what follows the stop was never read.
        self.stopped = False
        #: Plain scalar text → its YAML 1.1 tag (see ``scalar``).
        self.resolved: dict[str, str] = {}
        self.anchors: dict[str, Node] = {}
        #: anchor name → (line, column) of its definition, while no alias uses it.
        self.unused_anchors: dict[str, tuple[int, int]] = {}
        self.open_anchors: set[str] = set()
        self.real_nodes = 0
        self.alias_spent = 0
        self.bomb_reported = False
        #: (line, column, end line) of each quoted scalar running over lines, 0-based.
        self.spanning_quotes: list[tuple[int, int, int]] = []
        #: The known fix of the YAML slip that stopped parsing, if there is one.
        self.repair: Repair | None = None

    def error(self, mark: Any, rule: RuleId, message: str) -> None:
        self.add(error_at(mark.line + 1, mark.column + 1, rule, message))

    def add(self, problem: Diagnostic) -> None:
        """Record ``problem``; one past MAX_PROBLEMS is kept to say that
        composing stopped there (the validator reports MAX_PROBLEMS)."""
        self.problems.append(problem)
        if len(self.problems) > MAX_PROBLEMS:
            raise _Stop

    def scalar(self, event: yaml.ScalarEvent, loader: Any) -> Scalar:
        mark = event.start_mark
        tag = event.tag
        implicit = event.implicit
        plain = implicit[0] and not event.style
        if event.style in QUOTES and event.end_mark.line != mark.line:
            self.spanning_quotes.append((mark.line, mark.column, event.end_mark.line))
        if tag is None:
            # Quoted scalars are always text; only plain ones need YAML's typing,
            # which depends on the text alone: short texts, which repeat (ids,
            # channels, scores), are typed once.
            if implicit[0]:
                text = event.value
                tag = self.resolved.get(text)
                if tag is None:
                    tag = loader.resolve(yaml.ScalarNode, text, implicit)
                    if len(text) <= 40 and len(self.resolved) < 100_000:
                        self.resolved[text] = tag
            else:
                tag = STR
            if tag == STR:
                return Scalar(mark.line + 1, mark.column + 1, event.value, STR, event.value, plain)
        elif tag == "!":
            tag = STR
        value: Any = event.value
        if tag in (STR, VALUE):
            tag = STR
        elif tag == MERGE:
            self.error(mark, Rule.YAML_MERGE_KEY, "merge keys ('<<') are not supported: write the keys out")
            tag, value = BROKEN, None
        elif tag in _BUILDERS:
            try:
                value = _BUILDERS[tag](yaml.ScalarNode(tag, event.value))
            except Exception as exc:
                reason = plain_text(str(exc)).split(" (")[0][:120] or type(exc).__name__
                what = _TYPE_WORDS.get(tag, tag[len(_CORE) :])
                self.error(mark, Rule.YAML_VALUE, f"YAML cannot read {event.value[:40]!r} as {what}: {reason}")
                tag, value = BROKEN, None
        else:
            self.error(
                mark,
                Rule.YAML_TAG,
                f"unsupported YAML tag '{plain_text(tag)[:60]}': only plain YAML values are allowed",
            )
            tag, value = BROKEN, None
        return Scalar(mark.line + 1, mark.column + 1, value, tag, event.value, plain)

    def _too_deep(self, index: int) -> Diagnostic:
        """libyaml refuses deep flow nesting in its scanner, ahead of the events,
        and at its own limit: compose the text up to there again, so that jmap's
        limit is met at the same place as in shallower files."""
        again = _Composer(self.text[:index])
        again.compose()
        for problem in again.problems:
            if problem.rule == Rule.YAML_TOO_DEEP:
                return problem
        return error_at(1, 1, Rule.YAML_TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels is not allowed")

    def compose(self) -> Node | None:
        loader = _Loader(self.text)
        try:
            return self._compose(loader)
        except _Stop:
            self.stopped = True
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = plain_text(exc.problem or exc.context or "invalid YAML")
            if "maximum nesting depth" in problem and mark is not None:
                self.problems.append(self._too_deep(mark.index))
            elif "end of stream" in problem and exc.context and exc.context_mark is not None:
                # An unclosed quote or bracket: point at where it opened.
                start = exc.context_mark
                what = plain_text(exc.context).removeprefix("while scanning ").removeprefix("a ")
                what = what.replace("quoted scalar", "quoted value")
                self.problems.append(
                    error_at(
                        start.line + 1,
                        start.column + 1,
                        Rule.YAML_SYNTAX,
                        f"this {what} never ends ({problem}): close it, or check the quotes inside it",
                    )
                )
                if "quoted scalar" in exc.context:
                    self.repair = unclosed_quote(self.text, start.line, start.column)
            elif mark is not None and (
                slip := continuation_slip(problem, self.text, mark.line)
                or shallow_slip(problem, self.text, mark.line, mark.column)
            ):
                self.problems.append(slip[0])
                self.repair = slip[1]
            elif mark is not None:
                index = mark.index if isinstance(mark.index, int) else None
                # libyaml counts the index in characters of the decoded text.
                self.problems.append(
                    error_at(
                        mark.line + 1, mark.column + 1, Rule.YAML_SYNTAX, explain_syntax(problem, self.text, index)
                    )
                )
            else:
                self.problems.append(error_at(1, 1, Rule.YAML_SYNTAX, problem))
            return None
        except yaml.YAMLError as exc:
            at = getattr(exc, "position", None)
            line, col = position(self.text, at) if isinstance(at, int) else (1, 1)
            self.problems.append(error_at(line, col, Rule.YAML_SYNTAX, plain_text(str(exc))[:200]))
            return None
        finally:
            loader.dispose()

    def _compose(self, loader: Any) -> Node | None:
        # The hot loop of reading a map: one iteration per YAML event, so it
        # dispatches on the event's class with `is` (scalars first, they are
        # most events) and keeps attribute lookups in locals.
        root: Node | None = None
        #: open collections: (node, anchor, pending key of a mapping)
        stack: list[list[Any]] = []
        documents = 0
        get_event = loader.get_event
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        stream_end, document_start = yaml.StreamEndEvent, yaml.DocumentStartEvent

        while True:
            event = get_event()
            cls = event.__class__
            if cls is scalar_event:
                self.real_nodes += 1
                if self.real_nodes > MAX_VALUES:
                    self.too_many_values(event)
                node: Node = self.scalar(event, loader)
                if event.anchor:
                    self.anchors[event.anchor] = node
                    self.unused_anchors[event.anchor] = (node.line, node.col)
            elif cls is map_end or cls is seq_end:
                frame = stack.pop()
                node = frame[0]
                if frame[1]:
                    self.open_anchors.discard(frame[1])
                if isinstance(node, Mapping):
                    self.check_duplicates(node)
            elif cls is map_start or cls is seq_start:
                self.real_nodes += 1
                if self.real_nodes > MAX_VALUES:
                    self.too_many_values(event)
                mark = event.start_mark
                is_map = cls is map_start
                if event.tag not in (None, "!", MAP if is_map else SEQ):
                    self.error(mark, Rule.YAML_TAG, f"unsupported YAML tag '{plain_text(event.tag)[:60]}'")
                if len(stack) >= MAX_DEPTH:
                    self.error(mark, Rule.YAML_TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels is not allowed")
                    return None
                collection: Node = (
                    Mapping(mark.line + 1, mark.column + 1) if is_map else Sequence(mark.line + 1, mark.column + 1)
                )
                if event.anchor:
                    self.anchors[event.anchor] = collection
                    self.open_anchors.add(event.anchor)
                    self.unused_anchors[event.anchor] = (collection.line, collection.col)
                stack.append([collection, event.anchor, None])
                continue
            elif cls is alias_event:
                node = self.alias(event)
            elif cls is document_start:
                documents += 1
                if documents > 1:
                    self.error(
                        event.start_mark,
                        Rule.YAML_MULTIPLE_DOCUMENTS,
                        "a map file holds one YAML document: remove the second '---' or split the file",
                    )
                    break
                continue
            elif event is None or cls is stream_end:
                break
            else:  # stream start, document end
                continue
            # Attach the finished node to its parent.
            if not stack:
                root = node
                continue
            frame = stack[-1]
            parent = frame[0]
            parent.size += node.size
            parent.chars += node.chars
            if parent.__class__ is Sequence:
                parent.items.append(node)
            elif frame[2] is None:
                frame[2] = node
            else:
                parent.pairs.append((frame[2], node))
                frame[2] = None
        return root

    def too_many_values(self, event: Any) -> None:
        self.error(
            event.start_mark,
            Rule.FILE_TOO_LARGE,
            f"the file holds more than {MAX_VALUES:,} YAML values; jmap reads maps of at most "
            f"{MAX_VALUES:,} (split the journey into several maps)",
        )
        raise _Stop

    def alias(self, event: yaml.AliasEvent) -> Node:
        mark = event.start_mark
        line, col = mark.line + 1, mark.column + 1
        anchor = event.anchor
        target = self.anchors.get(anchor)
        self.unused_anchors.pop(anchor, None)
        if target is None:
            self.error(
                mark,
                Rule.YAML_ALIAS,
                f"alias '*{anchor}' refers to no anchor (a value starting with '*' is a YAML alias: put it in quotes)",
            )
            return Scalar(line, col, None, BROKEN, "", True)
        if anchor in self.open_anchors:
            self.error(
                mark, Rule.YAML_ALIAS, f"alias '*{anchor}' refers to a value that contains it (a recursive alias)"
            )
            return Scalar(line, col, None, BROKEN, "", True)
        self.alias_spent += target.size
        self.alias_chars += target.chars
        if self.alias_spent > MIN_ALIAS_BUDGET + self.real_nodes:
            self.bomb(
                mark,
                f"aliases expand this file beyond {MIN_ALIAS_BUDGET:,} values (an alias bomb?): "
                "write the values out instead of repeating aliases",
            )
            return Scalar(line, col, None, BROKEN, "", True)
        if self.alias_chars > self.alias_chars_budget:
            self.bomb(
                mark,
                f"aliases repeat more than {self.alias_chars_budget:,} characters in this file (an alias bomb?): "
                f"a file may repeat as many characters as it holds plus {EXPANSION_FLOOR:,}, "
                f"at most {EXPANSION_CEILING:,}; write the values out instead of repeating aliases",
            )
            return Scalar(line, col, None, BROKEN, "", True)
        return target

    def bomb(self, mark: Any, message: str) -> None:
        """Report the first alias past a budget; the ones after it are refused
        silently (one alias bomb is one problem, not thousands)."""
        if not self.bomb_reported:
            self.bomb_reported = True
            self.error(mark, Rule.YAML_ALIAS, message)

    def check_duplicates(self, mapping: Mapping) -> None:
        seen: dict[Any, Node] = {}
        for key, _ in mapping.pairs:
            if not isinstance(key, Scalar):
                continue
            try:
                marker = (key.value.__class__ is str, key.value)
                if isinstance(key.value, bool | int | float):
                    marker = (False, key.value)
                hash(marker)
            except TypeError:
                continue
            first = seen.get(marker)
            if first is None:
                seen[marker] = key
                continue
            assert isinstance(first, Scalar)
            if first.raw == key.raw:
                message = f"duplicate key '{plain_text(key.raw)[:60]}' (first at line {first.line}): YAML would keep only the last one"
            else:
                message = (
                    f"duplicate key '{plain_text(key.raw)[:60]}': YAML reads it as {key.value!r}, the same as "
                    f"'{plain_text(first.raw)[:60]}' at line {first.line}; put keys in quotes to keep them as text"
                )
            self.add(error_at(key.line, key.col, Rule.YAML_DUPLICATE_KEY, message))


YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")


def compose(text: str) -> tuple[Node | None, list[Diagnostic]]:
    """Parse one YAML document into positioned nodes, collecting problems.

    Never raises for any input text. Line ends should be LF
    (see ``normalize_newlines``).
    """
    composed = compose_repairing(text)
    return composed.root, composed.problems


@dataclass(frozen=True, slots=True)
class Composed:
    """What reading a file gave: its nodes (None when YAML could not be
    read), the problems found, and the lines (1-based) read as repaired."""

    root: Node | None
    problems: list[Diagnostic]
    repaired: tuple[int, ...] = ()


#: YAML slips repaired in memory in one file: a block of lines shifted by a
#: space is one repair per line, each a new parse of the whole file.
MAX_REPAIRS = 20
#: Characters the repairs of one file may read again in all: a 40 KB map
#: gets its MAX_REPAIRS, a 1 MB one 4, a 16 MB one none (the cost of reading
#: a file stays a small multiple of its size, whatever it holds).
REPAIR_BUDGET = 4_000_000


def compose_repairing(text: str) -> Composed:
    """``compose``, going on after the YAML slips whose fix is known.

    A tab in the indentation, a key without its colon, a line indented one
    or two spaces off, a quote that never closes or swallows the next key:
    each is reported where it is, then fixed in memory (the file is never
    changed) and the text parsed again, so that the rest of the file, and
    the meaning of the whole map, are checked in the same run. Positions
    stay those of the file as written; the repairs re-read at most
    REPAIR_BUDGET characters in all.
    """
    early = precheck(text)
    shifts: dict[int, tuple[int, int]] = {}
    if early:
        # Reported already; parse a repaired copy so that the file's other
        # problems come in the same run (a tab must not hide a misspelt key).
        text, shifts = tabs_repaired(text)
    repaired = set(shifts)
    slips: list[Diagnostic] = []
    rounds = 0 if YAML_ONLY_BREAKS.search(text) else min(MAX_REPAIRS, REPAIR_BUDGET // max(len(text), 1))
    while True:
        composer = _Composer(text)
        root = composer.compose()
        found: list[tuple[Diagnostic, Repair | None]]
        if root is None:
            found = [(composer.problems[-1], composer.repair)] if composer.repair is not None else []
        else:
            # Valid YAML may still hold a quote that swallowed the next lines.
            found = swallowed_lines(text, composer.spanning_quotes)
        fixes = [(slip, repair) for slip, repair in found if repair is not None and repair.line not in shifts]
        if not fixes or rounds == 0 or len(fixes) < len(found):
            break
        # Each slip is reported where it is in the file as written (a line
        # is repaired at most once); the next round finds again everything
        # before it.
        if root is None:
            composer.problems.pop()
        rounds -= 1
        lines = text.split("\n")
        for slip, repair in fixes:
            slips.append(slip)
            lines[repair.line - 1] = repair.text
            shifts[repair.line] = (repair.at, repair.delta)
            repaired.add(repair.line)
        text = "\n".join(lines)
    problems = composer.problems
    if root is not None:
        problems.extend(slip for slip, _ in swallowed_lines(text, composer.spanning_quotes))
    # After an early stop, an anchor may well be used further down.
    unused = {} if composer.stopped else composer.unused_anchors
    for anchor, (line, col) in unused.items():
        if len(problems) > MAX_PROBLEMS:
            break
        problems.append(
            error_at(
                line,
                col,
                Rule.YAML_ANCHOR,
                f"'&{anchor}' makes YAML read this value as an anchor named '{anchor}', not as text "
                "(a value starting with '&' must be put in quotes)",
            )
        )
    # libyaml's positions → editors' lines, then the columns of the original
    # text on lines whose tabs were replaced; precheck's are already right.
    if YAML_ONLY_BREAKS.search(text):
        remap_positions(text, root, problems)
    if shifts:
        unshift(root, problems, shifts)
    if early or slips:
        reported = {(p.line, p.rule) for p in early + slips}
        problems = early + slips + [p for p in problems if (p.line, p.rule) not in reported]
    problems.sort(key=lambda p: (p.line, p.col))
    return Composed(root, problems, tuple(sorted(repaired)))

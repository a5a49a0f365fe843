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
import math
import os
import re
from dataclasses import dataclass, field, replace

from jmap import model as m
from jmap.format.diagnostics import ERROR, MAX_PROBLEMS, WARNING, Diagnostic, FileReport, sort_key
from jmap.format.hints import closest, did_you_mean
from jmap.format.loader import (
    BOOL,
    BROKEN,
    FLOAT,
    INT,
    MAX_BYTES,
    STR,
    TIMESTAMP,
    Mapping,
    Node,
    Scalar,
    Sequence,
    compose,
    decode,
    normalize_newlines,
)
from jmap.format.table import (
    COLOR_PATTERN,
    DATE_PATTERN,
    DURATION_PATTERN,
    DURATION_UNITS_ORDER,
    ENTITIES,
    ENTITY_NAMES,
    EXTENSION_PREFIX,
    ID_PATTERN,
    MAX_SUB_DEPTH,
    PERCENT_PATTERN,
    Field,
    slugify,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from jmap.format.portfolio import Shared

_ID_RE = re.compile(ID_PATTERN)
_COLOR_RE = re.compile(COLOR_PATTERN)
_PERCENT_RE = re.compile(PERCENT_PATTERN)
_DURATION_RE = re.compile(DURATION_PATTERN)
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([a-z]+)")
_DATE_RE = re.compile(DATE_PATTERN)
_INVALID = object()
#: ``load_file``'s default: the map's portfolio is found by walking up from its folder.
AUTO = "auto"


@dataclass(frozen=True, slots=True)
class Link:
    """A place in a map that other maps of its portfolio must agree with
    (checked by jmap.format.crossmap): ``kind`` is ``id`` (the map's own id),
    ``reviewed``, ``details`` (a map id) or ``address`` (``MAP/PAIN-ID``)."""

    kind: str
    value: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Result(FileReport):
    """The outcome of validating one file: its diagnostics and, when it has
    no errors, the map."""

    map: m.JourneyMap | None = None
    #: Where the map refers to its portfolio (see Link), for the cross-map checks.
    links: tuple[Link, ...] = ()

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


def load_file(path: str | os.PathLike[str], display: str | None = None, *, portfolio: Any = AUTO) -> Result:
    """Validate the map in ``path`` (``-``: standard input); ``display`` is
    the name used in messages. ``portfolio``: the Shared personas and
    channels its ids may name; by default the portfolio found by walking up
    from the map's folder (``--portfolio``/``--no-portfolio`` choose otherwise)."""
    if portfolio == AUTO:
        from jmap.format.portfolio import portfolio_for

        portfolio = portfolio_for(path)
    if os.fspath(path) == "-":
        return load_text(read_stdin(), display or STDIN_NAME, portfolio=portfolio)
    name = display if display is not None else str(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            return _failed(
                name, "file-too-large", f"the file is {size:,} bytes; jmap reads maps of at most {MAX_BYTES:,} bytes"
            )
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        return _failed(name, "io", "this is a folder, not a file")
    except OSError as exc:
        return _failed(name, "io", f"cannot read the file: {exc.strerror or exc}")
    return load_text(data, name, portfolio=portfolio)


def load_text(data: str | bytes, filename: str = "<map>", *, portfolio: Shared | None = None) -> Result:
    """Validate map text (bytes are decoded as a file's would be)."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            return _failed(filename, "file-too-large", f"the map is larger than {MAX_BYTES:,} bytes")
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
        return _check_text(text, filename, portfolio)
    finally:
        if collecting:
            gc.enable()


def _check_text(text: str, filename: str, portfolio: Shared | None = None) -> Result:
    root, problems = compose(text)
    diagnostics = [_from_problem(filename, p) for p in problems[:MAX_PROBLEMS]]
    if problems and root is None:
        return Result(filename, diagnostics, truncated=len(problems) > MAX_PROBLEMS)
    if root is None or (isinstance(root, Scalar) and root.value is None):
        diagnostics.append(
            Diagnostic(filename, 1, 1, ERROR, "the file is empty: a journey map starts with 'jmap: 1'", "empty-file")
        )
        return Result(filename, diagnostics)
    checker = _Checker(filename, text)
    checker.shared = portfolio
    for diagnostic in diagnostics:
        checker.report(diagnostic)
    checker.errors = len(diagnostics)
    if portfolio is not None and portfolio.broken:
        checker.errors += 1
        checker.report(
            Diagnostic(
                filename,
                1,
                1,
                ERROR,
                f"its portfolio {portfolio.file} has errors (run `jmap validate {portfolio.file}`)",
                "invalid-portfolio",
            )
        )
    try:
        journey = checker.run(root)
    except _TooManyProblems:
        journey = None
    checker.count_repeats()
    checker.diagnostics.sort(key=sort_key)
    return Result(filename, checker.diagnostics, map=journey, truncated=checker.truncated, links=tuple(checker.links))


def _integral(node: Scalar) -> bool:
    """An integer, or a float with no fraction (``1.0``): JSON Schema's
    ``integer`` accepts both, and the validator agrees with the schema."""
    if node.tag == INT:
        return True
    return node.tag == FLOAT and math.isfinite(node.value) and node.value == int(node.value)


def _failed(filename: str, rule: str, message: str) -> Result:
    return Result(filename, [Diagnostic(filename, 1, 1, ERROR, message, rule)])


def _from_problem(filename: str, p: Diagnostic) -> Diagnostic:
    return replace(p, file=filename)


# -- helpers for messages --------------------------------------------------------


def _describe(node: Node) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    assert isinstance(node, Scalar)
    if node.value is None:
        return "an empty value"
    if node.tag == BOOL:
        return f"the boolean {str(node.value).lower()}"
    if node.tag in (INT, FLOAT):
        return f"the number {node.value!r}"
    if node.tag == TIMESTAMP:
        return "a date"
    if node.tag == STR:
        return "text"
    return "a value"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _exact(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters but otherwise as typed: an id that
    differs from a valid one only by an invisible character (``"start\\n"``)
    must show that character (reporters print it as an escape)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


# -- the checker ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entity:
    """An entity's converted values, with the nodes they came from (filled in
    key by key as the checker reads them)."""

    kind: str
    node: Mapping
    values: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    #: An error was reported inside it: quality warnings about it would
    #: only repeat that error in other words.
    damaged: bool = False

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key, default)
        return default if value is _INVALID else value


class _TooManyProblems(Exception):
    """Stops the checks of a file once MAX_PROBLEMS problems are reported."""


class _Checker:
    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self._lines: list[str] | None = None
        self.diagnostics: list[Diagnostic] = []
        #: How many times each reported diagnostic was found: a value repeated
        #: by aliases is checked at each use, but reported once, with a count.
        self.found: dict[Diagnostic, int] = {}
        #: Problems were left unreported once MAX_PROBLEMS were.
        self.truncated = False
        self.errors = 0
        #: id → (entity kind, node of the id value), in document order.
        self.ids: dict[str, tuple[str, Node]] = {}
        #: (expected kind, id, node, entity the reference sits in)
        self.refs: list[tuple[str, str, Node, _Entity]] = []
        #: How many candidate ids "did you mean" may still compare: a map with
        #: thousands of misspelt references must not take quadratic time.
        self.suggestion_budget = 20_000
        #: The portfolio's shared personas and channels, if the map has one.
        self.shared: Shared | None = None
        #: Places other maps of the portfolio must agree with.
        self.links: list[Link] = []
        #: Shared persona ids the map follows, in its order, and shared
        #: channel ids its touchpoints name.
        self.shared_personas: list[str] = []
        self.shared_channels: dict[str, None] = {}

    # -- reporting ---------------------------------------------------------------

    def error(self, node: Node, rule: str, message: str) -> None:
        self.errors += 1
        if node.__class__ is Scalar and node.tag == BROKEN:
            return  # the loader already said what is wrong with this value
        self.report(Diagnostic(self.filename, node.line, node.col, ERROR, message, rule))

    def warn(self, node: Node, rule: str, message: str) -> None:
        self.report(Diagnostic(self.filename, node.line, node.col, WARNING, message, rule))

    def report(self, diagnostic: Diagnostic) -> None:
        """Keep ``diagnostic`` unless it repeats one (then count it) or the file
        already has MAX_PROBLEMS; past that, an error stops the checks, while a
        warning is dropped (the map stays usable)."""
        count = self.found.get(diagnostic)
        if count is not None:
            self.found[diagnostic] = count + 1
            return
        if len(self.diagnostics) >= MAX_PROBLEMS:
            self.truncated = True
            if diagnostic.severity == ERROR:
                raise _TooManyProblems
            return
        self.found[diagnostic] = 1
        self.diagnostics.append(diagnostic)

    def count_repeats(self) -> None:
        """Say once, on the one diagnostic kept, how often aliases repeated it."""
        self.diagnostics = [
            replace(d, message=f"{d.message} (found {count:,} times here: aliases repeat this value)")
            if (count := self.found.get(d, 1)) > 1
            else d
            for d in self.diagnostics
        ]

    def line_text(self, line: int) -> str:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def trap(self, node: Node, expected: str) -> str:
        """Why a scalar is not what the author meant, in YAML's terms."""
        if not isinstance(node, Scalar) or not node.plain:
            return ""
        raw = node.raw
        if node.value is None and raw in ("", "~", "null", "Null", "NULL"):
            rest = self.line_text(node.line)[node.col - 1 :].lstrip()
            if raw == "" and rest.startswith("#"):
                return f": an unquoted '#' starts a YAML comment, so the value is empty (write \"{_short(rest, 30)}\" in quotes)"
            before = self.line_text(node.line)[: node.col - 1]
            if raw == "" and re.search(r":\s*&\S*\s*$", before):
                return ": a value starting with '&' is a YAML anchor, so the value is empty (put the value in quotes)"
            return ""
        if node.tag == BOOL:
            return f': YAML reads {raw} as the boolean {str(node.value).lower()} (write "{raw}" in quotes)'
        if node.tag in (INT, FLOAT) and ":" in raw:
            hint = "write a duration such as 1h30min" if expected == "duration" else f'write "{raw}" in quotes'
            return f": YAML 1.1 reads {raw} as the sexagesimal number {node.value} ({hint})"
        if node.tag == INT and re.fullmatch(r"[-+]?0[0-7_]+", raw):
            return f': YAML 1.1 reads {raw} as the octal number {node.value} (write "{raw}" in quotes)'
        if node.tag in (INT, FLOAT):
            if expected == "duration":
                return f": a bare number is ambiguous, add a unit such as {raw}min or {raw}s"
            return f' (write "{raw}" in quotes if it is text)'
        if node.tag == TIMESTAMP:
            return f': YAML reads {raw} as a date (write "{raw}" in quotes)'
        return ""

    def wrong_type(self, node: Node, what: str, expected: str, kind: str = "") -> None:
        self.error(node, "type", f"{what} must be {expected}, not {_describe(node)}{self.trap(node, kind)}")

    # -- pass 1: structure ----------------------------------------------------

    def run(self, root: Node) -> m.JourneyMap | None:
        if not isinstance(root, Mapping):
            self.error(
                root,
                "root-not-mapping",
                f"the top level must be a mapping of keys ('jmap: 1', 'title: …'), not {_describe(root)}",
            )
            return None
        doc = self.entity(root, "map", "the journey map")
        if doc is None:
            return None
        self.check_references(doc)
        # Warnings come in the same run as errors: they are read from what
        # was understood of the file, not from the (unbuilt) model.
        self.check_quality(doc)
        if self.errors:
            return None
        return self.build(doc)

    def entity(self, node: Node, kind: str, where: str, depth: int = 0) -> _Entity | None:
        fields = ENTITIES[kind]
        label = ENTITY_NAMES[kind]
        if not isinstance(node, Mapping):
            required = ", ".join(k for k, f in fields.items() if f.required)
            self.wrong_type(node, where, f"a mapping with {required}")
            return None
        ent = _Entity(kind, node)
        errors_before = self.errors
        allowed = list(fields)
        if kind == "touchpoint" and depth >= MAX_SUB_DEPTH:
            allowed.remove("touchpoints")
        for key_node, value_node in node.pairs:
            key = self.key(key_node, f"a {label} key")
            if key is None:
                continue
            if key.startswith(EXTENSION_PREFIX):
                continue
            spec = fields.get(key) if key in allowed else None
            if spec is None:
                if kind == "touchpoint" and key == "touchpoints":
                    self.error(
                        key_node,
                        "nesting-too-deep",
                        f"sub-touchpoints nest at most {MAX_SUB_DEPTH} levels below a stage's touchpoint",
                    )
                    continue
                self.unknown_key(key_node, key, allowed, label)
                continue
            what = f"'{key}'"
            ent.nodes[key] = value_node
            ent.values[key] = value = self.value(spec, value_node, what, ent, depth)
            if key == "id" and isinstance(value, str) and kind == "map":
                self.links.append(Link("id", value, value_node.line, value_node.col))
            elif key == "id" and isinstance(value, str):
                # Registered now, before any children, so a child reusing the
                # id is the one reported, at its own (later) position.
                self.register_id(value, kind, value_node)
        for key, spec in fields.items():
            if spec.required and key not in ent.nodes:
                if kind == "map" and key == "jmap":
                    self.error(
                        node, "missing-key", "not a journey map: the first key must be 'jmap: 1' (the format version)"
                    )
                else:
                    named = self.entity_ref(ent)
                    self.error(node, "missing-key", f"{label}{named} is missing the required key '{key}'")
        if kind == "map":
            self.check_version(ent)
        # Its values and nodes are shared with the copy: only the flag is new.
        return replace(ent, damaged=self.errors > errors_before)

    def entity_ref(self, ent: _Entity) -> str:
        ident = ent.get("id")
        return f" '{ident}'" if isinstance(ident, str) else ""

    def key(self, node: Node, what: str) -> str | None:
        if isinstance(node, Scalar) and node.tag == STR:
            return node.value
        if isinstance(node, Scalar) and node.value is not None and node.tag != STR:
            self.error(
                node,
                "key-not-text",
                f'{what} must be text, but YAML reads {_short(node.raw)} as {_describe(node)} (write "{_short(node.raw)}" in quotes)',
            )
        elif isinstance(node, Scalar):
            raw = node.raw or "an empty key"
            self.error(
                node,
                "key-not-text",
                f'{what} is empty: YAML reads {raw} as no value (null); write "{node.raw}" in quotes if it is a name',
            )
        else:
            self.error(node, "key-not-text", f"{what} must be text, not {_describe(node)}")
        return None

    def suggest(self, word: str, candidates: list[str] | tuple[str, ...]) -> str:
        """`` (did you mean 'x'?)`` while the budget lasts, then nothing."""
        if self.suggestion_budget < len(candidates):
            return ""
        self.suggestion_budget -= len(candidates)
        return did_you_mean(word, candidates)

    def unknown_key(self, node: Node, key: str, allowed: list[str], label: str) -> None:
        hint = did_you_mean(key, allowed)
        if not hint:
            owners = [ENTITY_NAMES[k] for k, fields in ENTITIES.items() if key in fields and k != "metric"]
            if owners:
                hint = f" ('{key}' belongs to {' or '.join(_a(o) for o in owners)})"
            else:
                hint = f" (allowed: {', '.join(allowed)}; keys starting with 'x-' are yours)"
        self.error(node, "unknown-key", f"unknown key '{_short(key, 40)}' in a {label}{hint}")

    def register_id(self, ident: str, kind: str, node: Node) -> None:
        shared = self.shared.where(ident) if self.shared is not None and kind != "map" else None
        if shared is not None:
            self.error(
                node,
                "duplicate-id",
                f"id '{ident}' is already defined by the portfolio, as the shared {shared}: "
                "use the shared one (name it by id) or choose another id",
            )
            return
        first = self.ids.get(ident)
        if first is None:
            self.ids[ident] = (kind, node)
            return
        first_kind, first_node = first
        self.error(
            node,
            "duplicate-id",
            f"id '{ident}' is already used by the {ENTITY_NAMES[first_kind]} at line {first_node.line}: "
            "ids are unique across the whole map",
        )

    def check_version(self, doc: _Entity) -> None:
        version = doc.values.get("jmap")
        if isinstance(version, int) and version != 1:
            from jmap import __version__

            self.error(
                doc.nodes["jmap"],
                "unsupported-version",
                f"format version {version} is not supported by jmap {__version__}, which reads version 1",
            )

    def value(self, spec: Field, node: Node, what: str, ent: _Entity, depth: int) -> Any:
        kind = spec.kind
        if kind in ("text", "name"):
            return self.text_value(node, what, required=kind == "name")
        if kind == "texts":
            if isinstance(node, Sequence):
                items = [self.text_value(item, f"each item of {what}") for item in node.items]
                return _INVALID if any(i is _INVALID for i in items) else tuple(items)
            if isinstance(node, Scalar) and node.tag == STR:
                return (node.value,)
            self.wrong_type(node, what, "text or a list of texts")
            return _INVALID
        if kind == "id":
            return self.id_value(node, what)
        if kind == "version":
            if isinstance(node, Scalar) and _integral(node):
                return int(node.value)
            self.wrong_type(node, "'jmap' (the format version)", "the integer 1")
            return _INVALID
        if kind == "enum":
            assert isinstance(spec.arg, tuple), "the format table gives an enum its values"
            return self.enum_value(node, what, spec.arg)
        if kind == "color":
            return self.color_value(node, what)
        if kind == "duration":
            return self.duration_value(node, what)
        if kind == "tags":
            if not isinstance(node, Sequence):
                self.wrong_type(node, what, "a list of texts")
                return _INVALID
            items = [self.text_value(item, "each tag") for item in node.items]
            return _INVALID if any(i is _INVALID for i in items) else tuple(items)
        if kind == "ref":
            ident = self.id_value(node, what)
            if ident is not _INVALID:
                self.refs.append((str(spec.arg), ident, node, ent))
            return ident
        if kind == "refs":
            return self.refs_value(node, what, str(spec.arg), ent)
        if kind == "addresses":
            return self.addresses_value(node, what, ent)
        if kind == "mapref":
            ident = self.id_value(node, what)
            if ident is not _INVALID:
                self.links.append(Link("details", ident, node.line, node.col))
            return ident
        if kind == "date":
            day = self.date_value(node, what)
            if day is not _INVALID:
                self.links.append(Link("reviewed", day, node.line, node.col))
            return day
        if kind == "record":
            sub = self.entity(node, str(spec.arg), what)
            return _INVALID if sub is None or sub.damaged else sub
        if kind == "list":
            return self.list_value(node, what, str(spec.arg), ent, depth)
        if kind == "emotion":
            return self.emotion_value(node, what)
        if kind == "metrics":
            return self.metrics_value(node, what)
        if kind == "metric_value":
            return self.metric_value(node, what)
        raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover

    def text_value(self, node: Node, what: str, required: bool = False) -> Any:
        if isinstance(node, Scalar) and node.tag == STR:
            if required and not node.value.strip():
                self.error(node, "empty-value", f"{what} must not be empty")
                return _INVALID
            return node.value
        if isinstance(node, Scalar) and node.value is None:
            self.error(
                node, "empty-value", f"{what} is empty{self.trap(node, 'text')} (remove the key or give it a value)"
            )
            return _INVALID
        self.wrong_type(node, what, "text", "text")
        return _INVALID

    def id_value(self, node: Node, what: str) -> Any:
        if not (isinstance(node, Scalar) and node.tag == STR):
            if isinstance(node, Scalar) and node.value is None:
                self.error(node, "empty-value", f"{what} is empty{self.trap(node, 'id')}")
            else:
                self.wrong_type(node, what, "an id (text)", "id")
            return _INVALID
        ident = node.value
        if not _ID_RE.fullmatch(ident):
            suggestion = slugify(ident)
            hint = f" (did you mean '{suggestion}'?)" if suggestion and _ID_RE.fullmatch(suggestion) else ""
            self.error(
                node,
                "id-format",
                f"id '{_exact(ident)}' is not a valid id: use lowercase ASCII letters, digits, '-' and '_', "
                f"starting with a letter or digit{hint}",
            )
            return _INVALID
        return ident

    def enum_value(self, node: Node, what: str, choices: tuple[str, ...]) -> Any:
        if isinstance(node, Scalar) and node.tag == STR and node.value in choices:
            return node.value
        options = ", ".join(choices)
        if isinstance(node, Scalar) and node.tag == STR:
            hint = did_you_mean(node.value, choices)
            self.error(node, "invalid-value", f"{what} must be one of {options}, not '{_short(node.value, 40)}'{hint}")
        elif isinstance(node, Scalar) and node.value is None:
            self.error(node, "empty-value", f"{what} is empty{self.trap(node, 'enum')} (one of {options})")
        else:
            self.wrong_type(node, what, f"one of {options}", "enum")
        return _INVALID

    def not_a(self, node: Node, what: str, rule: str, kind: str, expected: str) -> Any:
        """The error of a value that is empty or of the wrong type, for a
        ``kind`` of value written as text (a colour, a duration)."""
        if isinstance(node, Scalar) and node.value is None:
            self.error(node, rule, f"{what} is empty{self.trap(node, kind)}")
        else:
            self.wrong_type(node, what, expected, kind)
        return _INVALID

    def color_value(self, node: Node, what: str) -> Any:
        if isinstance(node, Scalar) and node.tag == STR:
            if _COLOR_RE.fullmatch(node.value):
                return node.value
            self.error(
                node, "invalid-color", f"{what} must be a colour '#rgb' or '#rrggbb', not '{_short(node.value, 40)}'"
            )
            return _INVALID
        return self.not_a(node, what, "invalid-color", "color", 'a colour such as "#2a9d8f"')

    def duration_value(self, node: Node, what: str) -> Any:
        if isinstance(node, Scalar) and node.tag == STR:
            text = node.value
            if _DURATION_RE.fullmatch(text):
                seconds = sum(float(n) * m.DURATION_UNITS[u] for n, u in _DURATION_PART.findall(text))
                return m.Duration(text, seconds)
            self.error(
                node, "invalid-duration", f"{what} '{_short(text, 40)}' is not a duration{self.duration_hint(text)}"
            )
        elif isinstance(node, Scalar) and node.tag in (INT, FLOAT):
            example = "a duration such as 30s, 10min or 1h30min"
            self.error(node, "invalid-duration", f"{what} must be {example}{self.trap(node, 'duration')}")
        else:
            return self.not_a(node, what, "invalid-duration", "duration", "a duration such as 30s, 10min or 1h30min")
        return _INVALID

    @staticmethod
    def duration_hint(text: str) -> str:
        compact = text.replace(" ", "")
        if compact != text and _DURATION_RE.fullmatch(compact):
            return f" (write it without spaces: '{compact}')"
        parts = _DURATION_PART.findall(compact)
        units = [u for _, u in parts]
        if parts and "".join(n + u for n, u in parts) == compact:
            unknown = [u for u in units if u not in DURATION_UNITS_ORDER]
            if "m" in unknown:
                return " ('m' is ambiguous: write 'min' for minutes or 'mo' for months)"
            if unknown:
                best = closest(unknown[0], DURATION_UNITS_ORDER)
                alias = {
                    "sec": "s",
                    "secs": "s",
                    "mn": "min",
                    "mins": "min",
                    "hr": "h",
                    "hrs": "h",
                    "j": "d",
                    "days": "d",
                    "day": "d",
                    "weeks": "w",
                    "months": "mo",
                    "ans": "y",
                    "yr": "y",
                    "an": "y",
                }
                best = alias.get(unknown[0], best)
                return f" (unknown unit '{unknown[0]}'{f', did you mean {best!r}?' if best else ''} units: s, min, h, d, w, mo, y)"
            if len(set(units)) != len(units):
                return " (each unit may appear once)"
            return " (write the largest unit first, as in 1h30min)"
        return " (number-unit pairs such as 45s, 10min, 1h30min, 2w, 6mo; units s, min, h, d, w, mo, y)"

    def refs_value(self, node: Node, what: str, kind: str, ent: _Entity) -> Any:
        if not isinstance(node, Sequence):
            hint = ""
            if isinstance(node, Scalar) and node.tag == STR:
                hint = f" (write [{_short(node.value, 30)}])"
            elif isinstance(node, Scalar) and node.value is None and what == "'next'":
                hint = " (write 'next: []' to end the flow here)"
            self.wrong_type(node, what, f"a list of {ENTITY_NAMES[kind]} ids{hint}")
            return _INVALID
        idents: list[str] = []
        ok = True
        for item in node.items:
            ident = self.id_value(item, f"each item of {what}")
            if ident is _INVALID:
                ok = False
                continue
            if ident in idents:
                self.error(item, "duplicate-reference", f"'{ident}' is listed twice in {what}")
                ok = False
                continue
            idents.append(ident)
            self.refs.append((kind, ident, item, ent))
        return tuple(idents) if ok else _INVALID

    def addresses_value(self, node: Node, what: str, ent: _Entity) -> Any:
        """``addresses``: pain-point ids of this map, and ``MAP/PAIN-ID`` for a
        pain point of another map of the portfolio (checked across maps by
        jmap.format.crossmap, not here: the other map is not read)."""
        if not isinstance(node, Sequence):
            return self.refs_value(node, what, "pain_point", ent)
        local: list[Node] = []
        idents: list[str] = []
        ok = True
        for item in node.items:
            if not (isinstance(item, Scalar) and item.tag == STR and "/" in item.value):
                local.append(item)
                continue
            map_part, _, pain_part = item.value.partition("/")
            if not (_ID_RE.fullmatch(map_part) and _ID_RE.fullmatch(pain_part)):
                self.error(
                    item,
                    "id-format",
                    f"'{_exact(item.value)}' is not MAP/PAIN-ID: a map id, one '/', and a pain-point id "
                    "(lowercase ASCII letters, digits, '-' and '_')",
                )
                ok = False
            elif item.value in idents:
                self.error(item, "duplicate-reference", f"'{item.value}' is listed twice in {what}")
                ok = False
            else:
                idents.append(item.value)
                self.links.append(Link("address", item.value, item.line, item.col))
        if local:
            holder = Sequence(node.line, node.col)
            holder.items.extend(local)
            own = self.refs_value(holder, what, "pain_point", ent)
            if own is _INVALID:
                return _INVALID
            idents = list(own) + idents
        return tuple(idents) if ok else _INVALID

    def date_value(self, node: Node, what: str) -> Any:
        """A calendar date, quoted or not (YAML reads ``2026-11-02`` unquoted as a date)."""
        import datetime

        if isinstance(node, Scalar) and node.tag == TIMESTAMP and isinstance(node.value, datetime.date):
            if isinstance(node.value, datetime.datetime):
                self.error(node, "invalid-date", f"{what} must be a date such as 2026-11-02, without a time")
                return _INVALID
            return node.value.isoformat()
        if isinstance(node, Scalar) and node.tag == STR:
            if _DATE_RE.fullmatch(node.value):
                try:
                    return datetime.date.fromisoformat(node.value).isoformat()
                except ValueError:
                    pass
            self.error(
                node, "invalid-date", f"{what} must be a date such as 2026-11-02, not '{_short(node.value, 40)}'"
            )
            return _INVALID
        return self.not_a(node, what, "invalid-date", "date", "a date such as 2026-11-02")

    def shared_persona(self, node: Scalar) -> None:
        """A persona of the portfolio that the map follows, named by id."""
        ident = self.id_value(node, "each item of 'personas'")
        if ident is _INVALID:
            return
        shared = self.shared
        if shared is None or ident not in shared.personas:
            if shared is None:
                self.error(
                    node,
                    "unknown-reference",
                    f"'{ident}' names a shared persona, but the map has no portfolio (jmap-portfolio.yaml in its "
                    "folder or above): define the persona here, or add it to a portfolio",
                )
            else:
                self.error(
                    node,
                    "unknown-reference",
                    f"unknown shared persona '{ident}'{self.suggest(ident, list(shared.personas))} "
                    f"(the portfolio {shared.file} defines: {', '.join(shared.personas) or 'none'})",
                )
            return
        first = self.ids.get(ident)
        if first is not None:
            self.error(node, "duplicate-reference", f"'{ident}' is listed twice in 'personas'")
            return
        self.ids[ident] = ("persona", node)
        self.shared_personas.append(ident)

    def list_value(self, node: Node, what: str, kind: str, parent: _Entity, depth: int) -> Any:
        label = ENTITY_NAMES[kind]
        if not isinstance(node, Sequence):
            self.wrong_type(
                node,
                what,
                f"a list of {label}s" + (" (each item starts with '- ')" if isinstance(node, Mapping) else ""),
            )
            return _INVALID
        if kind == "stage" and not node.items:
            self.error(node, "no-stages", "a journey map needs at least one stage")
            return _INVALID
        child_depth = depth + 1 if kind == "touchpoint" and parent.kind == "touchpoint" else depth
        # The items understood, even when some are not: the later passes and
        # the warnings still see them (the errors already say the map is invalid).
        items: list[_Entity] = []
        for item in node.items:
            if kind == "persona" and parent.kind == "map" and isinstance(item, Scalar):
                self.shared_persona(item)
                continue
            ent = self.entity(item, kind, f"each item of {what}", child_depth)
            if ent is not None:
                items.append(ent)
        return items

    def emotion_value(self, node: Node, what: str) -> Any:
        if isinstance(node, Scalar) and _integral(node):
            return self.score(node, what)
        if isinstance(node, Mapping):
            scores: dict[str, int] = {}
            for key_node, value_node in node.pairs:
                key = self.key(key_node, "a persona id in 'emotion'")
                if key is None:
                    continue
                if key.startswith(EXTENSION_PREFIX):
                    continue
                ident = self.id_value(key_node, "a persona id in 'emotion'")
                if not (isinstance(value_node, Scalar) and _integral(value_node)):
                    self.wrong_type(value_node, f"the emotion of '{key}'", "an integer from -2 to +2", "emotion")
                    continue
                score = self.score(value_node, f"the emotion of '{key}'")
                if ident is _INVALID or score is _INVALID:
                    continue
                scores[ident] = score
            # Even when an entry is wrong, the valid ones are still checked
            # against the personas; the error already keeps the map from building.
            return scores
        self.wrong_type(node, what, "an integer from -2 to +2, or a mapping persona → integer", "emotion")
        return _INVALID

    def score(self, node: Scalar, what: str) -> Any:
        value = node.value
        if m.EMOTION_MIN <= value <= m.EMOTION_MAX:
            return int(value)
        self.error(
            node, "emotion-range", f"{what} is {value}, outside the scale -2 (very negative) to +2 (very positive)"
        )
        return _INVALID

    def metrics_value(self, node: Node, what: str) -> Any:
        if not isinstance(node, Mapping):
            self.wrong_type(node, what, "a mapping of metric names to values")
            return _INVALID
        metrics: list[m.Metric] = []
        ok = True
        for key_node, value_node in node.pairs:
            name = self.key(key_node, "a metric name")
            if name is None:
                ok = False
                continue
            if name.startswith(EXTENSION_PREFIX):
                continue
            if isinstance(value_node, Mapping):
                ent = self.entity(value_node, "metric", f"metric '{name}'")
                if ent is None or any(v is _INVALID for v in ent.values.values()) or "value" not in ent.values:
                    ok = False
                    continue
                metrics.append(
                    m.Metric(
                        name,
                        ent.values["value"],
                        ent.get("target"),
                        ent.get("unit"),
                        ent.get("source"),
                        ent.get("label"),
                    )
                )
                continue
            value = self.metric_value(value_node, f"metric '{_short(name, 40)}'")
            if value is _INVALID:
                ok = False
                continue
            metrics.append(m.Metric(name, value))
        return tuple(metrics) if ok else _INVALID

    def metric_value(self, node: Node, what: str) -> Any:
        if isinstance(node, Scalar) and node.tag in (INT, FLOAT):
            if node.plain and ":" in node.raw:
                self.error(node, "invalid-metric", f"{what} must be a number{self.trap(node, 'metric')}")
                return _INVALID
            number = float(node.value)
            if not math.isfinite(number):
                self.error(node, "invalid-metric", f"{what} must be a finite number")
                return _INVALID
            return m.MetricValue(number, False, node.raw if node.plain else repr(node.value))
        if isinstance(node, Scalar) and node.tag == STR:
            text = node.value
            if _PERCENT_RE.fullmatch(text):
                return m.MetricValue(float(text[:-1]), True, text)
            compact = text.replace(" ", "").replace(",", ".")
            hint = f" (write '{compact}')" if _PERCENT_RE.fullmatch(compact) else ""
            self.error(
                node,
                "invalid-metric",
                f"{what} must be a number, a percentage such as \"23%\", or a mapping with 'value', not '{_short(text, 40)}'{hint}",
            )
            return _INVALID
        self.wrong_type(node, what, "a number, a percentage such as \"23%\", or a mapping with 'value'", "metric")
        return _INVALID

    # -- pass 2: references -----------------------------------------------------

    def check_references(self, doc: _Entity) -> None:
        by_kind: dict[str, list[str]] = {}
        for ident, (kind, _) in self.ids.items():
            by_kind.setdefault(kind, []).append(ident)
        if self.shared is not None:
            by_kind.setdefault("channel", []).extend(self.shared.channels)
        for kind, ident, node, _ent in self.refs:
            found = self.ids.get(ident)
            label = ENTITY_NAMES[kind]
            if found is None and kind == "channel" and self.shared is not None and ident in self.shared.channels:
                self.shared_channels[ident] = None
                continue
            if found is None:
                self.error(
                    node, "unknown-reference", f"unknown {label} '{ident}'{self.suggest(ident, by_kind.get(kind, []))}"
                )
            elif found[0] != kind:
                self.error(
                    node,
                    "wrong-reference",
                    f"'{ident}' is a {ENTITY_NAMES[found[0]]} (line {found[1].line}), not a {label}"
                    f"{self.suggest(ident, by_kind.get(kind, []))}",
                )
        everyone = tuple(i for i, (k, _) in self.ids.items() if k == "persona")
        for stage in doc.get("stages") or []:
            self.check_emotion_personas(stage.get("touchpoints") or [], everyone, everyone)

    def check_emotion_personas(
        self, touchpoints: list[_Entity], inherited: tuple[str, ...], everyone: tuple[str, ...]
    ) -> None:
        """Per-persona emotions may only name personas who pass the touchpoint
        (sub-touchpoints without ``personas`` inherit their parent's)."""
        for ent in touchpoints:
            here = ent.get("personas")
            here = tuple(here) if isinstance(here, tuple) else inherited
            self.check_emotion_personas(ent.get("touchpoints") or [], here, everyone)
            scores = ent.get("emotion")
            if not isinstance(scores, dict):
                continue
            emotion_node = ent.nodes["emotion"]
            assert isinstance(emotion_node, Mapping)
            for key_node, _ in emotion_node.pairs:
                if not isinstance(key_node, Scalar) or key_node.tag != STR or key_node.value not in scores:
                    continue
                pid = key_node.value
                found = self.ids.get(pid)
                if found is None or found[0] != "persona":
                    hint = self.suggest(pid, everyone)
                    self.error(key_node, "unknown-reference", f"unknown persona '{pid}' in 'emotion'{hint}")
                elif pid not in here:
                    self.error(
                        key_node,
                        "emotion-persona",
                        f"persona '{pid}' does not pass touchpoint '{ent.get('id')}' "
                        f"(its personas: {', '.join(here) or 'none'}), so it cannot have an emotion here",
                    )

    # -- building the model -------------------------------------------------------

    def build(self, doc: _Entity) -> m.JourneyMap:
        def named(e: _Entity) -> tuple[str, str, str | None]:
            """The fields of ``m.Named``, which every entity but a channel starts with."""
            return e.values["id"], e.values["name"], e.get("description")

        def personas(e: _Entity) -> m.Persona:
            return m.Persona(
                *named(e),
                e.get("goals", ()),
                e.get("frustrations", ()),
                e.get("quote"),
                e.get("color"),
            )

        def pain_point(e: _Entity) -> m.PainPoint:
            return m.PainPoint(*named(e), e.get("severity", "medium"), e.get("owner"))

        def touchpoint(e: _Entity) -> m.Touchpoint:
            emotion = e.get("emotion")
            if isinstance(emotion, int):
                emotion = m.Emotion(everyone=emotion)
            elif isinstance(emotion, dict):
                emotion = m.Emotion(per_persona=emotion)
            personas_here = e.get("personas")
            return m.Touchpoint(
                id=e.values["id"],
                name=e.values["name"],
                description=e.get("description"),
                channel=e.get("channel"),
                personas=tuple(personas_here) if personas_here is not None else None,
                doing=e.get("doing", ()),
                thinking=e.get("thinking", ()),
                feeling=e.get("feeling", ()),
                emotion=emotion,
                duration=e.get("duration"),
                backstage=e.get("backstage", ()),
                owner=e.get("owner"),
                metrics=e.get("metrics", ()),
                next=e.get("next"),
                pain_points=tuple(pain_point(p) for p in e.get("pain_points", [])),
                touchpoints=tuple(touchpoint(t) for t in e.get("touchpoints", [])),
                details=e.get("details"),
            )

        def stage(e: _Entity) -> m.Stage:
            return m.Stage(
                *named(e),
                e.get("goal"),
                e.get("duration"),
                e.get("metrics", ()),
                tuple(touchpoint(t) for t in e.get("touchpoints", [])),
                details=e.get("details"),
            )

        def opportunity(e: _Entity) -> m.Opportunity:
            addresses = e.get("addresses", ())
            return m.Opportunity(
                *named(e),
                tuple(a for a in addresses if "/" not in a),
                e.get("owner"),
                e.get("impact"),
                e.get("effort"),
                e.get("status"),
                cross_addresses=tuple(a for a in addresses if "/" in a),
            )

        def persona_list() -> tuple[m.Persona, ...]:
            """Own personas and shared ones named by id, in the map's order."""
            own = iter(doc.get("personas", []))
            listed = iter(self.shared_personas)
            out: list[m.Persona] = []
            personas_node = doc.nodes.get("personas")
            for item in personas_node.items if isinstance(personas_node, Sequence) else ():
                if isinstance(item, Scalar):
                    assert self.shared is not None
                    out.append(self.shared.personas[next(listed)])
                else:
                    out.append(personas(next(own)))
            return tuple(out)

        shared = self.shared
        channels = tuple(
            m.Channel(c.values["id"], c.values["name"], c.get("type", "online")) for c in doc.get("channels", [])
        )
        if shared is not None and self.shared_channels:
            channels += tuple(c for cid, c in shared.channels.items() if cid in self.shared_channels)
        default_lang = shared.lang if shared is not None and shared.lang else "en"
        return m.JourneyMap(
            title=doc.values["title"],
            stages=tuple(stage(s) for s in doc.values["stages"]),
            version=doc.values["jmap"],
            description=doc.get("description"),
            lang=doc.get("lang", default_lang),
            owner=doc.get("owner"),
            scenario=doc.get("scenario"),
            tags=doc.get("tags", ()),
            personas=persona_list(),
            channels=channels,
            opportunities=tuple(opportunity(o) for o in doc.get("opportunities", [])),
            id=doc.get("id"),
            reviewed=doc.get("reviewed"),
            shared_personas=tuple(self.shared_personas),
            shared_channels=tuple(cid for cid in (shared.channels if shared else ()) if cid in self.shared_channels),
        )

    # -- pass 3: quality warnings ---------------------------------------------------

    def check_quality(self, doc: _Entity) -> None:
        """The quality warnings, on the entities read (partial when the file
        has errors); an entity with an error of its own gets no warning."""
        stages: list[_Entity] = doc.get("stages") or []
        persona_ids = [p.get("id") for p in doc.get("personas") or [] if isinstance(p.get("id"), str)]
        used: set[str] = set()
        damaged_flow = False
        pain_points: list[_Entity] = []

        def walk(touchpoints: list[_Entity], inherited: tuple[str, ...] | None) -> None:
            nonlocal damaged_flow
            for tp in touchpoints:
                damaged_flow = damaged_flow or tp.damaged
                own = tp.get("personas")
                here = tuple(own) if isinstance(own, tuple) else inherited
                used.update(persona_ids if here is None else here)
                pain_points.extend(pp for pp in tp.get("pain_points") or [] if isinstance(pp, _Entity))
                walk(tp.get("touchpoints") or [], here)

        for stage in stages:
            touchpoints = stage.get("touchpoints") or []
            if not touchpoints and not stage.damaged and isinstance(stage.get("id"), str):
                self.warn(stage.node, "empty-stage", f"stage '{stage.get('id')}' has no touchpoints")
            for tp in touchpoints:
                if tp.get("channel") is None and not tp.damaged and isinstance(tp.get("id"), str):
                    self.warn(tp.node, "missing-channel", f"touchpoint '{tp.get('id')}' has no channel")
            walk(touchpoints, None)
        opportunities: list[_Entity] = doc.get("opportunities") or []
        if "opportunities" not in doc.nodes or (
            isinstance(doc.values.get("opportunities"), list) and not any(o.damaged for o in opportunities)
        ):
            addressed = {pid for o in opportunities for pid in o.get("addresses") or ()}
            for pp in pain_points:
                severity = pp.get("severity", "medium")
                ident = pp.get("id")
                if (
                    severity in ("high", "critical")
                    and isinstance(ident, str)
                    and ident not in addressed
                    and not pp.damaged
                ):
                    self.warn(
                        pp.node,
                        "unaddressed-pain-point",
                        f"{severity} pain point '{ident}' is not addressed by any opportunity",
                    )
        if not damaged_flow:
            for persona in doc.get("personas") or []:
                ident = persona.get("id")
                if isinstance(ident, str) and ident not in used:
                    self.warn(persona.node, "unused-persona", f"persona '{ident}' passes no touchpoint")

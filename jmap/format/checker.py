"""The checks of one map, in the order of its text: structure, then
references; the quality warnings and the model come from what it read
(jmap.format.entities), the words of its messages from jmap.format.messages.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from jmap import model as m
from jmap.format.diagnostics import ERROR, MAX_PROBLEMS, WARNING, Diagnostic
from jmap.format.entities import INVALID, Entity, build_map, check_quality, integral
from jmap.format.hints import did_you_mean
from jmap.format.loader import BROKEN, FLOAT, INT, STR, Mapping, Node, Scalar, Sequence
from jmap.format.messages import (
    COLOR_RE,
    DURATION_PART,
    DURATION_RE,
    ID_RE,
    PERCENT_RE,
    article,
    describe,
    duration_hint,
    exact,
    short,
    trap,
)
from jmap.format.rule_ids import Rule, RuleId
from jmap.format.table import ENTITIES, ENTITY_NAMES, EXTENSION_PREFIX, MAX_SUB_DEPTH, Field, slugify


class TooManyProblems(Exception):
    """Stops the checks of a file once MAX_PROBLEMS problems are reported."""


class Checker:
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
        self.refs: list[tuple[str, str, Node, Entity]] = []
        #: How many candidate ids "did you mean" may still compare: a map with
        #: thousands of misspelt references must not take quadratic time.
        self.suggestion_budget = 20_000
        #: Added to each of its findings when the file was read with YAML
        #: slips repaired in memory (see ``compose_repairing``).
        self.note = ""

    # -- reporting ---------------------------------------------------------------

    def error(self, node: Node, rule: RuleId, message: str) -> None:
        self.errors += 1
        if node.__class__ is Scalar and node.tag == BROKEN:
            return  # the loader already said what is wrong with this value
        self.report(Diagnostic(self.filename, node.line, node.col, ERROR, message + self.note, rule))

    def warn(self, node: Node, rule: RuleId, message: str) -> None:
        self.report(Diagnostic(self.filename, node.line, node.col, WARNING, message + self.note, rule))

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
                raise TooManyProblems
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

    def trap(self, node: Node, expected: str, choices: tuple[str, ...] = ()) -> str:
        return trap(node, expected, self.line_text, choices)

    def wrong_type(self, node: Node, what: str, expected: str, kind: str = "", choices: tuple[str, ...] = ()) -> None:
        self.error(node, Rule.TYPE, f"{what} must be {expected}, not {describe(node)}{self.trap(node, kind, choices)}")

    # -- pass 1: structure ----------------------------------------------------

    def run(self, root: Node) -> m.JourneyMap | None:
        if not isinstance(root, Mapping):
            self.error(
                root,
                Rule.ROOT_NOT_MAPPING,
                f"the top level must be a mapping of keys ('jmap: 1', 'title: …'), not {describe(root)}",
            )
            return None
        doc = self.entity(root, "map", "the journey map")
        if doc is None:
            return None
        self.check_references(doc)
        # Warnings come in the same run as errors: they are read from what
        # was understood of the file, not from the (unbuilt) model.
        check_quality(doc, self.warn)
        if self.errors:
            return None
        return build_map(doc)

    def entity(self, node: Node, kind: str, where: str, depth: int = 0) -> Entity | None:
        fields = ENTITIES[kind]
        label = ENTITY_NAMES[kind]
        if not isinstance(node, Mapping):
            required = ", ".join(k for k, f in fields.items() if f.required)
            self.wrong_type(node, where, f"a mapping with {required}")
            return None
        ent = Entity(kind, node)
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
                        Rule.NESTING_TOO_DEEP,
                        f"sub-touchpoints nest at most {MAX_SUB_DEPTH} levels below a stage's touchpoint",
                    )
                    continue
                self.unknown_key(key_node, key, allowed, label)
                continue
            what = f"'{key}'"
            ent.nodes[key] = value_node
            ent.values[key] = value = self.value(spec, value_node, what, ent, depth)
            if key == "id" and isinstance(value, str):
                # Registered now, before any children, so a child reusing the
                # id is the one reported, at its own (later) position.
                self.register_id(value, kind, value_node)
        for key, spec in fields.items():
            if spec.required and key not in ent.nodes:
                if kind == "map" and key == "jmap":
                    self.error(
                        node,
                        Rule.MISSING_KEY,
                        "not a journey map: the first key must be 'jmap: 1' (the format version)",
                    )
                else:
                    named = self.entity_ref(ent)
                    self.error(node, Rule.MISSING_KEY, f"{label}{named} is missing the required key '{key}'")
        if kind == "map":
            self.check_version(ent)
        # Its values and nodes are shared with the copy: only the flag is new.
        return replace(ent, damaged=self.errors > errors_before)

    def entity_ref(self, ent: Entity) -> str:
        ident = ent.get("id")
        return f" '{ident}'" if isinstance(ident, str) else ""

    def key(self, node: Node, what: str) -> str | None:
        if isinstance(node, Scalar) and node.tag == STR:
            return node.value
        if isinstance(node, Scalar) and node.value is not None and node.tag != STR:
            self.error(
                node,
                Rule.KEY_NOT_TEXT,
                f'{what} must be text, but YAML reads {short(node.raw)} as {describe(node)} (write "{short(node.raw)}" in quotes)',
            )
        elif isinstance(node, Scalar):
            raw = node.raw or "an empty key"
            self.error(
                node,
                Rule.KEY_NOT_TEXT,
                f'{what} is empty: YAML reads {raw} as no value (null); write "{node.raw}" in quotes if it is a name',
            )
        else:
            self.error(node, Rule.KEY_NOT_TEXT, f"{what} must be text, not {describe(node)}")
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
                hint = f" ('{key}' belongs to {' or '.join(article(o) for o in owners)})"
            else:
                hint = f" (allowed: {', '.join(allowed)}; keys starting with 'x-' are yours)"
        self.error(node, Rule.UNKNOWN_KEY, f"unknown key '{short(key, 40)}' in a {label}{hint}")

    def register_id(self, ident: str, kind: str, node: Node) -> None:
        first = self.ids.get(ident)
        if first is None:
            self.ids[ident] = (kind, node)
            return
        first_kind, first_node = first
        self.error(
            node,
            Rule.DUPLICATE_ID,
            f"id '{ident}' is already used by the {ENTITY_NAMES[first_kind]} at line {first_node.line}: "
            "ids are unique across the whole map",
        )

    def check_version(self, doc: Entity) -> None:
        version = doc.values.get("jmap")
        if isinstance(version, int) and version != 1:
            from jmap import __version__

            self.error(
                doc.nodes["jmap"],
                Rule.UNSUPPORTED_VERSION,
                f"format version {version} is not supported by jmap {__version__}, which reads version 1",
            )

    def value(self, spec: Field, node: Node, what: str, ent: Entity, depth: int) -> Any:
        kind = spec.kind
        if kind in ("text", "name"):
            return self.text_value(node, what, required=kind == "name")
        if kind == "texts":
            if isinstance(node, Sequence):
                items = [self.text_value(item, f"each item of {what}") for item in node.items]
                return INVALID if any(i is INVALID for i in items) else tuple(items)
            if isinstance(node, Scalar) and node.tag == STR:
                return (node.value,)
            self.wrong_type(node, what, "text or a list of texts", "text")
            return INVALID
        if kind == "id":
            return self.id_value(node, what)
        if kind == "version":
            if isinstance(node, Scalar) and integral(node):
                return int(node.value)
            self.wrong_type(node, "'jmap' (the format version)", "the integer 1")
            return INVALID
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
                return INVALID
            items = [self.text_value(item, "each tag") for item in node.items]
            return INVALID if any(i is INVALID for i in items) else tuple(items)
        if kind == "ref":
            ident = self.id_value(node, what)
            if ident is not INVALID:
                self.refs.append((str(spec.arg), ident, node, ent))
            return ident
        if kind == "refs":
            return self.refs_value(node, what, str(spec.arg), ent)
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
                self.error(node, Rule.EMPTY_VALUE, f"{what} must not be empty")
                return INVALID
            return node.value
        if isinstance(node, Scalar) and node.value is None:
            self.error(
                node, Rule.EMPTY_VALUE, f"{what} is empty{self.trap(node, 'text')} (remove the key or give it a value)"
            )
            return INVALID
        self.wrong_type(node, what, "text", "text")
        return INVALID

    def id_value(self, node: Node, what: str) -> Any:
        if not (isinstance(node, Scalar) and node.tag == STR):
            if isinstance(node, Scalar) and node.value is None:
                self.error(node, Rule.EMPTY_VALUE, f"{what} is empty{self.trap(node, 'id')}")
            else:
                self.wrong_type(node, what, "an id (text)", "id")
            return INVALID
        ident = node.value
        if not ID_RE.fullmatch(ident):
            suggestion = slugify(ident)
            hint = f" (did you mean '{suggestion}'?)" if suggestion and ID_RE.fullmatch(suggestion) else ""
            self.error(
                node,
                Rule.ID_FORMAT,
                f"id '{exact(ident)}' is not a valid id: use lowercase ASCII letters, digits, '-' and '_', "
                f"starting with a letter or digit{hint}",
            )
            return INVALID
        return ident

    def enum_value(self, node: Node, what: str, choices: tuple[str, ...]) -> Any:
        if isinstance(node, Scalar) and node.tag == STR and node.value in choices:
            return node.value
        options = ", ".join(choices)
        if isinstance(node, Scalar) and node.tag == STR:
            hint = did_you_mean(node.value, choices)
            self.error(
                node, Rule.INVALID_VALUE, f"{what} must be one of {options}, not '{short(node.value, 40)}'{hint}"
            )
        elif isinstance(node, Scalar) and node.value is None:
            self.error(node, Rule.EMPTY_VALUE, f"{what} is empty{self.trap(node, 'enum', choices)} (one of {options})")
        else:
            self.wrong_type(node, what, f"one of {options}", "enum", choices)
        return INVALID

    def not_a(self, node: Node, what: str, rule: RuleId, kind: str, expected: str) -> Any:
        """The error of a value that is empty or of the wrong type, for a
        ``kind`` of value written as text (a colour, a duration)."""
        if isinstance(node, Scalar) and node.value is None:
            self.error(node, rule, f"{what} is empty{self.trap(node, kind)}")
        else:
            self.wrong_type(node, what, expected, kind)
        return INVALID

    def color_value(self, node: Node, what: str) -> Any:
        if isinstance(node, Scalar) and node.tag == STR:
            if COLOR_RE.fullmatch(node.value):
                return node.value
            self.error(
                node, Rule.INVALID_COLOR, f"{what} must be a colour '#rgb' or '#rrggbb', not '{short(node.value, 40)}'"
            )
            return INVALID
        return self.not_a(node, what, Rule.INVALID_COLOR, "color", 'a colour such as "#2a9d8f"')

    def duration_value(self, node: Node, what: str) -> Any:
        if isinstance(node, Scalar) and node.tag == STR:
            text = node.value
            if DURATION_RE.fullmatch(text):
                seconds = sum(float(n) * m.DURATION_UNITS[u] for n, u in DURATION_PART.findall(text))
                return m.Duration(text, seconds)
            self.error(
                node, Rule.INVALID_DURATION, f"{what} '{short(text, 40)}' is not a duration{duration_hint(text)}"
            )
        elif isinstance(node, Scalar) and node.tag in (INT, FLOAT):
            example = "a duration such as 30s, 10min or 1h30min"
            self.error(node, Rule.INVALID_DURATION, f"{what} must be {example}{self.trap(node, 'duration')}")
        else:
            return self.not_a(node, what, Rule.INVALID_DURATION, "duration", "a duration such as 30s, 10min or 1h30min")
        return INVALID

    def refs_value(self, node: Node, what: str, kind: str, ent: Entity) -> Any:
        if not isinstance(node, Sequence):
            hint = ""
            if isinstance(node, Scalar) and node.tag == STR:
                hint = f" (write [{short(node.value, 30)}])"
            elif isinstance(node, Scalar) and node.value is None and what == "'next'":
                hint = " (write 'next: []' to end the flow here)"
            self.wrong_type(node, what, f"a list of {ENTITY_NAMES[kind]} ids{hint}")
            return INVALID
        idents: list[str] = []
        ok = True
        for item in node.items:
            ident = self.id_value(item, f"each item of {what}")
            if ident is INVALID:
                ok = False
                continue
            if ident in idents:
                self.error(item, Rule.DUPLICATE_REFERENCE, f"'{ident}' is listed twice in {what}")
                ok = False
                continue
            idents.append(ident)
            self.refs.append((kind, ident, item, ent))
        return tuple(idents) if ok else INVALID

    def list_value(self, node: Node, what: str, kind: str, parent: Entity, depth: int) -> Any:
        label = ENTITY_NAMES[kind]
        if not isinstance(node, Sequence):
            self.wrong_type(
                node,
                what,
                f"a list of {label}s" + (" (each item starts with '- ')" if isinstance(node, Mapping) else ""),
            )
            return INVALID
        if kind == "stage" and not node.items:
            self.error(node, Rule.NO_STAGES, "a journey map needs at least one stage")
            return INVALID
        child_depth = depth + 1 if kind == "touchpoint" and parent.kind == "touchpoint" else depth
        # The items understood, even when some are not: the later passes and
        # the warnings still see them (the errors already say the map is invalid).
        items: list[Entity] = []
        for item in node.items:
            ent = self.entity(item, kind, f"each item of {what}", child_depth)
            if ent is not None:
                items.append(ent)
        return items

    def emotion_value(self, node: Node, what: str) -> Any:
        if isinstance(node, Scalar) and integral(node):
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
                if not (isinstance(value_node, Scalar) and integral(value_node)):
                    self.wrong_type(value_node, f"the emotion of '{key}'", "an integer from -2 to +2", "emotion")
                    continue
                score = self.score(value_node, f"the emotion of '{key}'")
                if ident is INVALID or score is INVALID:
                    continue
                scores[ident] = score
            # Even when an entry is wrong, the valid ones are still checked
            # against the personas; the error already keeps the map from building.
            return scores
        self.wrong_type(node, what, "an integer from -2 to +2, or a mapping persona → integer", "emotion")
        return INVALID

    def score(self, node: Scalar, what: str) -> Any:
        value = node.value
        if m.EMOTION_MIN <= value <= m.EMOTION_MAX:
            return int(value)
        self.error(
            node, Rule.EMOTION_RANGE, f"{what} is {value}, outside the scale -2 (very negative) to +2 (very positive)"
        )
        return INVALID

    def metrics_value(self, node: Node, what: str) -> Any:
        if not isinstance(node, Mapping):
            self.wrong_type(node, what, "a mapping of metric names to values")
            return INVALID
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
                if ent is None or any(v is INVALID for v in ent.values.values()) or "value" not in ent.values:
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
            value = self.metric_value(value_node, f"metric '{short(name, 40)}'")
            if value is INVALID:
                ok = False
                continue
            metrics.append(m.Metric(name, value))
        return tuple(metrics) if ok else INVALID

    def metric_value(self, node: Node, what: str) -> Any:
        if isinstance(node, Scalar) and node.tag in (INT, FLOAT):
            if node.plain and ":" in node.raw:
                self.error(node, Rule.INVALID_METRIC, f"{what} must be a number{self.trap(node, 'metric')}")
                return INVALID
            number = float(node.value)
            if not math.isfinite(number):
                self.error(node, Rule.INVALID_METRIC, f"{what} must be a finite number")
                return INVALID
            return m.MetricValue(number, False, node.raw if node.plain else repr(node.value))
        if isinstance(node, Scalar) and node.tag == STR:
            text = node.value
            if PERCENT_RE.fullmatch(text):
                return m.MetricValue(float(text[:-1]), True, text)
            compact = text.replace(" ", "").replace(",", ".")
            hint = f" (write '{compact}')" if PERCENT_RE.fullmatch(compact) else ""
            self.error(
                node,
                Rule.INVALID_METRIC,
                f"{what} must be a number, a percentage such as \"23%\", or a mapping with 'value', not '{short(text, 40)}'{hint}",
            )
            return INVALID
        self.wrong_type(node, what, "a number, a percentage such as \"23%\", or a mapping with 'value'", "metric")
        return INVALID

    # -- pass 2: references -----------------------------------------------------

    def check_references(self, doc: Entity) -> None:
        by_kind: dict[str, list[str]] = {}
        for ident, (kind, _) in self.ids.items():
            by_kind.setdefault(kind, []).append(ident)
        for kind, ident, node, _ent in self.refs:
            found = self.ids.get(ident)
            label = ENTITY_NAMES[kind]
            if found is None:
                self.error(
                    node,
                    Rule.UNKNOWN_REFERENCE,
                    f"unknown {label} '{ident}'{self.suggest(ident, by_kind.get(kind, []))}",
                )
            elif found[0] != kind:
                self.error(
                    node,
                    Rule.WRONG_REFERENCE,
                    f"'{ident}' is a {ENTITY_NAMES[found[0]]} (line {found[1].line}), not a {label}"
                    f"{self.suggest(ident, by_kind.get(kind, []))}",
                )
        everyone = tuple(i for i, (k, _) in self.ids.items() if k == "persona")
        for stage in doc.get("stages") or []:
            self.check_emotion_personas(stage.get("touchpoints") or [], everyone, everyone)

    def check_emotion_personas(
        self, touchpoints: list[Entity], inherited: tuple[str, ...], everyone: tuple[str, ...]
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
                    self.error(key_node, Rule.UNKNOWN_REFERENCE, f"unknown persona '{pid}' in 'emotion'{hint}")
                elif pid not in here:
                    self.error(
                        key_node,
                        Rule.EMOTION_PERSONA,
                        f"persona '{pid}' does not pass touchpoint '{ent.get('id')}' "
                        f"(its personas: {', '.join(here) or 'none'}), so it cannot have an emotion here",
                    )

"""``jmap import mermaid FILE``: a Mermaid ``journey`` diagram → a jmap map.

Teams that already draw journeys in Mermaid migrate by importing them once and
then enriching the YAML. The reader follows Mermaid's own grammar rule by rule
(:mod:`jmap.mermaid.grammar`, shared with the export), so a diagram
that Mermaid rejects is rejected here with ``FILE:LINE:COL`` messages (all
of them in one run), and one that it accepts means the same thing here:

- ``title`` → ``title``; a front matter's ``title:`` is kept as written
  (``2024`` stays the text "2024") and a ``title`` line wins over it, as in
  Mermaid; without either, ``accTitle``, else the file's name;
  ``accDescr`` → ``description``; ``%%{ … }%%`` directives are skipped, also
  over several lines;
- each ``section`` → a stage; tasks before any section go to a stage named
  "Journey";
- each task → a touchpoint, its score (``5``, ``5.0``, ``+5``: what
  JavaScript's ``Number`` reads as a whole number from 1 to 5) → emotion
  -2..+2 (``emotion = score - 3``);
- actors → personas in order of first appearance; a task that lists only some
  actors gets ``personas``, one that lists none gets ``personas: []`` (Mermaid
  draws it without actors), one that lists every actor is everyone's;
- entity codes (``#58;``, ``#35;``, ``#59;``, ``#44;``, ``#quot;``…) are
  decoded, as Mermaid's renderer does;
- ids are slugs of the names, made unique across the whole map; every
  touchpoint gets the channel ``unspecified`` (Mermaid has no channels), so
  that the map passes ``jmap validate --strict`` until channels are filled
  in; the map starts with the editor modeline and carries ``lang: en``.

Importing jmap's own Mermaid export gives back the same names, scores and
actors.
"""

from __future__ import annotations

import heapq
import itertools
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import yaml

from jmap.errors import JmapError
from jmap.format.loader import STR, Mapping, Node, Scalar, Sequence, compose, normalize_newlines
from jmap.format.table import slugify
from jmap.mermaid.grammar import (
    DIRECTIVE,
    LEXER_RULES,
    NEUTRAL_SCORE,
    SCORE_MAX,
    SCORE_MIN,
    Entities,
    read_description,
    read_text,
    score_of,
    score_to_emotion,
    split_task_data,
)

RULE_SYNTAX = "mermaid-syntax"
RULE_SCORE = "mermaid-score"

#: Longest id produced from a name; longer names give readable, not huge, ids.
MAX_ID_LENGTH = 48
DEFAULT_STAGE_NAME = "Journey"
#: Mermaid has no channels: every touchpoint gets this one, to be replaced.
CHANNEL = {"id": "unspecified", "name": "Unspecified (imported from Mermaid)"}
#: The one step of a map imported from a diagram without any task.
EMPTY_STEP = "Unspecified step (the Mermaid diagram has no task)"
#: At most this many problems are listed; the rest are counted.
MAX_ERRORS = 50

_REST_OF_LINE = re.compile(r"[^\n]*")
_UNTIL_BRACE = re.compile(r"[^}]*")
_FRONTMATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


class MermaidImportError(JmapError):
    """Every problem of a diagram, one ``FILE:LINE:COL: error: … [rule]`` each."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass(frozen=True, slots=True)
class _Token:
    """A statement keyword or the text after it, with where it ends in the
    diagram (messages point there)."""

    kind: str
    text: str
    offset: int


@dataclass(frozen=True, slots=True)
class _Task:
    """A Mermaid task: it becomes a touchpoint, its score an emotion and its
    actors the personas who pass there."""

    name: str
    score: int
    #: None: the task lists no actors (Mermaid draws it without any).
    people: list[str] | None


@dataclass(frozen=True, slots=True)
class _Section:
    """A Mermaid section: it becomes a stage."""

    name: str
    tasks: list[_Task] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Source:
    """The text, where each offset is, and the problems found so far."""

    text: str
    filename: str
    problems: list[str] = field(default_factory=list)
    entities: Entities = field(default_factory=Entities)

    def error(self, offset: int, message: str, rule: str = RULE_SYNTAX) -> None:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        self.error_at(line, column, message, rule)

    def error_at(self, line: int, column: int, message: str, rule: str = RULE_SYNTAX) -> None:
        self.problems.append(f"{self.filename}:{line}:{column}: error: {message} [{rule}]")

    def read(self, text: str) -> str:
        return read_text(text, self.entities)

    def shown(self, text: str) -> str:
        """Text for a message: entities decoded, one line, not too long."""
        text = " ".join(self.read(text).split())
        return text if len(text) <= 60 else text[:59] + "…"


def _tokens(source: _Source, text: str, start: int) -> list[_Token]:
    tokens: list[_Token] = []
    position = start
    while position < len(text):
        for kind, pattern in LEXER_RULES:
            match = pattern.match(text, position)
            if match is None:
                continue
            if kind in ("acc_title", "acc_descr"):
                value = _REST_OF_LINE.match(text, match.end())
                assert value is not None  # matches the empty string at worst
                tokens.append(_Token(kind, value.group(), match.end()))
                position = value.end()
            elif kind == "acc_descr_multiline":
                value = _UNTIL_BRACE.match(text, match.end())
                assert value is not None
                if value.end() >= len(text):
                    source.error(match.start(), "'accDescr {' is never closed by '}'")
                    return tokens
                tokens.append(_Token(kind, value.group(), match.end()))
                position = value.end() + 1
            else:
                if kind != "skip":
                    tokens.append(_Token(kind, match.group(), position))
                position = match.end()
            break
        else:  # pragma: no cover - the rules together match any character
            source.error(position, f"unexpected character {text[position]!r}")
            position += 1
    return tokens


def _parse(source: _Source) -> tuple[str | None, str | None, str | None, list[_Section]]:
    text = source.text
    start = 0
    frontmatter_title: str | None = None
    front = _FRONTMATTER.match(text)
    if front:
        frontmatter_title = _frontmatter_title(source, front.group(1) or "")
        start = front.end()
    # Directives go after the front matter, as in Mermaid: replaced by
    # blanks, so that positions stay those of the file.
    body = DIRECTIVE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text[start:])
    body = source.entities.protect(body)
    tokens = _tokens(source, text[:start] + body, start)
    # Mermaid trims blank lines before the diagram type.
    while tokens and tokens[0].kind == "newline":
        tokens.pop(0)
    if not tokens or tokens[0].kind != "journey":
        where = tokens[0].offset if tokens else start
        source.error(where, "not a Mermaid journey diagram: the first line must be 'journey'")
        return None, None, None, []
    if tokens[0].text != "journey":
        # Mermaid's lexer ignores case, but the detector that picks the
        # diagram type before it does not (/^\s*journey/): "Journey" is no
        # diagram at all.
        source.error(
            tokens[0].offset,
            f"'{tokens[0].text}' is not a diagram type: Mermaid recognises 'journey' in lower case only",
        )
        return None, None, None, []
    title = frontmatter_title
    acc_title: str | None = None
    description: str | None = None
    sections: list[_Section] = []
    index = 1
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.kind == "newline":
            continue
        if token.kind == "title":
            # Mermaid sets the front matter's title first, then parses.
            title = source.read(token.text[6:])
        elif token.kind == "acc_title":
            acc_title = source.read(token.text)
        elif token.kind in ("acc_descr", "acc_descr_multiline"):
            description = read_description(token.text, source.entities)
        elif token.kind == "section":
            sections.append(_Section(source.read(token.text[8:])))
        elif token.kind == "task_name":
            data = tokens[index] if index < len(tokens) else None
            if data is None or data.kind != "task_data":
                where = token.offset + len(token.text)
                hint = " ('#' starts a comment in Mermaid)" if text.startswith("#", where) else ""
                source.error(where, f"task '{source.shown(token.text)}' needs ': SCORE' after its name{hint}")
                index = _next_line(tokens, index)
                continue
            index += 1
            if not sections:
                sections.append(_Section(DEFAULT_STAGE_NAME))
            task = _task(source, token, data)
            if task is not None:
                sections[-1].tasks.append(task)
        elif token.kind == "journey":
            source.error(token.offset, f"'{token.text}' is a keyword here; Mermaid reads it as a second diagram type")
            index = _next_line(tokens, index)
        else:
            source.error(token.offset, f"unexpected '{source.shown(token.text)}'")
            index = _next_line(tokens, index)
    return title, acc_title, description, sections


def _next_line(tokens: list[_Token], index: int) -> int:
    """Resume after a mistake at the next line, so that every problem of the
    file is reported in one run."""
    while index < len(tokens) and tokens[index].kind != "newline":
        index += 1
    return index


def _frontmatter_title(source: _Source, block: str) -> str | None:
    """The front matter's title as written: ``title: 2024`` (or ``yes``, or a
    date) is that text, not a number, a boolean or a date.

    Read with jmap's own YAML loader, which never raises: ``yaml.safe_load``
    raised ValueError, KeyError or RecursionError on ``title: 2024-13-01``,
    ``!!int abc``, ``!!bool maybe``, a 5,000-digit number or 2,000 nested
    brackets.
    """
    root, problems = compose(normalize_newlines(block))
    if root is None and problems:
        first = problems[0]
        source.error(0, f"the front matter is not valid YAML (line {first.line}: {first.message})")
        return None
    _duplicate_keys(source, root)
    if not isinstance(root, Mapping):
        return None
    for key, value in root.pairs:
        if isinstance(key, Scalar) and key.value == "title" and isinstance(value, Scalar):
            if value.tag == STR:
                return str(value.value).strip()
            return value.raw.strip() if value.plain else None
    return None


def _duplicate_keys(source: _Source, root: Node | None) -> None:
    """Mermaid reads the front matter with js-yaml, which refuses a key given
    twice in a mapping, at any depth: so does the import, at the second key.
    The block starts on the file's second line, after ``---``. (Iterative:
    the loader bounds the depth, not this walk.)"""
    found: list[tuple[int, int, str]] = []
    waiting = [root]
    while waiting:
        node = waiting.pop()
        if isinstance(node, Sequence):
            waiting.extend(node.items)
        elif isinstance(node, Mapping):
            seen: dict[object, int] = {}
            for key, value in node.pairs:
                waiting.append(value)
                if not isinstance(key, Scalar):
                    continue
                marker = (key.tag, repr(key.value))
                if marker in seen:
                    message = (
                        f"the front matter gives the key '{source.shown(key.raw)}' twice (first at line "
                        f"{seen[marker] + 1}); Mermaid refuses a duplicated key"
                    )
                    found.append((key.line + 1, key.col, message))
                else:
                    seen[marker] = key.line
    for line, column, message in sorted(found):
        source.error_at(line, column, message)


def _task(source: _Source, name: _Token, data: _Token) -> _Task | None:
    raw_score, raw_people = split_task_data(data.text)
    task_name = source.read(name.text)
    score = score_of(source.read(raw_score))
    if score is None:
        shown = source.shown(name.text)
        if raw_people is None and raw_score.strip() and not any(c.isdigit() for c in raw_score):
            # `Step: Gérard`: the actors where the score belongs, not a score.
            actors = source.shown(raw_score.strip())
            message = (
                f"task '{shown}' has score '{actors}', not a whole number from {SCORE_MIN} to {SCORE_MAX}: "
                f"if '{actors}' are its actors, the score is missing (write `{shown}: 3: {actors}`)"
            )
        else:
            message = (
                f"task '{shown}' has score '{source.shown(raw_score)}'; expected a whole number "
                f"from {SCORE_MIN} to {SCORE_MAX}"
            )
        source.error(data.offset + 1 + (len(raw_score) - len(raw_score.lstrip())), message, RULE_SCORE)
        return None
    people: list[str] | None = None
    if raw_people is not None:
        people = []
        for raw in raw_people:
            person = source.read(raw)
            if person and person not in people:
                people.append(person)
    return _Task(task_name, score, people)


def _actor_order(lists: list[list[str]]) -> list[str]:
    """Actors in an order that agrees with every task's list of actors.

    jmap's export lists a task's actors in the map's persona order, so an
    order consistent with all tasks gives the personas back in their order.
    A topological sort (Kahn's) over "listed right before" pairs; ties, and
    the cycles a hand-written diagram may hold, go by first appearance.
    """
    first_seen: dict[str, int] = {}
    successors: dict[str, set[str]] = {}
    for people in lists:
        for person in people:
            if person not in first_seen:
                first_seen[person] = len(first_seen)
                successors[person] = set()
        for earlier, later in itertools.pairwise(people):
            successors[earlier].add(later)
    waiting = dict.fromkeys(first_seen, 0)
    for targets in successors.values():
        for target in targets:
            waiting[target] += 1
    ready = [first_seen[a] for a, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    by_index = list(first_seen)
    ordered: list[str] = []
    placed: set[str] = set()
    scan = 0
    while len(ordered) < len(by_index):
        if not ready:  # a cycle: break it at the earliest actor not yet placed
            while by_index[scan] in placed:
                scan += 1
            heapq.heappush(ready, scan)
        actor = by_index[heapq.heappop(ready)]
        if actor in placed:
            continue
        placed.add(actor)
        ordered.append(actor)
        for target in successors[actor]:
            waiting[target] -= 1
            if waiting[target] == 0 and target not in placed:
                heapq.heappush(ready, first_seen[target])
    return ordered


def _steps(tasks: list[_Task]) -> list[list[_Task]]:
    """Tasks grouped into touchpoints: consecutive tasks of the same name,
    each with its own actors (no actor in two of them) and each a different
    score, are one step that its personas feel differently, which is how
    Mermaid (one score per task) draws it and how jmap's export writes it.
    Any other task is a touchpoint of its own."""
    steps: list[list[_Task]] = []
    for task in tasks:
        if steps and task.people and _joins(steps[-1], task):
            steps[-1].append(task)
        else:
            steps.append([task])
    return steps


def _joins(step: list[_Task], task: _Task) -> bool:
    first = step[0]
    if task.name != first.name or any(not other.people for other in step):
        return False
    taken = {person for other in step for person in other.people or []}
    scores = {other.score for other in step}
    return task.score not in scores and not taken.intersection(task.people or [])


class _Ids:
    """Slug ids, unique across the map as the format requires."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        #: The next number to try for each slug: 20,000 tasks of one name must
        #: not try 1, 2, 3… each time (that was quadratic).
        self.next_number: dict[str, int] = {}

    def make(self, name: str, fallback: str) -> str:
        slug = slugify(name)
        if len(slug) > MAX_ID_LENGTH:
            cut = slug[:MAX_ID_LENGTH]
            slug = cut[: cut.rfind("-")] if "-" in cut else cut
        slug = slug or fallback
        candidate, number = slug, self.next_number.get(slug, 2)
        while candidate in self.taken:
            candidate = f"{slug}-{number}"
            number += 1
        self.next_number[slug] = number
        self.taken.add(candidate)
        return candidate


def _modeline() -> str:
    from jmap.format.schema import SCHEMA_ID

    return f"# yaml-language-server: $schema={SCHEMA_ID}\n"


def import_mermaid(text: str, filename: str) -> str:
    """The YAML text of a valid jmap map drawn from Mermaid journey ``text``.

    Raises MermaidImportError (one ``FILE:LINE:COL: error: … [rule]`` line per
    problem, all of them) for text that Mermaid itself would not accept, or a
    score jmap cannot keep.
    """
    source = _Source(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"), filename)
    title, acc_title, description, sections = _parse(source)
    if source.problems:
        lines = source.problems[:MAX_ERRORS]
        if len(source.problems) > MAX_ERRORS:
            lines.append(f"{filename}: error: {len(source.problems) - MAX_ERRORS} more problems [{RULE_SYNTAX}]")
        raise MermaidImportError(lines)
    if not title:
        # "<stdin>" and "-" name no file whose name could serve as a title.
        stem = "" if filename.startswith("<") or filename == "-" else PurePath(filename).stem
        title = acc_title or stem or "Imported journey"

    ids = _Ids()
    actors = _actor_order([task.people or [] for section in sections for task in section.tasks])
    persona_ids = {name: ids.make(name, "persona") for name in actors}
    tasks = [task for section in sections for task in section.tasks]

    document: dict[str, Any] = {"jmap": 1, "title": title, "lang": "en"}
    if description:
        document["description"] = description
    if actors:
        document["personas"] = [{"id": persona_ids[name], "name": name} for name in actors]
    # A section without tasks is not drawn by Mermaid, and a stage without
    # touchpoints fails `validate --strict`: it is left out. A diagram without
    # any task still makes a valid map: one stage (its first section, or
    # "Journey") holding one placeholder step.
    if not tasks:
        named = next((section.name for section in sections if section.name), DEFAULT_STAGE_NAME)
        sections = [_Section(named, [_Task(EMPTY_STEP, NEUTRAL_SCORE, None)])]
    channel_id = ids.make(CHANNEL["id"], "channel")
    document["channels"] = [{"id": channel_id, "name": CHANNEL["name"]}]
    stages = []
    for section in sections:
        if not section.tasks:
            continue
        stage: dict[str, Any] = {"id": ids.make(section.name, "stage"), "name": section.name or DEFAULT_STAGE_NAME}
        touchpoints = []
        for number, step in enumerate(_steps(section.tasks), start=1):
            first = step[0]
            touchpoint: dict[str, Any] = {
                "id": ids.make(first.name, "touchpoint"),
                "name": first.name or f"Task {number}",
                "channel": channel_id,
            }
            people = [person for task in step for person in task.people or []]
            if actors and set(people) != set(actors):
                touchpoint["personas"] = [persona_ids[name] for name in people]
            if len(step) == 1:
                touchpoint["emotion"] = score_to_emotion(first.score)
            else:
                touchpoint["emotion"] = {
                    persona_ids[person]: score_to_emotion(task.score) for task in step for person in task.people or []
                }
            touchpoints.append(touchpoint)
        stage["touchpoints"] = touchpoints
        stages.append(stage)
    document["stages"] = stages
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    return _modeline() + body

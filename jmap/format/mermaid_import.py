"""``jmap import mermaid FILE``: a Mermaid ``journey`` diagram → a jmap map.

Teams that already draw journeys in Mermaid migrate by importing them once and
then enriching the YAML. The reader follows Mermaid's own journey lexer rule by
rule (same order, same case-insensitivity), so a diagram that Mermaid rejects
is rejected here with a ``FILE:LINE:COL`` message, and one that it accepts
means the same thing here:

- ``title`` → ``title`` (else ``accTitle``, else the file's name);
  ``accDescr`` → ``description``;
- each ``section`` → a stage; tasks before any section go to a stage named
  "Journey";
- each task → a touchpoint, its score 1..5 → emotion -2..+2
  (``emotion = score - 3``);
- actors → personas in order of first appearance; a task that lists only
  some actors gets ``personas``, one that lists every actor (or none) is
  everyone's;
- ids are slugs of the names, made unique across the whole map.

Importing jmap's own Mermaid export gives back the same stages, tasks and
scores (the word joiner that the export puts inside keywords is removed).
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
from jmap.format.table import slugify
from jmap.render.mermaid import MERMAID_SCORE_MAX, MERMAID_SCORE_MIN, WORD_JOINER, score_to_emotion

RULE_SYNTAX = "mermaid-syntax"
RULE_SCORE = "mermaid-score"

#: Longest id produced from a name; longer names give readable, not huge, ids.
MAX_ID_LENGTH = 48
DEFAULT_STAGE_NAME = "Journey"

# Mermaid's journey lexer (src/diagrams/user-journey/parser/journey.jison),
# in its order: the first rule that matches wins, not the longest.
_I = re.IGNORECASE | re.ASCII  # JavaScript regexes without the u flag
#: JavaScript's ``\s`` (the lexer's), which differs from Python's: it has
#: U+FEFF and lacks the information separators U+001C..U+001F and U+0085.
_WS = "[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("skip", re.compile(r"%(?!\{)[^\n]*", _I)),
    ("skip", re.compile(r"[^}]%%[^\n]*", _I)),
    ("newline", re.compile(r"\n+", _I)),
    ("skip", re.compile(_WS + "+", _I)),
    ("skip", re.compile(r"#[^\n]*", _I)),
    ("journey", re.compile(r"journey\b", _I)),
    ("title", re.compile(r"title" + _WS + r"[^#\n;]+", _I)),
    ("acc_title", re.compile(r"accTitle" + _WS + "*:" + _WS + "*", _I)),
    ("acc_descr", re.compile(r"accDescr" + _WS + "*:" + _WS + "*", _I)),
    ("acc_descr_multiline", re.compile(r"accDescr" + _WS + r"*\{" + _WS + "*", _I)),
    ("section", re.compile(r"section" + _WS + r"[^#:\n;]+", _I)),
    ("task_name", re.compile(r"[^#:\n;]+", _I)),
    ("task_data", re.compile(r":[^#\n;]+", _I)),
    ("colon", re.compile(r":", _I)),
]
_REST_OF_LINE = re.compile(r"[^\n]*")
_UNTIL_BRACE = re.compile(r"[^}]*")
_FRONTMATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_INTEGER = re.compile(r"[+]?[0-9]+")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    offset: int


@dataclass(frozen=True, slots=True)
class _Task:
    name: str
    score: int
    people: list[str]


@dataclass(frozen=True, slots=True)
class _Section:
    name: str
    tasks: list[_Task] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Source:
    """The text and where each offset is, for ``FILE:LINE:COL`` messages."""

    text: str
    filename: str

    def error(self, offset: int, message: str, rule: str = RULE_SYNTAX) -> JmapError:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return JmapError(f"{self.filename}:{line}:{column}: error: {message} [{rule}]")


def _tokens(source: _Source, start: int) -> list[_Token]:
    text = source.text
    tokens: list[_Token] = []
    position = start
    while position < len(text):
        for kind, pattern in _RULES:
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
                    raise source.error(match.start(), "'accDescr {' is never closed by '}'")
                tokens.append(_Token(kind, value.group(), match.end()))
                position = value.end() + 1
            else:
                if kind != "skip":
                    tokens.append(_Token(kind, match.group(), position))
                position = match.end()
            break
        else:
            raise source.error(position, f"unexpected character {text[position]!r}")
    return tokens


def _clean(text: str) -> str:
    return text.replace(WORD_JOINER, "").strip()


def _parse(source: _Source) -> tuple[str | None, str | None, str | None, list[_Section]]:
    text = source.text
    start = 0
    frontmatter_title: str | None = None
    front = _FRONTMATTER.match(text)
    if front:
        frontmatter_title = _frontmatter_title(source, front.group(1) or "")
        start = front.end()
    tokens = _tokens(source, start)
    # Mermaid trims blank lines before the diagram type.
    while tokens and tokens[0].kind == "newline":
        tokens.pop(0)
    if not tokens or tokens[0].kind != "journey":
        where = tokens[0].offset if tokens else start
        raise source.error(where, "not a Mermaid journey diagram: the first line must be 'journey'")
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
            title = _clean(token.text[6:])
        elif token.kind == "acc_title":
            acc_title = _clean(token.text)
        elif token.kind in ("acc_descr", "acc_descr_multiline"):
            description = _clean(token.text)
        elif token.kind == "section":
            sections.append(_Section(_clean(token.text[8:])))
        elif token.kind == "task_name":
            data = tokens[index] if index < len(tokens) else None
            if data is None or data.kind != "task_data":
                where = token.offset + len(token.text)
                hint = " ('#' starts a comment in Mermaid)" if text.startswith("#", where) else ""
                raise source.error(where, f"task '{_clean(token.text)}' needs ': SCORE' after its name{hint}")
            index += 1
            if not sections:
                sections.append(_Section(DEFAULT_STAGE_NAME))
            sections[-1].tasks.append(_task(source, token, data))
        elif token.kind == "journey":
            raise source.error(
                token.offset, f"'{token.text}' is a keyword here; Mermaid reads it as a second diagram type"
            )
        else:
            raise source.error(token.offset, f"unexpected '{token.text}'")
    return title, acc_title, description, sections


def _frontmatter_title(source: _Source, block: str) -> str | None:
    """The front matter's ``title`` when it is text.

    Read with jmap's own YAML loader, which never raises: ``yaml.safe_load``
    raised ValueError, KeyError or RecursionError on ``title: 2024-13-01``,
    ``!!int abc``, ``!!bool maybe``, a 5,000-digit number or 2,000 nested
    brackets. A value YAML cannot build is simply not a title.
    """
    from jmap.format.loader import STR, Mapping, Scalar, compose, normalize_newlines

    root, problems = compose(normalize_newlines(block))
    if root is None and problems:
        first = problems[0]
        raise source.error(0, f"the front matter is not valid YAML (line {first.line}: {first.message})") from None
    if not isinstance(root, Mapping):
        return None
    for key, value in root.pairs:
        if isinstance(key, Scalar) and key.value == "title" and isinstance(value, Scalar) and value.tag == STR:
            return str(value.value).strip()
    return None


def _task(source: _Source, name: _Token, data: _Token) -> _Task:
    # As Mermaid's journeyDb.addTask: "score" or "score: actor, actor"; any
    # further ":" part is ignored by Mermaid too.
    pieces = data.text[1:].split(":")
    raw_score = pieces[0].strip()
    task_name = _clean(name.text)
    # The length test first: int() refuses more than 4,300 digits.
    if (
        len(raw_score) > 8
        or not _INTEGER.fullmatch(raw_score)
        or not MERMAID_SCORE_MIN <= int(raw_score) <= MERMAID_SCORE_MAX
    ):
        raise source.error(
            data.offset + 1 + (len(pieces[0]) - len(pieces[0].lstrip())),
            f"task '{task_name}' has score '{raw_score}'; expected a whole number from "
            f"{MERMAID_SCORE_MIN} to {MERMAID_SCORE_MAX}",
            RULE_SCORE,
        )
    people: list[str] = []
    for raw in pieces[1].split(",") if len(pieces) > 1 else []:
        person = _clean(raw)
        if person and person not in people:
            people.append(person)
    return _Task(task_name, int(raw_score), people)


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


def import_mermaid(text: str, filename: str) -> str:
    """The YAML text of a valid jmap map drawn from Mermaid journey ``text``.

    Raises JmapError (``FILE:LINE:COL: error: … [mermaid-syntax]``) for text
    that Mermaid itself would not accept, or a score outside 1..5.
    """
    source = _Source(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"), filename)
    title, acc_title, description, sections = _parse(source)
    if not title:
        # "<stdin>" and "-" name no file whose name could serve as a title.
        stem = "" if filename.startswith("<") or filename == "-" else PurePath(filename).stem
        title = acc_title or stem or "Imported journey"

    ids = _Ids()
    actors = _actor_order([task.people for section in sections for task in section.tasks])
    persona_ids = {name: ids.make(name, "persona") for name in actors}

    document: dict[str, Any] = {"jmap": 1, "title": title}
    if description:
        document["description"] = description
    if actors:
        document["personas"] = [{"id": persona_ids[name], "name": name} for name in actors]
    stages = []
    for section in sections:
        stage: dict[str, Any] = {"id": ids.make(section.name, "stage"), "name": section.name or DEFAULT_STAGE_NAME}
        touchpoints = []
        for number, task in enumerate(section.tasks, start=1):
            touchpoint: dict[str, Any] = {
                "id": ids.make(task.name, "touchpoint"),
                "name": task.name or f"Task {number}",
            }
            if task.people and set(task.people) != set(actors):
                touchpoint["personas"] = [persona_ids[name] for name in task.people]
            touchpoint["emotion"] = score_to_emotion(task.score)
            touchpoints.append(touchpoint)
        if touchpoints:
            stage["touchpoints"] = touchpoints
        stages.append(stage)
    if not stages:
        stages.append({"id": ids.make(DEFAULT_STAGE_NAME, "stage"), "name": DEFAULT_STAGE_NAME})
    document["stages"] = stages
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)

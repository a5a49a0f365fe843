"""Mermaid's ``journey`` grammar, written down once for the export and the import.

jmap writes Mermaid (``-f mmd``, the block in the Markdown summary) and reads
it (``jmap import mermaid``). Both must agree with Mermaid, and so with each
other, on every rule below; keeping the rules here, next to each other, is
what makes a round trip give back the same names and scores.

What Mermaid does (mermaid-js/mermaid, ``diagrams/user-journey``):

- Before lexing, ``encodeEntities`` replaces every ``#name;`` or ``#123;`` by a
  placeholder (after dropping the last ``;`` of a line holding ``style…:…#…;``
  or ``classDef…:…#…;``); the renderer decodes them as HTML entities
  (``#58;`` → ``:``). So an entity code is the one way to write ``:``, ``#``,
  ``;`` or ``,`` inside a name.
- The lexer (``journey.jison``) tries its rules in order, case-insensitively,
  the first match winning: comments, ``journey``, ``title``, ``accTitle:``,
  ``accDescr:``/``accDescr {…}``, ``section NAME``, a task name (anything but
  ``#``, ``:``, ``;`` and a line break) and the task's data (``:`` then the
  same). A line that starts with a keyword is read as that keyword.
- ``addTask`` splits the data on ``:``: the first piece is the score, read with
  JavaScript's ``Number()``; the second, split on ``,`` and trimmed, the
  actors (no second piece: no actors). Further pieces are ignored. Actors are
  compared as written: ``Bob`` and ``bob`` are two people.
- The score draws the face: 1 to 5, 3 neutral.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable

# -- scores ------------------------------------------------------------------------

SCORE_MIN = 1
SCORE_MAX = 5
NEUTRAL_SCORE = 3


def emotion_to_score(emotion: float) -> int:
    """Emotion -2..+2 → Mermaid score 1..5, halves rounded up (-0.5 → 3)."""
    score = math.floor(emotion + 0.5) + NEUTRAL_SCORE
    return max(SCORE_MIN, min(SCORE_MAX, score))


def score_to_emotion(score: int) -> int:
    """Mermaid score 1..5 → emotion -2..+2."""
    return score - NEUTRAL_SCORE


#: JavaScript's white space, as ``String.prototype.trim`` and ``\s`` know it:
#: it has U+FEFF and lacks U+001C..U+001F and U+0085, unlike Python's.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_JS_RADIX = re.compile(r"0([xXoObB])([0-9a-fA-F]+)", re.ASCII)


def js_number(text: str) -> float | None:
    """What JavaScript's ``Number(text)`` gives, or None for ``NaN``.

    Mermaid reads a task's score this way, so ``5.0``, `` 5 ``, ``+5``,
    ``0x5`` and ``5e0`` are all 5, and an empty score is 0.
    """
    text = text.strip(JS_SPACE)
    if not text:
        return 0.0
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    radix = _JS_RADIX.fullmatch(text)
    if radix:
        base = {"x": 16, "o": 8, "b": 2}[radix.group(1).lower()]
        try:
            return float(int(radix.group(2), base))
        except ValueError:
            return None
        except OverflowError:  # beyond a double: JavaScript reads Infinity
            return math.inf
    if _JS_DECIMAL.fullmatch(text):
        return float(text)
    return None


def score_of(raw: str) -> int | None:
    """The score a task's data gives, when Mermaid would draw one of its five
    faces for it and jmap can keep it: a whole number from 1 to 5."""
    value = js_number(raw)
    if value is None or not math.isfinite(value) or value != int(value):
        return None
    score = int(value)
    return score if SCORE_MIN <= score <= SCORE_MAX else None


def split_task_data(data: str) -> tuple[str, list[str] | None]:
    """A task's data (``: 5: Alice, Bob``) → its raw score and its actors,
    as Mermaid's ``addTask`` splits them; None when it lists no actors at all
    (``: 5``), as opposed to empty names (``: 5:``)."""
    pieces = data[1:].split(":") if data.startswith(":") else data.split(":")
    if len(pieces) == 1:
        return pieces[0], None
    return pieces[0], [actor.strip(JS_SPACE) for actor in pieces[1].split(",")]


# -- entity codes ------------------------------------------------------------------

#: The characters a name cannot hold as they are, and the entity code that
#: Mermaid decodes back into each. ``,`` only matters in actors.
ENTITY_CODES = {":": "#58;", "#": "#35;", ";": "#59;"}
ACTOR_ENTITY_CODES = {**ENTITY_CODES, ",": "#44;"}
_ENTITY = re.compile(r"#\w+;", re.ASCII)
_STYLE_LINE = re.compile(r"(?:style|classDef).*:\S*#.*;")
#: Placeholders that stand for an entity while the text is lexed: a
#: private-use character (one per distinct entity), then fillers so that
#: every offset, and so every error's column, stays that of the file.
_PLACEHOLDER_BASE = 0xF0000
_PLACEHOLDER_LIMIT = 0xFFFF0
_FILLER = "\U0010fffd"


def _entity_value(entity: str) -> str:
    """What a browser shows for ``&name;``/``&#123;``, as Mermaid's renderer
    turns ``#name;`` into the HTML entity."""
    inner = entity[1:-1]
    if inner.isdigit():
        number = int(inner)
        if 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF:
            return chr(number)
        return "\ufffd"
    return html.unescape(f"&{inner};")


class Entities:
    """Mermaid's ``encodeEntities`` for the importer: entities out of the way
    of the lexer, and back into text once a name is read."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def protect(self, text: str) -> str:
        def cut(match: re.Match[str]) -> str:
            return match.group()[:-1]

        text = _STYLE_LINE.sub(cut, text)

        def hide(match: re.Match[str]) -> str:
            entity = match.group()
            index = self._index.get(entity)
            if index is None:
                if len(self.values) >= _PLACEHOLDER_LIMIT - _PLACEHOLDER_BASE:
                    return entity
                index = self._index[entity] = len(self.values)
                self.values.append(_entity_value(entity))
            return chr(_PLACEHOLDER_BASE + index) + _FILLER * (len(entity) - 1)

        return _ENTITY.sub(hide, text)

    def decode(self, text: str) -> str:
        if not self.values:
            return text
        out = []
        for ch in text:
            code = ord(ch)
            if ch == _FILLER:
                continue
            if _PLACEHOLDER_BASE <= code < _PLACEHOLDER_BASE + len(self.values):
                out.append(self.values[code - _PLACEHOLDER_BASE])
            else:
                out.append(ch)
        return "".join(out)


# -- what a name may hold ------------------------------------------------------------

#: Invisible character put inside a leading keyword so the lexer does not
#: see it; the importer removes it again.
WORD_JOINER = "\u2060"

#: Characters that Mermaid's HTML clean-up or a Markdown fence would take for
#: markup: look-alikes, never entities (which the renderer would decode into
#: the very markup).
LOOK_ALIKES = {
    "<": "\u2039",  # ‹
    ">": "\u203a",  # ›
    "`": "\u02cb",  # ˋ  (keeps a Markdown code fence closed only by us)
}
_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\x0b\x0c]+")
#: Unicode's control characters (category Cc).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
#: Statements the lexer tries before a task name (case-insensitive). ASCII
#: flag: the lexer is JavaScript, whose ``\b`` knows only ASCII letters
#: (``journeyé`` starts with the keyword there).
KEYWORD = re.compile(r"(journey\b|title\s|section\s|acctitle|accdescr)", re.IGNORECASE | re.ASCII)


def visible(text: str) -> str:
    """One line of text: line breaks and control characters become spaces."""
    text = _LINE_BREAKS.sub(" ", text).replace("\ufeff", " ")  # JavaScript's \s includes U+FEFF
    text = _CONTROLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def mermaid_text(text: str, *, actor: bool = False) -> str:
    """User text written so that Mermaid reads it back exactly, in any
    position of a journey line.

    ``:``, ``#`` and ``;`` (and ``,`` in an actor) become entity codes, which
    Mermaid shows as the characters themselves; ``<``, ``>`` and backticks
    become look-alikes; line breaks become spaces. The result never contains
    a raw ``:``, ``;``, line break or ``%%``, never starts with ``%`` or a
    keyword, and holds ``#`` only in entity codes. It may be empty; callers
    choose a fallback.
    """
    text = visible(text).translate(_ACTOR_TABLE if actor else _TABLE)
    # "%%" anywhere could start a directive ("%%{") or a comment.
    while "%%" in text:
        text = text.replace("%%", "%" + WORD_JOINER + "%")
    if text.startswith("%"):
        text = WORD_JOINER + text
    if KEYWORD.match(text):
        text = text[0] + WORD_JOINER + text[1:]
    return text


_TABLE = str.maketrans({**ENTITY_CODES, **LOOK_ALIKES})
_ACTOR_TABLE = str.maketrans({**ACTOR_ENTITY_CODES, **LOOK_ALIKES})


def mermaid_actor_names(people: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Persona (id, name) → actor name: the one rule for every diagram jmap
    writes (the export and the summary's pictures).

    Mermaid identifies actors by name and tells them apart as written
    (``Bob`` and ``bob`` are two people, as in its ``getActors``), so the
    name is the persona's, rewritten by :func:`mermaid_text`; a name that is
    empty after that is the id; a name exactly equal to one already taken
    gets the id appended (``Sam (sam-2)``).
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for pid, name in people:
        actor = mermaid_text(name, actor=True) or mermaid_text(pid, actor=True)
        if actor in taken:
            actor = f"{actor} ({mermaid_text(pid, actor=True)})"
        taken.add(actor)
        names[pid] = actor
    return names


def read_text(text: str, entities: Entities) -> str:
    """A name, title or actor as Mermaid shows it: entities decoded, jmap's
    word joiner removed, white space trimmed as JavaScript does."""
    return entities.decode(text.replace(WORD_JOINER, "")).strip(JS_SPACE)


def read_description(text: str, entities: Entities) -> str:
    """An ``accDescr``, as Mermaid's ``setAccDescription`` keeps it: the
    indentation of its continuation lines dropped."""
    return re.sub("\n[" + JS_SPACE + "]+", "\n", read_text(text, entities))


# -- the lexer ---------------------------------------------------------------------

_I = re.IGNORECASE | re.ASCII  # JavaScript regexes without the u flag
_WS = "[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
#: Mermaid's journey lexer rules, in its order: the first that matches wins.
LEXER_RULES: list[tuple[str, re.Pattern[str]]] = [
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
#: ``%%{ … }%%`` directives, which Mermaid removes before parsing; they may
#: span lines.
DIRECTIVE = re.compile(r"%%\{.*?\}%%", re.DOTALL)

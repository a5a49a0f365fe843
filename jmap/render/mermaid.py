"""The Mermaid ``journey`` export of a map.

Mermaid's journey grammar has no escape mechanism: a task name ends at the
first ``:``, ``#`` starts a comment, ``;`` ends a statement, a line break ends
the line, and a name that begins with a keyword (``journey``, ``title``,
``section``, ``accTitle``, ``accDescr``) or with ``%`` is read as that keyword
or as a comment. So instead of escaping, :func:`mermaid_text` rewrites user
text into a form that always parses and still reads the same (full-width
look-alikes for the forbidden characters, an invisible word joiner to break a
keyword). The Markdown summary embeds this very output in its ```mermaid
block, so both use one sanitiser.

Mapping, also documented in docs/markdown.md:

- stages → sections, top-level touchpoints → tasks (sub-touchpoints are finer
  steps of their parent; as tasks they would break the single emotion line);
- emotion -2..+2 → score 1..5 (``score = emotion + 3``); per-persona emotions
  become their average rounded half up (one score per task is all Mermaid
  has), or the persona's own score in a ``--persona`` view; a touchpoint
  without an emotion gets the neutral 3;
- the personas passing a touchpoint → the task's actors, by name.
"""

from __future__ import annotations

import math
import re
import unicodedata

from jmap.model import JourneyMap, Touchpoint

#: Invisible character put inside a leading keyword so the lexer does not
#: see it; the importer removes it again.
WORD_JOINER = "\u2060"

#: Characters with a meaning in the journey grammar, and their look-alikes.
_REPLACEMENTS = {
    ":": "\uff1a",  # ：
    "#": "\uff03",  # ＃
    ";": "\uff1b",  # ；
    "<": "\u2039",  # ‹  (Mermaid's HTML clean-up rewrites tags)
    ">": "\u203a",  # ›
    "`": "\u02cb",  # ˋ  (keeps a Markdown code fence closed only by us)
}
#: Actors are separated by commas in a task's data.
_ACTOR_REPLACEMENTS = {",": "\u201a"}  # ‚ (low quotation mark, reads as a comma)

_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\x0b\x0c]+")
_SPACES = re.compile(r"\s+")
#: Statements the lexer tries before a task name (case-insensitive).
#: ASCII flag: the lexer is JavaScript, whose ``\b`` knows only ASCII letters
#: (``journeyé`` starts with the keyword there).
_KEYWORD = re.compile(r"(journey\b|title\s|section\s|acctitle|accdescr)", re.IGNORECASE | re.ASCII)

MERMAID_SCORE_MIN = 1
MERMAID_SCORE_MAX = 5
NEUTRAL_SCORE = 3


def _visible(text: str) -> str:
    """One line of text: line breaks and control characters become spaces."""
    text = _LINE_BREAKS.sub(" ", text).replace("\ufeff", " ")  # JavaScript's \s includes U+FEFF
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def mermaid_text(text: str, *, actor: bool = False) -> str:
    """User text made safe for any position of a Mermaid journey line.

    The result never contains a line break, ``:``, ``#``, ``;``, ``<``,
    ``>``, a backtick or ``%%``, never starts with ``%`` or a keyword, and for
    actors never contains a comma. It may be empty; callers choose a fallback.
    """
    table = {**_REPLACEMENTS, **(_ACTOR_REPLACEMENTS if actor else {})}
    text = "".join(table.get(ch, ch) for ch in _visible(text))
    # "%%" anywhere could start a directive ("%%{") or a comment.
    while "%%" in text:
        text = text.replace("%%", "%" + WORD_JOINER + "%")
    if text.startswith("%"):
        text = WORD_JOINER + text
    if _KEYWORD.match(text):
        text = text[0] + WORD_JOINER + text[1:]
    return text


def emotion_to_score(emotion: float) -> int:
    """Emotion -2..+2 → Mermaid score 1..5, halves rounded up (-0.5 → 3)."""
    score = math.floor(emotion + 0.5) + NEUTRAL_SCORE
    return max(MERMAID_SCORE_MIN, min(MERMAID_SCORE_MAX, score))


def score_to_emotion(score: int) -> int:
    """Mermaid score 1..5 → emotion -2..+2."""
    return score - NEUTRAL_SCORE


def touchpoint_score(jm: JourneyMap, touchpoint: Touchpoint, persona: str | None = None) -> int:
    """The one score Mermaid can show for a touchpoint (see the module doc)."""
    if touchpoint.emotion is None:
        return NEUTRAL_SCORE
    if persona is not None:
        value = jm.emotion_at(touchpoint, persona)
        if value is not None:
            return emotion_to_score(value)
    average = touchpoint.emotion.average()
    return NEUTRAL_SCORE if average is None else emotion_to_score(average)


def actor_names(jm: JourneyMap) -> dict[str, str]:
    """Persona id → actor name, unique, since Mermaid identifies actors by name."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for persona in jm.personas:
        name = mermaid_text(persona.name, actor=True) or mermaid_text(persona.id)
        if name.casefold() in taken:
            name = f"{name} ({persona.id})"
        taken.add(name.casefold())
        names[persona.id] = name
    return names


def render_mmd(jm: JourneyMap, persona: str | None = None) -> str:
    """The map as a Mermaid ``journey`` diagram (text ending in a newline)."""
    actors = actor_names(jm)
    lines = ["journey"]
    title = mermaid_text(jm.title)
    if persona is not None:
        who = mermaid_text(jm.persona(persona).name) or mermaid_text(persona)
        title = f"{title} ({who})" if title else who
    if title:
        lines.append(f"  title {title}")
    if jm.description:
        description = mermaid_text(jm.description)
        if description:
            lines.append(f"  accDescr: {description}")
    for stage in jm.stages:
        tasks = [tp for tp in stage.touchpoints if persona is None or persona in jm.personas_at(tp)]
        if persona is not None and not tasks:
            continue
        lines.append(f"  section {mermaid_text(stage.name) or mermaid_text(stage.id)}")
        for tp in tasks:
            name = mermaid_text(tp.name) or mermaid_text(tp.id)
            people = [persona] if persona is not None else list(jm.personas_at(tp))
            data = f"{touchpoint_score(jm, tp, persona)}"
            if people:
                data += ": " + ", ".join(actors[pid] for pid in people)
            lines.append(f"    {name}: {data}")
    return "\n".join(lines) + "\n"

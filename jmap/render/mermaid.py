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

Mermaid refuses a diagram longer than 50,000 characters (its ``maxTextSize``)
and draws an error instead. So labels are cut (MERMAID_LABEL_LIMIT characters,
actors MERMAID_ACTOR_LIMIT), and when a map is still too large the diagram
ends at the last touchpoint that fits, with a final section that says how
many were not drawn: the ``.mmd`` and the summary's block always draw.
"""

from __future__ import annotations

import math
import re

from jmap.model import JourneyMap, Touchpoint
from jmap.render.labels import labels

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

#: Mermaid's default ``maxTextSize``, counted as JavaScript counts (UTF-16 units).
MERMAID_MAX_TEXT = 50_000
#: What the diagram may use before its closing note; the note fits in the rest.
_DIAGRAM_BUDGET = MERMAID_MAX_TEXT - 2_000
MERMAID_LABEL_LIMIT = 100
MERMAID_ACTOR_LIMIT = 60
MERMAID_DESCRIPTION_LIMIT = 500

_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\x0b\x0c]+")
#: Unicode's control characters (category Cc).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
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
    text = _CONTROLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _js_length(text: str) -> int:
    """The length JavaScript sees: characters beyond the BMP count twice."""
    return len(text.encode("utf-16-le")) // 2


def mermaid_text(text: str, *, actor: bool = False) -> str:
    """User text made safe for any position of a Mermaid journey line.

    The result never contains a line break, ``:``, ``#``, ``;``, ``<``,
    ``>``, a backtick or ``%%``, never starts with ``%`` or a keyword, and for
    actors never contains a comma. It may be empty; callers choose a fallback.
    """
    table = _ACTOR_TABLE if actor else _TABLE
    text = _visible(text).translate(table)
    # "%%" anywhere could start a directive ("%%{") or a comment.
    while "%%" in text:
        text = text.replace("%%", "%" + WORD_JOINER + "%")
    if text.startswith("%"):
        text = WORD_JOINER + text
    if _KEYWORD.match(text):
        text = text[0] + WORD_JOINER + text[1:]
    return text


_TABLE = str.maketrans(_REPLACEMENTS)
_ACTOR_TABLE = str.maketrans({**_REPLACEMENTS, **_ACTOR_REPLACEMENTS})


def _label(text: str, limit: int = MERMAID_LABEL_LIMIT, *, actor: bool = False) -> str:
    """``mermaid_text`` of at most ``limit`` characters (cut before rewriting,
    so a cut never splits a look-alike or a word joiner)."""
    return mermaid_text(_cut(_visible(text), limit), actor=actor)


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
        name = _label(persona.name, MERMAID_ACTOR_LIMIT, actor=True) or _label(persona.id, MERMAID_ACTOR_LIMIT)
        if name.casefold() in taken:
            name = f"{name} ({persona.id})"
        taken.add(name.casefold())
        names[persona.id] = name
    return names


def render_mmd(jm: JourneyMap, persona: str | None = None) -> str:
    """The map as a Mermaid ``journey`` diagram (text ending in a newline)."""
    actors = actor_names(jm)
    lines = ["journey"]
    title = _label(jm.title)
    if persona is not None:
        who = _label(jm.persona(persona).name) or _label(persona)
        title = f"{title} ({who})" if title else who
    if title:
        lines.append(f"  title {title}")
    if jm.description:
        description = _label(jm.description, MERMAID_DESCRIPTION_LIMIT)
        if description:
            lines.append(f"  accDescr: {description}")
    sections = []
    for stage in jm.stages:
        tasks = [tp for tp in stage.touchpoints if persona is None or persona in jm.personas_at(tp)]
        if persona is not None and not tasks:
            continue
        sections.append((stage, tasks))
    size = sum(_js_length(line) + 1 for line in lines)
    left = sum(len(tasks) for _, tasks in sections)
    for stage, tasks in sections:
        heading = f"  section {_label(stage.name) or _label(stage.id)}"
        body = []
        for tp in tasks:
            name = _label(tp.name) or _label(tp.id)
            people = [persona] if persona is not None else list(jm.personas_at(tp))
            data = f"{touchpoint_score(jm, tp, persona)}"
            if people:
                data += ": " + ", ".join(actors[pid] for pid in people)
            body.append(f"    {name}: {data}")
        cost = sum(_js_length(line) + 1 for line in [heading, *body])
        if size + cost > _DIAGRAM_BUDGET:
            # Draw what fits of this stage, then say what is missing.
            fits = []
            size += _js_length(heading) + 1
            for line in body:
                if size + _js_length(line) + 1 > _DIAGRAM_BUDGET:
                    break
                size += _js_length(line) + 1
                fits.append(line)
            if fits:
                lines += [heading, *fits]
                left -= len(fits)
            lines += _not_drawn(jm, left)
            return "\n".join(lines) + "\n"
        lines += [heading, *body]
        size += cost
        left -= len(tasks)
    return "\n".join(lines) + "\n"


def _not_drawn(jm: JourneyMap, count: int) -> list[str]:
    """The closing section of a diagram cut at Mermaid's limit, in the map's
    language, so that readers of the picture know it is not the whole journey."""
    note = labels(jm.lang)["mermaid_more"].format(count=count)
    return ["  section …", f"    {mermaid_text(note)}: {NEUTRAL_SCORE}"]

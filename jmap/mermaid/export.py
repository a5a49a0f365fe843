"""The Mermaid ``journey`` export of a map.

The grammar, and how user text is written so that Mermaid reads it back
exactly (entity codes for ``:``, ``#``, ``;`` and ``,``; look-alikes for
markup characters; an invisible word joiner to break a leading keyword), is
in :mod:`jmap.mermaid.grammar`, shared with ``jmap import mermaid``.
The Markdown summary embeds this very output in its ```mermaid block.

Mapping, also documented in docs/markdown.md:

- stages → sections, top-level touchpoints → tasks (sub-touchpoints are finer
  steps of their parent; as tasks they would break the single emotion line);
- emotion -2..+2 → score 1..5 (``score = emotion + 3``); per-persona emotions
  become their average rounded half up (one score per task is all Mermaid
  has), or the persona's own score in a ``--persona`` view; a touchpoint
  without an emotion gets the neutral 3;
- the personas passing a touchpoint → the task's actors, by name; a
  touchpoint that no persona passes (``personas: []``) is a task without
  actors.

Mermaid refuses a diagram longer than 50,000 characters (its ``maxTextSize``)
and draws an error instead. So labels are cut (MERMAID_LABEL_LIMIT characters,
actors MERMAID_ACTOR_LIMIT), and when a map is still too large the diagram
ends at the last touchpoint that fits, with a final section that says how
many were not drawn: the ``.mmd`` and the summary's block always draw.
"""

from __future__ import annotations

from jmap.mermaid.grammar import (
    NEUTRAL_SCORE,
    SCORE_MAX,
    SCORE_MIN,
    WORD_JOINER,
    emotion_to_score,
    mermaid_text,
    score_to_emotion,
    visible,
)
from jmap.model import JourneyMap, Touchpoint
from jmap.render.labels import labels

MERMAID_SCORE_MIN = SCORE_MIN
MERMAID_SCORE_MAX = SCORE_MAX

__all__ = [
    "MERMAID_SCORE_MAX",
    "MERMAID_SCORE_MIN",
    "NEUTRAL_SCORE",
    "WORD_JOINER",
    "actor_names",
    "emotion_to_score",
    "mermaid_text",
    "render_mmd",
    "score_to_emotion",
    "touchpoint_score",
]

#: Mermaid's default ``maxTextSize``, counted as JavaScript counts (UTF-16 units).
MERMAID_MAX_TEXT = 50_000
#: What the diagram may use before its closing note; the note fits in the rest.
_DIAGRAM_BUDGET = MERMAID_MAX_TEXT - 2_000
MERMAID_LABEL_LIMIT = 100
MERMAID_ACTOR_LIMIT = 60
MERMAID_DESCRIPTION_LIMIT = 500


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _js_length(text: str) -> int:
    """The length JavaScript sees: characters beyond the BMP count twice."""
    return len(text.encode("utf-16-le")) // 2


def _label(text: str, limit: int = MERMAID_LABEL_LIMIT, *, actor: bool = False) -> str:
    """``mermaid_text`` of at most ``limit`` characters (cut before rewriting,
    so a cut never splits an entity code or a word joiner)."""
    return mermaid_text(_cut(visible(text), limit), actor=actor)


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
        name = _label(persona.name, MERMAID_ACTOR_LIMIT, actor=True) or _label(
            persona.id, MERMAID_ACTOR_LIMIT, actor=True
        )
        # Mermaid tells actors apart as written: "Bob" and "bob" are two.
        if name in taken:
            name = f"{name} ({_label(persona.id, MERMAID_ACTOR_LIMIT, actor=True)})"
        taken.add(name)
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

"""The Mermaid ``journey`` export of a map.

The grammar, and how user text is written so that Mermaid reads it back
exactly (entity codes for ``:``, ``#``, ``;`` and ``,``; look-alikes for
markup characters; an invisible word joiner to break a leading keyword), is
in :mod:`jmap.render.mermaid_grammar`, shared with ``jmap import mermaid``.
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
"""

from __future__ import annotations

from jmap.model import JourneyMap, Touchpoint
from jmap.render.mermaid_grammar import (
    NEUTRAL_SCORE,
    SCORE_MAX,
    SCORE_MIN,
    WORD_JOINER,
    emotion_to_score,
    mermaid_text,
    score_to_emotion,
)

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
        name = mermaid_text(persona.name, actor=True) or mermaid_text(persona.id, actor=True)
        # Mermaid tells actors apart as written: "Bob" and "bob" are two.
        if name in taken:
            name = f"{name} ({mermaid_text(persona.id, actor=True)})"
        taken.add(name)
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

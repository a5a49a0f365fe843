"""The Mermaid ``journey`` export of a map (``-f mmd``): as faithful as the YAML.

The grammar, and how user text is written so that Mermaid reads it back
exactly (entity codes for ``:``, ``#``, ``;`` and ``,``; look-alikes for
markup characters; an invisible word joiner to break a leading keyword), is
in :mod:`jmap.mermaid.grammar`, shared with ``jmap import mermaid``. What
the export shows (which touchpoints, whose scores) is read from the persona
view (:mod:`jmap.render.view`), as every renderer does.

Mapping, also documented in docs/markdown.md:

- stages → sections, top-level touchpoints → tasks (sub-touchpoints are finer
  steps of their parent; as tasks they would break the single emotion line);
- emotion -2..+2 → score 1..5 (``score = emotion + 3``); a touchpoint that
  its personas feel differently becomes one task per score, consecutive,
  each with the personas who feel it as actors: never an average (the
  import joins them back into one touchpoint); a persona without a score
  there, or a touchpoint without an emotion, gets the neutral 3;
- the personas passing a touchpoint → the task's actors, by their full
  names; a touchpoint that no persona passes (``personas: []``) is a task
  without actors.

Mermaid refuses a diagram longer than 50,000 characters (its ``maxTextSize``)
and draws an error instead. Names are written whole (only a text longer than
:data:`MERMAID_TEXT_LIMIT`, which no real name is, is cut), and when a map is
too large the diagram ends at the last touchpoint that fits, with a final
section that says how many were not drawn: the ``.mmd`` always draws.
"""

from __future__ import annotations

from collections.abc import Iterable

from jmap.mermaid.grammar import (
    NEUTRAL_SCORE,
    SCORE_MAX,
    SCORE_MIN,
    WORD_JOINER,
    emotion_to_score,
    mermaid_actor_names,
    mermaid_text,
    score_to_emotion,
    visible,
)
from jmap.model import JourneyMap, Touchpoint
from jmap.render.labels import labels
from jmap.render.view import JourneyView, journey_view

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
    "score_groups",
    "score_to_emotion",
]

#: Mermaid's default ``maxTextSize``, counted as JavaScript counts (UTF-16 units).
MERMAID_MAX_TEXT = 50_000
#: What the diagram may use before its closing note; the note fits in the rest.
_DIAGRAM_BUDGET = MERMAID_MAX_TEXT - 2_000
#: Longest text written whole: a name longer than this (no real one is) would
#: leave no room for the rest of the diagram, and is cut with "…".
MERMAID_TEXT_LIMIT = 5_000
MERMAID_DESCRIPTION_LIMIT = 10_000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _js_length(text: str) -> int:
    """The length JavaScript sees: characters beyond the BMP count twice."""
    return len(text.encode("utf-16-le")) // 2


def _label(text: str, limit: int = MERMAID_TEXT_LIMIT, *, actor: bool = False) -> str:
    """``mermaid_text`` of the whole text, unless it is absurdly long (cut
    before rewriting, so a cut never splits an entity code or a word joiner)."""
    return mermaid_text(_cut(visible(text), limit), actor=actor)


def score_groups(view: JourneyView, tp: Touchpoint) -> list[tuple[int, tuple[str, ...]]]:
    """(score, personas) for each distinct score at ``tp``, in the order of
    the view's personas: what Mermaid, which has one score per task, needs to
    draw each persona's own score. A persona without a score here, or a
    touchpoint without an emotion, counts as neutral (Mermaid has no "no
    score"). Without personas there, the shared score."""
    jm = view.jm
    people = (view.persona,) if view.persona is not None else jm.personas_at(tp)
    if not people:
        shared = view.score_of(tp, None)
        return [(NEUTRAL_SCORE if shared is None else emotion_to_score(shared), ())]
    groups: dict[int, list[str]] = {}
    for pid in people:
        value = view.score_of(tp, pid)
        groups.setdefault(NEUTRAL_SCORE if value is None else emotion_to_score(value), []).append(pid)
    return [(score, tuple(pids)) for score, pids in groups.items()]


def actor_names(jm: JourneyMap) -> dict[str, str]:
    """Persona id → actor name, whole and unique (the grammar's one rule)."""
    return mermaid_actor_names((p.id, _cut(visible(p.name), MERMAID_TEXT_LIMIT)) for p in jm.personas)


def _actors(names: dict[str, str], people: Iterable[str]) -> str:
    return ", ".join(names[pid] for pid in people)


def render_mmd(jm: JourneyMap, persona: str | None = None) -> str:
    """The map as a Mermaid ``journey`` diagram (text ending in a newline)."""
    view = journey_view(jm, persona)
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
        tasks = [tp for tp in stage.touchpoints if view.passes(tp)]
        if persona is not None and not tasks:
            continue
        sections.append((stage, tasks))
    size = sum(_js_length(line) + 1 for line in lines)
    left = sum(len(tasks) for _, tasks in sections)
    for stage, tasks in sections:
        heading = f"  section {_label(stage.name) or _label(stage.id)}"
        # One unit per touchpoint: its tasks (one per score) stay together.
        units = []
        for tp in tasks:
            name = _label(tp.name) or _label(tp.id)
            unit = []
            for score, people in score_groups(view, tp):
                data = f"{score}: {_actors(actors, people)}" if people else f"{score}"
                unit.append(f"    {name}: {data}")
            units.append(unit)
        cost = _js_length(heading) + 1 + sum(_js_length(line) + 1 for unit in units for line in unit)
        if size + cost > _DIAGRAM_BUDGET:
            # Draw what fits of this stage, then say what is missing.
            fits: list[str] = []
            drawn = 0
            size += _js_length(heading) + 1
            for unit in units:
                length = sum(_js_length(line) + 1 for line in unit)
                if size + length > _DIAGRAM_BUDGET:
                    break
                size += length
                fits += unit
                drawn += 1
            if fits:
                lines += [heading, *fits]
                left -= drawn
            lines += _not_drawn(jm, left)
            return "\n".join(lines) + "\n"
        lines += [heading, *(line for unit in units for line in unit)]
        size += cost
        left -= len(tasks)
    return "\n".join(lines) + "\n"


def _not_drawn(jm: JourneyMap, count: int) -> list[str]:
    """The closing section of a diagram cut at Mermaid's limit, in the map's
    language, so that readers of the picture know it is not the whole journey."""
    note = labels(jm.lang)["mermaid_more"].format(count=count)
    return ["  section …", f"    {mermaid_text(note)}: {NEUTRAL_SCORE}"]

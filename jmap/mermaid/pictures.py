"""The Markdown summary's journey pictures: Mermaid ``journey`` diagrams drawn
to be read at the width of a pull request, not the ``mmd`` export.

The export (:mod:`jmap.mermaid.export`) is one diagram that round-trips
through ``jmap import mermaid``. Drawn by GitHub, that one diagram is scaled
down to the page's width: a 17-step journey becomes a strip of unreadable
boxes above a large empty area, Mermaid cuts each task name to what fits its
box, and a touchpoint that personas feel differently shows one averaged score.
So the summary draws its own pictures, with the export's sanitiser
(:func:`mermaid_text`) and score scale:

- one diagram per group of consecutive stages, at most :data:`TASKS_PER_PICTURE`
  tasks each, which GitHub draws near full size; a stage with more tasks goes
  on over several diagrams (its section name repeated);
- a touchpoint whose personas feel differently becomes one task per score,
  each with the personas who feel it as actors: no score is averaged;
- task names longer than :data:`LABEL_CHARS` are shortened by jmap at a word,
  with ``…`` (Mermaid would cut them mid-word, with no mark), and the summary
  says so under the pictures; the stage tables give every name in full;
- Mermaid colours a diagram's actors by their sorted names, so a persona
  may change colour from one diagram to the next when another persona is
  absent from one; each diagram has its own legend (``actorColours`` in the
  front matter would fix this, but Mermaid 11 ignores it there);
- each diagram stays far below Mermaid's 50,000-character limit
  (:data:`TEXT_BUDGET`), whatever the number of personas.
"""

from __future__ import annotations

from dataclasses import dataclass

from jmap.mermaid.grammar import NEUTRAL_SCORE, emotion_to_score, mermaid_text
from jmap.model import JourneyMap, Touchpoint
from jmap.render.mdtext import shorten

#: Tasks per diagram: with the boxes below a journey diagram is about 220 px
#: per task plus its legend and margins (about 1,150 px for four), which a
#: GitHub page (about 900 px wide) shows at three quarters of full size.
TASKS_PER_PICTURE = 4
#: Width of a task box, set through the diagram's front-matter configuration
#: (Mermaid's default is 150 px), and the margin between boxes (default 50).
BOX_WIDTH = 200
BOX_MARGIN = 20
#: Width (px) at which the actors' legend wraps a name onto more lines
#: (Mermaid's ``maxLabelWidth``, default 360): Mermaid counts the legend's
#: width twice in the diagram's, so long persona names would shrink it all.
LEGEND_WIDTH = 110
# Mermaid's leftMargin and diagramMarginX stay at their defaults: Mermaid
# works out the diagram's width from them and the legend, and with smaller
# ones the last task is cut off when the personas' names are short.
#: Characters of a task name that fit one line of a :data:`BOX_WIDTH` box at
#: Mermaid's 14 px; Mermaid draws a task name on one line and cuts the rest.
LABEL_CHARS = 24
#: Characters of an actor name in the legend.
ACTOR_CHARS = 40
#: Characters of one diagram; Mermaid refuses a diagram over 50,000
#: (``maxTextSize``), and GitHub's Mermaid is configured the same way.
TEXT_BUDGET = 40_000
#: Characters of the actors of one touchpoint's tasks together, so that
#: several touchpoints always fit in a diagram.
UNIT_BUDGET = TEXT_BUDGET // 4


@dataclass(frozen=True)
class Task:
    """One box of the picture: a touchpoint as some personas feel it."""

    stage: int  # position of the touchpoint's stage in the map
    section: str
    name: str
    score: int
    actors: tuple[str, ...]

    def line(self) -> str:
        data = f"{self.score}"
        if self.actors:
            data += ": " + ", ".join(self.actors)
        return f"    {self.name}: {data}"


@dataclass(frozen=True)
class Pictures:
    """The diagrams' texts (each ending in a newline), the position of the
    stage each diagram starts with (the summary shows a diagram under that
    stage's heading) and whether a task name was shortened (the summary then
    says so)."""

    diagrams: tuple[str, ...]
    starts: tuple[int, ...]
    shortened: bool


def summary_pictures(jm: JourneyMap, persona: str | None = None) -> Pictures:
    """The summary's journey pictures (none for a map without touchpoints)."""
    actors = _actor_names(jm)
    stages: list[list[list[Task]]] = []
    shortened = False
    for position, stage in enumerate(jm.stages):
        if persona is None:
            touchpoints = list(stage.touchpoints)
        else:
            touchpoints = [tp for tp in stage.touchpoints if persona in jm.personas_at(tp)]
        section = mermaid_text(shorten(stage.name, LABEL_CHARS * 2)) or mermaid_text(stage.id)
        units = []
        for tp in touchpoints:
            full = mermaid_text(tp.name) or mermaid_text(tp.id)
            name = mermaid_text(shorten(tp.name, LABEL_CHARS)) or mermaid_text(tp.id)
            shortened = shortened or name != full
            scores = _score_groups(jm, tp, persona)
            share = UNIT_BUDGET // len(scores)
            units.append(
                [
                    Task(position, section, name, score, _fit(tuple(actors[p] for p in people), share))
                    for score, people in scores
                ]
            )
        if units:
            stages.append(units)
    groups = _groups(stages)
    title = shorten(jm.title, 200)
    if persona is not None:
        title = f"{title} ({shorten(jm.persona(persona).name, ACTOR_CHARS)})"
    diagrams = tuple(_diagrams(mermaid_text(title), groups))
    return Pictures(diagrams, tuple(group[0].stage for group in groups), shortened)


def _score_groups(jm: JourneyMap, tp: Touchpoint, persona: str | None) -> list[tuple[int, tuple[str, ...]]]:
    """(score, personas) per distinct score at ``tp``, in the order of the
    map's personas; a persona without a score here counts as neutral, as
    in the export."""
    people = (persona,) if persona is not None else jm.personas_at(tp)
    if not people:
        everyone = tp.emotion.average() if tp.emotion is not None else None
        return [(NEUTRAL_SCORE if everyone is None else emotion_to_score(everyone), ())]
    groups: dict[int, list[str]] = {}
    for pid in people:
        value = jm.emotion_at(tp, pid)
        groups.setdefault(NEUTRAL_SCORE if value is None else emotion_to_score(value), []).append(pid)
    return [(score, tuple(pids)) for score, pids in groups.items()]


def _actor_names(jm: JourneyMap) -> dict[str, str]:
    """Persona id → actor name, shortened for the legend and unique, since
    Mermaid identifies actors by name."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for p in jm.personas:
        name = mermaid_text(shorten(p.name, ACTOR_CHARS), actor=True) or mermaid_text(p.id, actor=True)
        if name.casefold() in taken:
            name = f"{name} ({mermaid_text(p.id, actor=True)})"
        taken.add(name.casefold())
        names[p.id] = name
    return names


def _fit(actors: tuple[str, ...], budget: int) -> tuple[str, ...]:
    """Actors of one task within ``budget`` characters: a map with thousands
    of personas lists the first ones and ``+N``."""
    kept: list[str] = []
    used = 0
    for position, actor in enumerate(actors):
        used += len(actor) + 2
        if used > budget:
            return (*kept, f"+{len(actors) - position}")
        kept.append(actor)
    return actors


def _groups(stages: list[list[list[Task]]]) -> list[list[Task]]:
    """The tasks of each diagram. A touchpoint's tasks stay together; a stage
    goes whole into the current diagram if it fits, else into a new one; a
    stage too long for one diagram fills as many as it needs. A diagram also
    ends before it would pass the text budget."""
    groups: list[list[Task]] = []
    size = 0  # characters of the current diagram's tasks

    def add(unit: list[Task], fresh: bool) -> None:
        nonlocal size
        length = sum(len(task.line()) + 1 for task in unit)
        if fresh or not groups or size + length > TEXT_BUDGET - 2_000:
            groups.append([])
            size = 0
        groups[-1].extend(unit)
        size += length

    for units in stages:
        count = sum(len(unit) for unit in units)
        room = TASKS_PER_PICTURE - len(groups[-1]) if groups else 0
        if count <= room:
            for unit in units:
                add(unit, False)
            continue
        for position, unit in enumerate(units):
            full = bool(groups) and len(groups[-1]) + len(unit) > TASKS_PER_PICTURE
            add(unit, position == 0 or full)
    return groups


def _diagrams(title: str, groups: list[list[Task]]) -> list[str]:
    """Each group of tasks as a diagram: Mermaid configuration, accessible
    title, then sections and tasks."""
    out = []
    for number, group in enumerate(groups, start=1):
        lines = ["---", "config:", "  journey:", f"    width: {BOX_WIDTH}", f"    taskMargin: {BOX_MARGIN}"]
        lines.append(f"    maxLabelWidth: {LEGEND_WIDTH}")
        lines += ["---", "journey"]
        if title:
            part = f" ({number}/{len(groups)})" if len(groups) > 1 else ""
            lines.append(f"  accTitle: {title}{part}")
        section = None
        for task in group:
            if task.section != section:
                section = task.section
                lines.append(f"  section {section}")
            lines.append(task.line())
        out.append("\n".join(lines) + "\n")
    return out

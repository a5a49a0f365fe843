"""The Markdown summary's journey pictures: Mermaid ``journey`` diagrams drawn
to be read at the width of a pull request, not the ``mmd`` export.

The export (:mod:`jmap.mermaid.export`) is one diagram that round-trips
through ``jmap import mermaid``. Drawn by GitHub, that one diagram is scaled
down to the page's width until nothing reads. So the summary draws one
picture per stage, under the stage's heading, with the export's grammar, its
actor names and its per-persona scores (read from the persona view):

- **one picture per stage**: a picture never holds another stage's steps; a
  stage of more than :data:`MAX_TASKS` tasks goes on in a second picture of
  its own (and so on), since twenty boxes in one picture do not read;
- **numbered steps**: each top-level touchpoint has its number in the map
  (1, 2, 3… across stages), shown in its boxes and in the first column of
  the stage's table. Mermaid draws a task name on one line and cuts what
  does not fit its box, with no mark; so a box shows ``3. Name`` when the
  whole of it fits, and ``3`` alone otherwise: the table is the key. No
  name is ever cut;
- **never an average**: a touchpoint that its personas feel differently
  becomes one box per score, each with the personas who feel it as actors,
  all with the same number;
- **persona names as written** in the legend: Mermaid wraps a legend name
  between words, and breaks a word longer than its ``maxLabelWidth`` with a
  hyphen; a word holding an entity code (a ``,`` in a name is ``#44;``)
  broken that way would show the code's placeholder ("Bernard,¶-ß"), so the
  legend is made wide enough for its longest word (up to
  :data:`LEGEND_MAX`);
- box widths follow the labels (:data:`BOX_MIN` to :data:`BOX_MAX` px, less
  when a stage has many steps), set through Mermaid's front-matter
  configuration;
- each diagram stays far below Mermaid's 50,000-character limit
  (:data:`TEXT_BUDGET`), whatever the number of personas.

Mermaid 11 colours actors from its own palette by their sorted names and
ignores ``actorColours`` and ``themeVariables`` given in a diagram (front
matter or ``%%{init}%%``): the personas' colours cannot be set, and a
persona may change colour from one picture to the next. (Tested with the
real Mermaid in tests/mermaid.)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from jmap.mermaid.export import actor_names, score_groups
from jmap.mermaid.grammar import mermaid_text, visible
from jmap.model import JourneyMap
from jmap.render.view import JourneyView, journey_view

#: Tasks in one picture; a longer stage goes on in another picture.
MAX_TASKS = 6
#: Width of a task box (Mermaid's default is 150 px) and the room all boxes
#: of a picture may take before GitHub (about 900 px wide, after the legend)
#: scales the picture down.
BOX_MIN = 150
BOX_MAX = 320
BOXES_WIDTH = 1_100
BOX_MARGIN = 20
#: Mermaid's task text is 16 px in its theme's font ("trebuchet ms",
#: verdana, arial): measured in Chromium, 7.8 to 8.7 px a character on French
#: and English names where Verdana or its metric twin DejaVu Sans draws it
#: (narrower in Trebuchet); plus the box's padding.
TASK_CHAR_PX = 8.8
TASK_PADDING_PX = 16
#: The legend's text: wider (16 px); and its width bounds.
LEGEND_CHAR_PX = 10
LEGEND_MIN = 160
LEGEND_MAX = 400
#: Characters of one diagram; Mermaid refuses a diagram over 50,000
#: (``maxTextSize``), and GitHub's Mermaid is configured the same way.
TEXT_BUDGET = 40_000
#: Characters of the actors of one touchpoint's tasks together, so that
#: several touchpoints always fit in a diagram.
UNIT_BUDGET = TEXT_BUDGET // 4
_ENTITY = re.compile(r"#\w+;", re.ASCII)


@dataclass(frozen=True)
class Task:
    """One box of a picture: a step as some personas feel it."""

    number: int
    name: str  # the step's name, written for Mermaid
    score: int
    actors: tuple[str, ...]

    def line(self, label: str) -> str:
        data = f"{self.score}"
        if self.actors:
            data += ": " + ", ".join(self.actors)
        return f"    {label}: {data}"


@dataclass(frozen=True)
class Pictures:
    """The diagrams' texts (each ending in a newline), the position of the
    stage each one draws (the summary puts it under that stage's heading),
    and each drawn touchpoint's number (the key in the stage's table)."""

    diagrams: tuple[str, ...]
    stages: tuple[int, ...]
    numbers: dict[str, int]


def summary_pictures(jm: JourneyMap, persona: str | None = None, view: JourneyView | None = None) -> Pictures:
    """The summary's journey pictures (none for a map without touchpoints),
    from the view of ``persona`` (given when the caller has built it)."""
    view = view if view is not None else journey_view(jm, persona)
    actors = actor_names(jm)
    title = visible(jm.title)
    if persona is not None:
        title = f"{title} ({visible(jm.persona(persona).name)})"
    numbers: dict[str, int] = {}
    diagrams: list[str] = []
    stages: list[int] = []
    for position, stage in enumerate(jm.stages):
        units: list[list[Task]] = []
        for tp in stage.touchpoints:
            if not view.passes(tp):
                continue
            number = numbers[tp.id] = len(numbers) + 1
            name = mermaid_text(tp.name) or mermaid_text(tp.id)
            groups = score_groups(view, tp)
            share = UNIT_BUDGET // len(groups)
            units.append(
                [Task(number, name, score, _fit(tuple(actors[p] for p in people), share)) for score, people in groups]
            )
        parts = _parts(units)
        for part_number, tasks in enumerate(parts, start=1):
            part = f" ({part_number}/{len(parts)})" if len(parts) > 1 else ""
            diagrams.append(_diagram(f"{title} — {visible(stage.name)}{part}", position + 1, stage.name, tasks))
            stages.append(position)
    return Pictures(tuple(diagrams), tuple(stages), numbers)


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


def _parts(units: list[list[Task]]) -> list[list[Task]]:
    """A stage's tasks cut into pictures of at most MAX_TASKS tasks (a
    touchpoint's tasks stay together) and TEXT_BUDGET characters."""
    parts: list[list[Task]] = []
    size = 0
    for unit in units:
        length = sum(len(task.line(task.name)) + 1 for task in unit)
        if not parts or len(parts[-1]) + len(unit) > MAX_TASKS or size + length > TEXT_BUDGET - 2_000:
            parts.append([])
            size = 0
        parts[-1].extend(unit)
        size += length
    return parts


def _task_px(label: str) -> float:
    """About how wide Mermaid draws a label written with entity codes."""
    return len(_ENTITY.sub("x", label)) * TASK_CHAR_PX + TASK_PADDING_PX


def _legend_width(actors: set[str]) -> int:
    """Wide enough that no legend word is broken: Mermaid measures a word
    with its entity codes as placeholders (``#44;`` is 7 characters there)."""
    longest = 0
    for actor in actors:
        for word in actor.split(" "):
            longest = max(longest, len(word) + 3 * len(_ENTITY.findall(word)))
    return max(LEGEND_MIN, min(LEGEND_MAX, round(longest * LEGEND_CHAR_PX)))


def _diagram(title: str, number: int, stage_name: str, tasks: list[Task]) -> str:
    """One picture: Mermaid configuration, accessible title, the stage as its
    one section, and the numbered tasks."""
    full = {task.number: f"{task.number}. {task.name}" for task in tasks}
    room = max(BOX_MIN, min(BOX_MAX, BOXES_WIDTH // len(tasks) - BOX_MARGIN))
    width = max(BOX_MIN, min(room, math.ceil(max(_task_px(label) for label in full.values()))))
    labels = {n: label if _task_px(label) <= width else str(n) for n, label in full.items()}
    section = f"{number}. {mermaid_text(stage_name)}" if mermaid_text(stage_name) else str(number)
    span = len(tasks) * (width + BOX_MARGIN) - BOX_MARGIN
    if _task_px(section) > span:
        section = f"{number}."
    legend = _legend_width({actor for task in tasks for actor in task.actors})
    lines = [
        "---",
        "config:",
        "  journey:",
        f"    width: {width}",
        f"    taskMargin: {BOX_MARGIN}",
        f"    maxLabelWidth: {legend}",
        "---",
        "journey",
    ]
    if title.strip():
        lines.append(f"  accTitle: {mermaid_text(title)}")
    lines.append(f"  section {section}")
    lines += [task.line(labels[task.number]) for task in tasks]
    return "\n".join(lines) + "\n"

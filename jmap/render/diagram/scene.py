"""The first layer of the diagram: what it shows of the map.

Which touchpoints and arrows are drawn is the persona view's decision
(jmap.render.view, the route rule); this layer gives each touchpoint its DOT
id, finds the units standing at a stage's level (a hidden touchpoint's shown
steps stand in its place) and says a stage's details as plain text, which
the rows measure and the labels draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from jmap.model import SEVERITIES, JourneyMap, Metric, Stage, Touchpoint
from jmap.render.diagram.markup import STAGE_TEXT_WIDTH, cut, sanitize_id, wrap
from jmap.render.labels import labels
from jmap.render.locale import (
    NBSP,
    format_duration,
    format_metric,
    format_metric_value,
    french_spacing,
    metric_label,
    with_colon,
)
from jmap.render.view import Arrow, JourneyView, Score

#: One arrow: source id, target id, persona ids on it, and whether it skips
#: touchpoints only others take (dashed).
Edge = Arrow


@dataclass(frozen=True, slots=True)
class Drawing:
    """What one view of the map shows (the persona view's touchpoints and
    arrows), with the DOT node id of each touchpoint."""

    shown: frozenset[str]
    edges: tuple[Edge, ...]
    #: Touchpoint id → DOT node id, filled in once when the drawing is made.
    ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Part:
    """A stage, or the piece of a long stage that one row holds: a stage too
    long for a row goes on in the next one, labelled "continued"."""

    stage: int
    #: 1 for the stage's first part, which carries its whole label.
    number: int
    #: Its columns of cards (indices into the stage's columns) and the
    #: touchpoints standing at the stage's level in them, in document order.
    columns: tuple[int, ...]
    units: tuple[str, ...]

    @property
    def cluster(self) -> str:
        suffix = "" if self.number == 1 else f"_part_{self.number}"
        return f"cluster_stage_{self.stage}{suffix}"


class Scene:
    """The map as this diagram shows it: the view's touchpoints and arrows,
    each touchpoint's DOT id and place in document order, and the plain
    text of a stage's details. The first layer of the diagram (scene → rows
    → labels → writer): each layer is a subclass reading what the one below
    decided."""

    def __init__(self, jm: JourneyMap, persona: str | None, review: bool = False) -> None:
        self.jm = jm
        self.persona = persona
        #: Whether review flags (unaddressed pain points, missing owners) are drawn.
        self.review = review
        self.lang = jm.lang
        self.t = labels(jm.lang)
        self.view = JourneyView(jm, persona)
        self.colors = {look.id: look.color for look in self.view.looks.values()}
        self.position = {tp.id: i for i, tp in enumerate(jm.all_touchpoints())}
        self.drawing = self._drawing()
        self.has_outgoing = {edge[0] for edge in self.drawing.edges}
        self.has_incoming = {edge[1] for edge in self.drawing.edges if not self._is_back(edge[0], edge[1])}
        self.low_points = self.view.low_points
        self.targets_of: dict[str, list[str]] = {}
        for edge in self.drawing.edges:
            self.targets_of.setdefault(edge[0], []).append(edge[1])
        self.units = {i: self._units(stage) for i, stage in enumerate(jm.stages)}
        self.facts_of: dict[str, tuple[str, list[str]]] = {}
        #: Whether cards and stages leave out their figures (see rows.SLIDE_CARDS).
        self.brief = False
        times = [tp.duration.seconds for tp in jm.all_touchpoints() if tp.duration and tp.id in self.drawing.shown]
        #: The longest time spent at a shown touchpoint, and whether times
        #: differ enough (twice or more) for the long ones to stand out.
        self.longest = max(times, default=0.0)
        self.times_differ = len(times) > 1 and min(times) * 2 < self.longest
        # What the legend explains: only what is drawn.
        shown = [tp for tp in jm.all_touchpoints() if tp.id in self.drawing.shown]
        #: The scores, severities and kinds of channel drawn.
        self.drawn_scores = sorted({score for tp in shown for _p, score in self.view.scores(tp)})
        self.drawn_severities = [
            severity for severity in SEVERITIES if any(pp.severity == severity for tp in shown for pp in tp.pain_points)
        ]
        self.drawn_offline = any(tp.channel and not jm.channel(tp.channel).online for tp in shown)
        self.drawn_online = any(tp.channel is None or jm.channel(tp.channel).online for tp in shown)
        #: Whether a touchpoint is drawn with steps under it.
        self.drawn_steps = any(tp.touchpoints and self._steps_of(tp) for tp in shown)

    # -- what is drawn ---------------------------------------------------------

    def _drawing(self) -> Drawing:
        """The touchpoints and arrows of this view (see jmap.render.view), and
        a DOT node id for every touchpoint."""
        drawing = Drawing(shown=self.view.shown, edges=self.view.arrows)
        taken: set[str] = set()
        for tp_id in self.position:
            node_id = "tp_" + sanitize_id(tp_id)
            base, n = node_id, 2
            while node_id in taken:
                node_id, n = f"{base}_{n}", n + 1
            taken.add(node_id)
            drawing.ids[tp_id] = node_id
        return drawing

    def _is_back(self, source: str, target: str) -> bool:
        """A loop edge: it goes to a touchpoint at or before its source in
        document order, so ranking it would drag the journey leftwards."""
        return self.position[target] <= self.position[source]

    def _scores(self, tp: Touchpoint) -> tuple[Score, ...]:
        """The scores this view shows at ``tp`` (see JourneyView.scores)."""
        return self.view.scores(tp)

    def _units(self, stage: Stage) -> list[Touchpoint]:
        """The touchpoints standing at the stage's level in this view (a
        hidden touchpoint's shown steps stand in its place)."""
        out: list[Touchpoint] = []

        def visit(tp: Touchpoint) -> None:
            if tp.id in self.drawing.shown:
                out.append(tp)
            else:
                for sub in tp.touchpoints:
                    visit(sub)

        for tp in stage.touchpoints:
            visit(tp)
        return out

    def _steps_of(self, tp: Touchpoint) -> list[Touchpoint]:
        return [s for s in self._descendants(tp.touchpoints) if s.id in self.drawing.shown]

    def _descendants(self, touchpoints: Iterable[Touchpoint]) -> Iterable[Touchpoint]:
        for tp in touchpoints:
            yield tp
            yield from self._descendants(tp.touchpoints)

    # -- a stage's details, as plain text ----------------------------------------

    def _metric_text(self, metric: Metric) -> str:
        text = f"{with_colon(metric_label(metric), self.lang)} {format_metric(metric, self.lang)}"
        if metric.target is not None:
            unit = f"{NBSP}{metric.unit}" if metric.unit else ""
            text += f" ({self.t['target'].lower()} {format_metric_value(metric.target, self.lang)}{unit})"
        return text

    def _stage_detail(self, stage: Stage, width: int = STAGE_TEXT_WIDTH) -> list[str]:
        """The stage's goal, its own length, the time spent in its touchpoints
        (apart: never added) and its metrics, in lines of at most ``width``
        characters: a wide stage puts them side by side, so its label takes
        less of the slide's height."""
        goal, figures = self._stage_facts(stage)
        lines: list[str] = []
        line = ""
        for text in [goal, *figures] if goal else figures:
            if line and len(line) + 3 + len(text) <= width:
                line += " · " + text
                continue
            if line:
                lines.append(line)
            *full, line = wrap(text, width)
            lines.extend(full)
        if line:
            lines.append(line)
        return lines

    def _stage_facts(self, stage: Stage) -> tuple[str, list[str]]:
        """The goal's line and the stage's figures, each as one text."""
        cached = self.facts_of.get(stage.id)
        if cached is not None:
            return cached
        goal = ""
        if stage.goal:
            goal = f"{with_colon(self.t['goal'], self.lang)} {french_spacing(cut(stage.goal), self.lang)}"
        detail: list[str] = []
        length = self.jm.stage_length(stage)
        if length is not None:
            detail.append(f"{with_colon(self.t['stage_length'], self.lang)} {format_duration(length, self.lang)}")
        if self.brief:
            self.facts_of[stage.id] = (goal, detail)
            return goal, detail
        spent = self.jm.time_in_touchpoints(stage)
        if spent is not None:
            label = with_colon(self.t["time_in_touchpoints"], self.lang)
            detail.append(f"{label} {format_duration(spent, self.lang)}")
        detail.extend(self._metric_text(m) for m in stage.metrics)
        self.facts_of[stage.id] = (goal, detail)
        return goal, detail

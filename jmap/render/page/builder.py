"""The page's view model built from the map: one walk over the stages and
touchpoints gathers everything the templates show (jmap.render.page.views)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from jmap.model import (
    Duration,
    JourneyMap,
    Metric,
    Opportunity,
    PainPoint,
    Stage,
    Touchpoint,
)
from jmap.render.labels import labels
from jmap.render.locale import (
    format_duration,
    format_duration_as_written,
    format_metric,
    format_metric_value,
    format_number,
    metric_label,
)
from jmap.render.page.curve import Curves
from jmap.render.page.geometry import (
    DASH_PATTERNS,
    MARKER_SHAPES,
    marker_path,
)
from jmap.render.page.printing import PRINT_SHEET_LINES, _lane_rows, grid_parts, print_columns
from jmap.render.page.timescale import TimeScale, time_scale
from jmap.render.page.views import (
    ColumnView,
    FlowTarget,
    GridView,
    Group,
    LaneView,
    MetricView,
    OpportunityView,
    PageView,
    PainPointView,
    PersonaView,
    ScoreView,
    StageView,
    SummaryView,
    TimeBar,
    TouchpointView,
)
from jmap.render.style import EMOTION_COLORS, SEVERITY_COLORS, emotion_sign
from jmap.render.view import face_drawing, journey_view

#: Narrowest a touchpoint column gets on screen, in CSS pixels: ten columns
#: and the lane names fit a 1440 px screen (fourteen at 1920 px), scroll bar
#: included; wider screens share the extra width among the columns.
COLUMN_MIN_WIDTH = 120
#: The widest the common column width grows for a long word, about how wide a
#: character of a bold name (touchpoint, pain point) and of plain lane text
#: is, and a cell's padding, in CSS px.
COLUMN_MAX_WIDTH = 280
BOLD_CHAR_WIDTH = 8.6
PLAIN_CHAR_WIDTH = 7.2
COLUMN_PADDING = 20
#: Width of the sticky column of lane names (on screen and in print).
LANE_HEADER_WIDTH = 128


class _Builder:
    """Walks the map once and gathers everything the templates show."""

    def __init__(self, jm: JourneyMap, persona: str | None, review: bool = False, paper: str = "a3") -> None:
        self.jm = jm
        self.review = review
        self.paper = paper
        self.lang = jm.lang
        self.persona = persona
        self.lab = labels(jm.lang)
        #: What this view shows, decided once for every renderer (jmap.render.view).
        self.view = journey_view(jm, persona)
        self.personas = tuple(self._persona_view(i, p.id) for i, p in enumerate(jm.personas))
        self.persona_by_id = {p.id: p for p in self.personas}
        # Which touchpoints are on the page, and where: column index of each visible id.
        self.column_of: dict[str, int] = {}
        self.anchor_of: dict[str, str] = {}
        self.scale = TimeScale(False, 0.0, 0.0, (), None)

    # personas -----------------------------------------------------------------

    def _persona_view(self, position: int, persona_id: str) -> PersonaView:
        p = self.jm.persona(persona_id)
        shape = MARKER_SHAPES[position % len(MARKER_SHAPES)]
        look = self.view.looks[persona_id]
        return PersonaView(
            position=position,
            id=p.id,
            name=p.name,
            card=p,
            color=look.color,
            color_dark=look.color_dark,
            shape=shape,
            dash=DASH_PATTERNS[position % len(DASH_PATTERNS)],
            swatch_path=marker_path(shape, 10, 10, 6),
        )

    def passes(self, tp: Touchpoint) -> bool:
        return self.view.passes(tp)

    def visible_subs(self, tp: Touchpoint) -> list[Touchpoint]:
        """Sub-touchpoints shown under ``tp``, depth-first in document order."""
        return self.view.steps(tp)

    def column_touchpoints(self, stage: Stage) -> list[Touchpoint]:
        """A stage's columns: its top-level touchpoints that the persona (if any)
        passes, or one of whose sub-touchpoints they pass."""
        return [tp for tp in stage.touchpoints if self.passes(tp) or self.visible_subs(tp)]

    # small views --------------------------------------------------------------

    def metric(self, m: Metric) -> MetricView:
        target = None
        if m.target is not None:
            target = format_metric_value(m.target, self.lang) + ("\u00a0" + m.unit if m.unit else "")
        return MetricView(label=metric_label(m), value=format_metric(m, self.lang), target=target, source=m.source)

    def touchpoint_view(
        self, tp: Touchpoint, anchor: str, inherited_channel: str | None = None, with_scores: bool = False
    ) -> TouchpointView:
        """``inherited_channel``: the parent's channel, not repeated on each of its steps."""
        channel = self.jm.channel(tp.channel) if tp.channel and tp.channel != inherited_channel else None
        at = self.jm.personas_at(tp)
        shown: tuple[PersonaView, ...] = ()
        # Persona markers only say something when not everyone passes here.
        if self.persona is None and len(self.personas) > 1 and set(at) != set(self.persona_by_id):
            shown = tuple(self.persona_by_id[pid] for pid in at)
        return TouchpointView(
            anchor=anchor,
            name=tp.name,
            description=tp.description,
            depth=self.jm.depth_of(tp.id),
            channel_name=channel.name if channel else None,
            channel_online=channel.online if channel else True,
            duration=format_duration(tp.duration, self.lang) if tp.duration else None,
            personas=shown,
            flow=self.flow(tp),
            scores=self.scores_at(tp) if with_scores else (),
        )

    def flow(self, tp: Touchpoint) -> tuple[FlowTarget, ...] | None:
        """Explicit flow only: the default edge to the next column needs no mark."""
        if tp.next is None:
            return None
        if not tp.next:
            return ()
        here = self.column_of.get(tp.id, -1)
        targets = []
        for target_id in tp.next:
            target = self.jm.touchpoint(target_id)
            column = self.column_of.get(target_id)
            targets.append(
                FlowTarget(
                    name=target.name,
                    anchor=self.anchor_of.get(target_id),
                    loops_back=column is not None and column <= here,
                )
            )
        return tuple(targets)

    def score(self, persona: PersonaView | None, value: int) -> ScoreView:
        return ScoreView(
            persona=persona,
            score=value,
            sign=emotion_sign(value),
            label=self.lab[f"emotion.{value}"],
            face=face_drawing(value, 10, 10, 8),
        )

    def scores_at(self, tp: Touchpoint) -> tuple[ScoreView, ...]:
        """The scores the view gives a step: one per persona, or one shared face."""
        return tuple(
            self.score(self.persona_by_id[s.persona] if s.persona is not None else None, s.score)
            for s in self.view.scores(tp)
        )

    def pain_point(self, pp: PainPoint) -> PainPointView:
        return PainPointView(
            name=pp.name,
            description=pp.description,
            severity=pp.severity,
            severity_label=self.lab[f"severity.{pp.severity}"],
            owner=pp.owner,
            unaddressed=self.review and self.view.unaddressed(pp),
        )

    def opportunity(self, position: int, o: Opportunity) -> OpportunityView:
        return OpportunityView(
            anchor=f"opp-{position}",
            name=o.name,
            description=o.description,
            owner=o.owner,
            impact=o.impact,
            effort=o.effort,
            status=o.status,
            impact_label=self.lab[f"level.{o.impact}"] if o.impact else None,
            effort_label=self.lab[f"level.{o.effort}"] if o.effort else None,
            status_label=self.lab[f"status.{o.status}"] if o.status else None,
            addresses=tuple(self.jm.pain_point(pid).name for pid in o.addresses),
        )

    def time_bar(self, tp: Touchpoint) -> tuple[TimeBar, ...]:
        if tp.duration is None:
            return ()
        seconds = tp.duration.seconds
        return (
            TimeBar(
                text=format_duration(tp.duration, self.lang),
                exact=format_duration_as_written(tp.duration, self.lang),
                percent=self.scale.percent(seconds),
                longest=self.scale.outlier is not None and seconds >= self.scale.outlier,
            ),
        )

    def covered(self, total: Duration | None, touchpoints: list[Touchpoint]) -> str | None:
        """A total of time spent that says what it covers: ``10 min (1 point de
        contact sur 17)`` when not every touchpoint shown (steps included) has
        a duration, its own, a step's or the one of the touchpoint it is a step of."""
        if total is None:
            return None
        text = format_duration(total, self.lang)
        given = count = 0
        for tp in touchpoints:
            shown = ([tp] if self.passes(tp) else []) + self.visible_subs(tp)
            count += len(shown)
            given += len(shown) if tp.duration is not None else sum(_has_duration(t) for t in shown)
        if given < count:
            key = "covers_touchpoint" if given <= 1 else "covers_touchpoints"
            n, of = format_number(given, self.lang), format_number(count, self.lang)
            text += " (" + self.lab[key].format(n=n, total=of) + ")"
        return text

    # the page -----------------------------------------------------------------

    def build(self) -> PageView:
        jm, lab = self.jm, self.lab
        # 1. Columns and anchors first: flow marks need to know where every target is.
        layout: list[tuple[Stage, list[Touchpoint]]] = [(s, self.column_touchpoints(s)) for s in jm.stages]
        index = 0
        for _stage, tps in layout:
            for tp in tps:
                self.column_of[tp.id] = index
                self.anchor_of[tp.id] = f"tp-{index}"
                for k, sub in enumerate(self.visible_subs(tp)):
                    self.column_of[sub.id] = index
                    self.anchor_of[sub.id] = f"tp-{index}-{k}"
                index += 1
            if not tps:
                index += 1  # a stage without touchpoints keeps an empty column

        stages: list[StageView] = []
        columns: list[ColumnView] = []
        # Per column, the touchpoints whose content fills the lanes: the column's
        # own touchpoint (if the persona passes it) then its visible subs.
        sources: list[list[Touchpoint]] = []
        for stage, tps in layout:
            length = jm.stage_length(stage)
            in_tps = jm.time_in_touchpoints(stage)
            stages.append(
                StageView(
                    name=stage.name,
                    description=stage.description,
                    goal=stage.goal,
                    length=format_duration(length, self.lang) if length else None,
                    in_touchpoints=self.covered(in_tps, tps),
                    metrics=tuple(self.metric(m) for m in stage.metrics),
                    span=max(1, len(tps)),
                )
            )
            if not tps:
                columns.append(ColumnView(len(columns), True, None, ()))
                sources.append([])
                continue
            for k, tp in enumerate(tps):
                col = len(columns)
                subs = self.visible_subs(tp)
                sub_views = tuple(
                    self.touchpoint_view(s, f"tp-{col}-{j}", inherited_channel=tp.channel, with_scores=True)
                    for j, s in enumerate(subs)
                )
                columns.append(
                    ColumnView(col, k == 0, self.touchpoint_view(tp, f"tp-{col}", with_scores=True), sub_views)
                )
                sources.append(([tp] if self.passes(tp) else []) + subs)

        durations = [tp.duration.seconds for src in sources for tp in src if tp.duration is not None]
        self.scale = time_scale(durations, self.lang)
        curves = Curves(self.view, lab, self.personas)
        curve_series = curves.series(columns, sources)
        lanes_above, lanes_below = self.lanes(sources, has_curve=bool(curve_series))
        grid = GridView(
            stages=tuple(stages),
            columns=tuple(columns),
            lanes_above=lanes_above,
            lanes_below=lanes_below,
            curve=curves.view(curve_series, columns, 0, len(columns)) if curve_series else None,
            details=any(s.goal or s.length or s.in_touchpoints or s.description or s.metrics for s in stages),
        )
        per_sheet = print_columns(self.paper)
        parts = grid_parts(grid, curve_series, curves, per_sheet, PRINT_SHEET_LINES.get(self.paper))
        rows = (
            2  # stage names, touchpoints
            + grid.details
            + (grid.curve is not None)
            + sum(lane.kind != "curve" for lane in lanes_above)
            + (len(lanes_below) + 1 if lanes_below else 0)
        )
        visible_ids = {tp.id for src in sources for tp in src}
        # The journey's length only when every stage gives its own: a sum of
        # the lengths given would pass for the whole journey.
        length = jm.journey_length() if all(s.duration is not None for s in jm.stages) else None
        in_tps = jm.journey_time_in_touchpoints()
        columns_shown = [tp for _stage, tps in layout for tp in tps]
        summary = SummaryView(
            stages=len(jm.stages),
            touchpoints=len(visible_ids),
            pain_points=sum(len(tp.pain_points) for src in sources for tp in src),
            opportunities=len(jm.opportunities),
            journey_length=format_duration(length, self.lang) if length else None,
            time_in_touchpoints=self.covered(in_tps, columns_shown),
        )
        return PageView(
            lang=jm.lang,
            labels=lab,
            title=jm.title,
            description=jm.description,
            scenario=jm.scenario,
            owner=jm.owner,
            tags=jm.tags,
            personas=tuple(p for p in self.personas if self.persona is None or p.id == self.persona),
            persona_filter=self.persona_by_id.get(self.persona) if self.persona else None,
            summary=summary,
            facts=self.facts(summary),
            grid=grid,
            parts=parts,
            rows=rows,
            spans=tuple(sorted({s.span for part in parts for s in part.stages} | {len(p.columns) for p in parts})),
            opportunities=tuple(self.opportunity(i, o) for i, o in enumerate(jm.opportunities)),
            column_min_width=self.column_width(sources),
            lane_width=LANE_HEADER_WIDTH,
            print_columns=per_sheet,
            paper=self.paper,
            review=self.review,
            faces=tuple((score, face_drawing(score, 10, 10, 8.5)) for score in range(2, -3, -1)),
            time_log=self.scale.log,
            time_ticks=self.scale.ticks,
            opportunity_columns=tuple(
                name
                for name in ("impact", "effort", "status", "owner")
                if any(getattr(o, name) is not None for o in jm.opportunities)
            ),
            severity_colors=dict(SEVERITY_COLORS),
            emotion_colors=dict(EMOTION_COLORS),
        )

    def column_width(self, sources: list[list[Touchpoint]]) -> int:
        """The columns' common least width: COLUMN_MIN_WIDTH, or wider when a
        word of the map needs more (words stay whole). Columns of one width
        keep the emotion curve's points over their columns; a word longer
        than COLUMN_MAX_WIDTH (a URL) widens its own column only."""

        def longest(texts: Iterable[str | None]) -> int:
            return max((len(word) for text in texts if text for word in text.split()), default=0)

        bold = longest(o.name for o in self.jm.opportunities)
        plain = 0
        for tp in (tp for column in sources for tp in column):
            bold = max(bold, longest((tp.name, *(pp.name for pp in tp.pain_points))))
            plain = max(
                plain,
                longest((tp.description, tp.owner, *tp.doing, *tp.thinking, *tp.feeling, *tp.backstage)),
                longest(t for pp in tp.pain_points for t in (pp.description, pp.owner)),
            )
        wanted = round(max(bold * BOLD_CHAR_WIDTH, plain * PLAIN_CHAR_WIDTH) + COLUMN_PADDING)
        return max(COLUMN_MIN_WIDTH, min(COLUMN_MAX_WIDTH, wanted))

    def facts(self, summary: SummaryView) -> tuple[MetricView, ...]:
        lab, lang = self.lab, self.lang
        facts = [
            MetricView(lab["stages"], format_number(summary.stages, lang)),
            MetricView(lab["touchpoints"], format_number(summary.touchpoints, lang)),
            MetricView(lab["pain_points"], format_number(summary.pain_points, lang)),
            MetricView(lab["opportunities"], format_number(summary.opportunities, lang)),
        ]
        if summary.journey_length is not None:
            facts.append(MetricView(lab["journey_length"], summary.journey_length))
        if summary.time_in_touchpoints is not None:
            facts.append(MetricView(lab["time_in_touchpoints"], summary.time_in_touchpoints))
        if self.jm.owner is not None:
            facts.append(MetricView(lab["owner"], self.jm.owner))
        return tuple(facts)

    def lanes(
        self, sources: list[list[Touchpoint]], has_curve: bool
    ) -> tuple[tuple[LaneView, ...], tuple[LaneView, ...]]:
        lab = self.lab
        # Pain point id → positions of the opportunities addressing it, so that
        # placing opportunities stays linear in the size of the map.
        addressing: dict[str, list[int]] = {}
        for i, o in enumerate(self.jm.opportunities):
            for pid in o.addresses:
                addressing.setdefault(pid, []).append(i)
        views = [self.opportunity(i, o) for i, o in enumerate(self.jm.opportunities)]

        def opportunities_at(tp: Touchpoint) -> tuple[OpportunityView, ...]:
            found = sorted({i for pp in tp.pain_points for i in addressing.get(pp.id, ())})
            return tuple(views[i] for i in found)

        def pain_points_at(tp: Touchpoint) -> tuple[PainPointView, ...]:
            ranked = sorted(tp.pain_points, key=lambda pp: pp.severity_rank)
            return tuple(self.pain_point(pp) for pp in ranked)

        extractors = {
            "doing": lambda tp: tp.doing,
            "thinking": lambda tp: tp.thinking,
            "feeling": lambda tp: tp.feeling,
            "time": self.time_bar,
            "pain_points": pain_points_at,
            "opportunities": opportunities_at,
            "backstage": lambda tp: tp.backstage,
            "owner": lambda tp: (tp.owner,) if tp.owner else (),
            "metrics": lambda tp: tuple(self.metric(m) for m in tp.metrics),
        }
        kinds = {
            "time": "time",
            "pain_points": "pain_points",
            "opportunities": "opportunities",
            "metrics": "metrics",
        }
        # The house style's reading order: what the customer feels and what
        # hurts first, then what they do, think and feel, then the time spent.
        above_keys = ("curve", "pain_points", "opportunities", "doing", "thinking", "feeling", "time")
        below_keys = ("backstage", "owner", "metrics")

        def lane(key: str) -> LaneView | None:
            if key == "curve":
                return LaneView(key="curve", label=lab["emotion"], kind="curve", cells=()) if has_curve else None
            extract = extractors[key]
            cells = []
            filled = False
            for column_sources in sources:
                groups = []
                for tp in column_sources:
                    items = tuple(extract(tp))
                    if items:
                        groups.append(Group(via=tp.name if self.jm.parent_of(tp.id) else None, items=items))
                filled = filled or bool(groups)
                cells.append(tuple(groups))
            if not filled:
                return None
            return LaneView(key=key, label=lab[key], kind=kinds.get(key, "text"), cells=tuple(cells))

        above = tuple(row for k in above_keys if (v := lane(k)) is not None for row in _lane_rows(v))
        below = [row for k in below_keys if (v := lane(k)) is not None for row in _lane_rows(v)]
        if below:
            below[0] = replace(below[0], below_visibility=True)
        return above, tuple(below)


def build_page(jm: JourneyMap, persona: str | None = None, *, review: bool = False, paper: str = "a3") -> PageView:
    """The view model of the page: everything the templates show, computed.
    ``review`` adds the team's flags; ``paper`` is the print sheet."""
    return _Builder(jm, persona, review, paper).build()


def _has_duration(tp: Touchpoint) -> bool:
    """Whether time spent at ``tp`` is given: its own duration or a step's."""
    return tp.duration is not None or any(_has_duration(sub) for sub in tp.touchpoints)

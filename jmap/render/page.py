"""The HTML swimlane page: one self-contained file per map.

The page is built in two steps. First a plain *view model* is computed here,
in Python: the columns (one per top-level touchpoint, grouped by stage), the
lanes (doing, thinking, feeling, emotion, pain points, opportunities,
backstage, owner, metrics) with only the lanes that hold something, and the
emotion curve as ready-made SVG coordinates. Then Jinja2 templates turn that
view model into markup. Keeping every decision and every number in Python
means a user who overrides a template (``--templates DIR``) restyles the page
without re-implementing the journey logic, and the logic is testable without
parsing HTML.

Safety: the Jinja2 environment autoescapes every template, whatever its file
name, and map text only ever reaches element content or quoted, escaped
attribute values that are not URLs, styles or event handlers. Links inside the
page use positional anchors (``#tp-3``) generated here, never an id or a name
from the map. The only inline style block is produced from our templates, and
the Content-Security-Policy allows exactly that block by its SHA-256 hash, so
the page runs no script and loads nothing, even if a browser is tricked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from jmap.errors import RenderError
from jmap.model import (
    EMOTION_MAX,
    EMOTION_MIN,
    SERIOUS_SEVERITIES,
    Duration,
    JourneyMap,
    Metric,
    Opportunity,
    PainPoint,
    Stage,
    Touchpoint,
)
from jmap.render.labels import labels
from jmap.render.style import EMOTION_COLORS, SEVERITY_COLORS, emotion_sign, persona_colors
from jmap.render.templating import csp_hash, environment
from jmap.render.templating import render as render_template
from jmap.resources import templates_dir as shipped_templates_dir

PAGE_TEMPLATE = "page.html.j2"
STYLE_TEMPLATE = "style.css.j2"

#: Width of one touchpoint column in CSS pixels. The curve is drawn in the
#: same unit so that its points sit exactly over their columns.
COLUMN_WIDTH = 232
#: Width of the sticky column of lane names.
LANE_HEADER_WIDTH = 168
#: Geometry of the emotion curve: total height and the margin above +2 and below -2.
CURVE_HEIGHT = 184
CURVE_MARGIN = 26
MARKER_SIZE = 5.5


#: Marker shapes and dash patterns, one per persona in map order, so that the
#: curves stay distinguishable in black-and-white print and for colour-blind readers.
MARKER_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "plus")
DASH_PATTERNS = ("", "7 4", "2 4", "10 4 2 4", "4 4", "12 3")


# -- view model ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonaView:
    id: str
    name: str
    description: str | None
    goals: tuple[str, ...]
    frustrations: tuple[str, ...]
    quote: str | None
    color: str
    shape: str
    dash: str
    #: A marker of the persona's shape centred in a 20x20 box, for legends and cards.
    swatch_path: str


@dataclass(frozen=True, slots=True)
class MetricView:
    name: str
    value: str
    target: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class FlowTarget:
    name: str
    #: Positional in-page anchor (``tp-3``) or None when the target is not on this page.
    anchor: str | None
    #: True when the target comes at or before the source: the flow loops back.
    loops_back: bool


@dataclass(frozen=True, slots=True)
class FlowView:
    #: ``exit`` (``next: []``) or ``explicit`` (``next: [ids]``).
    kind: str
    targets: tuple[FlowTarget, ...]


@dataclass(frozen=True, slots=True)
class TouchpointView:
    anchor: str
    name: str
    description: str | None
    depth: int
    channel_name: str | None
    channel_online: bool
    duration: str | None
    personas: tuple[PersonaView, ...]
    flow: FlowView | None


@dataclass(frozen=True, slots=True)
class StageView:
    name: str
    description: str | None
    goal: str | None
    duration: str | None
    #: Sum of the touchpoints' durations, shown when it says something the
    #: stage's own duration does not.
    touchpoints_total: str | None
    metrics: tuple[MetricView, ...]
    span: int


@dataclass(frozen=True, slots=True)
class ColumnView:
    index: int
    first_of_stage: bool
    #: None for a stage without touchpoints, which still gets a column.
    touchpoint: TouchpointView | None
    subs: tuple[TouchpointView, ...]
    #: Centre of the column in curve coordinates.
    x: int


@dataclass(frozen=True, slots=True)
class ScoreView:
    """One emotion score as text: readable without the curve or colours."""

    persona: PersonaView | None
    score: int
    sign: str
    label: str
    face: str


@dataclass(frozen=True, slots=True)
class PainPointView:
    name: str
    description: str | None
    severity: str
    severity_label: str
    owner: str | None
    unaddressed: bool


@dataclass(frozen=True, slots=True)
class OpportunityView:
    anchor: str
    name: str
    description: str | None
    owner: str | None
    impact: str | None
    effort: str | None
    status: str | None
    impact_label: str | None
    effort_label: str | None
    status_label: str | None
    addresses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """What one touchpoint contributes to a lane cell; ``via`` names the
    sub-touchpoint it comes from (None for the column's own touchpoint)."""

    via: str | None
    items: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class LaneView:
    key: str
    label: str
    #: How the template draws the items: text, scores, pain_points, opportunities, metrics.
    kind: str
    cells: tuple[tuple[Group, ...], ...]
    #: True for the first lane below the line of visibility.
    below_visibility: bool = False


@dataclass(frozen=True, slots=True)
class CurvePoint:
    x: float
    y: float
    marker: str
    title: str


@dataclass(frozen=True, slots=True)
class CurveSeries:
    persona: PersonaView | None
    name: str
    color: str
    dash: str
    path: str
    points: tuple[CurvePoint, ...]
    #: The series' marker in a 40x20 legend sample.
    legend_marker: str


@dataclass(frozen=True, slots=True)
class CurveView:
    width: int
    height: int
    #: y of each score from +2 down to -2, paired with the score's face path.
    levels: tuple[tuple[int, float, str, str], ...]
    zero_y: float
    stage_lines: tuple[int, ...]
    series: tuple[CurveSeries, ...]
    description: str


@dataclass(frozen=True, slots=True)
class SummaryView:
    stages: int
    touchpoints: int
    pain_points: int
    opportunities: int
    total_duration: str | None


@dataclass(frozen=True, slots=True)
class PageView:
    lang: str
    labels: dict[str, str]
    title: str
    description: str | None
    scenario: str | None
    owner: str | None
    tags: tuple[str, ...]
    personas: tuple[PersonaView, ...]
    persona_filter: PersonaView | None
    summary: SummaryView
    stages: tuple[StageView, ...]
    columns: tuple[ColumnView, ...]
    lanes_above: tuple[LaneView, ...]
    lanes_below: tuple[LaneView, ...]
    curve: CurveView | None
    opportunities: tuple[OpportunityView, ...]
    column_width: int
    lane_width: int
    #: CSS zoom of the grid in print so that a map of up to a dozen columns fits
    #: the width of an A3 landscape page (written as text for byte-stable CSS).
    print_zoom: str
    severity_colors: dict[str, str] = field(default_factory=dict)
    emotion_colors: dict[int, str] = field(default_factory=dict)


# -- geometry ------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate written the same way on every machine (no ``-0``, no float noise)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def marker_path(shape: str, x: float, y: float, r: float = MARKER_SIZE) -> str:
    """An SVG path for a persona's marker centred on (x, y)."""
    if shape == "square":
        s = r * 0.85
        return f"M{_num(x - s)} {_num(y - s)}H{_num(x + s)}V{_num(y + s)}H{_num(x - s)}Z"
    if shape == "triangle":
        return f"M{_num(x)} {_num(y - r * 1.15)}L{_num(x + r)} {_num(y + r * 0.75)}H{_num(x - r)}Z"
    if shape == "triangle-down":
        return f"M{_num(x)} {_num(y + r * 1.15)}L{_num(x + r)} {_num(y - r * 0.75)}H{_num(x - r)}Z"
    if shape == "diamond":
        return f"M{_num(x)} {_num(y - r * 1.2)}L{_num(x + r * 1.2)} {_num(y)}L{_num(x)} {_num(y + r * 1.2)}L{_num(x - r * 1.2)} {_num(y)}Z"
    if shape == "plus":
        t = r * 0.4
        return (
            f"M{_num(x - t)} {_num(y - r)}H{_num(x + t)}V{_num(y - t)}H{_num(x + r)}V{_num(y + t)}"
            f"H{_num(x + t)}V{_num(y + r)}H{_num(x - t)}V{_num(y + t)}H{_num(x - r)}V{_num(y - t)}H{_num(x - t)}Z"
        )
    return f"M{_num(x - r)} {_num(y)}A{_num(r)} {_num(r)} 0 1 0 {_num(x + r)} {_num(y)}A{_num(r)} {_num(r)} 0 1 0 {_num(x - r)} {_num(y)}Z"


def face_mouth(score: int, cx: float, cy: float, r: float) -> str:
    """The mouth of a drawn face: a smile for +2 down to a frown for -2.

    Faces are drawn, not typed as emoji, so they show on machines without an
    emoji font and in any print.
    """
    half = r * 0.45
    mouth_y = cy + r * 0.35
    bend = score * r * 0.22
    return f"M{_num(cx - half)} {_num(mouth_y - bend / 2)}Q{_num(cx)} {_num(mouth_y + bend)} {_num(cx + half)} {_num(mouth_y - bend / 2)}"


def _curve_y(score: float) -> float:
    step = (CURVE_HEIGHT - 2 * CURVE_MARGIN) / (EMOTION_MAX - EMOTION_MIN)
    return CURVE_MARGIN + (EMOTION_MAX - score) * step


# -- building ------------------------------------------------------------------


class _Builder:
    """Walks the map once and gathers everything the templates show."""

    def __init__(self, jm: JourneyMap, persona: str | None) -> None:
        self.jm = jm
        self.persona = persona
        self.lab = labels(jm.lang)
        self.persona_colors = persona_colors(jm.personas)
        self.personas = tuple(self._persona_view(i, p.id) for i, p in enumerate(jm.personas))
        self.persona_by_id = {p.id: p for p in self.personas}
        self.addressed = {pid for o in jm.opportunities for pid in o.addresses}
        # Which touchpoints are on the page, and where: column index of each visible id.
        self.column_of: dict[str, int] = {}
        self.anchor_of: dict[str, str] = {}

    # personas -----------------------------------------------------------------

    def _persona_view(self, position: int, persona_id: str) -> PersonaView:
        p = self.jm.persona(persona_id)
        shape = MARKER_SHAPES[position % len(MARKER_SHAPES)]
        return PersonaView(
            id=p.id,
            name=p.name,
            description=p.description,
            goals=p.goals,
            frustrations=p.frustrations,
            quote=p.quote,
            color=self.persona_colors[persona_id],
            shape=shape,
            dash=DASH_PATTERNS[position % len(DASH_PATTERNS)],
            swatch_path=marker_path(shape, 10, 10, 6),
        )

    def passes(self, tp: Touchpoint) -> bool:
        return self.persona is None or self.persona in self.jm.personas_at(tp)

    def visible_subs(self, tp: Touchpoint) -> list[Touchpoint]:
        """Sub-touchpoints shown under ``tp``, depth-first in document order."""
        found: list[Touchpoint] = []
        for sub in tp.touchpoints:
            if self.passes(sub):
                found.append(sub)
            found.extend(self.visible_subs(sub))
        return found

    def column_touchpoints(self, stage: Stage) -> list[Touchpoint]:
        """A stage's columns: its top-level touchpoints that the persona (if any)
        passes, or one of whose sub-touchpoints they pass."""
        return [tp for tp in stage.touchpoints if self.passes(tp) or self.visible_subs(tp)]

    # small views --------------------------------------------------------------

    def metric(self, m: Metric) -> MetricView:
        unit = f" {m.unit}" if m.unit else ""
        target = m.target.text + unit if m.target is not None else None
        return MetricView(name=m.name, value=m.value.text + unit, target=target, source=m.source)

    def touchpoint_view(self, tp: Touchpoint, anchor: str, inherited_channel: str | None = None) -> TouchpointView:
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
            duration=tp.duration.text if tp.duration else None,
            personas=shown,
            flow=self.flow(tp),
        )

    def flow(self, tp: Touchpoint) -> FlowView | None:
        """Explicit flow only: the default edge to the next column needs no mark."""
        if tp.next is None:
            return None
        if not tp.next:
            return FlowView(kind="exit", targets=())
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
        return FlowView(kind="explicit", targets=tuple(targets))

    def score(self, persona: PersonaView | None, value: int) -> ScoreView:
        return ScoreView(
            persona=persona,
            score=value,
            sign=emotion_sign(value),
            label=self.lab[f"emotion.{value}"],
            face=face_mouth(value, 10, 10, 8),
        )

    def scores_at(self, tp: Touchpoint) -> tuple[ScoreView, ...]:
        emotion = tp.emotion
        if emotion is None:
            return ()
        if emotion.everyone is not None and self.persona is None:
            return (self.score(None, emotion.everyone),)
        scores = []
        for pid in self.jm.personas_at(tp):
            if self.persona is not None and pid != self.persona:
                continue
            value = self.jm.emotion_at(tp, pid)
            if value is not None:
                scores.append(self.score(self.persona_by_id[pid], value))
        return tuple(scores)

    def pain_point(self, pp: PainPoint) -> PainPointView:
        return PainPointView(
            name=pp.name,
            description=pp.description,
            severity=pp.severity,
            severity_label=self.lab[f"severity.{pp.severity}"],
            owner=pp.owner,
            unaddressed=pp.severity in SERIOUS_SEVERITIES and pp.id not in self.addressed,
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

    # the page -----------------------------------------------------------------

    def build(self) -> PageView:
        jm, lab = self.jm, self.lab
        # 1. Columns and anchors first: flow marks need to know where every target is.
        layout: list[tuple[Stage, list[Touchpoint]]] = [(s, self.column_touchpoints(s)) for s in jm.stages]
        index = 0
        for _stage, tps in layout:
            if not tps:
                index += 1  # an empty stage keeps its column
            for tp in tps:
                self.column_of[tp.id] = index
                self.anchor_of[tp.id] = f"tp-{index}"
                for k, sub in enumerate(self.visible_subs(tp)):
                    self.column_of[sub.id] = index
                    self.anchor_of[sub.id] = f"tp-{index}-{k}"
                index += 1

        stages: list[StageView] = []
        columns: list[ColumnView] = []
        # Per column, the touchpoints whose content fills the lanes: the column's
        # own touchpoint (if the persona passes it) then its visible subs.
        sources: list[list[Touchpoint]] = []
        for stage, tps in layout:
            own = stage.duration
            summed = jm.touchpoints_duration(stage)
            stages.append(
                StageView(
                    name=stage.name,
                    description=stage.description,
                    goal=stage.goal,
                    duration=own.text if own else None,
                    touchpoints_total=summed.text if summed else None,
                    metrics=tuple(self.metric(m) for m in stage.metrics),
                    span=max(1, len(tps)),
                )
            )
            if not tps:
                columns.append(ColumnView(len(columns), True, None, (), self._x(len(columns))))
                sources.append([])
                continue
            for k, tp in enumerate(tps):
                col = len(columns)
                view = self.touchpoint_view(tp, f"tp-{col}")
                subs = self.visible_subs(tp)
                sub_views = tuple(
                    self.touchpoint_view(s, f"tp-{col}-{j}", inherited_channel=tp.channel) for j, s in enumerate(subs)
                )
                columns.append(ColumnView(col, k == 0, view, sub_views, self._x(col)))
                sources.append(([tp] if self.passes(tp) else []) + subs)

        lanes_above, lanes_below = self.lanes(sources)
        curve = self.curve(columns, sources)
        visible_ids = {tp.id for src in sources for tp in src}
        total = [d.seconds for s in jm.stages if (d := jm.stage_duration(s)) is not None]
        summary = SummaryView(
            stages=len(jm.stages),
            touchpoints=len(visible_ids),
            pain_points=sum(len(tp.pain_points) for src in sources for tp in src),
            opportunities=len(jm.opportunities),
            total_duration=_total_text(total),
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
            stages=tuple(stages),
            columns=tuple(columns),
            lanes_above=lanes_above,
            lanes_below=lanes_below,
            curve=curve,
            opportunities=tuple(self.opportunity(i, o) for i, o in enumerate(jm.opportunities)),
            column_width=COLUMN_WIDTH,
            lane_width=LANE_HEADER_WIDTH,
            print_zoom=_print_zoom(len(columns)),
            severity_colors=dict(SEVERITY_COLORS),
            emotion_colors=dict(EMOTION_COLORS),
        )

    @staticmethod
    def _x(column: int) -> int:
        return column * COLUMN_WIDTH + COLUMN_WIDTH // 2

    def lanes(self, sources: list[list[Touchpoint]]) -> tuple[tuple[LaneView, ...], tuple[LaneView, ...]]:
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
            "emotion": self.scores_at,
            "pain_points": pain_points_at,
            "opportunities": opportunities_at,
            "backstage": lambda tp: tp.backstage,
            "owner": lambda tp: (tp.owner,) if tp.owner else (),
            "metrics": lambda tp: tuple(self.metric(m) for m in tp.metrics),
        }
        kinds = {
            "emotion": "scores",
            "pain_points": "pain_points",
            "opportunities": "opportunities",
            "metrics": "metrics",
        }
        above_keys = ("doing", "thinking", "feeling", "emotion", "pain_points", "opportunities")
        below_keys = ("backstage", "owner", "metrics")

        def lane(key: str) -> LaneView | None:
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

        above = tuple(v for k in above_keys if (v := lane(k)) is not None)
        below = [v for k in below_keys if (v := lane(k)) is not None]
        if below:
            first = below[0]
            below[0] = LaneView(first.key, first.label, first.kind, first.cells, below_visibility=True)
        return above, tuple(below)

    def curve(self, columns: list[ColumnView], sources: list[list[Touchpoint]]) -> CurveView | None:
        """One line per persona across the columns' own touchpoints.

        A map without personas, or whose emotions are all shared, still gets a
        single line. Lines that would lie on top of each other (a shared score)
        are nudged apart by a few pixels so that every persona stays visible.
        """
        lab = self.lab
        tops = [(col, col_sources[0]) for col, col_sources in zip(columns, sources, strict=True) if col_sources]
        tops = [(col, tp) for col, tp in tops if self.jm.parent_of(tp.id) is None and tp.emotion is not None]
        if not tops:
            return None
        shown = [p for p in self.personas if self.persona is None or p.id == self.persona]
        tracks: list[tuple[PersonaView | None, list[tuple[ColumnView, Touchpoint, int]]]] = []
        for persona in shown:
            pts = [(col, tp, v) for col, tp in tops if (v := self.jm.emotion_at(tp, persona.id)) is not None]
            if pts:
                tracks.append((persona, pts))
        if not shown:
            # Without personas every emotion is a shared score.
            pts = [(col, tp, v) for col, tp in tops if (v := self.jm.emotion_at(tp)) is not None]
            if pts:
                tracks.append((None, pts))
        if not tracks:
            return None

        series = []
        described = []
        count = len(tracks)
        for k, (p, pts) in enumerate(tracks):
            nudge = (k - (count - 1) / 2) * 3.0
            name = p.name if p else lab["everyone"]
            shape = p.shape if p else "circle"
            points = []
            words = []
            for col, tp, value in pts:
                y = _curve_y(value) + nudge
                text = f"{tp.name}: {emotion_sign(value)} ({lab[f'emotion.{value}']})"
                points.append(CurvePoint(x=col.x, y=y, marker=marker_path(shape, col.x, y), title=f"{name} · {text}"))
                words.append(text)
            path = "M" + "L".join(f"{_num(pt.x)} {_num(pt.y)}" for pt in points)
            series.append(
                CurveSeries(
                    persona=p,
                    name=name,
                    color=p.color if p else "#3d5a80",
                    dash=p.dash if p else "",
                    path=path,
                    points=tuple(points),
                    legend_marker=marker_path(shape, 20, 10),
                )
            )
            described.append(f"{name} — " + "; ".join(words))

        levels = tuple(
            (score, _curve_y(score), emotion_sign(score), face_mouth(score, 14, _curve_y(score), 9))
            for score in range(EMOTION_MAX, EMOTION_MIN - 1, -1)
        )
        stage_lines = tuple(col.index * COLUMN_WIDTH for col in columns if col.first_of_stage and col.index > 0)
        return CurveView(
            width=len(columns) * COLUMN_WIDTH,
            height=CURVE_HEIGHT,
            levels=levels,
            zero_y=_curve_y(0),
            stage_lines=stage_lines,
            series=tuple(series),
            description=". ".join(described) + ".",
        )


#: Printable width of an A3 landscape page (420mm less 10mm margins) in CSS pixels.
A3_LANDSCAPE_WIDTH = 1512
#: Below this the text is too small to read even on A3; wider maps are cut
#: at the page edge (print one persona, or the diagram, instead).
MIN_PRINT_ZOOM = 0.5


def _print_zoom(columns: int) -> str:
    fit = A3_LANDSCAPE_WIDTH / (LANE_HEADER_WIDTH + columns * COLUMN_WIDTH)
    return _num(max(MIN_PRINT_ZOOM, min(1.0, fit)))


def _total_text(seconds: list[float]) -> str | None:
    if not seconds:
        return None
    return Duration.from_seconds(sum(seconds)).text


def build_page(jm: JourneyMap, persona: str | None = None) -> PageView:
    """The view model of the page: everything the templates show, computed."""
    return _Builder(jm, persona).build()


# -- templates -----------------------------------------------------------------


def _search_path(templates_dir: Path | None) -> tuple[str, ...]:
    """User folder first so that any single template can be replaced; a copy of
    the whole shipped ``templates/`` tree (with its ``html/`` folder) works too."""
    shipped = shipped_templates_dir() / "html"
    paths: list[Path] = []
    if templates_dir is not None:
        if not templates_dir.is_dir():
            raise RenderError(f"templates folder '{templates_dir}' does not exist or is not a folder")
        if (templates_dir / "html").is_dir():
            paths.append(templates_dir / "html")
        paths.append(templates_dir)
    paths.append(shipped)
    return tuple(str(p) for p in paths)


def render_html(jm: JourneyMap, persona: str | None = None, templates_dir: Path | None = None) -> str:
    """The self-contained HTML swimlane page of ``jm``.

    ``templates_dir`` is a folder of templates that replace the shipped ones
    of the same name. Template problems become a RenderError naming the file
    and line, never a traceback.
    """
    page = build_page(jm, persona)
    env = environment(_search_path(templates_dir), (("num", _num),))
    css = render_template(env, STYLE_TEMPLATE, page=page)
    if "</style" in css.lower():
        raise RenderError(f"{STYLE_TEMPLATE} must not contain '</style'")
    # The CSP allows exactly this style block: hashing the exact text that
    # sits between <style> and </style> lets the page drop 'unsafe-inline'.
    return render_template(env, PAGE_TEMPLATE, page=page, css=Markup(css), style_hash=csp_hash(css))

"""The HTML swimlane page: one self-contained file per map.

The page is built in two steps. First a plain *view model* is computed here,
in Python: the columns (one per top-level touchpoint, grouped by stage), the
lanes (doing, thinking, feeling, the emotion curve, time, pain points,
opportunities, backstage, owner, metrics) with only the lanes that hold
something, and the emotion curve as ready-made SVG coordinates. Then Jinja2
templates turn that view model into markup. Keeping every decision and every
number in Python means a user who overrides a template (``--templates DIR``)
restyles the page without re-implementing the journey logic, and the logic is
testable without parsing HTML.

The page is made to be handed to a client: the journey comes first (a compact
header and a persona strip, details after the grid), columns share the width
of the screen, numbers and durations are written in the map's language
(jmap.render.locale). The grid is drawn as parts of whole stages, each no
wider than a sheet of A3, so that nothing is shrunk below 6 pt in print: one
table per part, lined up as one grid on screen, so that each column is drawn
once and the page grows linearly with the map.

The view models are frozen, slotted dataclasses with ``eq=False``: templates
only read them and nothing compares or hashes them, so they skip the
generated ``__eq__`` (identity is enough), which Python compiles for each
class when the module is imported, on every `jmap render`.

Safety: the Jinja2 environment autoescapes every template, whatever its file
name, and map text only ever reaches element content or quoted, escaped
attribute values that are not URLs, styles or event handlers. Links inside the
page use positional anchors (``#tp-3``) generated here, never an id or a name
from the map. The only inline style block is produced from our templates, and
the Content-Security-Policy allows exactly that block by its SHA-256 hash, so
the page runs no script and loads nothing, even if a browser is tricked.
"""

from __future__ import annotations

import gc
import os
from bisect import bisect_left
from dataclasses import dataclass, replace

from jmap.errors import RenderError
from jmap.model import (
    EMOTION_MAX,
    EMOTION_MIN,
    SERIOUS_SEVERITIES,
    JourneyMap,
    Metric,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from jmap.render.labels import labels
from jmap.render.locale import format_duration, format_metric, format_metric_value, format_number, metric_label
from jmap.render.style import EMOTION_COLORS, SEVERITY_COLORS, emotion_sign, persona_colors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

#: The shipped page templates, found with os.path: `jmap render` does not
#: otherwise need pathlib, whose import costs more than rendering a small map.
SHIPPED_HTML_TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates", "html")

PAGE_TEMPLATE = "page.html.j2"
STYLE_TEMPLATE = "style.css.j2"

#: Narrowest a touchpoint column gets on screen, in CSS pixels: ten columns
#: and the lane names fit a 1440 px screen (fourteen at 1920 px), scroll bar
#: included; wider screens share the extra width among the columns.
COLUMN_MIN_WIDTH = 120
#: Width of the sticky column of lane names (on screen and in print).
LANE_HEADER_WIDTH = 128
#: Geometry of the emotion curve: total height and the margin above +2 and below -2.
CURVE_HEIGHT = 150
CURVE_MARGIN = 20
MARKER_SIZE = 4.5
FACE_RADIUS = 8
#: Touchpoint columns on one A3 landscape sheet at the print font size (every
#: character at 6 pt or more): wider maps print as several grids of whole
#: stages, each with its own stage headers and lane names.
PRINT_COLUMNS_PER_PAGE = 12
#: About how many characters a printed column holds on a line, and how many
#: lines a lane's row may hold before it goes on in a row below: a row is
#: never cut across sheets, so that its lane name is on the sheet with it.
PRINT_LINE_CHARS = 17
PRINT_ROW_LINES = 32
#: At most this many rows per lane: each row has a cell in every column, so
#: more would make a huge cell cost output in proportion to the map's width;
#: past it the last row holds the rest (and may be cut across sheets).
PRINT_LANE_ROWS = 8
#: Persona colours are darkened until their lines and markers reach this
#: contrast ratio against the curve's bands (WCAG 2.1 non-text contrast).
MIN_PERSONA_CONTRAST = 3.0
#: The curve's light backgrounds: positive band, negative band, the page surface.
CURVE_BACKGROUNDS = ("#e9f5ec", "#fbecec", "#ffffff")
#: The dark theme's curve backgrounds: persona colours are lightened for them.
CURVE_BACKGROUNDS_DARK = ("#1a2c22", "#2f1e22", "#1b2129")


#: Marker shapes and dash patterns, one per persona in map order, so that the
#: curves stay distinguishable in black-and-white print and for colour-blind readers.
MARKER_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "plus")
DASH_PATTERNS = ("", "7 4", "2 4", "10 4 2 4", "4 4", "12 3")


# -- view model ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class PersonaView:
    """A persona as the page draws it: its colours made readable on the
    curve's bands, and a marker shape and dash so that lines stay apart without colour."""

    #: Position in the map: the persona's CSS class (``persona-0``) and colour variable.
    position: int
    id: str
    name: str
    #: The persona as the map writes it, for its card (description, quote, goals, frustrations).
    card: Persona
    #: The persona's colour, darkened if needed to stand out on the light bands.
    color: str
    #: The same colour lightened if needed for the dark theme.
    color_dark: str
    shape: str
    dash: str
    #: A marker of the persona's shape centred in a 20x20 box, for legends and cards.
    swatch_path: str


@dataclass(frozen=True, slots=True, eq=False)
class MetricView:
    """A labelled figure: a metric (with its target and source) or one of the
    header's facts (without them)."""

    label: str
    value: str
    target: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class FlowTarget:
    """Where an explicit ``next`` leads: an in-page link, marked when it loops back."""

    name: str
    #: Positional in-page anchor (``tp-3``) or None when the target is not on this page.
    anchor: str | None
    #: True when the target comes at or before the source: the flow loops back.
    loops_back: bool


@dataclass(frozen=True, slots=True, eq=False)
class ScoreView:
    """One emotion score as text: readable without the curve or colours."""

    persona: PersonaView | None
    score: int
    sign: str
    label: str
    face: str


@dataclass(frozen=True, slots=True, eq=False)
class TouchpointView:
    """A touchpoint header (a column's own touchpoint, or one of its steps)."""

    anchor: str
    name: str
    description: str | None
    depth: int
    channel_name: str | None
    channel_online: bool
    duration: str | None
    personas: tuple[PersonaView, ...]
    #: Explicit flow only: None without ``next``, () for ``next: []`` (the
    #: journey ends here), else the targets of ``next: [ids]``.
    flow: tuple[FlowTarget, ...] | None = None
    #: Emotion scores of a sub-touchpoint (those of a column's own touchpoint are on the curve).
    scores: tuple[ScoreView, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class StageView:
    """A stage header; a stage cut across print sheets shows once per piece."""

    name: str
    description: str | None
    goal: str | None
    #: The stage's own calendar length, as the author gave it.
    length: str | None
    #: Time spent in its touchpoints: shown apart, never added to ``length``.
    in_touchpoints: str | None
    metrics: tuple[MetricView, ...]
    span: int
    #: True on a print page that continues a stage split across pages.
    continued: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class ColumnView:
    """One column of the grid: a top-level touchpoint and its steps."""

    position: int
    first_of_stage: bool
    #: None for a stage without touchpoints, which still gets a column.
    touchpoint: TouchpointView | None
    subs: tuple[TouchpointView, ...]


@dataclass(frozen=True, slots=True, eq=False)
class PainPointView:
    """A pain point in its lane, with its severity in words next to the colour."""

    name: str
    description: str | None
    severity: str
    severity_label: str
    owner: str | None
    unaddressed: bool


@dataclass(frozen=True, slots=True, eq=False)
class OpportunityView:
    """An opportunity, in the lane next to what it addresses and in the table."""

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


@dataclass(frozen=True, slots=True, eq=False)
class TimeBar:
    """A touchpoint's duration as a bar as long as its share of the longest
    one (``percent``, written as text for byte-stable markup), so that a
    journey of seven queues shows at a glance which one hurts."""

    text: str
    percent: str
    longest: bool


@dataclass(frozen=True, slots=True, eq=False)
class Group:
    """What one touchpoint contributes to a lane cell; ``via`` names the
    sub-touchpoint it comes from (None for the column's own touchpoint)."""

    via: str | None
    items: tuple[object, ...]


@dataclass(frozen=True, slots=True, eq=False)
class LaneView:
    """A row of the grid: what each column holds for one lane (doing, time…)."""

    key: str
    label: str
    #: How the template draws the items: text, curve, time, pain_points, opportunities, metrics.
    kind: str
    cells: tuple[tuple[Group, ...], ...]
    #: True for the first lane below the line of visibility.
    below_visibility: bool = False
    #: True for the rows that carry on a lane too tall for one printed sheet.
    continued: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class CurveSeries:
    """One persona's line (or everyone's, on a map without personas)."""

    persona: PersonaView | None
    name: str
    dash: str
    #: (column, score, title) of each point, left to right: the text
    #: equivalent and the faces are made from them.
    points: tuple[tuple[int, int, str], ...]
    #: (x1, y1, x2, y2, skipped) of each line, x in percent of the grid part;
    #: skipped when the persona passes steps only others take between the two.
    segments: tuple[tuple[str, str, str, str, bool], ...]
    #: Route moves between point columns (``(from, to)``), before slicing into print pages.
    moves: tuple[tuple[int, int, bool], ...]
    #: The series' marker in a 40x20 legend sample.
    legend_marker: str


@dataclass(frozen=True, slots=True, eq=False)
class CurveSpot:
    """A face and its score where one or more personas stand at a column:
    the markers beside it say who."""

    column: int
    x: str
    y: float
    score: int
    sign: str
    mouth: str
    title: str
    #: (persona position, marker path) of each persona standing there.
    markers: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True, eq=False)
class CurveView:
    """The emotion curve over one part of the grid, as ready-made SVG
    coordinates (x in percent, so that points sit over their columns at any width)."""

    height: int
    #: y of each score from +2 down to -2, paired with the score's sign and face path.
    levels: tuple[tuple[int, float, str, str], ...]
    zero_y: float
    #: x of each stage's left edge (after the first), in percent of the curve.
    stage_lines: tuple[str, ...]
    series: tuple[CurveSeries, ...]
    spots: tuple[CurveSpot, ...]
    description: str


@dataclass(frozen=True, slots=True, eq=False)
class GridView:
    """The swimlane grid of the whole map, or one part of it: whole stages
    no wider than a sheet of A3. The page draws one table per part; on screen
    the parts line up as one grid, in print each starts a sheet."""

    stages: tuple[StageView, ...]
    columns: tuple[ColumnView, ...]
    lanes_above: tuple[LaneView, ...]
    lanes_below: tuple[LaneView, ...]
    curve: CurveView | None
    #: Whether the row of stage details is drawn: the same in every part, so that rows line up.
    details: bool


@dataclass(frozen=True, slots=True, eq=False)
class SummaryView:
    """The map's figures for the header, counted over what the page shows."""

    stages: int
    touchpoints: int
    pain_points: int
    opportunities: int
    #: The stages' own lengths added up, and the time in touchpoints: two figures.
    journey_length: str | None
    time_in_touchpoints: str | None


@dataclass(frozen=True, slots=True, eq=False)
class PageView:
    """Everything the templates show, computed: a user's template restyles
    the page without re-implementing the journey logic."""

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
    #: The header's one line of facts, every number in the map's language.
    facts: tuple[MetricView, ...]
    #: The whole map's grid: its columns, stages, lanes and curve.
    grid: GridView
    #: The grid in parts of whole stages, one sheet of A3 each (one part when a sheet holds it all).
    parts: tuple[GridView, ...]
    #: The grid's rows (stage headers, details, curve, touchpoints, lanes, line
    #: of visibility), and the column spans its cells use: the style sheet
    #: places every part's cells on the same rows.
    rows: int
    spans: tuple[int, ...]
    opportunities: tuple[OpportunityView, ...]
    column_min_width: int
    lane_width: int
    #: Columns of a full print sheet (PRINT_COLUMNS_PER_PAGE).
    print_columns: int
    severity_colors: dict[str, str]
    emotion_colors: dict[int, str]


# -- geometry and colour -------------------------------------------------------


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


def _rgb(color: str) -> tuple[int, int, int]:
    text = color.lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = _luminance(_rgb(a)), _luminance(_rgb(b))
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)


def readable_color(color: str, backgrounds: tuple[str, ...], toward: str = "#000000") -> str:
    """``color`` mixed toward ``toward`` in small steps until it reaches
    MIN_PERSONA_CONTRAST against every background: a pale yellow persona stays
    yellowish but no longer vanishes on the pale green band."""
    base, target = _rgb(color), _rgb(toward)
    for step in range(21):
        t = step / 20
        mixed = tuple(round(c + (d - c) * t) for c, d in zip(base, target, strict=True))
        text = "#{:02x}{:02x}{:02x}".format(*mixed)
        if all(contrast_ratio(text, bg) >= MIN_PERSONA_CONTRAST for bg in backgrounds):
            return text
    return toward


# -- building ------------------------------------------------------------------


class _Builder:
    """Walks the map once and gathers everything the templates show."""

    def __init__(self, jm: JourneyMap, persona: str | None) -> None:
        self.jm = jm
        self.lang = jm.lang
        self.persona = persona
        self.lab = labels(jm.lang)
        self.persona_colors = persona_colors(jm.personas)
        self.personas = tuple(self._persona_view(i, p.id) for i, p in enumerate(jm.personas))
        self.persona_by_id = {p.id: p for p in self.personas}
        self.addressed = {pid for o in jm.opportunities for pid in o.addresses}
        # Which touchpoints are on the page, and where: column index of each visible id.
        self.column_of: dict[str, int] = {}
        self.anchor_of: dict[str, str] = {}
        self.longest_seconds = 0.0
        self._curve_indexes: dict[int, tuple[list[int], list[int], dict[int, int]]] = {}

    # personas -----------------------------------------------------------------

    def _persona_view(self, position: int, persona_id: str) -> PersonaView:
        p = self.jm.persona(persona_id)
        shape = MARKER_SHAPES[position % len(MARKER_SHAPES)]
        own = self.persona_colors[persona_id]
        return PersonaView(
            position=position,
            id=p.id,
            name=p.name,
            card=p,
            color=readable_color(own, CURVE_BACKGROUNDS),
            color_dark=readable_color(own, CURVE_BACKGROUNDS_DARK, toward="#ffffff"),
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

    def time_bar(self, tp: Touchpoint) -> tuple[TimeBar, ...]:
        if tp.duration is None:
            return ()
        longest = self.longest_seconds
        share = 100 * tp.duration.seconds / longest if longest > 0 else 0.0
        return (
            TimeBar(
                text=format_duration(tp.duration, self.lang),
                percent=_num(max(share, 1.0)),
                longest=longest > 0 and tp.duration.seconds >= longest,
            ),
        )

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
                    in_touchpoints=format_duration(in_tps, self.lang) if in_tps else None,
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
                columns.append(ColumnView(col, k == 0, self.touchpoint_view(tp, f"tp-{col}"), sub_views))
                sources.append(([tp] if self.passes(tp) else []) + subs)

        durations = [tp.duration.seconds for src in sources for tp in src if tp.duration is not None]
        self.longest_seconds = max(durations, default=0.0)
        curve_series = self.curve_series(columns, sources)
        lanes_above, lanes_below = self.lanes(sources, has_curve=bool(curve_series))
        grid = GridView(
            stages=tuple(stages),
            columns=tuple(columns),
            lanes_above=lanes_above,
            lanes_below=lanes_below,
            curve=self.curve_view(curve_series, columns, 0, len(columns)) if curve_series else None,
            details=any(s.goal or s.length or s.in_touchpoints or s.description or s.metrics for s in stages),
        )
        parts = self.parts(grid, curve_series)
        rows = (
            2  # stage names, touchpoints
            + grid.details
            + (grid.curve is not None)
            + sum(lane.kind != "curve" for lane in lanes_above)
            + (len(lanes_below) + 1 if lanes_below else 0)
        )
        visible_ids = {tp.id for src in sources for tp in src}
        length = jm.journey_length()
        in_tps = jm.journey_time_in_touchpoints()
        summary = SummaryView(
            stages=len(jm.stages),
            touchpoints=len(visible_ids),
            pain_points=sum(len(tp.pain_points) for src in sources for tp in src),
            opportunities=len(jm.opportunities),
            journey_length=format_duration(length, self.lang) if length else None,
            time_in_touchpoints=format_duration(in_tps, self.lang) if in_tps else None,
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
            column_min_width=COLUMN_MIN_WIDTH,
            lane_width=LANE_HEADER_WIDTH,
            print_columns=PRINT_COLUMNS_PER_PAGE,
            severity_colors=dict(SEVERITY_COLORS),
            emotion_colors=dict(EMOTION_COLORS),
        )

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
        above_keys = ("curve", "time", "doing", "thinking", "feeling", "pain_points", "opportunities")
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

    # the curve -----------------------------------------------------------------

    def curve_series(self, columns: list[ColumnView], sources: list[list[Touchpoint]]) -> list[CurveSeries]:
        """One line per persona through the columns' own touchpoints, along
        the persona's route (``JourneyMap.persona_route``): branches others
        take are left out, steps only others take are passed through.

        A map without personas, or whose emotions are all shared, still gets a
        single line, along the map's flow.
        """
        lab = self.lab
        tops: dict[str, tuple[int, Touchpoint]] = {}
        for col, col_sources in zip(columns, sources, strict=True):
            if col_sources and self.jm.parent_of(col_sources[0].id) is None and col_sources[0].emotion is not None:
                tops[col_sources[0].id] = (col.position, col_sources[0])
        if not tops:
            return []
        shown = [p for p in self.personas if self.persona is None or p.id == self.persona]
        tracks: list[tuple[PersonaView | None, dict[str, tuple[int, int]], dict[str, list[tuple[str, bool]]]]] = []
        for p in shown:
            route = self.jm.persona_route(p.id)
            scored = {
                tp_id: (col, v) for tp_id, (col, tp) in tops.items() if (v := self.jm.emotion_at(tp, p.id)) is not None
            }
            moves: dict[str, list[tuple[str, bool]]] = {}
            for edge in route.edges:
                moves.setdefault(edge.source, []).append((edge.target, edge.skipped))
            if scored:
                tracks.append((p, scored, moves))
        if not shown:
            scored = {tp_id: (col, v) for tp_id, (col, tp) in tops.items() if (v := self.jm.emotion_at(tp)) is not None}
            moves = {}
            for tp in self.jm.all_touchpoints():
                moves[tp.id] = [(target, False) for target in self.jm.successors(tp)]
            if scored:
                tracks.append((None, scored, moves))

        series = []
        for owner, scored, moves in tracks:
            name = owner.name if owner else lab["everyone"]
            shape = owner.shape if owner else "circle"
            points = tuple(
                (
                    col,
                    value,
                    f"{name} · {self.jm.touchpoint(tp_id).name}: {emotion_sign(value)} ({lab[f'emotion.{value}']})",
                )
                for tp_id, (col, value) in sorted(scored.items(), key=lambda item: item[1][0])
            )
            series.append(
                CurveSeries(
                    persona=owner,
                    name=name,
                    dash=owner.dash if owner else "",
                    points=points,
                    segments=(),
                    moves=_point_moves(scored, moves),
                    legend_marker=marker_path(shape, 20, 10, 5.5),
                )
            )
        return series

    def _curve_index(self, s: CurveSeries) -> tuple[list[int], list[int], dict[int, int]]:
        """Columns of a series' points and of its moves' sources (both sorted),
        and its score per column; worked out once per series."""
        key = id(s)
        if key not in self._curve_indexes:
            self._curve_indexes[key] = (
                [column for column, _score, _title in s.points],
                [move[0] for move in s.moves],
                {column: score for column, score, _title in s.points},
            )
        return self._curve_indexes[key]

    def curve_view(
        self, series: list[CurveSeries], columns: list[ColumnView] | tuple[ColumnView, ...], start: int, end: int
    ) -> CurveView:
        """The curve over columns ``start`` to ``end`` (exclusive): x in percent
        of the grid's width, so points sit over their columns at any width."""
        count = end - start

        def x_of(column: int) -> float:
            return 100 * (column - start + 0.5) / count

        sliced: list[CurveSeries] = []
        by_spot: dict[tuple[int, int], list[tuple[PersonaView | None, str]]] = {}
        titles: dict[tuple[int, int], list[str]] = {}
        described: list[str] = []
        n = len(series)
        for k, s in enumerate(series):
            nudge = (k - (n - 1) / 2) * 2.5
            point_columns, move_sources, score_at = self._curve_index(s)
            # Only this slice's points and moves, found by bisection: printing a
            # long map as many sheets stays linear in the map.
            points = s.points[bisect_left(point_columns, start) : bisect_left(point_columns, end)]
            moves = s.moves[bisect_left(move_sources, start) : bisect_left(move_sources, end)]
            segments = tuple(
                (
                    _num(x_of(a)),
                    _num(_curve_y(score_at[a]) + nudge),
                    _num(x_of(b)),
                    _num(_curve_y(score_at[b]) + nudge),
                    skipped,
                )
                for a, b, skipped in moves
            )
            shape = s.persona.shape if s.persona else "circle"
            for column, score, title in points:
                by_spot.setdefault((column, score), []).append((s.persona, shape))
                titles.setdefault((column, score), []).append(title)
            sliced.append(replace(s, points=points, segments=segments))
            if points:
                described.append(f"{s.name} — " + "; ".join(title.split(" · ", 1)[1] for _c, _s, title in points))

        spots = []
        for (column, score), who in sorted(by_spot.items()):
            y = _curve_y(score)
            markers = tuple(
                (persona.position, marker_path(shape, -FACE_RADIUS - 6 - 10 * j, y))
                for j, (persona, shape) in enumerate(who)
                if persona is not None and len(self.personas) > 1
            )
            spots.append(
                CurveSpot(
                    column=column,
                    x=_num(x_of(column)),
                    y=y,
                    score=score,
                    sign=emotion_sign(score),
                    mouth=face_mouth(score, 0, y, FACE_RADIUS),
                    title="\n".join(titles[(column, score)]),
                    markers=markers,
                )
            )
        levels = tuple(
            (score, _curve_y(score), emotion_sign(score), face_mouth(score, 14, _curve_y(score), 8))
            for score in range(EMOTION_MAX, EMOTION_MIN - 1, -1)
        )
        stage_lines = tuple(
            _num(100 * (col.position - start) / count)
            for col in columns[start:end]
            if col.first_of_stage and col.position > 0
        )
        return CurveView(
            height=CURVE_HEIGHT,
            levels=levels,
            zero_y=_curve_y(0),
            stage_lines=stage_lines,
            series=tuple(sliced),
            spots=tuple(spots),
            description=". ".join(described) + ".",
        )

    # print ----------------------------------------------------------------------

    def parts(self, grid: GridView, series: list[CurveSeries]) -> tuple[GridView, ...]:
        """The grid cut into parts of at most PRINT_COLUMNS_PER_PAGE columns,
        whole stages together where they fit; a longer stage is cut within and
        its header repeated, marked as continued. The parts are the page's
        tables: on screen they line up as one grid, in print each starts a
        sheet with its own stage headers and lane names, so nothing is drawn
        twice and the page grows linearly with the map."""
        columns = grid.columns
        if len(columns) <= PRINT_COLUMNS_PER_PAGE:
            return (grid,)
        # (stage, first column, column count) pieces no wider than a sheet.
        pieces: list[tuple[StageView, int, int, bool]] = []
        first = 0
        for stage in grid.stages:
            offset = 0
            while offset < stage.span:
                width = min(PRINT_COLUMNS_PER_PAGE, stage.span - offset)
                pieces.append((stage, first + offset, width, offset > 0))
                offset += width
            first += stage.span
        sheets: list[list[tuple[StageView, int, int, bool]]] = [[]]
        used = 0
        for piece in pieces:
            if used + piece[2] > PRINT_COLUMNS_PER_PAGE and sheets[-1]:
                sheets.append([])
                used = 0
            sheets[-1].append(piece)
            used += piece[2]
        parts = []
        for sheet in sheets:
            start = sheet[0][1]
            end = sheet[-1][1] + sheet[-1][2]
            stages = tuple(
                stage if not continued and width == stage.span else replace(stage, span=width, continued=continued)
                for stage, _f, width, continued in sheet
            )
            parts.append(
                GridView(
                    stages=stages,
                    columns=columns[start:end],
                    lanes_above=tuple(_slice_lane(lane, start, end) for lane in grid.lanes_above),
                    lanes_below=tuple(_slice_lane(lane, start, end) for lane in grid.lanes_below),
                    curve=self.curve_view(series, columns, start, end) if series else None,
                    details=grid.details,
                )
            )
        return tuple(parts)


def _lines(item: object) -> int:
    """About how many lines ``item`` takes in a printed column: a guess from
    its text, generous so that a row fits on a sheet."""
    if isinstance(item, str):
        return 1 + len(item) // PRINT_LINE_CHARS
    if isinstance(item, PainPointView):
        text = [item.name, item.description or "", item.owner or ""]
        return 2 + item.unaddressed + sum(1 + len(t) // PRINT_LINE_CHARS for t in text if t)
    if isinstance(item, OpportunityView):
        return 3 + (len(item.name) + len(", ".join(item.addresses))) // PRINT_LINE_CHARS
    return 3  # a time bar, a metric


def _lane_rows(lane: LaneView) -> list[LaneView]:
    """A lane as rows that each fit on a printed sheet: a cell taller than
    PRINT_ROW_LINES goes on in a row below, named "(continued)", so the lane's
    name is on every sheet that shows its content (a table repeats its stage
    headers on each sheet, but not a row's header)."""
    if lane.kind == "curve":
        return [lane]
    chunked: list[list[tuple[Group, ...]]] = []
    for cell in lane.cells:
        chunks: list[list[Group]] = [[]]
        used = 0
        for group in cell:
            taken: list[object] = []
            cost = 1 if group.via is not None else 0
            for item in group.items:
                lines = _lines(item)
                if used + cost + lines > PRINT_ROW_LINES and (taken or chunks[-1]):
                    if taken:
                        chunks[-1].append(Group(via=group.via, items=tuple(taken)))
                    chunks.append([])
                    taken, used, cost = [], 0, 1 if group.via is not None else 0
                taken.append(item)
                used += cost + lines
                cost = 0
            if taken:
                chunks[-1].append(Group(via=group.via, items=tuple(taken)))
            used += 1  # the gap between groups
        if len(chunks) > PRINT_LANE_ROWS:
            chunks[PRINT_LANE_ROWS - 1 :] = [[group for chunk in chunks[PRINT_LANE_ROWS - 1 :] for group in chunk]]
        chunked.append([tuple(chunk) for chunk in chunks])
    count = max((len(c) for c in chunked), default=1)
    if count == 1:
        return [lane]
    return [
        replace(
            lane,
            cells=tuple(c[k] if k < len(c) else () for c in chunked),
            below_visibility=lane.below_visibility and k == 0,
            continued=k > 0,
        )
        for k in range(count)
    ]


def _slice_lane(lane: LaneView, start: int, end: int) -> LaneView:
    return lane if lane.kind == "curve" else replace(lane, cells=lane.cells[start:end])


def _point_moves(
    scored: dict[str, tuple[int, int]], moves: dict[str, list[tuple[str, bool]]]
) -> tuple[tuple[int, int, bool], ...]:
    """Route moves between scored columns: a move into a touchpoint without a
    score on the curve (a sub-step, a touchpoint with no score for this
    persona) continues to wherever that one leads. Moves back (loops) are left
    to the flow marks of the touchpoint row; the curve reads left to right.

    What an unscored touchpoint leads to is worked out once and remembered, so
    the walk stays linear in the route's size.
    """
    reach: dict[str, tuple[tuple[str, bool], ...]] = {}

    def leads_to(tp_id: str) -> tuple[tuple[str, bool], ...]:
        # Iterative depth-first walk through unscored touchpoints.
        if tp_id in reach:
            return reach[tp_id]
        reach[tp_id] = ()  # in progress: a loop among unscored steps adds nothing
        found: dict[str, bool] = {}
        for target, skipped in moves.get(tp_id, ()):
            if target in scored:
                found[target] = found.get(target, True) and skipped
            else:
                for far, far_skipped in leads_to(target):
                    found[far] = found.get(far, True) and (skipped or far_skipped)
        reach[tp_id] = tuple(found.items())
        return reach[tp_id]

    out: list[tuple[int, int, bool]] = []
    seen: set[tuple[int, int]] = set()
    for source, (column, _value) in sorted(scored.items(), key=lambda item: item[1][0]):
        for target, skipped in moves.get(source, ()):
            ends = [(target, skipped)] if target in scored else [(far, skipped or s) for far, s in leads_to(target)]
            for end_id, end_skipped in ends:
                end_column = scored[end_id][0]
                if end_column > column and (column, end_column) not in seen:
                    seen.add((column, end_column))
                    out.append((column, end_column, end_skipped))
    return tuple(out)


def build_page(jm: JourneyMap, persona: str | None = None) -> PageView:
    """The view model of the page: everything the templates show, computed."""
    return _Builder(jm, persona).build()


# -- templates -----------------------------------------------------------------


def _search_path(templates_dir: Path | None) -> tuple[str, ...]:
    """User folder first so that any single template can be replaced; a copy of
    the whole shipped ``templates/`` tree (with its ``html/`` folder) works too."""
    shipped = SHIPPED_HTML_TEMPLATES
    paths: list[Path | str] = []
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

    The garbage collector is paused while the page is built: rendering makes
    many small objects and no cycles worth collecting, and on a large map the
    collector's passes over them took a third of the time.
    """
    from markupsafe import Markup

    from jmap.render.templating import csp_hash, environment
    from jmap.render.templating import render as render_template

    paused = gc.isenabled()
    gc.disable()
    try:
        page = build_page(jm, persona)
        env = environment(_search_path(templates_dir), (("num", _num),))
        css = render_template(env, STYLE_TEMPLATE, page=page)
        if "</style" in css.lower():
            raise RenderError(f"{STYLE_TEMPLATE} must not contain '</style'")
        # The CSP allows exactly this style block: hashing the exact text that
        # sits between <style> and </style> lets the page drop 'unsafe-inline'.
        return render_template(env, PAGE_TEMPLATE, page=page, css=Markup(css), style_hash=csp_hash(css))
    finally:
        if paused:
            gc.enable()

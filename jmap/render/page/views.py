"""The page's view model: plain, frozen records that the templates only read.

Every decision and every number is made in Python (jmap.render.page.builder),
so that a user who overrides a template restyles the page without
re-implementing the journey logic, and the logic is testable without parsing
HTML. The records are slotted dataclasses with ``eq=False``: templates only
read them and nothing compares or hashes them, so they skip the generated
``__eq__``, which Python compiles for each class on every import.
"""

from __future__ import annotations

from dataclasses import dataclass

from jmap.model import Persona
from jmap.render.view import FaceDrawing


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
    #: The face drawn in a 20x20 box (jmap.render.view: one drawing for every output).
    face: FaceDrawing


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
    """A touchpoint's duration as a bar on the lane's scale (``percent``,
    written as text for byte-stable markup; jmap.render.page.timescale), so
    that a journey of seven queues shows at a glance which one hurts."""

    #: As people say it ("1 h 30 min"), and as the author wrote it (the tooltip).
    text: str
    exact: str
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
    face: FaceDrawing
    title: str
    #: (persona position, marker path) of each persona standing there.
    markers: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True, eq=False)
class CurveView:
    """The emotion curve over one part of the grid, as ready-made SVG
    coordinates (x in percent, so that points sit over their columns at any width)."""

    height: int
    #: y of each score from +2 down to -2, paired with the score's sign and face.
    levels: tuple[tuple[int, float, str, FaceDrawing], ...]
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
    #: The stages' own lengths added up (only when every stage gives one), and
    #: the time spent in touchpoints, saying what it covers when not every
    #: touchpoint gives a duration: two figures, never added together.
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
    #: Columns of a full print sheet (print_columns(paper)), and the sheet.
    print_columns: int
    paper: str
    #: True when the team's review flags are shown (--review).
    review: bool
    #: The five faces (score, drawing), drawn once in the page's sprite.
    faces: tuple[tuple[int, FaceDrawing], ...]
    #: The time lane's scale: log or linear, and its labelled ticks.
    time_log: bool
    time_ticks: tuple[tuple[str, str], ...]
    #: Which optional columns of the opportunity table hold something.
    opportunity_columns: tuple[str, ...]
    severity_colors: dict[str, str]
    emotion_colors: dict[int, str]

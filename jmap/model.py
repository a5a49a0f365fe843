"""The journey-map domain model (format version 1).

Pure data and pure queries: nothing here reads files, parses YAML or prints.
The validator builds these objects only from maps that passed every error
check, so renderers can trust every reference in them (a channel id resolves,
an emotion is in range, ids are unique) and never need defensive code.

Everything keeps document order, because document order is the author's order
and renders must be deterministic.

Every class is a frozen dataclass compared by value. Only the small values
(Duration, MetricValue, Metric) are hashable: entities are found by their id,
and hashing one would walk its whole subtree (and fail on an Emotion's dict),
so they are declared ``@_unhashable``: ``__hash__ = None``, as a mutable
dataclass would have.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TypeVar, dataclass_transform

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def _unhashable(cls: type[_T]) -> type[_T]:
    """A frozen dataclass compared by value but never hashed (see the module
    docstring): what ``@dataclass(frozen=True, slots=True)`` with
    ``__hash__ = None`` in its body makes, said once."""
    # Set before dataclass() runs, which then keeps it as an explicit choice
    # instead of generating a __hash__ only to have it thrown away.
    cls.__hash__ = None  # type: ignore[assignment]
    return dataclass(frozen=True, slots=True)(cls)


EMOTION_MIN = -2
EMOTION_MAX = 2

SEVERITIES = ("low", "medium", "high", "critical")
#: The severities a team must answer: an unaddressed pain point of these is a
#: warning, and the diagram and the page make it stand out.
SERIOUS_SEVERITIES = ("high", "critical")
IMPACTS = ("low", "medium", "high")
EFFORTS = ("low", "medium", "high")
STATUSES = ("idea", "planned", "in-progress", "done")
CHANNEL_TYPES = ("online", "offline")
LANGS = ("en", "fr")

#: Seconds per duration unit. A month is 30 days and a year 365 days: totals
#: are estimates for a journey map, not calendar arithmetic.
DURATION_UNITS: dict[str, int] = {
    "y": 365 * 86400,
    "mo": 30 * 86400,
    "w": 7 * 86400,
    "d": 86400,
    "h": 3600,
    "min": 60,
    "s": 1,
}


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration as written (``1h30min``) and its length in seconds."""

    text: str
    seconds: float

    @staticmethod
    def from_seconds(seconds: float) -> Duration:
        """Build a normalised duration, used for totals (``3d4h``)."""
        remaining = round(seconds)
        parts: list[str] = []
        for unit, size in DURATION_UNITS.items():
            if remaining >= size:
                count, remaining = divmod(remaining, size)
                parts.append(f"{count}{unit}")
        return Duration("".join(parts) or "0s", float(seconds))


@dataclass(frozen=True, slots=True)
class MetricValue:
    """A number or a percentage, keeping the author's spelling for display."""

    number: float
    percent: bool
    text: str


@dataclass(frozen=True, slots=True)
class Metric:
    """A figure on a stage or touchpoint; ``name`` is its key in the map and
    ``label`` the text to show instead (renders humanise the key without one)."""

    name: str
    value: MetricValue
    target: MetricValue | None = None
    unit: str | None = None
    source: str | None = None
    label: str | None = None


@_unhashable
class Emotion:
    """An emotion score: one value for everyone here, or one per persona.

    ``everyone`` and ``per_persona`` are exclusive: a map gives either an
    integer or a mapping.
    """

    everyone: int | None = None
    per_persona: dict[str, int] = field(default_factory=dict)

    def for_persona(self, persona_id: str | None) -> int | None:
        if self.everyone is not None:
            return self.everyone
        if persona_id is None:
            return None
        return self.per_persona.get(persona_id)

    def average(self) -> float | None:
        """A single figure for views that show one curve (no personas, or all)."""
        if self.everyone is not None:
            return float(self.everyone)
        if not self.per_persona:
            return None
        return sum(self.per_persona.values()) / len(self.per_persona)


@dataclass(frozen=True, slots=True)
class RouteEdge:
    """One move of a persona's route: ``skipped`` when it passes through
    touchpoints only other personas take (drawn dashed)."""

    source: str
    target: str
    skipped: bool

    def __repr__(self) -> str:
        return f"RouteEdge({self.source!r}, {self.target!r}, skipped={self.skipped!r})"


@dataclass(frozen=True, slots=True, eq=False)
class PersonaRoute:
    """A persona's route (see ``JourneyMap.persona_route``): the touchpoints the
    persona passes, in document order, and the moves between them. Compared
    by identity (``eq=False``), as before: a route is a query's answer."""

    persona: str
    touchpoints: tuple[Touchpoint, ...]
    edges: tuple[RouteEdge, ...]

    def __repr__(self) -> str:
        return f"PersonaRoute({self.persona!r}, {len(self.touchpoints)} touchpoints, {self.edges!r})"

    def pairs(self) -> list[tuple[str, str]]:
        """``(source, target)`` of every move, in route order."""
        return [(e.source, e.target) for e in self.edges]


@_unhashable
class Named:
    """What every entity of the map but a channel starts with: the id the rest
    of the map refers to it by, the name shown, and an optional description.
    Declared once so that the validator fills the three alike."""

    id: str
    name: str
    description: str | None = None


@_unhashable
class Persona(Named):
    """A kind of customer whose journey the map follows; ``color`` is the author's, if any."""

    goals: tuple[str, ...] = ()
    frustrations: tuple[str, ...] = ()
    quote: str | None = None
    color: str | None = None


@_unhashable
class Channel:
    """Where a touchpoint happens: online (app, web, e-mail) or offline (shop, phone, letter)."""

    id: str
    name: str
    type: str = "online"

    @property
    def online(self) -> bool:
        return self.type == "online"


@_unhashable
class PainPoint(Named):
    """What hurts at a touchpoint, with how badly (``severity``) and who answers for it."""

    severity: str = "medium"
    owner: str | None = None

    @property
    def severity_rank(self) -> int:
        """0 for critical … 3 for low: sorts the worst first."""
        return SEVERITIES[::-1].index(self.severity)


@_unhashable
class Touchpoint(Named):
    """One moment of contact between the customer and the service, with its sub-steps."""

    channel: str | None = None
    #: Persona ids as written; ``None`` means "inherit" (see JourneyMap.personas_at).
    personas: tuple[str, ...] | None = None
    doing: tuple[str, ...] = ()
    thinking: tuple[str, ...] = ()
    feeling: tuple[str, ...] = ()
    emotion: Emotion | None = None
    duration: Duration | None = None
    backstage: tuple[str, ...] = ()
    owner: str | None = None
    metrics: tuple[Metric, ...] = ()
    #: ``None``: default flow; ``()``: the flow ends here; else explicit targets.
    next: tuple[str, ...] | None = None
    pain_points: tuple[PainPoint, ...] = ()
    touchpoints: tuple[Touchpoint, ...] = ()
    #: The id of the map of the portfolio that zooms into this touchpoint.
    details: str | None = None


@_unhashable
class Stage(Named):
    """A phase of the journey (a column of the page), holding its touchpoints in order."""

    goal: str | None = None
    duration: Duration | None = None
    metrics: tuple[Metric, ...] = ()
    touchpoints: tuple[Touchpoint, ...] = ()
    #: The id of the map of the portfolio that zooms into this stage.
    details: str | None = None


@_unhashable
class Opportunity(Named):
    """An improvement the team proposes, and the pain points it ``addresses``."""

    addresses: tuple[str, ...] = ()
    owner: str | None = None
    impact: str | None = None
    effort: str | None = None
    status: str | None = None
    #: ``MAP/PAIN-ID``: pain points of other maps of the portfolio
    #: (``addresses`` holds this map's own).
    cross_addresses: tuple[str, ...] = ()


@_unhashable
class JourneyMap:
    """A whole validated map: the root every renderer starts from."""

    title: str
    stages: tuple[Stage, ...]
    version: int = 1
    description: str | None = None
    lang: str = "en"
    owner: str | None = None
    scenario: str | None = None
    tags: tuple[str, ...] = ()
    personas: tuple[Persona, ...] = ()
    channels: tuple[Channel, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()
    #: Portfolio keys: the map's own id (None: its file's stem), when it was
    #: last reviewed (an ISO date), and which of its personas and channels are
    #: the portfolio's shared ones (their ids).
    id: str | None = None
    reviewed: str | None = None
    shared_personas: tuple[str, ...] = ()
    shared_channels: tuple[str, ...] = ()
    _index: _Index | None = field(default=None, init=False, repr=False, compare=False)

    # -- lookups -------------------------------------------------------------

    @property
    def index(self) -> _Index:
        """Lookup tables built once on first use; the map is not mutated after."""
        index = self._index
        if index is None:
            # The one write after construction (hence object.__setattr__): a
            # cache of what the fields already say, out of equality and repr.
            index = _Index(self)
            object.__setattr__(self, "_index", index)
        return index

    def persona(self, persona_id: str) -> Persona:
        return self.index.personas[persona_id]

    def channel(self, channel_id: str) -> Channel:
        return self.index.channels[channel_id]

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        return self.index.touchpoints[touchpoint_id]

    def pain_point(self, pain_point_id: str) -> PainPoint:
        return self.index.pain_points[pain_point_id]

    def stage_of(self, touchpoint_id: str) -> Stage:
        return self.index.stage_of[touchpoint_id]

    def parent_of(self, touchpoint_id: str) -> Touchpoint | None:
        """The enclosing touchpoint of a sub-touchpoint, ``None`` at top level."""
        return self.index.parent_of.get(touchpoint_id)

    def depth_of(self, touchpoint_id: str) -> int:
        """0 for a stage's own touchpoints, 1 and 2 for sub-touchpoints."""
        depth = 0
        parent = self.parent_of(touchpoint_id)
        while parent is not None:
            depth += 1
            parent = self.parent_of(parent.id)
        return depth

    def touchpoint_of_pain_point(self, pain_point_id: str) -> Touchpoint:
        return self.index.touchpoint_of_pain_point[pain_point_id]

    # -- walks ---------------------------------------------------------------

    def all_touchpoints(self) -> Iterator[Touchpoint]:
        """Every touchpoint, sub-touchpoints included, in document order."""
        return iter(self.index.touchpoints.values())

    def top_touchpoints(self) -> list[Touchpoint]:
        """The stages' own touchpoints in document order: the default flow."""
        return [tp for stage in self.stages for tp in stage.touchpoints]

    def all_pain_points(self) -> Iterator[PainPoint]:
        return iter(self.index.pain_points.values())

    def opportunities_for(self, pain_point_id: str) -> list[Opportunity]:
        """The opportunities addressing a pain point, in map order (indexed:
        a summary asks for each of thousands of pain points)."""
        return list(self.index.opportunities_for.get(pain_point_id, ()))

    # -- personas ------------------------------------------------------------

    def personas_at(self, touchpoint: Touchpoint) -> tuple[str, ...]:
        """Who passes this touchpoint.

        Without ``personas`` a top-level touchpoint is everyone's and a
        sub-touchpoint inherits its parent's, since it is a finer step of it.
        """
        return self.index.personas_at[touchpoint.id]

    def emotion_at(self, touchpoint: Touchpoint, persona_id: str | None = None) -> int | None:
        """The score of one persona here, or the shared score when ``persona_id`` is None."""
        if touchpoint.emotion is None:
            return None
        if persona_id is not None and persona_id not in self.personas_at(touchpoint):
            return None
        return touchpoint.emotion.for_persona(persona_id)

    # -- flow ----------------------------------------------------------------

    def successors(self, touchpoint: Touchpoint) -> tuple[str, ...]:
        """Where the flow goes after ``touchpoint``.

        ``next`` wins when present. Otherwise a top-level touchpoint flows to the
        following top-level touchpoint in document order, across stages;
        sub-touchpoints are not part of the default flow.
        """
        if touchpoint.next is not None:
            return touchpoint.next
        return self.index.default_next.get(touchpoint.id, ())

    def flow_edges(self) -> list[tuple[str, str]]:
        """Every flow edge (source id, target id), in document order."""
        return [(tp.id, target) for tp in self.all_touchpoints() for target in self.successors(tp)]

    def persona_journey(self, persona_id: str) -> list[Touchpoint]:
        """The touchpoints a persona passes, in document order."""
        return [tp for tp in self.all_touchpoints() if persona_id in self.personas_at(tp)]

    def persona_route(self, persona_id: str) -> PersonaRoute:
        """The way one persona goes through the map: the rule every renderer draws.

        The route follows the flow through the touchpoints the persona passes.
        At a touchpoint, a successor that is not for the persona is a branch
        others take when another successor is for the persona, and is dropped;
        otherwise the persona skips through it (a step only others take) to
        where it leads, by the same rule. A skip never loops back to the
        touchpoint it started from: that would claim the persona repeats a step
        only others repeat.

        Linear in the map: what a skipped touchpoint leads to is worked out
        once (a strongly connected group of skipped touchpoints at once, so
        loops among them cost nothing extra), never once per persona touchpoint
        that reaches it. See docs/format.md, "Persona routes".
        """
        passes: set[str] = set()
        journey: list[Touchpoint] = []
        for tp in self.all_touchpoints():
            if persona_id in self.personas_at(tp):
                passes.add(tp.id)
                journey.append(tp)
        leads_to = _SkipTargets(self, passes)
        edges: list[RouteEdge] = []
        for tp in journey:
            successors = self.successors(tp)
            mine = [target for target in successors if target in passes]
            if mine:
                edges.extend(RouteEdge(tp.id, target, False) for target in dict.fromkeys(mine))
                continue
            targets: dict[str, None] = {}
            for skipped in successors:
                targets.update(dict.fromkeys(leads_to(skipped)))
            targets.pop(tp.id, None)
            edges.extend(RouteEdge(tp.id, target, True) for target in targets)
        return PersonaRoute(persona_id, tuple(journey), tuple(edges))

    # -- totals --------------------------------------------------------------

    def stage_duration(self, stage: Stage) -> Duration | None:
        """The stage's own duration if given, else the sum of its touchpoints'.

        Kept for renders that show one figure per stage; new code shows
        ``stage_length`` and ``time_in_touchpoints`` apart, since a stage that
        lasts two weeks may hold forty minutes of contact.
        """
        if stage.duration is not None:
            return stage.duration
        return self.touchpoints_duration(stage)

    def stage_length(self, stage: Stage) -> Duration | None:
        """How long the stage lasts on the calendar, as the author wrote it (or None)."""
        return stage.duration

    def time_in_touchpoints(self, stage: Stage) -> Duration | None:
        """Time the customer spends in the stage's touchpoints: never added to
        the stage's own length, which is calendar time around them.

        A touchpoint counts its own duration; one without a duration counts its
        steps' (so a consultation and its parts are not counted twice).
        """
        seconds = [s for tp in stage.touchpoints if (s := _time_in(tp)) is not None]
        return Duration.from_seconds(sum(seconds)) if seconds else None

    def journey_time_in_touchpoints(self) -> Duration | None:
        """``time_in_touchpoints`` over every stage (None when no duration is given)."""
        seconds = [d.seconds for s in self.stages if (d := self.time_in_touchpoints(s)) is not None]
        return Duration.from_seconds(sum(seconds)) if seconds else None

    def journey_length(self) -> Duration | None:
        """The stages' own lengths added up (None when no stage gives one)."""
        seconds = [s.duration.seconds for s in self.stages if s.duration is not None]
        return Duration.from_seconds(sum(seconds)) if seconds else None

    def touchpoints_duration(self, stage: Stage) -> Duration | None:
        """Sum of the stage's top-level touchpoint durations (None if none given)."""
        given = [tp.duration.seconds for tp in stage.touchpoints if tp.duration is not None]
        if not given:
            return None
        return Duration.from_seconds(sum(given))

    def unaddressed_pain_points(self, severities: tuple[str, ...] = SERIOUS_SEVERITIES) -> list[PainPoint]:
        addressed = {pid for o in self.opportunities for pid in o.addresses}
        return [p for p in self.all_pain_points() if p.severity in severities and p.id not in addressed]


class _Index:
    """Derived lookup tables, built once; ``_index`` stays out of equality and
    repr so they are about the map's content. A plain class, not a dataclass:
    every attribute is computed from the map, none is given."""

    __slots__ = (
        "channels",
        "default_next",
        "opportunities_for",
        "pain_points",
        "parent_of",
        "personas",
        "personas_at",
        "stage_of",
        "touchpoint_of_pain_point",
        "touchpoints",
    )

    def __init__(self, jm: JourneyMap) -> None:
        self.personas = {p.id: p for p in jm.personas}
        self.channels = {c.id: c for c in jm.channels}
        self.touchpoints: dict[str, Touchpoint] = {}
        self.pain_points: dict[str, PainPoint] = {}
        self.stage_of: dict[str, Stage] = {}
        self.parent_of: dict[str, Touchpoint] = {}
        self.touchpoint_of_pain_point: dict[str, Touchpoint] = {}
        self.personas_at: dict[str, tuple[str, ...]] = {}
        self.opportunities_for: dict[str, list[Opportunity]] = {}
        for opportunity in jm.opportunities:
            for pain_point_id in opportunity.addresses:
                self.opportunities_for.setdefault(pain_point_id, []).append(opportunity)
        everyone = tuple(p.id for p in jm.personas)

        def visit(tp: Touchpoint, stage: Stage, parent: Touchpoint | None, inherited: tuple[str, ...]) -> None:
            self.touchpoints[tp.id] = tp
            self.stage_of[tp.id] = stage
            if parent is not None:
                self.parent_of[tp.id] = parent
            here = tp.personas if tp.personas is not None else inherited
            self.personas_at[tp.id] = here
            for pp in tp.pain_points:
                self.pain_points[pp.id] = pp
                self.touchpoint_of_pain_point[pp.id] = tp
            for sub in tp.touchpoints:
                visit(sub, stage, tp, here)

        for stage in jm.stages:
            for tp in stage.touchpoints:
                visit(tp, stage, None, everyone)

        top = jm.top_touchpoints()
        self.default_next = {a.id: (b.id,) for a, b in itertools.pairwise(top)}


def _time_in(tp: Touchpoint) -> float | None:
    """Seconds spent in ``tp``: its own duration, else its steps' together."""
    if tp.duration is not None:
        return tp.duration.seconds
    steps = [s for sub in tp.touchpoints if (s := _time_in(sub)) is not None]
    return sum(steps) if steps else None


class _SkipTargets:
    """Where the flow that enters a touchpoint the persona does not pass comes
    out, among touchpoints the persona does pass (see JourneyMap.persona_route).

    A skipped touchpoint with a successor for the persona leads to those
    successors only (the others are branches other personas take). One with
    none leads wherever its successors lead; skipped touchpoints that reach
    each other in a loop lead to the same places, so each strongly connected
    group is solved once (Tarjan's algorithm, iterative so a long chain cannot
    overflow the stack) and remembered.
    """

    __slots__ = ("jm", "memo", "passes")

    def __init__(self, jm: JourneyMap, passes: set[str]) -> None:
        self.jm = jm
        self.passes = passes
        self.memo: dict[str, tuple[str, ...]] = {}

    def _next(self, tp_id: str) -> tuple[str, ...]:
        return self.jm.successors(self.jm.touchpoint(tp_id))

    def _own(self, tp_id: str) -> tuple[str, ...] | None:
        """Its successors for the persona, deduplicated, or None if it has none."""
        mine = [t for t in self._next(tp_id) if t in self.passes]
        return tuple(dict.fromkeys(mine)) if mine else None

    def __call__(self, tp_id: str) -> tuple[str, ...]:
        if tp_id in self.passes:
            return (tp_id,)
        if tp_id not in self.memo:
            self._solve(tp_id)
        return self.memo[tp_id]

    def _solve(self, start: str) -> None:
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        # Frames: (touchpoint id, its skipped successors still to visit).
        work: list[tuple[str, list[str]]] = []

        def open_frame(tp_id: str) -> None:
            index[tp_id] = low[tp_id] = len(index)
            stack.append(tp_id)
            on_stack.add(tp_id)
            own = self._own(tp_id)
            todo = [] if own is not None else [t for t in reversed(self._next(tp_id)) if t not in self.passes]
            work.append((tp_id, todo))

        open_frame(start)
        while work:
            tp_id, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt in self.memo:
                    continue
                if nxt not in index:
                    open_frame(nxt)
                elif nxt in on_stack:
                    low[tp_id] = min(low[tp_id], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[tp_id])
            if low[tp_id] != index[tp_id]:
                continue
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == tp_id:
                    break
            members = set(group)
            targets: dict[str, None] = {}
            for member in reversed(group):
                own = self._own(member)
                if own is not None:
                    targets.update(dict.fromkeys(own))
                    continue
                for nxt in self._next(member):
                    if nxt not in members:
                        targets.update(dict.fromkeys(self.memo[nxt]))
            result = tuple(targets)
            for member in group:
                self.memo[member] = result

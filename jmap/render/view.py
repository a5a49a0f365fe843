"""What one view of a map shows, decided once for every renderer.

A view is the whole map or one persona's journey (``--persona``). The
diagram, the page, the summary and the Mermaid export all read it, so that
they agree on:

- which touchpoints are visible and which arrows join them (the route rule,
  ``JourneyMap.persona_route``: nobody is drawn going where the map does not
  let them);
- the scores a card shows (personas who feel the same share one face; never
  an average);
- the low and high points: every touchpoint at a persona's lowest score
  (when negative) and at its highest (when positive), so two −2s of a map
  are both marked;
- which pain points are unaddressed (``jmap.model.is_unaddressed``);
- persona colours, darkened until they reach 3:1 (WCAG 2.1 non-text
  contrast) on every light surface a persona line is drawn on, and the text
  colour on any fill, by the same contrast rule;
- faces: one glyph table and one drawing.

Pure: no I/O, no Graphviz, no template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from jmap.model import is_unaddressed
from jmap.render.style import INK, persona_colors

if TYPE_CHECKING:
    from jmap.model import JourneyMap, PainPoint, Touchpoint

# -- contrast ---------------------------------------------------------------------

#: WCAG 2.1 non-text contrast: a persona's line or marker against its background.
MIN_CONTRAST = 3.0
#: The light surfaces persona colours are drawn on, in any output: white, the
#: diagram's stage boxes, the page's positive and negative curve bands.
LIGHT_SURFACES = ("#ffffff", "#f5f6fa", "#e9f5ec", "#fbecec")
#: The page's dark theme surfaces: persona colours are lightened for them.
DARK_SURFACES = ("#1a2c22", "#2f1e22", "#1b2129")
WHITE = "#ffffff"


def _rgb(color: str) -> tuple[int, int, int]:
    text = color.lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def long_hex(color: str) -> str:
    """``#abc`` → ``#aabbcc``, lower case: Graphviz only reads the long form."""
    return "#{:02x}{:02x}{:02x}".format(*_rgb(color))


def _luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rgb``/``#rrggbb`` colours (1 to 21)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def readable_color(color: str, backgrounds: tuple[str, ...], toward: str = "#000000") -> str:
    """``color`` mixed toward ``toward`` in steps of 5 % until it reaches
    MIN_CONTRAST against every background: a pale yellow persona stays
    yellowish but no longer vanishes on white."""
    base, target = _rgb(color), _rgb(toward)
    for step in range(21):
        t = step / 20
        mixed = "#{:02x}{:02x}{:02x}".format(*(round(c + (d - c) * t) for c, d in zip(base, target, strict=True)))
        if all(contrast_ratio(mixed, bg) >= MIN_CONTRAST for bg in backgrounds):
            return mixed
    return long_hex(toward)


def text_on(fill: str) -> str:
    """The text colour for a fill: ink or white, whichever contrasts more."""
    return WHITE if contrast_ratio(WHITE, fill) > contrast_ratio(INK, fill) else INK


# -- faces --------------------------------------------------------------------------

#: The face of each score, as text: all five from DejaVu Sans, each with
#: U+FE0E (text presentation), so a PNG or PDF never mixes monochrome and
#: colour-emoji glyphs (U+1F641 and U+1F642, the other ±1 faces, are missing
#: from DejaVu Sans).
FACES: dict[int, str] = {
    -2: "\U0001f620\ufe0e",
    -1: "\u2639\ufe0e",
    0: "\U0001f610\ufe0e",
    1: "\u263a\ufe0e",
    2: "\U0001f604\ufe0e",
}
#: How much each score bends the mouth, in face radii (below the corners: a
#: smile; above: a frown).
_MOUTH_BEND = {-2: -0.55, -1: -0.3, 0: 0.0, 1: 0.3, 2: 0.6}


def _num(value: float) -> str:
    """A coordinate written the same way on every machine (no ``-0``, no float noise)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True)
class FaceDrawing:
    """A drawn face of radius ``r`` centred on (cx, cy): an outline, two
    eyes, a mouth bent by the score, and frowning brows at −2 (angry, not
    only sad). Paths and numbers ready for SVG; strokes in the face's colour."""

    cx: str
    cy: str
    r: str
    stroke: str
    eyes: tuple[tuple[str, str], tuple[str, str]]
    eye_r: str
    mouth: str
    #: Empty but for −2.
    brows: str


def face_drawing(score: int, cx: float, cy: float, r: float) -> FaceDrawing:
    """The one face geometry, for the diagram's SVG and the page alike."""
    mouth_y = cy + r * 0.38
    bend = _MOUTH_BEND[score] * r
    half = r * 0.45
    mouth = (
        f"M{_num(cx - half)},{_num(mouth_y - bend / 2)} Q{_num(cx)},{_num(mouth_y + bend)} "
        f"{_num(cx + half)},{_num(mouth_y - bend / 2)}"
    )
    brows = ""
    if score == -2:
        brows = (
            f"M{_num(cx - r * 0.6)},{_num(cy - r * 0.55)} L{_num(cx - r * 0.15)},{_num(cy - r * 0.35)} "
            f"M{_num(cx + r * 0.6)},{_num(cy - r * 0.55)} L{_num(cx + r * 0.15)},{_num(cy - r * 0.35)}"
        )
    eye_y = _num(cy - r * 0.22)
    return FaceDrawing(
        cx=_num(cx),
        cy=_num(cy),
        r=_num(r),
        stroke=_num(r * 0.16),
        eyes=((_num(cx - r * 0.35), eye_y), (_num(cx + r * 0.35), eye_y)),
        eye_r=_num(r * 0.12),
        mouth=mouth,
        brows=brows,
    )


def face_svg(score: int, cx: float, cy: float, r: float, color: str) -> str:
    """A drawn face as an SVG group (``color`` is a ``#rrggbb`` colour made
    by jmap, never user text)."""
    f = face_drawing(score, cx, cy, r)
    parts = [
        f'<g class="face" data-score="{score}">',
        f'<circle cx="{f.cx}" cy="{f.cy}" r="{f.r}" fill="none" stroke="{color}" stroke-width="{f.stroke}"/>',
        *(f'<circle cx="{x}" cy="{y}" r="{f.eye_r}" fill="{color}"/>' for x, y in f.eyes),
        f'<path d="{f.mouth}" fill="none" stroke="{color}" stroke-width="{f.stroke}" stroke-linecap="round"/>',
    ]
    if f.brows:
        parts.append(f'<path d="{f.brows}" stroke="{color}" stroke-width="{f.stroke}" stroke-linecap="round"/>')
    parts.append("</g>")
    return "".join(parts)


# -- the view ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonaLook:
    """A persona's colours as every output draws them."""

    id: str
    name: str
    #: Position in the map (markers, CSS classes).
    position: int
    #: Its own colour (or the palette's), darkened to MIN_CONTRAST on LIGHT_SURFACES.
    color: str
    #: The same lightened to MIN_CONTRAST on DARK_SURFACES.
    color_dark: str


class Score(NamedTuple):
    """A score a card shows: one persona's, or everyone's (``persona`` None)
    when all who pass there feel the same."""

    persona: str | None
    score: int


class Arrow(NamedTuple):
    """One move of the flow: the personas whose route takes it (none on a
    map without personas), and whether it skips steps only others take
    (drawn dashed)."""

    source: str
    target: str
    personas: tuple[str, ...]
    skipped: bool


class JourneyView:
    """The whole map (``persona`` None) or one persona's journey, as shown.

    Built once per render; every query is a lookup or a walk of one
    touchpoint. Linear in the map: one route per persona.
    """

    __slots__ = ("_scores", "arrows", "high_points", "jm", "looks", "low_points", "persona", "personas", "shown")

    def __init__(self, jm: JourneyMap, persona: str | None = None) -> None:
        self.jm = jm
        self.persona = persona
        colors = persona_colors(jm.personas)
        #: Every persona of the map, by id, with its colours.
        self.looks: dict[str, PersonaLook] = {
            p.id: PersonaLook(
                p.id,
                p.name,
                position,
                readable_color(colors[p.id], LIGHT_SURFACES),
                readable_color(colors[p.id], DARK_SURFACES, toward="#ffffff"),
            )
            for position, p in enumerate(jm.personas)
        }
        #: The personas this view is about: all of them, or the one.
        self.personas: tuple[PersonaLook, ...] = tuple(
            look for look in self.looks.values() if persona is None or look.id == persona
        )
        self._scores: dict[str, tuple[Score, ...]] = {}
        routes = {look.id: jm.persona_route(look.id) for look in self.personas}
        arrows: list[Arrow]
        if persona is not None:
            route = routes[persona]
            shown = {tp.id for tp in route.touchpoints}
            arrows = [Arrow(e.source, e.target, (persona,), e.skipped) for e in route.edges]
        elif jm.personas:
            shown = {tp.id for tp in jm.all_touchpoints()}
            direct: dict[tuple[str, str], list[str]] = {}
            skips: dict[tuple[str, str], list[str]] = {}
            for pid, route in routes.items():
                for e in route.edges:
                    (skips if e.skipped else direct).setdefault((e.source, e.target), []).append(pid)
            # Direct moves in the flow's order, then the skips: an arrow no
            # persona takes is not drawn, since nobody goes that way.
            arrows = [
                Arrow(a, b, tuple(direct[a, b]), False) for a, b in dict.fromkeys(jm.flow_edges()) if (a, b) in direct
            ]
            arrows.extend(Arrow(a, b, tuple(ps), True) for (a, b), ps in skips.items())
        else:
            shown = {tp.id for tp in jm.all_touchpoints()}
            arrows = [Arrow(a, b, (), False) for a, b in dict.fromkeys(jm.flow_edges())]
        #: Ids of the touchpoints (steps included) this view shows.
        self.shown: frozenset[str] = frozenset(shown)
        self.arrows: tuple[Arrow, ...] = tuple(arrows)
        walks: list[tuple[str | None, list[Touchpoint]]]
        if self.personas:
            walks = [(pid, list(route.touchpoints)) for pid, route in routes.items()]
        else:
            walks = [(None, list(jm.all_touchpoints()))]
        low: set[str] = set()
        high: set[str] = set()
        for walker, touchpoints in walks:
            scored = [(s, tp.id) for tp in touchpoints if (s := jm.emotion_at(tp, walker)) is not None]
            if not scored:
                continue
            lowest = min(s for s, _id in scored)
            highest = max(s for s, _id in scored)
            if lowest < 0:
                low.update(tp_id for s, tp_id in scored if s == lowest)
            if highest > 0:
                high.update(tp_id for s, tp_id in scored if s == highest)
        #: Every touchpoint at a persona's lowest score, when negative (the
        #: map's, without personas), and at its highest, when positive.
        self.low_points: frozenset[str] = frozenset(low)
        self.high_points: frozenset[str] = frozenset(high)

    def color(self, persona_id: str) -> str:
        """The persona's colour, darkened for light surfaces."""
        return self.looks[persona_id].color

    def passes(self, tp: Touchpoint) -> bool:
        """Whether the view shows ``tp``."""
        return tp.id in self.shown

    def steps(self, tp: Touchpoint) -> list[Touchpoint]:
        """The shown sub-touchpoints of ``tp``, at any depth, in document order."""
        found: list[Touchpoint] = []
        todo = list(reversed(tp.touchpoints))
        while todo:
            sub = todo.pop()
            if sub.id in self.shown:
                found.append(sub)
            todo.extend(reversed(sub.touchpoints))
        return found

    def scores(self, tp: Touchpoint) -> tuple[Score, ...]:
        """The scores a card shows at ``tp``: one per persona of the view who
        passes here and is scored, or one shared Score (persona None) when
        they all feel the same; none without an emotion."""
        known = self._scores.get(tp.id)
        if known is not None:
            return known
        emotion = tp.emotion
        result: tuple[Score, ...] = ()
        if emotion is not None:
            if self.persona is not None:
                score = self.jm.emotion_at(tp, self.persona)
                result = () if score is None else (Score(None, score),)
            elif emotion.everyone is not None:
                result = (Score(None, emotion.everyone),)
            else:
                here = self.jm.personas_at(tp)
                pairs = tuple(Score(p, emotion.per_persona[p]) for p in here if p in emotion.per_persona)
                if len({s.score for s in pairs}) == 1 and len(pairs) == len(here):
                    result = (Score(None, pairs[0].score),)  # they all feel the same: one face
                else:
                    result = pairs
        self._scores[tp.id] = result
        return result

    def score_of(self, tp: Touchpoint, persona_id: str | None) -> int | None:
        """One persona's score at ``tp`` (the shared one for None)."""
        return self.jm.emotion_at(tp, persona_id)

    def unaddressed(self, pp: PainPoint) -> bool:
        """A pain point the team must answer and no opportunity addresses."""
        return is_unaddressed(pp.severity, pp.id, self.jm.index.opportunities_for)


def journey_view(jm: JourneyMap, persona: str | None = None) -> JourneyView:
    """The view of ``jm`` (or of one persona's journey) every renderer reads."""
    return JourneyView(jm, persona)

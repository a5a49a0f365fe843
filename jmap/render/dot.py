"""The journey diagram as Graphviz DOT text.

A pure function of the model: no Graphviz import, no process, no clock, so the
output can be compared byte for byte in tests and committed renders diff
cleanly. Running ``dot`` on the text is jmap.render.graphviz's job.

Safety rests on one rule: user text only ever reaches the DOT source through
``_html_text`` (inside an HTML-like label), and everything else the writer
emits (ids, attribute values) goes through ``_quote``. Node ids are generated
from the map's ids, which the validator already restricts to slugs, and are
sanitized again here so that a hostile string can never become an id, a port
(``a:b``), an attribute or a new statement.

Layout, left to right: one cluster per stage, touchpoints in flow order,
sub-touchpoints stacked in the same column under their parent, back edges
(loops) excluded from ranking so a loop cannot fold the journey back on
itself. A long journey wraps into rows of whole stages, chosen so the diagram
is as legible as it can be on a 16:9 slide; an arrow between rows becomes a
pair of lettered connectors instead of a line across the drawing. The legend
lives in the graph label, above the drawing, so it never competes with the
journey for a place in the layout.

Which arrows exist is the model's route rule (``JourneyMap.persona_route``):
the diagram never draws a move the map does not allow.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from jmap.model import SERIOUS_SEVERITIES, Channel, JourneyMap, Metric, Stage, Touchpoint
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
from jmap.render.style import EMOTION_COLORS, INK, SEVERITY_COLORS, emotion_sign
from jmap.render.view import FACES, Arrow, JourneyView, Score, face_svg, text_on

FONT = "DejaVu Sans"
MUTED = "#5c6378"
EDGE_GREY = "#8d93a5"
STAGE_FILL = "#f5f6fa"
STAGE_BORDER = "#c5cadb"
NODE_BORDER = "#3d405b"
PLAIN_FILL = "#ffffff"

#: Characters per line of a wrapped label: wide enough for a short sentence,
#: narrow enough that a stage of several touchpoints fits on a slide.
NAME_WIDTH = 26
TEXT_WIDTH = 34
#: A stage box is as wide as its cards: its details may use the room, and
#: take at least this many characters a line.
STAGE_TEXT_WIDTH = 46
#: Steps are smaller cards under their touchpoint, narrower than it.
STEP_WIDTH = 22
TITLE_WIDTH = 90

#: Above this layout size, dot's positioning effort is capped (``nslimit``,
#: see docs/diagram.md). The size counts the nodes dot will rank, drawn and
#: hidden: every rank an arrow spans beyond the next one costs dot a hidden
#: node, so a map of few touchpoints with long arrows can be "large" while a
#: long map wrapped into short rows is not. Its network simplex grows faster
#: than linearly, for a gain nobody sees at that size.
LARGE_LAYOUT = 1200

#: Estimated room between two columns of cards, two stages of a row (the
#: invisible gate between them takes a rank) and two rows, in points.
COLUMN_GAP = 25.0
STAGE_GAP = 46.0
PACK_GAP = 30.0
CONNECTOR_WIDTH = 52.0
#: The most rows a journey is wrapped into.
MAX_ROWS = 60
#: How much larger dot's layout comes out than the sum of the estimates,
#: across and down (measured on the examples and generated maps: widths 3 to
#: 10 % more; heights up to 25 % more on long maps, where connectors stack).
WIDTH_SPREAD = 1.07
HEIGHT_SPREAD = 1.15
#: Width of a character of a stage's 9 pt details, in points, on the safe side:
#: a stage's label never widens its box.
DETAIL_CHAR_WIDTH = 5.6
NAME_CHAR_WIDTH = 9.0

#: The slide the diagram must read on (px at 96 dpi: 1 pt of the drawing is
#: 4/3 px at full size) and the widest shape allowed.
SLIDE_WIDTH = 1920
SLIDE_HEIGHT = 1080
MAX_ASPECT = 3.0

#: What Graphviz's parser takes in one piece: a quoted id or a run of text
#: between two tags of longer than 16,384 characters is a syntax error for it.
#: Ids longer than MAX_NODE_ID are shortened (a hash keeps them apart), and a
#: text is cut at DIAGRAM_TEXT_LIMIT characters, with an ellipsis: even fully
#: escaped (6 characters for one) and with a few texts side by side, a run stays
#: far below the limit, and a diagram has no room for more anyway.
MAX_NODE_ID = 64
DIAGRAM_TEXT_LIMIT = 500

_UNSAFE_ID = re.compile(r"[^a-z0-9_]")
#: Characters that XML 1.0 forbids, and C0/C1 controls that would otherwise
#: reach the SVG or shift the text silently. Tab and newline are handled before.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# -- quoting: the only place where text becomes DOT ---------------------------


class Html(str):
    """A fragment of HTML-like label markup built by this module.

    Only the builders below create it, from constants and from ``_html_text``
    output, so an attribute holding an ``Html`` is safe to emit between ``<>``.
    """


def _quote(value: str) -> str:
    """A DOT double-quoted string. Used for generated ids and fixed attribute
    values only; backslashes are doubled too so that no escape sequence of
    Graphviz (``\\N``, ``\\l``) can appear even if a caller slips up."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _clean(text: str) -> str:
    """Remove what must never reach the SVG: controls and XML-invalid code points
    become U+FFFD, so their presence stays visible without breaking the file."""
    return _CONTROL.sub("\ufffd", text.replace("\t", " "))


def _cut(text: str, limit: int = DIAGRAM_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _html_text(text: str) -> Html:
    """Escape one line of user text for an HTML-like label.

    ``& < > " '`` become entities, so nothing can open a tag or close the label.
    Graphviz still expands ``\\N``, ``\\G``, ``\\E``… inside HTML labels and
    turns ``\\\\`` into one backslash, so every backslash is doubled: the user's
    text then comes out verbatim. ``]`` becomes an entity too: Graphviz 2.43's
    parser fails on a text that is only ``]`` or ``]]``. The text is cut at
    DIAGRAM_TEXT_LIMIT characters.
    """
    text = _cut(_clean(text)).replace("\n", " ").replace("\r", " ")
    return Html(
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
        .replace("]", "&#93;")
        .replace("\\", "\\\\")
    )


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, keeping the author's line breaks
    and cutting words longer than a line (a URL must not widen the node).

    Written out rather than taken from ``textwrap``, whose import alone costs
    a noticeable share of a small map's render.
    """
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = [word for word in paragraph.replace("\t", " ").split(" ") if word]
        if not words:
            if lines:
                lines.append("")
            continue
        line = ""
        for word in words:
            while len(word) > width:
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:width])
                word = word[width:]
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= width:
                line += " " + word
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines or [""]


def _html_lines(text: str, width: int, align: str = "LEFT") -> Html:
    """Wrapped, escaped text with explicit breaks, ready for a table cell."""
    brk = f'<BR ALIGN="{align}"/>'
    return Html(brk.join(_html_text(line) for line in _wrap(_cut(text), width)) + brk)


def _small(html: str, color: str = INK) -> Html:
    return Html(f'<FONT POINT-SIZE="9" COLOR="{color}">{html}</FONT>')


def _sanitize_id(raw: str) -> str:
    """A DOT-safe id for a map id: slug characters only, at most MAX_NODE_ID
    long (a long id keeps its start, plus a hash of the whole to stay apart)."""
    safe = _UNSAFE_ID.sub("_", raw.lower()) or "x"
    if len(safe) <= MAX_NODE_ID:
        return safe
    import hashlib

    return safe[: MAX_NODE_ID - 17] + "_" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


#: DOT attributes of one statement, in the order written.
_Attrs = dict[str, str | int | float]


def _attrs(attrs: Mapping[str, str | int | float]) -> str:
    """``[k=v, …]`` in insertion order; Html values go between ``<>``, others quoted."""
    parts = []
    for key, value in attrs.items():
        if isinstance(value, Html):
            parts.append(f"{key}=<{value}>")
        elif isinstance(value, int | float):
            parts.append(f"{key}={_number(value)}")
        else:
            parts.append(f"{key}={_quote(value)}")
    return "[" + ", ".join(parts) + "]"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


# -- colours --------------------------------------------------------------------


def _tint(color: str, amount: float) -> str:
    """``color`` mixed with white: light fills keep dark text readable."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * (1 - amount)) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _letters(number: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``: the names of the row connectors."""
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


# -- faces ------------------------------------------------------------------------

_FACE_SCORE = {face: score for score, face in FACES.items()}
_FACE_TEXT = re.compile(
    r'<text text-anchor="start" x="([-0-9.]+)" y="([-0-9.]+)" font-family="[^"]*" font-size="(10\.00)"'
    r'(?: fill="(#[0-9a-f]{6})")?>(' + "|".join(FACES.values()) + r")</text>"
)


def draw_faces(svg: bytes) -> bytes:
    """The faces of an SVG written by dot from this module's DOT, drawn as
    shapes instead of glyphs, in the text's colour and at the text's size.
    Only the face characters of ``FACES``, each alone in its own ``<text>`` at
    10 pt and not bold (see ``_face``), are replaced: no user text is written
    that way (names are bold, other text is 9, 11 or 13 pt), so none is touched."""
    return _drawn_faces(svg.decode("utf-8")).encode("utf-8")


def _drawn_faces(text: str) -> str:
    def shape(match: re.Match[str]) -> str:
        x, y, size = float(match.group(1)), float(match.group(2)), float(match.group(3))
        r = size * 0.42
        cx, cy = x + r + size * 0.06, y - size * 0.36
        return face_svg(_FACE_SCORE[match.group(5)], cx, cy, r, match.group(4) or "#000000")

    return _FACE_TEXT.sub(shape, text)


_STAGE_BOX = re.compile(
    r'(<g id="clust\d+" class="cluster">\n<title>cluster_stage_[0-9a-z_]+</title>\n<path [^>]* d=")([^"]+)("/>\n)'
    r"((?:<text [^>]*>[^<]*</text>\n)*)(</g>)"
)
_NUMBER_PAIR = re.compile(r"(-?[0-9.]+),(-?[0-9.]+)")
_TEXT_Y = re.compile(r'( y=")(-?[0-9.]+)(")')


def align_stages(svg: bytes) -> bytes:
    """The stage boxes of each row of an SVG written by dot from this
    module's DOT, stretched up to the row's highest top, their labels with
    them: dot centres each stage on its arrows, so the boxes of a row come out
    staggered. Rows never overlap (each is laid out apart and stacked), so a
    row is a set of stage boxes whose heights overlap. Only the outline's top
    corners and the label move; cards and arrows stay where dot put them."""
    return _aligned_stages(svg.decode("utf-8")).encode("utf-8")


def _aligned_stages(text: str) -> str:
    boxes = list(_STAGE_BOX.finditer(text))
    if len(boxes) < 2:
        return text
    spans = []
    for match in boxes:
        ys = [float(y) for _x, y in _NUMBER_PAIR.findall(match.group(2))]
        spans.append((min(ys), max(ys)))
    # Boxes in order of their tops; a box joins the row whose extent it overlaps.
    rows: list[tuple[float, float, list[int]]] = []
    for n in sorted(range(len(boxes)), key=lambda n: spans[n]):
        top, bottom = spans[n]
        if rows and top < rows[-1][1]:
            row_top, row_bottom, members = rows[-1]
            rows[-1] = (row_top, max(row_bottom, bottom), [*members, n])
        else:
            rows.append((top, bottom, [n]))
    lift = {n: spans[n][0] - row_top for row_top, _bottom, members in rows for n in members}

    def stretched(match: re.Match[str], delta: float, top: float) -> str:
        # The top side and its rounded corners (points up to twice the
        # corner's radius below the top, where the straight sides begin).
        corner = 14.0
        path = _NUMBER_PAIR.sub(
            lambda m: (
                f"{m.group(1)},{_svg_number(float(m.group(2)) - delta)}"
                if float(m.group(2)) < top + corner
                else m.group(0)
            ),
            match.group(2),
        )
        labels = _TEXT_Y.sub(lambda m: m.group(1) + _svg_number(float(m.group(2)) - delta) + m.group(3), match.group(4))
        return match.group(1) + path + match.group(3) + labels + match.group(5)

    out, last = [], 0
    for n, match in enumerate(boxes):
        out.append(text[last : match.start()])
        delta = lift[n]
        out.append(stretched(match, delta, spans[n][0]) if delta > 0.005 else match.group(0))
        last = match.end()
    out.append(text[last:])
    return "".join(out)


_LAID_OUT_STAGE = re.compile(
    r'(\tsubgraph "?cluster_stage_[0-9a-z_]+"? \{\n\t\tgraph \[bb=")([-0-9.]+),([-0-9.]+),([-0-9.]+),([-0-9.]+)(")'
    r'((?:,\n\t\t\t[^\n]*?)*?,\n\t\t\tlp=")([-0-9.]+),([-0-9.]+)(")'
)


def align_laid_out(laid_out: bytes) -> bytes:
    """The same alignment as :func:`align_stages`, on the graph as laid out
    by ``dot -Tdot`` (PNG and PDF are drawn from it by ``neato -n2``, which
    keeps every position): each stage box's top (``bb``, y upwards) and its
    label's position (``lp``) rise to the row's highest top."""
    text = laid_out.decode("utf-8")
    boxes = list(_LAID_OUT_STAGE.finditer(text))
    if len(boxes) < 2:
        return laid_out
    spans = [(float(m.group(3)), float(m.group(5))) for m in boxes]  # bottom, top
    rows: list[tuple[float, float, list[int]]] = []
    for n in sorted(range(len(boxes)), key=lambda n: (-spans[n][1], -spans[n][0])):
        bottom, top = spans[n]
        if rows and top > rows[-1][0]:
            row_bottom, row_top, members = rows[-1]
            rows[-1] = (min(row_bottom, bottom), row_top, [*members, n])
        else:
            rows.append((bottom, top, [n]))
    lift = {n: row_top - spans[n][1] for _bottom, row_top, members in rows for n in members}
    out, last = [], 0
    for n, m in enumerate(boxes):
        out.append(text[last : m.start()])
        delta = lift[n]
        if delta > 0.005:
            raised, label = _svg_number(float(m.group(5)) + delta), _svg_number(float(m.group(9)) + delta)
            out.append(f"{m.group(1)}{m.group(2)},{m.group(3)},{m.group(4)},{raised}{m.group(6)}{m.group(7)}")
            out.append(f"{m.group(8)},{label}{m.group(10)}")
        else:
            out.append(m.group(0))
        last = m.end()
    out.append(text[last:])
    return "".join(out).encode("utf-8")


def _svg_number(value: float) -> str:
    """A coordinate written the way dot writes them (at most two decimals)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def finish_svg(svg: bytes) -> bytes:
    """What jmap changes in dot's SVG: stage boxes of a row aligned, faces drawn."""
    return _drawn_faces(_aligned_stages(svg.decode("utf-8"))).encode("utf-8")


def _face(score: int, color: str) -> Html:
    """A face alone in its own font span, so dot writes it as its own ``<text>``."""
    return Html(f'<FONT POINT-SIZE="10" COLOR="{color}">{FACES[score]}</FONT>')


# -- the writer -----------------------------------------------------------------

#: One arrow: source id, target id, persona ids on it, and whether it skips
#: touchpoints only others take (dashed).
Edge = Arrow


@dataclass(frozen=True, slots=True)
class _Drawing:
    """What one view of the map shows (the persona view's touchpoints and
    arrows), with the DOT node id of each touchpoint."""

    shown: frozenset[str]
    edges: tuple[Edge, ...]
    #: Touchpoint id → DOT node id, filled in once when the drawing is made.
    ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Part:
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


class _DotWriter:
    def __init__(self, jm: JourneyMap, persona: str | None) -> None:
        self.jm = jm
        self.persona = persona
        self.lang = jm.lang
        self.t = labels(jm.lang)
        self.lines: list[str] = []
        self.view = JourneyView(jm, persona)
        self.colors = {look.id: look.color for look in self.view.looks.values()}
        self.position = {tp.id: i for i, tp in enumerate(jm.all_touchpoints())}
        self.stage_number = {stage.id: i for i, stage in enumerate(jm.stages)}
        self.drawing = self._drawing()
        self.end_count = 0
        self.gates = 0
        self.has_outgoing = {edge[0] for edge in self.drawing.edges}
        self.has_incoming = {edge[1] for edge in self.drawing.edges if not self._is_back(edge[0], edge[1])}
        self.low_points = self.view.low_points
        #: Where edges attach to a touchpoint: itself, or (leaving) its last step.
        self.anchor_in: dict[str, str] = {}
        self.anchor_out: dict[str, str] = {}
        self.cluster_of: dict[str, str] = {}
        #: Node ids drawn inside each cluster, in drawing order.
        self.members: dict[str, dict[str, None]] = {}
        self.open_clusters: list[str] = []
        #: The ranking edges drawn so far, both ways (node id → node ids).
        self.heads: dict[str, list[str]] = {}
        self.tails: dict[str, list[str]] = {}
        #: Node ids standing directly in a stage (not steps stacked under them).
        self.stage_level: set[str] = set()
        self.targets_of: dict[str, list[str]] = {}
        for edge in self.drawing.edges:
            self.targets_of.setdefault(edge[0], []).append(edge[1])
        self.units = {i: self._units(stage) for i, stage in enumerate(jm.stages)}
        self.facts_of: dict[str, tuple[str, list[str]]] = {}
        self.columns: dict[int, list[tuple[list[Touchpoint], float, float]]] = {}
        self.detail_width: dict[_Part, tuple[int, bool]] = {}
        #: Estimated sizes of stage parts, by (stage, part number, columns).
        self.sizes: dict[tuple[int, int, tuple[int, ...]], tuple[float, float, tuple[int, bool]]] = {}
        #: The column of cards each shown touchpoint stands in, in its stage.
        self.column_of: dict[str, int] = {}
        self.one_row_legend = False
        self.rows = self._rows()
        self.row_of = {part: row for row, parts in enumerate(self.rows) for part in parts}
        #: The stage part each shown touchpoint (or step) is drawn in.
        self.part_of: dict[str, _Part] = {}
        for part in self.row_of:
            for unit in part.units:
                self.part_of[unit] = part
                for sub in self._descendants(jm.touchpoint(unit).touchpoints):
                    self.part_of[sub.id] = part
        self.connectors = self._connectors()
        self.large = self._layout_size() > LARGE_LAYOUT

    # -- what is drawn ---------------------------------------------------------

    def _drawing(self) -> _Drawing:
        """The touchpoints and arrows of this view (see jmap.render.view), and
        a DOT node id for every touchpoint."""
        drawing = _Drawing(shown=self.view.shown, edges=self.view.arrows)
        taken: set[str] = set()
        for tp_id in self.position:
            node_id = "tp_" + _sanitize_id(tp_id)
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

    # -- rows: fitting a slide -------------------------------------------------

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

    def _card_size(self, tp: Touchpoint, step: bool = False) -> tuple[float, float]:
        """A rough width and height of a touchpoint's card in points, from its
        text: enough to choose rows, without running dot twice."""
        name_lines = _wrap(tp.name, STEP_WIDTH if step else NAME_WIDTH)
        width = max(len(line) for line in name_lines) * (6.4 if step else 7.2)
        height = len(name_lines) * (12.5 if step else 14.0) + 10.0
        small: list[str] = []
        parent = self.jm.parent_of(tp.id) if step else None
        facts = []
        if tp.channel is not None and (parent is None or parent.channel != tp.channel):
            facts.append(self.jm.channel(tp.channel).name + " · online")
        if tp.duration is not None:
            facts.append(format_duration(tp.duration, self.lang))
        if facts:
            small.extend(_wrap(" · ".join(facts) + " ●●", TEXT_WIDTH))
        for metric in tp.metrics:
            small.extend(_wrap(self._metric_text(metric), TEXT_WIDTH))
        for pp in tp.pain_points:
            small.extend(_wrap(f"⚠ {pp.name} (medium)", TEXT_WIDTH))
        if small:
            width = max(width, max(len(line) for line in small) * 5.1)
        height += len(small) * 11.5
        if self._scores(tp):
            height += 15.0
            width = max(width, 62.0 * len(self._scores(tp)))
        width = max(width, 80.0) + 20.0
        steps = self._steps_of(tp)
        for sub in steps:
            sub_width, sub_height = self._card_size(sub, step=True)
            width = max(width, sub_width + 12.0)
            height += sub_height + 10.0
        return 0.93 * width + (12.0 if steps else 0.0), height + (12.0 if steps else 0.0)

    def _steps_of(self, tp: Touchpoint) -> list[Touchpoint]:
        return [s for s in self._descendants(tp.touchpoints) if s.id in self.drawing.shown]

    def _stage_columns(self, index: int) -> list[tuple[list[Touchpoint], float, float]]:
        """The stage's units in columns, in flow order: each column's units
        (alternatives stack in one column), width and height."""
        units = self.units[index]
        unit_of: dict[str, str] = {}
        for unit in units:
            unit_of[unit.id] = unit.id
            for sub in self._descendants(unit.touchpoints):
                unit_of[sub.id] = unit.id
        column = {unit.id: 0 for unit in units}
        # Longest path through the forward arrows inside the stage; a unit
        # nothing flows into is tied after its predecessor (see _stage_order).
        # Taken in the document order of their heads, one pass settles them.
        ties = [
            (a, b)
            for source in unit_of
            for target in self.targets_of.get(source, ())
            if (a := unit_of[source]) != (b := unit_of.get(target, a)) and not self._is_back(a, b)
        ]
        ties.extend((a.id, b.id) for a, b in itertools.pairwise(units) if b.id not in self.has_incoming)
        ties.sort(key=lambda tie: self.position[tie[1]])
        for a, b in ties:
            column[b] = max(column[b], column[a] + 1)
        columns: dict[int, tuple[list[Touchpoint], float, float]] = {}
        for unit in units:
            w, h = self._card_size(unit)
            members, width, height = columns.get(column[unit.id], ([], 0.0, -22.0))
            columns[column[unit.id]] = ([*members, unit], max(width, w), height + h + 22.0)
        for tp_id, unit_id in unit_of.items():
            self.column_of[tp_id] = column[unit_id]
        if not columns:
            return [([], TEXT_WIDTH * 5.6, 20.0)]  # an empty stage still takes its place
        return [columns[c] for c in sorted(columns)]

    def _part_size(self, part: _Part) -> tuple[float, float, tuple[int, bool]]:
        """Width and height of a stage box holding a part's columns of cards,
        and how its label is set: the characters a line of details may hold,
        and whether the details stand beside the name (a wide stage) or
        under it."""
        key = (part.stage, part.number, part.columns)
        known = self.sizes.get(key)
        if known is not None:
            return known
        columns = [self.columns[part.stage][c] for c in part.columns]
        inner = sum(width for _units, width, _height in columns) + COLUMN_GAP * max(0, len(columns) - 1)
        inner = max(inner, TEXT_WIDTH * 5.6)
        stage = self.jm.stages[part.stage]
        name = _wrap(stage.name, NAME_WIDTH)
        name_height = 1.4 * len(name)
        beside = int((inner - max(len(line) for line in name) * NAME_CHAR_WIDTH - 24.0) / DETAIL_CHAR_WIDTH)
        if part.number > 1:
            label, setting = name_height, (0, False)
        elif beside >= STAGE_TEXT_WIDTH:
            label, setting = max(name_height, len(self._stage_detail(stage, beside))), (beside, True)
        else:
            chars = max(STAGE_TEXT_WIDTH, int(inner / DETAIL_CHAR_WIDTH))
            label, setting = name_height + len(self._stage_detail(stage, chars)), (chars, False)
        height = max((height for _units, _width, height in columns), default=20.0) + label * 12.5
        self.sizes[key] = (inner + 28.0, height + 40.0, setting)
        return self.sizes[key]

    def _header_height(self, one_row_legend: bool) -> float:
        rows = 1.0 + (len(_wrap(self.jm.description, TITLE_WIDTH + 30)) * 0.55 if self.jm.description else 0.0)
        return rows * 28.0 + (2 if one_row_legend else 3) * 22.0 + 30.0

    def _legend_width(self) -> float:
        """Rough width of the legend's samples of colours and lines set on one
        line (on the safe side: every sample that might be drawn)."""
        keys = ["emotion", "channels", "online", "offline", "pain_points", "legend.lines", "legend.route"]
        keys += ["legend.skip", "legend.steps", "legend.connector", "flow_ends", "legend.low_point"]
        keys += [f"severity.{severity}" for severity in SEVERITY_COLORS]
        return sum(len(self.t[key]) for key in keys) * 5.6 + 26 * 9.0

    def _rows(self) -> list[list[_Part]]:
        """Stages grouped into rows, left to right then top to bottom.

        Each number of rows is tried, twice: whole stages in rows of similar
        width, and rows of similar width cut between two columns of cards (a
        long stage then goes on in the next row, "continued"). The layout that
        shows the diagram largest on a 1920×1080 slide wins, among those no
        wider than 3:1; another row, or cutting a stage, must gain something
        visible. Estimates only: dot is run once, on the chosen layout.
        """
        shown = [i for i in range(len(self.jm.stages)) if self.persona is None or self.units[i]]
        if not shown:
            return []
        columns = self.columns = {i: self._stage_columns(i) for i in shown}
        # The title and legend stand above the rows: no row layout is narrower.
        legend = max(740.0, min(len(self.jm.title), TITLE_WIDTH) * 12.0)
        one_row_legend = self._legend_width()

        def measure(rows: list[list[_Part]]) -> tuple[float, float, float]:
            """The layout's scale on the slide (divided by 10 when wider than
            3:1), and its estimated width and height in points."""
            width = 0.0
            height = PACK_GAP * (len(rows) - 1) + 20.0
            for number, row in enumerate(rows):
                # A lettered connector takes a column where the journey
                # leaves a row and where it comes back in the next.
                links = CONNECTOR_WIDTH * ((number > 0) + (number < len(rows) - 1))
                sizes = [self._part_size(part) for part in row]
                width = max(width, sum(w for w, _h, _c in sizes) + STAGE_GAP * (len(row) - 1) + links)
                height += max(h for _w, h, _c in sizes)
            journey = width * WIDTH_SPREAD
            width = max(journey, legend) + 20.0
            height = height * HEIGHT_SPREAD + self._header_height(width >= one_row_legend)
            # The drawing is in points, the slide in px: 1 pt is 4/3 px.
            scale = min(SLIDE_WIDTH * 0.75 / width, SLIDE_HEIGHT * 0.75 / height, 1.0)
            # Wider than 3:1 is out, unless the title and legend make the width:
            # more rows would only make a short journey taller.
            fits = width / height <= MAX_ASPECT or journey <= legend
            return (scale if fits else scale / 10), width, height

        whole = {i: self._part_size(self._whole_part(i, columns[i]))[0] for i in shown}
        total = sum(whole.values()) + STAGE_GAP * (len(shown) - 1)
        # Every column of every stage, with the room it takes in a row.
        # Every column of every stage in a line, with the room it takes: where
        # each begins, and the middle of each (a column goes to the row its
        # middle falls in, as in _split).
        starts: list[int] = []
        middles: list[float] = []
        line = 0.0
        for i in shown:
            starts.append(len(middles))
            for c, (_units, width, _height) in enumerate(columns[i]):
                room = width + (COLUMN_GAP if c else STAGE_GAP + 28.0)
                middles.append(line + room / 2)
                line += room
        cells = len(middles)
        best: tuple[float, list[list[_Part]], float, float] | None = None
        # Every number of rows up to 12, then about 15 % more each time: a
        # journey that needs more rows is far past a slide's reach, and trying
        # every count would cost time in proportion to the rows times the map.
        counts = list(range(1, 13))
        while counts[-1] < MAX_ROWS:
            counts.append(min(MAX_ROWS, int(counts[-1] * 1.15) + 1))
        for count in [c for c in counts if c <= max(1, min(cells, MAX_ROWS))]:
            stage_rows = _split(shown, [whole[i] + STAGE_GAP for i in shown], total / count)
            candidates = [([[self._whole_part(i, columns[i]) for i in row] for row in stage_rows], 1.0)]
            if cells > len(shown):
                candidates.append((self._cut_rows(shown, starts, middles, line / count), 1.05))
            tall = False
            for rows, handicap in candidates:
                key, width, height = measure(rows)
                # At full size or larger nothing needs wrapping; another row
                # must gain something visible to be worth a break in the journey.
                if best is None or key / handicap > best[0] * 1.03:
                    best = (key / handicap, rows, width, height)
                tall = tall or height > width * 1.2
            if tall:
                break
        assert best is not None
        # The units of each part, now that the parts are chosen.
        rows = [
            [
                replace(part, units=self._units_in(part.stage, [columns[part.stage][c] for c in part.columns]))
                for part in row
            ]
            for row in best[1]
        ]
        best = (best[0], rows, best[2], best[3])
        self.one_row_legend = best[2] >= one_row_legend
        #: The chosen layout's estimated width and height, in points.
        self.estimate = (best[2], best[3])
        self.detail_width = {part: self._part_size(part)[2] for row in best[1] for part in row}
        return best[1]

    def _whole_part(self, index: int, columns: list[tuple[list[Touchpoint], float, float]]) -> _Part:
        return _Part(index, 1, tuple(range(len(columns))), ())

    def _units_in(self, index: int, chosen: list[tuple[list[Touchpoint], float, float]]) -> tuple[str, ...]:
        """The ids of the units of ``chosen`` columns, in document order."""
        ids = {unit.id for members, _w, _h in chosen for unit in members}
        return tuple(unit.id for unit in self.units[index] if unit.id in ids)

    def _cut_rows(self, shown: list[int], starts: list[int], middles: list[float], target: float) -> list[list[_Part]]:
        """Rows of about ``target`` width cut between columns of cards: each
        column goes to the row its middle falls in, so rows come out balanced.
        Found by bisection on the columns' middles, so that trying many
        numbers of rows costs little on a long map."""
        cuts = [0]
        while cuts[-1] < len(middles):
            row = int(middles[cuts[-1]] // target)
            cuts.append(bisect.bisect_left(middles, (row + 1) * target, cuts[-1] + 1))
        ends = [*starts[1:], len(middles)]
        numbers: dict[int, int] = {}
        rows: list[list[_Part]] = []
        for a, b in itertools.pairwise(cuts):
            parts: list[_Part] = []
            for k in range(bisect.bisect_right(starts, a) - 1, bisect.bisect_left(starts, b)):
                stage, first = shown[k], starts[k]
                numbers[stage] = numbers.get(stage, 0) + 1
                chosen = tuple(range(max(a, first) - first, min(b, ends[k]) - first))
                parts.append(_Part(stage, numbers[stage], chosen, ()))
            rows.append(parts)
        return rows

    def _layout_size(self) -> int:
        """Nodes dot will rank, counting the hidden ones long arrows need: the
        columns an arrow spans beyond the next, estimated per row."""
        spans = 0
        place: dict[str, tuple[int, int]] = {}
        for row, parts in enumerate(self.rows):
            order = 0
            for part in parts:
                for unit in part.units:
                    place[unit] = (row, order)
                    order += 1
        for source, target, _ps, _skip in self.drawing.edges:
            a, b = place.get(source), place.get(target)
            if a is not None and b is not None and a[0] == b[0] and b[1] > a[1] + 1:
                spans += b[1] - a[1] - 1
        return len(self.drawing.shown) + spans

    def _connectors(self) -> dict[int, tuple[str, str]]:
        """Arrows between rows, loops back to an earlier stage and loops back
        over more than one column of cards, as a lettered connector after their
        source and the same letter before their target (one letter per
        target): drawn, they would cut through stages or their titles, or
        sweep back across the row."""
        letters: dict[str, str] = {}
        out: dict[int, tuple[str, str]] = {}
        for n, (source, target, _ps, _skip) in enumerate(self.drawing.edges):
            part_a, part_b = self.part_of[source], self.part_of[target]
            if self.row_of[part_a] == self.row_of[part_b]:
                if not self._is_back(source, target):
                    continue
                # A loop back to the column before, or within one, is drawn: a
                # retry reads best as a short curve. A longer one would arc over
                # the cards between, through the stage's title.
                if part_a == part_b and self.column_of[source] - self.column_of[target] <= 1:
                    continue
            if target not in letters:
                letters[target] = _letters(len(letters))
            out[n] = (letters[target], f"link_out_{len(out) + 1}")
        self.link_in = {target: (letter, f"link_in_{i + 1}") for i, (target, letter) in enumerate(letters.items())}
        #: Connector nodes by stage part, and the arrows arriving at each target.
        self.links_of_part: dict[_Part, list[tuple[str, str]]] = {}
        for target, (letter, node_id) in self.link_in.items():
            self.links_of_part.setdefault(self.part_of[target], []).append((letter, node_id))
        self.arriving: dict[str, list[Edge]] = {}
        for n, (letter, node_id) in out.items():
            edge = self.drawing.edges[n]
            self.links_of_part.setdefault(self.part_of[edge[0]], []).append((letter, node_id))
            self.arriving.setdefault(edge[1], []).append(edge)
        return out

    # -- output ----------------------------------------------------------------

    def emit(self, line: str, depth: int) -> None:
        self.lines.append("  " * depth + line)

    def write(self) -> str:
        self.emit("digraph journey {", 0)
        self._graph_defaults()
        stage_roots: dict[_Part, list[str]] = {}
        # Rows are laid out apart and stacked by dot's packing, which fills its
        # one column from the bottom: the last row is written first.
        for part in [part for row in reversed(self.rows) for part in row]:
            stage_roots[part] = self._stage(part, 1)
        self._edges()
        for row in self.rows:
            self._stage_order([stage_roots[part] for part in row], [part.cluster for part in row])
        if len(self.rows) > 1:
            for number, row in enumerate(self.rows):
                self._row_start(number, row[0].cluster)
        self.emit("}", 0)
        return "\n".join(self.lines) + "\n"

    def _graph_defaults(self) -> None:
        graph: _Attrs = {
            "rankdir": "LR",
            "compound": "true",
            "fontname": FONT,
            "fontcolor": INK,
            "bgcolor": "#ffffff",
            "pad": 0.1,
            "nodesep": 0.2,
            "ranksep": 0.3,
            "labelloc": "t",
            "labeljust": "l",
            "outputorder": "edgesfirst",
            "label": self._title_and_legend(),
        }
        graph["splines"] = "spline"
        if len(self.rows) > 1:
            # Each row is laid out on its own (no arrow joins two rows, their
            # connectors stand in), then the rows are stacked in input order.
            graph["pack"] = 28
            graph["packmode"] = "array_ic1"
        if self.large:
            # Measured in bench/bench_render.py; see docs/diagram.md.
            graph["nslimit"] = 0.1
        self.emit("graph " + _attrs(graph) + ";", 1)
        node: _Attrs = {
            "fontname": FONT,
            "fontsize": 11,
            "fontcolor": INK,
            "shape": "box",
            "margin": "0.1,0.05",
        }
        self.emit("node " + _attrs(node) + ";", 1)
        edge: _Attrs = {"fontname": FONT, "fontsize": 9, "color": EDGE_GREY, "arrowsize": 0.7}
        self.emit("edge " + _attrs(edge) + ";", 1)

    # -- stages and touchpoints -------------------------------------------------

    def _stage(self, part: _Part, depth: int) -> list[str]:
        """One stage cluster (or the part of a stage one row holds); returns
        the touchpoint ids at its top level, in document order."""
        index = part.stage
        stage_cluster = part.cluster
        self.emit(f"subgraph {_quote(stage_cluster)} {{", depth)
        self.open_clusters.append(stage_cluster)
        self.members[stage_cluster] = {}
        cluster: _Attrs = {
            "label": self._stage_label(part),
            "style": "rounded,filled",
            "fillcolor": STAGE_FILL,
            "color": STAGE_BORDER,
            "penwidth": 1.2,
            "margin": 12,
            "fontsize": 12,
        }
        self.emit("graph " + _attrs(cluster) + ";", depth + 1)
        roots: list[str] = []
        for unit in part.units:
            roots.extend(self._touchpoint(self.jm.touchpoint(unit), depth + 1))
        if not roots:
            # An empty stage still takes its place in the journey. The key
            # cannot clash with a touchpoint id, which is a slug.
            placeholder, key = f"empty_stage_{index}", f"#empty_stage_{index}"
            self._node(placeholder, depth + 1, {"label": "", "shape": "point", "style": "invis"})
            self.anchor_in[key] = self.anchor_out[key] = placeholder
            roots.append(key)
        self._stage_connectors(part, depth + 1)
        self.open_clusters.pop()
        self.emit("}", depth)
        self.stage_level.update(self.anchor_in[root] for root in roots)
        return roots

    def _stage_connectors(self, part: _Part, depth: int) -> None:
        """The lettered connectors of the arrows that leave or enter this
        stage's row here: they sit in the stage, next to the touchpoint."""
        look: _Attrs = {
            "shape": "circle",
            "width": 0.28,
            "fixedsize": "true",
            "fontsize": 10,
            "style": "filled,bold",
            "fillcolor": "#ffffff",
            "color": NODE_BORDER,
        }
        for letter, node_id in self.links_of_part.get(part, ()):
            self._node(node_id, depth, {**look, "label": Html(f"<B>{_html_text(letter)}</B>")})

    def _descendants(self, touchpoints: Iterable[Touchpoint]) -> Iterable[Touchpoint]:
        for tp in touchpoints:
            yield tp
            yield from self._descendants(tp.touchpoints)

    def _touchpoint(self, tp: Touchpoint, depth: int) -> list[str]:
        """Draw ``tp`` and its steps; returns the touchpoint ids that stand at
        this level (``tp`` itself, or its shown steps when the view hides ``tp``)."""
        if tp.id not in self.drawing.shown:
            out: list[str] = []
            for sub in tp.touchpoints:
                out.extend(self._touchpoint(sub, depth))
            return out
        node_id = self.drawing.ids[tp.id]
        in_frame = self.open_clusters[-1].startswith("cluster_tp_")
        if in_frame or not any(s.id in self.drawing.shown for s in self._descendants(tp.touchpoints)):
            # Steps of steps share their ancestor's frame and column (a nested
            # frame would be placed as a block, out of document order, by dot).
            self._node(node_id, depth, self._touchpoint_look(tp, step=in_frame))
            self.anchor_in[tp.id] = self.anchor_out[tp.id] = node_id
            self._maybe_end(tp, node_id, None, depth)
            for sub in tp.touchpoints:
                self._touchpoint(sub, depth)
            return [tp.id]
        # A touchpoint broken into steps is drawn as a frame holding the
        # touchpoint with its steps below it, smaller and joined by thin
        # arrows: the flow enters and leaves through the touchpoint itself
        # (leaving from the frame's border, ltail), so the journey's line stays
        # straight and the steps add height, not width.
        cluster = "cluster_" + node_id
        self.emit(f"subgraph {_quote(cluster)} {{", depth)
        self.open_clusters.append(cluster)
        self.members[cluster] = {}
        frame: _Attrs = {
            "label": "",
            "style": "rounded,filled",
            "fillcolor": "#ffffff",
            "color": STAGE_BORDER,
            "margin": 6,
        }
        self.emit("graph " + _attrs(frame) + ";", depth + 1)
        self._node(node_id, depth + 1, self._touchpoint_look(tp))
        self.anchor_in[tp.id] = self.anchor_out[tp.id] = node_id
        for sub in tp.touchpoints:
            self._touchpoint(sub, depth + 1)
        self.open_clusters.pop()
        # Every step, at any depth, stacks in one column under the touchpoint.
        # With rankdir=LR a rank runs bottom to top, so the chain that orders
        # the column goes from the last step up to the touchpoint; drawn
        # backwards, it reads as thin arrows from the touchpoint down its steps.
        column = [n for n in self.members[cluster] if n.startswith("tp_")]
        self.emit("{rank=same; " + " ".join(_quote(n) + ";" for n in column) + "}", depth + 1)
        step_edge: _Attrs = {
            "dir": "back",
            "color": STAGE_BORDER,
            "penwidth": 1,
            "arrowsize": 0.5,
        }
        for below, above in itertools.pairwise(reversed(column)):
            self._edge(below, above, step_edge, depth + 1, ranks=False)
        self.emit("}", depth)
        self.cluster_of[tp.id] = cluster
        self._maybe_end(tp, self.anchor_out[tp.id], cluster, depth)
        return [tp.id]

    def _edge(
        self, tail: str, head: str, attrs: Mapping[str, str | int | float], depth: int, ranks: bool = True
    ) -> None:
        """One edge; ``ranks`` is false for one that orders no ranks (a loop,
        or the chain of steps standing in one rank under their touchpoint)."""
        if ranks and attrs.get("constraint") != "false":
            self.heads.setdefault(tail, []).append(head)
            self.tails.setdefault(head, []).append(tail)
        self.emit(f"{_quote(tail)} -> {_quote(head)} " + _attrs(attrs) + ";", depth)

    def _node(self, node_id: str, depth: int, attrs: Mapping[str, str | int | float]) -> None:
        for cluster in self.open_clusters:
            self.members[cluster][node_id] = None
        self.emit(_quote(node_id) + " " + _attrs(attrs) + ";", depth)

    def _touchpoint_look(self, tp: Touchpoint, step: bool = False) -> _Attrs:
        """Label, fill and border of a touchpoint, as a node or as a box of steps.

        Online channels (and touchpoints without one) get rounded corners and a
        solid border, offline ones square corners and a dashed border, so the
        difference survives black-and-white printing. A step is smaller, with
        a thinner border, so it reads as part of its touchpoint.
        """
        channel = self.jm.channel(tp.channel) if tp.channel else None
        scores = self._scores(tp)
        fill = PLAIN_FILL
        if len(scores) == 1:
            fill = _tint(EMOTION_COLORS[scores[0][1]], 0.3)
        look: _Attrs = {
            "label": self._touchpoint_label(tp, channel, scores, step),
            "style": "filled" + (",rounded" if channel is None or channel.online else ",dashed"),
            "fillcolor": fill,
            "color": NODE_BORDER,
            "penwidth": 3.2 if tp.id in self.low_points else (0.8 if step else 1.2),
        }
        if step:
            look["fontsize"] = 10
            look["margin"] = "0.06,0.03"
        return look

    def _maybe_end(self, tp: Touchpoint, node_id: str, cluster: str | None, depth: int) -> None:
        """An end marker after an exit (``next: []``), the end of the journey,
        or where a persona's journey stops; steps without ``next`` get none,
        as they are not part of the flow."""
        if tp.id in self.has_outgoing or (tp.next is None and self.jm.parent_of(tp.id) is not None):
            return
        self.end_count += 1
        end_id = f"end_{self.end_count}"
        marker: _Attrs = {
            "label": "",
            "shape": "doublecircle",
            "width": 0.14,
            "height": 0.14,
            "fixedsize": "true",
            "style": "filled",
            "fillcolor": NODE_BORDER,
            "color": NODE_BORDER,
        }
        self._node(end_id, depth, marker)
        attrs = {"ltail": cluster} if cluster else {}
        self._edge(node_id, end_id, {**attrs, "arrowhead": "none"}, depth)

    # -- labels ----------------------------------------------------------------

    def _touchpoint_label(self, tp: Touchpoint, channel: Channel | None, scores: tuple[Score, ...], step: bool) -> Html:
        """Name, emotion stripe, channel and duration, personas, metrics, then
        pain points worst first: what a client reads first comes first. A
        card with nothing but a name stays a name."""
        name = _html_lines(french_spacing(tp.name, self.lang), STEP_WIDTH if step else NAME_WIDTH)
        rows = [f"<B>{name}</B>"]
        facts: list[str] = []
        parent = self.jm.parent_of(tp.id) if step else None
        here = self.jm.personas_at(tp)
        # A step says only what differs from its touchpoint: same channel and
        # same personas go without saying.
        if channel is not None and (parent is None or parent.channel != tp.channel):
            facts.append(f"{channel.name} · {self.t['online' if channel.online else 'offline']}")
        if tp.duration is not None:
            facts.append(format_duration(tp.duration, self.lang))
        dots = ""
        shows_dots = self.persona is None and len(self.jm.personas) > 1 and here
        if parent is not None and here == self.jm.personas_at(parent):
            shows_dots = False
        if shows_dots and (len(scores) != len(here) or not scores):
            dots = " " + "".join(self._dot(pid) for pid in here)
        if facts:
            # Wrapped like any other line, the persona dots after the last
            # word: a long channel name must not widen every card.
            facts_html = _html_lines(" · ".join(facts), TEXT_WIDTH).removesuffix('<BR ALIGN="LEFT"/>')
            rows.append(_small(Html(facts_html + dots + '<BR ALIGN="LEFT"/>'), MUTED))
        elif dots:
            rows[0] += _small(Html(dots.strip()))
        if tp.metrics:
            metrics = "".join(_html_lines(self._metric_text(m), TEXT_WIDTH) for m in tp.metrics)
            rows.append(_small(Html(metrics), MUTED))
        cells = [f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows]
        if scores:
            cells.insert(1, self._emotion_stripe(scores))
        for pp in sorted(tp.pain_points, key=lambda p: p.severity_rank):
            color = SEVERITY_COLORS[pp.severity]
            text = _html_lines(
                f"⚠ {french_spacing(pp.name, self.lang)} ({self.t['severity.' + pp.severity]})", TEXT_WIDTH
            )
            if pp.severity in SERIOUS_SEVERITIES:
                text = Html(f"<B>{text}</B>")
            cell = f'<TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{color}">{_small(text, text_on(color))}</TD>'
            cells.append(f"<TR>{cell}</TR>")
        return Html('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1">' + "".join(cells) + "</TABLE>")

    def _dot(self, persona_id: str) -> str:
        return f'<FONT COLOR="{self.colors[persona_id]}">●</FONT>'

    def _emotion_stripe(self, scores: tuple[Score, ...]) -> str:
        """The score on its colour, with a face and a sign so it still reads in
        grey. Personas who feel differently split the stripe: one cell each,
        in their own colour, with their dot, face and score; never an average."""
        cells = []
        for persona, score in scores:
            color = EMOTION_COLORS[score]
            ink = text_on(color)
            text = Html(f" {emotion_sign(score)}")
            if persona is None:
                text = Html(text + " · " + _html_text(self.t[f"emotion.{score}"]))
            lead = self._dot(persona) + " " if persona is not None else ""
            cells.append(f'<TD ALIGN="LEFT" BGCOLOR="{color}">{lead}{_face(score, ink)}{_small(text, ink)}</TD>')
        inner = (
            '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR>' + "".join(cells) + "</TR></TABLE>"
        )
        return f'<TR><TD ALIGN="LEFT" CELLPADDING="0">{inner}</TD></TR>'

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
            *full, line = _wrap(text, width)
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
            goal = f"{with_colon(self.t['goal'], self.lang)} {french_spacing(stage.goal, self.lang)}"
        detail: list[str] = []
        length = self.jm.stage_length(stage)
        if length is not None:
            detail.append(f"{with_colon(self.t['stage_length'], self.lang)} {format_duration(length, self.lang)}")
        spent = self.jm.time_in_touchpoints(stage)
        if spent is not None:
            label = with_colon(self.t["time_in_touchpoints"], self.lang)
            detail.append(f"{label} {format_duration(spent, self.lang)}")
        detail.extend(self._metric_text(m) for m in stage.metrics)
        self.facts_of[stage.id] = (goal, detail)
        return goal, detail

    def _stage_label(self, part: _Part) -> Html:
        """Name and details of a stage, as wide as its cards allow; the part of
        a long stage that goes on in another row shows its name and
        "continued" only."""
        stage = self.jm.stages[part.stage]
        name = _html_lines(french_spacing(stage.name, self.lang), NAME_WIDTH)
        if part.number > 1:
            # "(continued)" after the name, on its last line: no line of its own.
            more = _small(_html_text(f"  ({self.t['continued']})"), MUTED)
            name = Html(name.removesuffix('<BR ALIGN="LEFT"/>'))
            parts = [f'<B><FONT POINT-SIZE="13">{name}</FONT></B>{more}<BR ALIGN="LEFT"/>']
        else:
            parts = [f'<B><FONT POINT-SIZE="13">{name}</FONT></B>']
        chars, beside = self.detail_width[part]
        detail = [] if part.number > 1 else self._stage_detail(stage, chars)
        if detail:
            lines = '<BR ALIGN="LEFT"/>'.join(_html_text(line) for line in detail) + '<BR ALIGN="LEFT"/>'
            parts.append(_small(Html(lines), MUTED))
        if beside and detail:
            cell = '<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">{}</TD>'
            cells = "<TR>" + cell.format(parts[0]) + '<TD WIDTH="16"></TD>' + cell.format(parts[1]) + "</TR>"
        else:
            cells = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{p}</TD></TR>' for p in parts)
        return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>')

    def _title_and_legend(self) -> Html:
        """Title, description and legend above the journey, in the graph label."""
        jm, t = self.jm, self.t
        title = jm.title
        if self.persona is not None:
            title = f"{title} — {with_colon(t['journey'], self.lang)} {jm.persona(self.persona).name}"
        rows = [f'<B><FONT POINT-SIZE="20">{_html_lines(french_spacing(title, self.lang), TITLE_WIDTH)}</FONT></B>']
        if jm.description:
            description = _html_lines(french_spacing(jm.description, self.lang), TITLE_WIDTH + 30)
            rows.append(f'<FONT POINT-SIZE="11" COLOR="{MUTED}">{description}</FONT>')
        rows.append(self._legend())
        cells = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows)
        return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">{cells}</TABLE>')

    def _heading(self, key: str) -> str:
        return f'<TD ALIGN="LEFT">{_small(Html("<B>" + _html_text(self.t[key]) + "</B>"), MUTED)}</TD>'

    def _legend(self) -> str:
        """Every convention the drawing uses, and only those: a sample of each
        line, border and marker that appears, named in the map's language."""
        t = self.t
        drawn = self.drawing.edges

        def sample(text: str, fill: str = "#ffffff", border: int = 0, style: str = "") -> str:
            style_attr = f' STYLE="{style}"' if style else ""
            return (
                f'<TD BGCOLOR="{fill}" BORDER="{border}" COLOR="{NODE_BORDER}"{style_attr}>'
                f"{_small(Html(text), text_on(fill))}</TD>"
            )

        gap = '<TD WIDTH="12"></TD>'
        first = [self._heading("emotion")]
        for s in sorted(EMOTION_COLORS):
            color = EMOTION_COLORS[s]
            first.append(
                f'<TD BGCOLOR="{color}">{_face(s, text_on(color))}{_small(Html(" " + emotion_sign(s)), text_on(color))}</TD>'
            )
        first += [gap, self._heading("channels")]
        first += [sample(_html_text(t["online"]), border=1), sample(_html_text(t["offline"]), border=1, style="dashed")]
        first += [gap, self._heading("pain_points")]
        first += [sample("⚠ " + _html_text(t["severity." + sev]), color) for sev, color in SEVERITY_COLORS.items()]
        second = [self._heading("legend.lines")]
        line = "━━━"
        if not self.jm.personas:
            second.append(sample(f'<FONT COLOR="{EDGE_GREY}">{line}</FONT> ' + _html_text(t["legend.flow"])))
        else:
            second.append(sample(f"{line} " + _html_text(t["legend.route"])))
        if any(skipped for *_rest, skipped in drawn):
            second.append(sample("╍╍╍ " + _html_text(t["legend.skip"])))
        if any(self.cluster_of.values()) or any(tp.touchpoints for tp in self.jm.all_touchpoints()):
            second.append(sample(f'<FONT COLOR="{STAGE_BORDER}">↓</FONT> ' + _html_text(t["legend.steps"])))
        if self.connectors:
            second.append(
                sample("<B>A</B> → <B>A</B>  " + _html_text(t["legend.connector"]), border=1, style="rounded")
            )
        second.append(sample("◉ " + _html_text(t["flow_ends"])))
        if self.low_points:
            second.append(sample(_html_text(t["legend.low_point"]), border=3))
        rows = [[*first, gap, gap, *second]] if self.one_row_legend else [first, second]
        if self.jm.personas:
            shown = [p for p in self.jm.personas if self.persona is None or p.id == self.persona]
            named = [f"{self._dot(p.id)}{NBSP}{NBSP}{_html_text(p.name)}" for p in shown]
            # Five to a line, so a workshop's dozen personas do not widen the page.
            chips = '<BR ALIGN="LEFT"/>'.join(("   " + NBSP).join(named[i : i + 5]) for i in range(0, len(named), 5))
            # One cell for the heading and the chips: a nested table is
            # stretched to the legend's width, and two cells would share it.
            heading = f'<FONT COLOR="{MUTED}"><B>{_html_text(t["personas"])}</B></FONT>'
            line = Html(heading + "    " + chips + '<BR ALIGN="LEFT"/>')
            chips_cell = f'<TD ALIGN="LEFT" BALIGN="LEFT">{_small(line)}</TD>'
            rows.append([chips_cell])
        table = '<TABLE ALIGN="LEFT" BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2"><TR>{}</TR></TABLE>'
        cells = "".join(f'<TR><TD ALIGN="LEFT">{table.format("".join(row))}</TD></TR>' for row in rows)
        return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">{cells}</TABLE>'

    # -- edges -----------------------------------------------------------------

    def _edge_look(self, personas: tuple[str, ...], skipped: bool) -> _Attrs:
        attrs: _Attrs = {}
        if personas:
            attrs["color"] = ":".join(self.colors[p] for p in personas)
            attrs["penwidth"] = 1.8
        else:
            attrs["color"] = EDGE_GREY
            attrs["penwidth"] = 1.4
        if skipped:
            attrs["style"] = "dashed"  # a persona skipping steps only others take
        return attrs

    def _edges(self) -> None:
        for n, (source, target, personas, skipped) in enumerate(self.drawing.edges):
            tail, head = self.anchor_out[source], self.anchor_in[target]
            attrs: _Attrs = {}
            frame = self.cluster_of.get(source)
            link = self.connectors.get(n)
            if link is not None:
                head = link[1]
            if frame is not None:
                if head in self.members[frame]:
                    tail = self.drawing.ids[source]  # into its own steps: from the touchpoint itself
                else:
                    attrs["ltail"] = frame
            attrs.update(self._edge_look(personas, skipped))
            if link is not None:
                self._edge(tail, head, attrs, 1)
                continue
            if self._is_back(source, target):
                attrs["constraint"] = "false"
            elif tail in self.stage_level and head in self.stage_level:
                attrs["weight"] = 4  # keep the journey's line straight through the stages
            self._edge(tail, head, attrs, 1)
        # Each target reached from another row: its connector leads into it,
        # in the colours of everyone who arrives that way.
        for target, (_letter, node_id) in self.link_in.items():
            arriving = self.arriving[target]
            personas = tuple(dict.fromkeys(p for e in arriving for p in e[2]))
            look = self._edge_look(personas, all(e[3] for e in arriving))
            self._edge(node_id, self.anchor_in[target], look, 1)

    def _stage_order(self, stage_roots: list[list[str]], clusters: list[str]) -> None:
        """Invisible gates that keep the stages of a row side by side, left to right.

        Between two stages sits an invisible point: the touchpoints and end
        markers of the first stage rank before it, those of the next after it.
        Without it a branch that jumps ahead (a product page straight to the
        checkout) lets dot put two stages in the same ranks and stack them.
        Only nodes that nothing else already orders get a gate edge (a stage's
        last touchpoint, its exits, its connectors), which keeps large maps
        fast; gate edges weigh as little as any edge (a weight of 0 slows dot's
        positioning tenfold on large maps). A touchpoint nothing
        flows into is tied to its predecessor instead of drifting to the far left.
        """
        for roots in stage_roots:
            for previous, root in itertools.pairwise(roots):
                if root not in self.has_incoming:
                    self._edge(self.anchor_out[previous], self.anchor_in[root], {"style": "invis", "weight": 4}, 1)
        gate_edge = {"style": "invis"}
        for n in range(1, len(stage_roots)):
            before = self.members[clusters[n - 1]]
            after = self.members[clusters[n]]
            last = [
                node
                for node in before
                if (node in self.stage_level or not node.startswith("tp_"))
                and not any(head in before for head in self.heads.get(node, ()))
            ]
            first = [
                node
                for node in after
                if (node in self.stage_level or node.startswith("link_"))
                and not any(tail in after for tail in self.tails.get(node, ()))
            ]
            self.gates += 1
            gate = f"gate_{self.gates}"
            self.emit(_quote(gate) + " " + _attrs({"shape": "point", "style": "invis", "width": 0}) + ";", 1)
            for node in last:
                self._edge(node, gate, gate_edge, 1)
            for node in first:
                self._edge(gate, node, gate_edge, 1)

    def _row_start(self, number: int, cluster: str) -> None:
        """An invisible start point before a row's first touchpoints, so that
        everything in the row hangs together: dot packs each connected part
        as a block, and a row must be one block."""
        start = f"row_{number}"
        self.emit(_quote(start) + " " + _attrs({"shape": "point", "style": "invis", "width": 0}) + ";", 1)
        members = self.members[cluster]
        for node in members:
            if (node in self.stage_level or node.startswith("link_")) and not any(
                tail in members for tail in self.tails.get(node, ())
            ):
                self._edge(start, node, {"style": "invis"}, 1)


def _split(items: list[int], widths: list[float], target: float) -> list[list[int]]:
    """Consecutive items in rows of about ``target`` width: each item goes to
    the row its middle falls in, so rows come out balanced."""
    rows: dict[int, list[int]] = {}
    start = 0.0
    for item, w in zip(items, widths, strict=True):
        rows.setdefault(int((start + w / 2) // target), []).append(item)
        start += w
    return [rows[k] for k in sorted(rows)]


def render_dot(jm: JourneyMap, persona: str | None = None) -> str:
    """The diagram of ``jm`` (or of one persona's journey) as DOT source text."""
    return _DotWriter(jm, persona).write()

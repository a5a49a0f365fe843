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
itself. The legend lives in the graph label, above the drawing, so it never
competes with the journey for a place in the layout.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jmap.model import SERIOUS_SEVERITIES, Channel, JourneyMap, Metric, Stage, Touchpoint
from jmap.render.labels import labels
from jmap.render.style import EMOTION_COLORS, EMOTION_FACES, SEVERITY_COLORS, emotion_sign, persona_colors

FONT = "DejaVu Sans"
INK = "#2b2d42"
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
TITLE_WIDTH = 90

#: Above this many drawn touchpoints, dot's positioning effort is capped
#: (``nslimit``, see docs/diagram.md): its network simplex grows faster than
#: linearly and takes seven times longer on 5,000 touchpoints, for a gain
#: nobody sees at that size.
LARGE_MAP = 300

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


def _long_hex(color: str) -> str:
    """``#abc`` → ``#aabbcc``; Graphviz only reads the long form."""
    if len(color) == 4:
        return "#" + "".join(ch * 2 for ch in color[1:])
    return color.lower()


def _rounded(score: float) -> int:
    """Half away from zero, so an average of -0.5 reads as -1 (not Python's banker's 0)."""
    return int(score + 0.5) if score >= 0 else -int(-score + 0.5)


def _text_on(color: str) -> str:
    """Black or white, whichever reads better on ``color``."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#ffffff" if (0.299 * r + 0.587 * g + 0.114 * b) < 150 else INK


# -- the writer -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Drawing:
    """What one view of the map shows; built first so the DOT writing below is
    a plain walk with no decisions about visibility left."""

    shown: set[str]
    edges: list[tuple[str, str, tuple[str, ...]]]  # source, target, persona ids on it
    #: Touchpoint id → DOT node id, filled in once when the drawing is made.
    ids: dict[str, str] = field(default_factory=dict)


class _DotWriter:
    def __init__(self, jm: JourneyMap, persona: str | None) -> None:
        self.jm = jm
        self.persona = persona
        self.t = labels(jm.lang)
        self.lines: list[str] = []
        self.colors = {pid: _long_hex(color) for pid, color in persona_colors(jm.personas).items()}
        self.position = {tp.id: i for i, tp in enumerate(jm.all_touchpoints())}
        self.drawing = self._drawing()
        self.large = len(self.drawing.shown) > LARGE_MAP
        self.end_count = 0
        self.has_outgoing = {src for src, _dst, _ps in self.drawing.edges}
        self.has_incoming = {dst for src, dst, _ps in self.drawing.edges if not self._is_back(src, dst)}
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
        self.stage_clusters: list[str] = []
        #: Node ids standing directly in a stage (not steps stacked under them).
        self.stage_level: set[str] = set()

    # -- what is drawn ---------------------------------------------------------

    def _drawing(self) -> _Drawing:
        jm = self.jm
        edges: list[tuple[str, str, tuple[str, ...]]]
        if self.persona is not None:
            shown = {tp.id for tp in jm.persona_journey(self.persona)}
            edges = [(a, b, (self.persona,)) for a, b in jm.persona_route(self.persona).pairs()]
        else:
            shown = set(self.position)
            on_edge: dict[tuple[str, str], list[str]] = {}
            for p in jm.personas:
                for edge in jm.persona_route(p.id).pairs():
                    on_edge.setdefault(edge, []).append(p.id)
            edges = [(a, b, tuple(on_edge.pop((a, b), ()))) for a, b in jm.flow_edges()]
            # A persona who skips touchpoints jumps over them: drawn after the flow.
            edges.extend((a, b, tuple(ps)) for (a, b), ps in on_edge.items())
        drawing = _Drawing(shown=shown, edges=edges)
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

    # -- output ----------------------------------------------------------------

    def emit(self, line: str, depth: int) -> None:
        self.lines.append("  " * depth + line)

    def write(self) -> str:
        self.emit("digraph journey {", 0)
        self._graph_defaults()
        stage_roots: list[list[str]] = []
        for index, stage in enumerate(self.jm.stages):
            roots = self._stage(stage, index)
            if roots is not None:
                stage_roots.append(roots)
        self._edges()
        self._stage_order(stage_roots)
        self.emit("}", 0)
        return "\n".join(self.lines) + "\n"

    def _graph_defaults(self) -> None:
        graph: dict[str, str | int | float] = {
            "rankdir": "LR",
            "newrank": "true",
            "compound": "true",
            "fontname": FONT,
            "fontcolor": INK,
            "bgcolor": "#ffffff",
            "pad": 0.3,
            "nodesep": 0.3,
            "ranksep": 0.45,
            "labelloc": "t",
            "labeljust": "l",
            "outputorder": "edgesfirst",
            "label": self._title_and_legend(),
        }
        graph["splines"] = "spline"
        if self.large:
            # Measured in bench/bench_render.py; see docs/diagram.md.
            graph["nslimit"] = 0.1
        self.emit("graph " + _attrs(graph) + ";", 1)
        node: _Attrs = {"fontname": FONT, "fontsize": 11, "fontcolor": INK, "shape": "box", "margin": "0.12,0.06"}
        self.emit("node " + _attrs(node) + ";", 1)
        edge: _Attrs = {"fontname": FONT, "fontsize": 9, "color": EDGE_GREY, "arrowsize": 0.7}
        self.emit("edge " + _attrs(edge) + ";", 1)

    # -- stages and touchpoints -------------------------------------------------

    def _stage(self, stage: Stage, index: int) -> list[str] | None:
        """One stage cluster; returns the touchpoint ids at its top level, in
        document order, or None when this view shows nothing of the stage."""
        has_shown = any(tp.id in self.drawing.shown for tp in self._descendants(stage.touchpoints))
        if self.persona is not None and not has_shown:
            return None
        stage_cluster = f"cluster_stage_{index}"
        self.emit(f"subgraph {_quote(stage_cluster)} {{", 1)
        self.open_clusters.append(stage_cluster)
        self.members[stage_cluster] = {}
        cluster: _Attrs = {
            "label": self._stage_label(stage),
            "style": "rounded,filled",
            "fillcolor": STAGE_FILL,
            "color": STAGE_BORDER,
            "penwidth": 1.2,
            "margin": 14,
            "fontsize": 12,
        }
        self.emit("graph " + _attrs(cluster) + ";", 2)
        roots: list[str] = []
        for tp in stage.touchpoints:
            roots.extend(self._touchpoint(tp, 2))
        if not roots:
            # An empty stage still takes its place in the journey.
            # An empty stage still takes its place in the journey. The key
            # cannot clash with a touchpoint id, which is a slug.
            placeholder, key = f"empty_stage_{index}", f"#empty_stage_{index}"
            self._node(placeholder, 2, {"label": "", "shape": "point", "style": "invis"})
            self.anchor_in[key] = self.anchor_out[key] = placeholder
            roots.append(key)
        self.open_clusters.pop()
        self.emit("}", 1)
        self.stage_clusters.append(stage_cluster)
        self.stage_level.update(self.anchor_in[root] for root in roots)
        return roots

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
            self._node(node_id, depth, self._touchpoint_look(tp))
            self.anchor_in[tp.id] = self.anchor_out[tp.id] = node_id
            self._maybe_end(tp, node_id, None, depth)
            for sub in tp.touchpoints:
                self._touchpoint(sub, depth)
            return [tp.id]
        # A touchpoint broken into steps is drawn as a frame holding the
        # touchpoint with its steps stacked below it: the flow enters and leaves
        # through the touchpoint itself (leaving from the frame's border, ltail),
        # so the journey's line stays straight and the steps add height, not width.
        cluster = "cluster_" + node_id
        self.emit(f"subgraph {_quote(cluster)} {{", depth)
        self.open_clusters.append(cluster)
        self.members[cluster] = {}
        frame: _Attrs = {
            "label": "",
            "style": "rounded,filled",
            "fillcolor": "#ffffff",
            "color": STAGE_BORDER,
            "margin": 8,
        }
        self.emit("graph " + _attrs(frame) + ";", depth + 1)
        self._node(node_id, depth + 1, self._touchpoint_look(tp))
        self.anchor_in[tp.id] = self.anchor_out[tp.id] = node_id
        for sub in tp.touchpoints:
            self._touchpoint(sub, depth + 1)
        self.open_clusters.pop()
        # Every step, at any depth, stacks in one column under the touchpoint.
        # With rankdir=LR a rank runs bottom to top, so the chain that orders
        # the column goes from the last step up to the touchpoint.
        column = [n for n in self.members[cluster] if n.startswith("tp_")]
        self.emit("{rank=same; " + " ".join(_quote(n) + ";" for n in column) + "}", depth + 1)
        for below, above in itertools.pairwise(reversed(column)):
            self._edge(below, above, {"style": "invis"}, depth + 1)
        self.emit("}", depth)
        self.cluster_of[tp.id] = cluster
        self._maybe_end(tp, self.anchor_out[tp.id], cluster, depth)
        return [tp.id]

    def _edge(self, tail: str, head: str, attrs: Mapping[str, str | int | float], depth: int) -> None:
        if attrs.get("constraint") != "false":
            self.heads.setdefault(tail, []).append(head)
            self.tails.setdefault(head, []).append(tail)
        self.emit(f"{_quote(tail)} -> {_quote(head)} " + _attrs(attrs) + ";", depth)

    def _node(self, node_id: str, depth: int, attrs: Mapping[str, str | int | float]) -> None:
        for cluster in self.open_clusters:
            self.members[cluster][node_id] = None
        self.emit(_quote(node_id) + " " + _attrs(attrs) + ";", depth)

    def _touchpoint_look(self, tp: Touchpoint) -> dict[str, str | int | float]:
        """Label, fill and border of a touchpoint, as a node or as a box of steps.

        Online channels (and touchpoints without one) get rounded corners and a
        solid border, offline ones square corners and a dashed border, so the
        difference survives black-and-white printing.
        """
        channel = self.jm.channel(tp.channel) if tp.channel else None
        here = self.jm.personas_at(tp)
        key = self.persona is None and self._is_key(here)
        return {
            "label": self._touchpoint_label(tp, channel, here),
            "style": "filled" + (",rounded" if channel is None or channel.online else ",dashed"),
            "fillcolor": self._fill(tp),
            "color": NODE_BORDER,
            "penwidth": 2.8 if key else 1.2,
        }

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

    def _is_key(self, here: tuple[str, ...]) -> bool:
        """Shared by at least two personas and by more than half of them."""
        return len(here) >= 2 and 2 * len(here) > len(self.jm.personas)

    def _emotion(self, tp: Touchpoint) -> int | None:
        if self.persona is not None:
            return self.jm.emotion_at(tp, self.persona)
        if tp.emotion is None:
            return None
        average = tp.emotion.average()
        return None if average is None else _rounded(average)

    def _fill(self, tp: Touchpoint) -> str:
        score = self._emotion(tp)
        return PLAIN_FILL if score is None else _tint(EMOTION_COLORS[score], 0.35)

    # -- labels ----------------------------------------------------------------

    def _touchpoint_label(self, tp: Touchpoint, channel: Channel | None, here: tuple[str, ...]) -> Html:
        """Name, emotion stripe, channel, personas, metrics, then pain points
        worst first: what a client reads first comes first."""
        rows = [f"<B>{_html_lines(tp.name, NAME_WIDTH)}</B>"]
        if self.jm.depth_of(tp.id) == 2:
            rows[0] = "↳ " + rows[0]  # a step of a step, in its ancestor's column
        if channel is not None:
            kind = self.t["online" if channel.online else "offline"]
            rows.append(_small(_html_text(f"{channel.name} · {kind}"), MUTED))
        per_persona = self._per_persona_scores(tp, here)
        if not per_persona and self.persona is None and len(self.jm.personas) > 1 and here:
            rows.append(f'<FONT POINT-SIZE="10">{"".join(self._dot(pid) for pid in here)}</FONT>')
        if tp.metrics:
            metrics = '<BR ALIGN="LEFT"/>'.join(_html_lines(self._metric_text(m), TEXT_WIDTH) for m in tp.metrics)
            rows.append(_small(Html(metrics), MUTED))
        cells = [f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows]
        score = self._emotion(tp)
        if score is not None:
            cells.insert(1, self._emotion_stripe(score, per_persona))
        for pp in sorted(tp.pain_points, key=lambda p: p.severity_rank):
            color = SEVERITY_COLORS[pp.severity]
            text = _html_lines(f"⚠ {pp.name} ({self.t['severity.' + pp.severity]})", TEXT_WIDTH)
            if pp.severity in SERIOUS_SEVERITIES:
                text = Html(f"<B>{text}</B>")
            cell = f'<TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{color}">{_small(text, _text_on(color))}</TD>'
            cells.append(f"<TR>{cell}</TR>")
        return Html('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="2">' + "".join(cells) + "</TABLE>")

    def _per_persona_scores(self, tp: Touchpoint, here: tuple[str, ...]) -> list[tuple[str, int]]:
        """(persona, score) pairs when the full view has one score per persona."""
        if self.persona is not None or tp.emotion is None or tp.emotion.everyone is not None:
            return []
        return [(pid, tp.emotion.per_persona[pid]) for pid in here if pid in tp.emotion.per_persona]

    def _dot(self, persona_id: str) -> str:
        return f'<FONT COLOR="{self.colors[persona_id]}">●</FONT>'

    def _emotion_stripe(self, score: int, per_persona: list[tuple[str, int]]) -> str:
        """The score on its colour across the node, with a face and a sign so it
        still reads in grey; per-persona scores each next to the persona's dot."""
        color = EMOTION_COLORS[score]
        if per_persona:
            text = "  ".join(f"{self._dot(pid)} {EMOTION_FACES[s]} {emotion_sign(s)}" for pid, s in per_persona)
        else:
            text = f"{EMOTION_FACES[score]} {emotion_sign(score)} · {_html_text(self.t[f'emotion.{score}'])}"
        return f'<TR><TD ALIGN="LEFT" BGCOLOR="{color}">{_small(Html(text), _text_on(color))}</TD></TR>'

    def _metric_text(self, metric: Metric) -> str:
        unit = f" {metric.unit}" if metric.unit else ""
        text = f"{metric.name}: {metric.value.text}{unit}"
        if metric.target is not None:
            text += f" ({self.t['target'].lower()} {metric.target.text}{unit})"
        return text

    def _stage_label(self, stage: Stage) -> Html:
        parts = [f'<B><FONT POINT-SIZE="13">{_html_lines(stage.name, NAME_WIDTH)}</FONT></B>']
        detail: list[str] = []
        if stage.goal:
            detail.append(f"{self.t['goal']}: {stage.goal}")
        duration = self.jm.stage_duration(stage)
        if duration is not None:
            detail.append(f"{self.t['duration']}: {duration.text}")
        detail.extend(self._metric_text(m) for m in stage.metrics)
        parts.extend(_small(_html_lines(line, TEXT_WIDTH), MUTED) for line in detail)
        cells = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{p}</TD></TR>' for p in parts)
        return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>')

    def _title_and_legend(self) -> Html:
        """Title, description and legend above the journey, in the graph label."""
        jm, t = self.jm, self.t
        title = jm.title
        if self.persona is not None:
            title = f"{title} — {t['journey']}{t['colon']} {jm.persona(self.persona).name}"
        rows = [f'<B><FONT POINT-SIZE="20">{_html_lines(title, TITLE_WIDTH)}</FONT></B>']
        if jm.description:
            rows.append(f'<FONT POINT-SIZE="11" COLOR="{MUTED}">{_html_lines(jm.description, TITLE_WIDTH + 30)}</FONT>')
        rows.append(self._legend())
        cells = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows)
        return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">{cells}</TABLE>')

    def _heading(self, key: str) -> str:
        return f'<TD ALIGN="LEFT">{_small(Html("<B>" + _html_text(self.t[key]) + "</B>"), MUTED)}</TD>'

    def _legend(self) -> str:
        t = self.t

        def sample(text: str, fill: str = "#ffffff", border: int = 0, style: str = "") -> str:
            style_attr = f' STYLE="{style}"' if style else ""
            return (
                f'<TD BGCOLOR="{fill}" BORDER="{border}" COLOR="{NODE_BORDER}"{style_attr}>'
                f"{_small(Html(text), _text_on(fill))}</TD>"
            )

        gap = '<TD WIDTH="14"></TD>'
        cells = [self._heading("emotion")]
        cells += [sample(f"{EMOTION_FACES[s]} {emotion_sign(s)}", EMOTION_COLORS[s]) for s in sorted(EMOTION_COLORS)]
        cells += [gap, self._heading("channels")]
        cells += [sample(_html_text(t["online"]), border=1), sample(_html_text(t["offline"]), border=1, style="dashed")]
        cells += [gap, self._heading("pain_points")]
        cells += [sample("⚠ " + _html_text(t["severity." + sev]), color) for sev, color in SEVERITY_COLORS.items()]
        if self.persona is None and len(self.jm.personas) > 1:
            cells += [gap, sample(_html_text(t["key_touchpoint"]), border=3)]
        cells += [gap, sample("◉ " + _html_text(t["flow_ends"]))]
        rows = [f"<TR>{''.join(cells)}</TR>"]
        if self.jm.personas:
            shown = [p for p in self.jm.personas if self.persona is None or p.id == self.persona]
            named = [f"{self._dot(p.id)} {_html_text(p.name)}" for p in shown]
            # Five to a line, so a workshop's dozen personas do not widen the page.
            chips = '<BR ALIGN="LEFT"/>'.join("   ".join(named[i : i + 5]) for i in range(0, len(named), 5))
            chips_cell = f'<TD COLSPAN="{len(cells) - 1}" ALIGN="LEFT">{_small(Html(chips))}</TD>'
            rows.append(f"<TR>{self._heading('personas')}{chips_cell}</TR>")
        return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="3">{"".join(rows)}</TABLE>'

    # -- edges -----------------------------------------------------------------

    def _edges(self) -> None:
        flow = set(self.jm.flow_edges())
        for source, target, personas in self.drawing.edges:
            tail, head = self.anchor_out[source], self.anchor_in[target]
            attrs: dict[str, str | int | float] = {}
            frame = self.cluster_of.get(source)
            if frame is not None:
                if head in self.members[frame]:
                    tail = self.drawing.ids[source]  # into its own steps: from the touchpoint itself
                else:
                    attrs["ltail"] = frame
            if personas:
                attrs["color"] = ":".join(self.colors[p] for p in personas)
                attrs["penwidth"] = 1.8
            else:
                attrs["penwidth"] = 1.2
            if (source, target) not in flow:
                attrs["style"] = "dashed"  # a persona skipping the touchpoints in between
            if self._is_back(source, target):
                attrs["constraint"] = "false"
            elif tail in self.stage_level and head in self.stage_level:
                attrs["weight"] = 4  # keep the journey's line straight through the stages
            self._edge(tail, head, attrs, 1)

    def _stage_order(self, stage_roots: list[list[str]]) -> None:
        """Invisible gates that keep the stages side by side, left to right.

        Between two stages sits an invisible point: the touchpoints and end
        markers of the first stage rank before it, those of the next after it.
        Without it a branch that jumps ahead (a product page straight to the
        checkout) lets dot put two stages in the same ranks and stack them.
        Only nodes that nothing else already orders get a gate edge (a stage's
        last touchpoint, its exits), which keeps large maps fast; gate edges
        weigh as little as any edge (a weight of 0 slows dot's
        positioning tenfold on large maps). A touchpoint nothing
        flows into is tied to its predecessor instead of drifting to the far left.
        """
        for roots in stage_roots:
            for previous, root in itertools.pairwise(roots):
                if root not in self.has_incoming:
                    self._edge(self.anchor_out[previous], self.anchor_in[root], {"style": "invis"}, 1)
        gate_edge = {"style": "invis"}
        for n in range(1, len(stage_roots)):
            before = self.members[self.stage_clusters[n - 1]]
            after = self.members[self.stage_clusters[n]]
            last = [
                node
                for node in before
                if (node in self.stage_level or not node.startswith("tp_"))
                and not any(head in before for head in self.heads.get(node, ()))
            ]
            first = [
                self.anchor_in[root]
                for root in stage_roots[n]
                if not any(tail in after for tail in self.tails.get(self.anchor_in[root], ()))
            ]
            gate = f"gate_{n}"
            self.emit(_quote(gate) + " " + _attrs({"shape": "point", "style": "invis", "width": 0}) + ";", 1)
            for node in last:
                self._edge(node, gate, gate_edge, 1)
            for node in first:
                self._edge(gate, node, gate_edge, 1)


def render_dot(jm: JourneyMap, persona: str | None = None) -> str:
    """The diagram of ``jm`` (or of one persona's journey) as DOT source text."""
    return _DotWriter(jm, persona).write()

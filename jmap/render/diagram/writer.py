"""The last layer of the diagram: the DOT text.

A pure function of the model: no Graphviz import, no process, no clock, so
the output can be compared byte for byte in tests and committed renders diff
cleanly. Running ``dot`` on the text is jmap.render.graphviz's job.

Layout, left to right: one cluster per stage, touchpoints in flow order,
sub-touchpoints stacked in the same column under their parent, back edges
(loops) excluded from ranking so a loop cannot fold the journey back on
itself. Rows (see rows.py) are laid out apart and stacked. The legend lives
in the graph label, above the drawing, so it never competes with the
journey for a place in the layout.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from jmap.model import JourneyMap, Touchpoint
from jmap.render.diagram.labels import Labels
from jmap.render.diagram.markup import (
    EDGE_GREY,
    FONT,
    NODE_BORDER,
    PLAIN_FILL,
    STAGE_BORDER,
    STAGE_FILL,
    Attrs,
    Html,
    dot_attrs,
    html_text,
    quote,
    tint,
)
from jmap.render.diagram.scene import Part
from jmap.render.style import EMOTION_COLORS, INK


class DotWriter(Labels):
    """Writes the labelled rows as one DOT graph."""

    def __init__(self, jm: JourneyMap, persona: str | None, review: bool = False) -> None:
        super().__init__(jm, persona, review)
        self.lines: list[str] = []
        self.end_count = 0
        self.gates = 0
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

    def emit(self, line: str, depth: int) -> None:
        self.lines.append("  " * depth + line)

    def write(self) -> str:
        self.emit("digraph journey {", 0)
        self._graph_defaults()
        stage_roots: dict[Part, list[str]] = {}
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
        graph: Attrs = {
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
        self.emit("graph " + dot_attrs(graph) + ";", 1)
        node: Attrs = {
            "fontname": FONT,
            "fontsize": 11,
            "fontcolor": INK,
            "shape": "box",
            "margin": "0.1,0.05",
        }
        self.emit("node " + dot_attrs(node) + ";", 1)
        edge: Attrs = {"fontname": FONT, "fontsize": 9, "color": EDGE_GREY, "arrowsize": 0.7}
        self.emit("edge " + dot_attrs(edge) + ";", 1)

    # -- stages and touchpoints -------------------------------------------------

    def _stage(self, part: Part, depth: int) -> list[str]:
        """One stage cluster (or the part of a stage one row holds); returns
        the touchpoint ids at its top level, in document order."""
        index = part.stage
        stage_cluster = part.cluster
        self.emit(f"subgraph {quote(stage_cluster)} {{", depth)
        self.open_clusters.append(stage_cluster)
        self.members[stage_cluster] = {}
        cluster: Attrs = {
            "label": self._stage_label(part),
            "style": "rounded,filled",
            "fillcolor": STAGE_FILL,
            "color": STAGE_BORDER,
            "penwidth": 1.2,
            "margin": 12,
            "fontsize": 12,
        }
        self.emit("graph " + dot_attrs(cluster) + ";", depth + 1)
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

    def _stage_connectors(self, part: Part, depth: int) -> None:
        """The lettered connectors of the arrows that leave or enter this
        stage's row here: they sit in the stage, next to the touchpoint."""
        look: Attrs = {
            "shape": "circle",
            "width": 0.28,
            "fixedsize": "true",
            "fontsize": 10,
            "style": "filled,bold",
            "fillcolor": "#ffffff",
            "color": NODE_BORDER,
        }
        for letter, node_id in self.links_of_part.get(part, ()):
            self._node(node_id, depth, {**look, "label": Html(f"<B>{html_text(letter)}</B>")})

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
        self.emit(f"subgraph {quote(cluster)} {{", depth)
        self.open_clusters.append(cluster)
        self.members[cluster] = {}
        frame: Attrs = {
            "label": "",
            "style": "rounded,filled",
            "fillcolor": "#ffffff",
            "color": STAGE_BORDER,
            "margin": 6,
        }
        self.emit("graph " + dot_attrs(frame) + ";", depth + 1)
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
        self.emit("{rank=same; " + " ".join(quote(n) + ";" for n in column) + "}", depth + 1)
        step_edge: Attrs = {
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
        self.emit(f"{quote(tail)} -> {quote(head)} " + dot_attrs(attrs) + ";", depth)

    def _node(self, node_id: str, depth: int, attrs: Mapping[str, str | int | float]) -> None:
        for cluster in self.open_clusters:
            self.members[cluster][node_id] = None
        self.emit(quote(node_id) + " " + dot_attrs(attrs) + ";", depth)

    def _touchpoint_look(self, tp: Touchpoint, step: bool = False) -> Attrs:
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
            fill = tint(EMOTION_COLORS[scores[0][1]], 0.3)
        look: Attrs = {
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
        marker: Attrs = {
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

    # -- edges -----------------------------------------------------------------

    def _edge_look(self, personas: tuple[str, ...], skipped: bool) -> Attrs:
        attrs: Attrs = {}
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
            attrs: Attrs = {}
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
            self.emit(quote(gate) + " " + dot_attrs({"shape": "point", "style": "invis", "width": 0}) + ";", 1)
            for node in last:
                self._edge(node, gate, gate_edge, 1)
            for node in first:
                self._edge(gate, node, gate_edge, 1)

    def _row_start(self, number: int, cluster: str) -> None:
        """An invisible start point before a row's first touchpoints, so that
        everything in the row hangs together: dot packs each connected part
        as a block, and a row must be one block."""
        start = f"row_{number}"
        self.emit(quote(start) + " " + dot_attrs({"shape": "point", "style": "invis", "width": 0}) + ";", 1)
        members = self.members[cluster]
        for node in members:
            if (node in self.stage_level or node.startswith("link_")) and not any(
                tail in members for tail in self.tails.get(node, ())
            ):
                self._edge(start, node, {"style": "invis"}, 1)


def render_dot(jm: JourneyMap, persona: str | None = None, *, review: bool = False) -> str:
    """The diagram of ``jm`` (or of one persona's journey) as DOT source text;
    ``review`` adds the review flags (unaddressed pain points, missing owners)."""
    return DotWriter(jm, persona, review).write()

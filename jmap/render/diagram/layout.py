"""What jmap changes in Graphviz's output, once for every format.

``dot -Tdot`` lays the graph out; ``align_laid_out`` raises the stage boxes
of each row to the row's top (dot centres each stage on its arrows, so the
boxes of a row come out staggered); ``neato -n2`` then draws the adjusted
layout to SVG, PNG or PDF alike, keeping every position and spline
(jmap.render.graphviz.draw_laid_out).

One step is SVG's alone: its faces are drawn as shapes (``finish_svg``), so
the file looks the same on every machine whatever its fonts. PNG and PDF are
pictures already, drawn with DejaVu Sans's face glyphs (see
jmap.render.view.FACES).
"""

from __future__ import annotations

import re

from jmap.render.view import FACES, face_svg

_FACE_SCORE = {face: score for score, face in FACES.items()}
#: A face glyph alone in its own ``<text>`` at 12 pt, not bold: how the
#: diagram writes faces (markup.face_html) and no user text (no other text
#: is 12 pt). Attributes in Graphviz's order.
_FACE_TEXT = re.compile(
    r'<text text-anchor="start" x="([-0-9.]+)" y="([-0-9.]+)" font-family="[^"]*" font-size="(12\.00)"'
    r'(?: fill="(#[0-9a-f]{6})")?>(' + "|".join(FACES.values()) + r")</text>"
)


def finish_svg(svg: bytes) -> bytes:
    """The faces of an SVG drawn from the diagram's DOT, as shapes instead of
    glyphs, in the text's colour and at the text's size. Only the face
    characters of ``FACES``, each alone in its own ``<text>`` at 12 pt and
    not bold, are replaced, so no user text is touched."""

    def shape(match: re.Match[str]) -> str:
        x, y, size = float(match.group(1)), float(match.group(2)), float(match.group(3))
        r = size * 0.42
        cx, cy = x + r + size * 0.06, y - size * 0.36
        return face_svg(_FACE_SCORE[match.group(5)], cx, cy, r, match.group(4) or "#000000")

    return _FACE_TEXT.sub(shape, svg.decode("utf-8")).encode("utf-8")


_LAID_OUT_STAGE = re.compile(
    r'(\tsubgraph "?cluster_stage_[0-9a-z_]+"? \{\n\t\tgraph \[bb=")([-0-9.]+),([-0-9.]+),([-0-9.]+),([-0-9.]+)(")'
    r'((?:,\n\t\t\t[^\n]*?)*?,\n\t\t\tlp=")([-0-9.]+),([-0-9.]+)(")'
)


#: Every position in dot's layout: a node's or label's point, an edge's
#: spline (``e,x,y s,x,y x,y …``), a cluster's box (``x1,y1,x2,y2``).
_POSITION = re.compile(r'(\b(?:pos|lp|xlp|head_lp|tail_lp|bb)=")([^"]*)(")')
_POINT = re.compile(r"(-?[0-9.]+),(-?[0-9.]+)")
_LABEL_BOX = re.compile(r'lp="(-?[0-9.]+),-?[0-9.]+",\n\t\tlwidth=([0-9.]+),')
_ROOT_GRAPH = re.compile(r"^\tgraph \[.*?\];\n", re.MULTILINE | re.DOTALL)


def align_laid_out(laid_out: bytes) -> bytes:
    """The graph as laid out by ``dot -Tdot``, its rows aligned: each stage
    box's top (``bb``, y upwards) and its label's position (``lp``) raised to
    the row's highest top, and each row moved left to the diagram's left
    edge (dot's packing centres the rows). Rows never overlap (each is laid
    out apart and stacked), so a row is a set of stage boxes whose heights
    overlap; everything of a row moves with it, the title and legend stay."""
    text = laid_out.decode("utf-8").replace("\\\n", "")
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
    lefts = [min(float(boxes[n].group(2)) for n in members) for _bottom, _top, members in rows]
    # The rows line up with the title and legend (a label is centred on lp,
    # lwidth inches wide), or with the leftmost row.
    root = _ROOT_GRAPH.search(text)
    title = _LABEL_BOX.search(root.group(0)) if root else None
    left = min(lefts)
    if title is not None:
        left = max(0.0, min(left, float(title.group(1)) - float(title.group(2)) * 36))
    shifts = [(bottom, top, left - row_left) for (bottom, top, _members), row_left in zip(rows, lefts, strict=True)]
    out, last = [], 0
    for n, m in enumerate(boxes):
        out.append(text[last : m.start()])
        delta = lift[n]
        if delta > 0.005:
            raised, label = _number(float(m.group(5)) + delta), _number(float(m.group(9)) + delta)
            out.append(f"{m.group(1)}{m.group(2)},{m.group(3)},{m.group(4)},{raised}{m.group(6)}{m.group(7)}")
            out.append(f"{m.group(8)},{label}{m.group(10)}")
        else:
            out.append(m.group(0))
        last = m.end()
    out.append(text[last:])
    return _moved_left("".join(out), shifts).encode("utf-8")


def _moved_left(text: str, rows: list[tuple[float, float, float]]) -> str:
    """``text`` with every position of each row (bottom, top, shift) moved
    across by the row's shift; the root graph's own box and label stay."""
    if all(abs(shift) < 0.005 for _bottom, _top, shift in rows):
        return text

    def shift_of(y: float) -> float:
        # The row nearest to y: a row's invisible start point or an end
        # marker may stand just outside its stage boxes.
        return min(rows, key=lambda row: max(row[0] - y, y - row[1], 0.0))[2]

    def moved(match: re.Match[str]) -> str:
        numbers = _POINT.findall(match.group(2))
        if not numbers:
            return match.group(0)
        ys = [float(y) for _x, y in numbers]
        shift = shift_of((min(ys) + max(ys)) / 2)
        if abs(shift) < 0.005:
            return match.group(0)
        value = _POINT.sub(lambda p: f"{_number(float(p.group(1)) + shift)},{p.group(2)}", match.group(2))
        return match.group(1) + value + match.group(3)

    root = _ROOT_GRAPH.search(text)
    start = root.end() if root else 0
    return text[:start] + _POSITION.sub(moved, text[start:])


def _number(value: float) -> str:
    """A coordinate written the way dot writes them (at most two decimals)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")

"""Numbers the page's SVG is drawn with: coordinates written the same way on
every machine, persona markers and the emotion curve's scale. Faces and
persona colours come from jmap.render.view, the same for every output."""

from __future__ import annotations

from jmap.model import EMOTION_MAX, EMOTION_MIN

#: Geometry of the emotion curve: total height and the margin above +2 and below -2.
CURVE_HEIGHT = 150
CURVE_MARGIN = 20
MARKER_SIZE = 4.5
FACE_RADIUS = 8


#: Marker shapes and dash patterns, one per persona in map order, so that the
#: curves stay distinguishable in black-and-white print and for colour-blind readers.
MARKER_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "plus")
DASH_PATTERNS = ("", "7 4", "2 4", "10 4 2 4", "4 4", "12 3")


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


def _curve_y(score: float) -> float:
    step = (CURVE_HEIGHT - 2 * CURVE_MARGIN) / (EMOTION_MAX - EMOTION_MIN)
    return CURVE_MARGIN + (EMOTION_MAX - score) * step

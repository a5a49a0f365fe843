"""Numbers the page's SVG is drawn with: coordinates written the same way on
every machine, persona markers, drawn faces, the emotion curve's scale, and
colours made readable on the curve's bands."""

from __future__ import annotations

from jmap.model import EMOTION_MAX, EMOTION_MIN

#: Geometry of the emotion curve: total height and the margin above +2 and below -2.
CURVE_HEIGHT = 150
CURVE_MARGIN = 20
MARKER_SIZE = 4.5
FACE_RADIUS = 8
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

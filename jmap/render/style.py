"""Visual vocabulary shared by the renderers: emotion colours and faces,
severity colours. One place, so the diagram, the page and the summary agree.

Colours are chosen to stay distinguishable for the common colour-vision
deficiencies, and every colour has a non-colour twin (a face and a sign) for
black-and-white printing and screen readers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from jmap.format.table import COLOR_PATTERN

if TYPE_CHECKING:
    from collections.abc import Sequence

    from jmap.model import Persona

#: The colour of text and outlines.
INK = "#2b2d42"

#: Emotion score → fill colour, red (-2) to green (+2).
EMOTION_COLORS: dict[int, str] = {
    -2: "#d7263d",
    -1: "#f29e4c",
    0: "#e9e5d6",
    1: "#a7d49b",
    2: "#2e9e5b",
}

#: Emotion score → face, readable without colour.
EMOTION_FACES: dict[int, str] = {
    -2: "😠",
    -1: "🙁",
    0: "😐",
    1: "🙂",
    2: "😄",
}

SEVERITY_COLORS: dict[str, str] = {
    "low": "#8d99ae",
    "medium": "#f4a259",
    "high": "#e4572e",
    "critical": "#a4161a",
}

_HEX_COLOR = re.compile(COLOR_PATTERN)

NEUTRAL_PERSONA_COLORS = ("#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6d597a", "#355070", "#b56576")


def emotion_sign(score: int) -> str:
    """``+2``, ``+1``, ``0``, ``-1``, ``-2``: the score with its sign, as printed."""
    return f"{score:+d}" if score else "0"


def persona_color(color: str | None, position: int) -> str:
    """The persona's own colour, else a stable one from its position in the map.

    Prefer ``persona_colors``, which also avoids the colours other personas chose.
    """
    if color:
        return color
    return NEUTRAL_PERSONA_COLORS[position % len(NEUTRAL_PERSONA_COLORS)]


def persona_colors(personas: Sequence[Persona]) -> dict[str, str]:
    """A colour per persona id: its own, else the first palette colour that no
    other persona uses, so two personas' lines are never the same colour by
    accident. Deterministic: depends only on the personas' order and colours.
    A colour that is not ``#rgb``/``#rrggbb`` (a model built by hand, bypassing
    the validator) is ignored, since colours end up in SVG and CSS attributes."""
    own = {p.id: p.color for p in personas if p.color and _HEX_COLOR.fullmatch(p.color)}
    taken = {c.lower() for c in own.values()}
    colors: dict[str, str] = {}
    free = [c for c in NEUTRAL_PERSONA_COLORS if c.lower() not in taken]
    for position, persona in enumerate(personas):
        if (color := own.get(persona.id)) is not None:
            colors[persona.id] = color
        elif free:
            colors[persona.id] = free.pop(0)
        else:
            colors[persona.id] = persona_color(None, position)
    return colors

"""Visual vocabulary shared by the renderers: emotion colours and faces,
severity colours. One place, so the diagram, the page and the summary agree.

Colours are chosen to stay distinguishable for the common colour-vision
deficiencies, and every colour has a non-colour twin (a face and a sign) for
black-and-white printing and screen readers.
"""

from __future__ import annotations

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

NEUTRAL_PERSONA_COLORS = ("#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6d597a", "#355070", "#b56576")


def emotion_sign(score: int) -> str:
    """``+2``, ``+1``, ``0``, ``-1``, ``-2``: the score with its sign, as printed."""
    return f"{score:+d}" if score else "0"


def persona_color(color: str | None, position: int) -> str:
    """The persona's own colour, else a stable one from its position in the map."""
    if color:
        return color
    return NEUTRAL_PERSONA_COLORS[position % len(NEUTRAL_PERSONA_COLORS)]

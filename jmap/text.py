"""Text for a terminal: user text made harmless, counts made into words.

Every message that can carry text from a map (a title, a file name, an id)
passes through :func:`printable` before it is printed, so a hostile file
cannot drive the user's terminal with escape sequences or reorder a line
with bidi overrides.
"""

from __future__ import annotations

import re

# C0/C1 controls, DEL, bidi overrides and the like: never echo them raw, a
# hostile file must not be able to drive the user's terminal.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


# What HTML may not hold as text: C0 controls but tab and line ends, DEL, C1.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _shown(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x07``)."""
    return UNPRINTABLE.sub(_shown, text)


def without_controls(text: str) -> str:
    """``text`` with the control characters that markup may not hold shown as
    escapes, as ``printable`` shows them; line breaks, tabs and the invisible
    characters that scripts and emoji need (joiners, direction marks) are kept."""
    return _CONTROLS.sub(_shown, text)


def plural(count: int, word: str) -> str:
    """``plural(1, "map")`` → ``1 map``; ``plural(2, "map")`` → ``2 maps``."""
    return f"{count} {word}{'' if count == 1 else 's'}"

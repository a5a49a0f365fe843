"""Text made safe for DOT, wrapped for a card: the only place where text
becomes DOT source.

Safety rests on one rule: user text only ever reaches the DOT source through
``html_text`` (inside an HTML-like label), and everything else the writer
emits (ids, attribute values) goes through ``quote``. Node ids are generated
from the map's ids, which the validator already restricts to slugs, and are
sanitized again here so that a hostile string can never become an id, a port
(``a:b``), an attribute or a new statement.

Every text is cut at DIAGRAM_TEXT_LIMIT characters before it is measured,
wrapped or drawn: a valid map's longest free text (a 1 MB goal, a 16 MiB
description) costs the diagram no more than a paragraph. The page and the
summary keep the full text.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

from jmap.render.style import INK
from jmap.render.view import FACES

FONT = "DejaVu Sans"
MUTED = "#5c6378"
EDGE_GREY = "#8d93a5"
STAGE_FILL = "#f5f6fa"
STAGE_BORDER = "#c5cadb"
NODE_BORDER = "#3d405b"
PLAIN_FILL = "#ffffff"
#: The bar of a touchpoint's time; a long wait's bar is INK.
TIME_BAR = "#a3a9bb"

#: Characters per line of a wrapped label: wide enough for a short sentence,
#: narrow enough that a stage of several touchpoints fits on a slide.
NAME_WIDTH = 26
TEXT_WIDTH = 32
#: The smallest text (details, badges, the legend), in points: 12 px on a
#: 1920×1080 slide when the drawing is shown at 9/10 of its size or more.
SMALL_SIZE = 10
#: A face's size: one no other text has, so that the SVG's faces are found
#: by it (see layout.finish_svg).
FACE_SIZE = 12
#: A stage box is as wide as its cards: its details may use the room, and
#: take at least this many characters a line.
STAGE_TEXT_WIDTH = 46
#: Steps are smaller cards under their touchpoint, narrower than it.
STEP_WIDTH = 22
TITLE_WIDTH = 90

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

    Only the builders below create it, from constants and from ``html_text``
    output, so an attribute holding an ``Html`` is safe to emit between ``<>``.
    """


def quote(value: str) -> str:
    """A DOT double-quoted string. Used for generated ids and fixed attribute
    values only; backslashes are doubled too so that no escape sequence of
    Graphviz (``\\N``, ``\\l``) can appear even if a caller slips up."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def clean(text: str) -> str:
    """Remove what must never reach the SVG: controls and XML-invalid code points
    become U+FFFD, so their presence stays visible without breaking the file."""
    return _CONTROL.sub("\ufffd", text.replace("\t", " "))


def cut(text: str, limit: int = DIAGRAM_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def html_text(text: str) -> Html:
    """Escape one line of user text for an HTML-like label.

    ``& < > " '`` become entities, so nothing can open a tag or close the label.
    Graphviz still expands ``\\N``, ``\\G``, ``\\E``… inside HTML labels and
    turns ``\\\\`` into one backslash, so every backslash is doubled: the user's
    text then comes out verbatim. ``]`` becomes an entity too: Graphviz 2.43's
    parser fails on a text that is only ``]`` or ``]]``. The text is cut at
    DIAGRAM_TEXT_LIMIT characters.
    """
    text = cut(clean(text)).replace("\n", " ").replace("\r", " ")
    return Html(
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
        .replace("]", "&#93;")
        .replace("\\", "\\\\")
    )


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, keeping the author's line breaks
    and cutting words longer than a line (a URL must not widen the node).

    The text is cut at DIAGRAM_TEXT_LIMIT characters first: whatever its
    length, a wrap costs a bounded time (textwrap's handling of one long word
    is quadratic in it), and the diagram never draws more. Words are split at
    spaces only: french_spacing's no-break spaces hold.
    """
    lines: list[str] = []
    for paragraph in cut(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = " ".join(word for word in paragraph.replace("\t", " ").split(" ") if word)
        if not words:
            if lines:
                lines.append("")
            continue
        lines.extend(textwrap.wrap(words, width, break_on_hyphens=False, expand_tabs=False, replace_whitespace=False))
    while lines and not lines[-1]:
        lines.pop()
    return lines or [""]


def html_lines(text: str, width: int, align: str = "LEFT") -> Html:
    """Wrapped, escaped text with explicit breaks, ready for a table cell."""
    brk = f'<BR ALIGN="{align}"/>'
    return Html(brk.join(html_text(line) for line in wrap(text, width)) + brk)


def small(html: str, color: str = INK) -> Html:
    return Html(f'<FONT POINT-SIZE="{SMALL_SIZE}" COLOR="{color}">{html}</FONT>')


def sanitize_id(raw: str) -> str:
    """A DOT-safe id for a map id: slug characters only, at most MAX_NODE_ID
    long (a long id keeps its start, plus a hash of the whole to stay apart)."""
    safe = _UNSAFE_ID.sub("_", raw.lower()) or "x"
    if len(safe) <= MAX_NODE_ID:
        return safe
    import hashlib  # only for ids this long: its import costs a small map's render 3 ms

    return safe[: MAX_NODE_ID - 17] + "_" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


#: DOT attributes of one statement, in the order written.
Attrs = dict[str, str | int | float]


def dot_attrs(attrs: Mapping[str, str | int | float]) -> str:
    """``[k=v, …]`` in insertion order; Html values go between ``<>``, others quoted."""
    parts = []
    for key, value in attrs.items():
        if isinstance(value, Html):
            parts.append(f"{key}=<{value}>")
        elif isinstance(value, int | float):
            parts.append(f"{key}={dot_number(value)}")
        else:
            parts.append(f"{key}={quote(value)}")
    return "[" + ", ".join(parts) + "]"


def dot_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


# -- colours --------------------------------------------------------------------


def tint(color: str, amount: float) -> str:
    """``color`` mixed with white: light fills keep dark text readable."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * (1 - amount)) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def letter_name(number: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``: the names of the row connectors."""
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def face_html(score: int, color: str) -> Html:
    """A face alone in its own font span, so dot writes it as its own ``<text>``."""
    return Html(f'<FONT POINT-SIZE="{FACE_SIZE}" COLOR="{color}">{FACES[score]}</FONT>')

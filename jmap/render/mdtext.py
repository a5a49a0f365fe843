"""The one place where user text becomes GitHub-flavored Markdown.

A journey map is written by many hands and pasted from many places, so any
name may hold ``|``, a line break, ``<script>``, ``[x](javascript:…)``,
``*`` or a backtick. Summaries are read in pull requests and wikis, where such
text must show as typed: never as markup, a link, an HTML element, or a broken
table. Every writer of Markdown (the summary, `jmap diff --format md`) goes
through :func:`inline`; the summary's
own markup (headings, bold labels, tables) is written by the renderer around
already-escaped text.

Rules (also in docs/markdown.md):

- ``<`` and ``>`` become ``&lt;`` and ``&gt;``, so no HTML element,
  comment or autolink can be written through a map; ``&`` becomes ``&amp;``
  where it could start an entity (``&lt;`` typed by the user shows as typed)
  and stays readable elsewhere (``R&D``, ``CX & Conversion``);
- ``@`` becomes ``&#64;``, so ``@team`` cannot notify anyone on GitHub or
  GitLab when a summary or a diff is posted;
- every character that makes emphasis, code, links, images, headings,
  strikethrough or table cells (``\\ ` * _ [ ] # | ~``) gets a backslash,
  which GFM also honours inside table cells (``\\|``); with ``[`` escaped,
  ``[x](javascript:…)`` and ``![x](y)`` are plain text;
- a line-start construct (``- ``, ``+ ``, ``=``, ``1. ``, ``1) ``) is escaped
  at the start of the text, since the text may start a list item or a line;
- line breaks join the lines with `` / `` and other control characters
  become spaces, so a value never leaves its paragraph or table row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u0085\u2028\u2029\x0b\x0c]")
_SPACES = re.compile(r"[ \t]+")
#: ``@`` becomes an entity so that ``@team`` in a map cannot mention (and
#: notify) anyone where the Markdown is posted (a pull request, an issue).
_ENTITIES = {"<": "&lt;", ">": "&gt;", "@": "&#64;"}
#: What follows ``&`` in an entity reference (``&lt;``, ``&#60;``, ``&#x3C;``).
_ENTITY_REST = re.compile(r"[A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;")
_BACKSLASHED = frozenset("\\`*_[]#|~")
#: At the start of a line these would make a list item, a thematic break, a
#: setext underline or an ordered list; escaping the punctuation keeps them text.
_LINE_START = re.compile(r"^(?:[-+=](?=\s|$|[-+=])|\d{1,9}(?=[.)](?:\s|$)))")


def one_line(text: str) -> str:
    """Text on one line: lines joined by `` / ``, blank lines and control
    characters dropped, runs of spaces collapsed. No escaping."""
    lines = []
    for line in _LINE_BREAKS.split(text):
        cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in line)
        cleaned = _SPACES.sub(" ", cleaned).strip()
        if cleaned:
            lines.append(cleaned)
    return " / ".join(lines)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word when possible, with ``…``.

    Works on raw text, before escaping, so a cut never splits an entity or a
    backslash escape.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" /") + "…"


def inline(text: str) -> str:
    """User text as inline Markdown that renders exactly as typed."""
    flat = one_line(text)
    out: list[str] = []
    for position, ch in enumerate(flat):
        if ch == "&":
            out.append("&amp;" if _ENTITY_REST.match(flat, position + 1) else "&")
        elif ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _BACKSLASHED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    escaped = "".join(out)
    match = _LINE_START.match(escaped)
    if match:
        if match.group(0)[0].isdigit():
            end = match.end()
            escaped = escaped[:end] + "\\" + escaped[end:]
        else:
            escaped = "\\" + escaped
    return escaped


def inline_list(items: Iterable[str], separator: str = " / ") -> str:
    """Several values in one cell or line, each escaped."""
    return separator.join(inline(item) for item in items if one_line(item))


def table_row(cells: Sequence[str]) -> str:
    """One table row of already-escaped cells.

    An empty cell gets a single space so the row keeps its column count in
    every parser.
    """
    return "| " + " | ".join(cell if cell.strip() else " " for cell in cells) + " |"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None) -> list[str]:
    """A GFM pipe table as lines: header, delimiter row, body rows.

    ``align`` holds ``left``, ``right`` or ``center`` per column. Every row
    must have as many cells as the header: a short row is a renderer bug, and
    Markdown linters (MD056) reject it, so it raises instead of rendering.
    """
    width = len(header)
    delimiters = []
    for position in range(width):
        kind = align[position] if align else "left"
        delimiters.append({"left": "---", "right": "---:", "center": ":---:"}[kind])
    lines = [table_row(header), table_row(delimiters)]
    for row in rows:
        if len(row) != width:
            raise ValueError(f"table row has {len(row)} cells, header has {width}")
        lines.append(table_row(row))
    return lines

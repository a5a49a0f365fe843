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
- every character that makes emphasis, code, links, images, headings,
  strikethrough or table cells (``\\ ` * _ [ ] # | ~``) gets a backslash,
  which GFM also honours inside table cells (``\\|``); with ``[`` escaped,
  ``[x](javascript:…)`` and ``![x](y)`` are plain text;
- a line-start construct (``- ``, ``+ ``, ``=``, ``1. ``, ``1) ``) is escaped
  at the start of the text, since the text may start a list item or a line;
- line breaks join the lines with `` / `` in a name (:func:`inline`) and
  become ``<br>`` in a table cell (:func:`cell`), the one HTML element jmap
  writes itself (user text ``<br>`` is ``&lt;br&gt;``); blank lines start a
  new paragraph (:func:`paragraphs`); other control characters become
  spaces, so a value never leaves its paragraph or table row;
- GitHub turns ``@name`` into a mention (a notification), ``#123`` into an
  issue link (``GH-123`` too) and a bare ``https://…`` or ``www.…`` into a
  link; an invisible WORD JOINER (``&#8288;``) after ``@``, after ``#`` or
  ``GH`` before a number, after the ``:`` of ``://`` and after ``www`` keeps
  them plain text that reads the same. (An entity such as ``&#64;`` would
  not: GitHub finds mentions in the rendered text, where it is ``@`` again.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_LINE_BREAKS = re.compile("[\r\n\u0085\u2028\u2029\x0b\x0c]")
#: Only what must change: a tab, or a run of two spaces or more (matching
#: every single space made long texts cost one substitution per word).
_SPACES = re.compile(r"\t[ \t]*| [ \t]+")
#: ``&`` where it starts an entity reference (``&lt;``, ``&#60;``, ``&#x3C;``).
_ENTITY_START = re.compile(r"&(?=[A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")
_BACKSLASHED = re.compile(r"([\\`*_\[\]#|~])")
#: Unicode's control characters (category Cc).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
#: At the start of a line these would make a list item, a thematic break, a
#: setext underline or an ordered list; escaping the punctuation keeps them text.
_LINE_START = re.compile(r"^(?:[-+=](?=\s|$|[-+=])|\d{1,9}(?=[.)](?:\s|$)))")
#: An invisible WORD JOINER, as an entity so that it shows in the Markdown source.
WORD_JOINER = "&#8288;"
#: What GitHub links by itself in text (on escaped text: ``#`` is ``\#`` there):
#: a mention, an issue or pull-request reference, a bare URL's ``://`` or ``www.``.
#: (GitHub user and organisation names start with a letter or a digit. A word
#: joiner too many is invisible, one too few is a link: ``GH`` and ``www`` get
#: one whatever comes before them.)
_GITHUB_LINKS = re.compile(r"@(?=[A-Za-z0-9])|\\#(?=[0-9])|[Gg][Hh](?=-[0-9])|(?<=[A-Za-z0-9]):(?=//)|[Ww]{3}(?=\.)")
#: The line break jmap writes inside a table cell.
BR = "<br>"


def _clean(line: str) -> str:
    # Each pattern runs only where a fast test of the whole line says it has
    # work to do: most lines need none, and long descriptions are common.
    cleaned = line if line.isprintable() else _CONTROLS.sub(" ", line)
    if "\t" in cleaned or "  " in cleaned:
        cleaned = _SPACES.sub(" ", cleaned)
    return cleaned.strip()


def _split(text: str) -> list[str]:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _LINE_BREAKS.split(text)


def lines(text: str) -> list[str]:
    """The text's non-blank lines, control characters dropped and runs of
    spaces collapsed. No escaping."""
    return [cleaned for line in _split(text) if (cleaned := _clean(line))]


def one_line(text: str) -> str:
    """Text on one line: lines joined by `` / ``, blank lines and control
    characters dropped, runs of spaces collapsed. No escaping."""
    return " / ".join(lines(text))


def paragraphs(text: str) -> list[str]:
    """Text as Markdown paragraphs: a blank line starts a new one, a line
    break inside a paragraph stays one (``<br>``); each line escaped."""
    out: list[list[str]] = [[]]
    for line in _split(text):
        cleaned = _clean(line)
        if cleaned:
            out[-1].append(inline(cleaned))
        elif out[-1]:
            out.append([])
    return [BR.join(paragraph) for paragraph in out if paragraph]


def cell(text: str, limit: int | None = None) -> str:
    """Text for a table cell with its line breaks kept as ``<br>`` (blank
    lines dropped), at most ``limit`` characters, each line escaped."""
    kept = lines(text)
    if limit is not None:
        kept = lines(shorten("\n".join(kept), limit))
    return BR.join(inline(line) for line in kept)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word when possible, with ``…``.

    Works on raw text, before escaping, so a cut never splits an entity or a
    backslash escape.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" /\n—–-,;:") + "…"


def inline(text: str) -> str:
    """User text as inline Markdown that renders exactly as typed.

    Three passes of compiled patterns and replacements, not a loop over the
    characters: long fields (descriptions of thousands of characters) cost
    what copying them costs. The order matters: an entity's ``&`` is escaped
    first, on the text as typed; the backslashes added next, and the entities
    for ``<`` and ``>`` last, contain nothing the earlier passes look for.
    """
    escaped = _ENTITY_START.sub("&amp;", one_line(text))
    escaped = _BACKSLASHED.sub(r"\\\1", escaped)
    escaped = escaped.replace("<", "&lt;").replace(">", "&gt;")
    match = _LINE_START.match(escaped)
    if match:
        if match.group(0)[0].isdigit():
            end = match.end()
            escaped = escaped[:end] + "\\" + escaped[end:]
        else:
            escaped = "\\" + escaped
    return _GITHUB_LINKS.sub(r"\g<0>" + WORD_JOINER, escaped)


def table_row(cells: Sequence[str]) -> str:
    """One table row of already-escaped cells.

    An empty cell gets a single space so the row keeps its column count in
    every parser.
    """
    return "| " + " | ".join(cell if cell.strip() else " " for cell in cells) + " |"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None) -> list[str]:
    """A GFM pipe table as lines: header, delimiter row, body rows.

    Columns empty in every row are left out (the first column stays).
    ``align`` holds ``left``, ``right`` or ``center`` per column. Every row
    must have as many cells as the header: a short row is a renderer bug, and
    Markdown linters (MD056) reject it, so it raises instead of rendering.
    """
    width = len(header)
    body = [list(row) for row in rows]
    for row in body:
        if len(row) != width:
            raise ValueError(f"table row has {len(row)} cells, header has {width}")
    # A column empty in every row says nothing and takes room: it goes.
    # The first column names the row and always stays.
    keep = [p for p in range(width) if p == 0 or any(row[p].strip() for row in body)]
    delimiters = []
    for position in keep:
        kind = align[position] if align else "left"
        delimiters.append({"left": "---", "right": "---:", "center": ":---:"}[kind])
    out = [table_row([header[p] for p in keep]), table_row(delimiters)]
    out += [table_row([row[p] for p in keep]) for row in body]
    return out

"""A map diff written for its readers: a terminal, a pull-request comment, a tool.

The same sentence serves plain text and Markdown: only how user text, ids
and other words are wrapped differs. User text goes through the one Markdown
escaper (jmap.render.mdtext) and the one control-character escaper
(jmap.text), so a name in a diff reads as it does in the summary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

from jmap.render.mdtext import inline
from jmap.repo.diff import SECTIONS, Change, MapDiff, Value
from jmap.text import plural, printable

#: The formats of `jmap diff --format`, each with its writer (see FORMATTERS).
DIFF_FORMATS = ("text", "md", "json")


def _show(value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"+{value}" if value > 0 else str(value)
    return str(value)


def _one_line(text: str) -> str:
    """User text on one line, so a newline in a description cannot fake a record."""
    return " ".join(text.split())


#: The sentence of each kind of change. The words are filled in already
#: wrapped for the output (quoted user text, ids in code style), so the same
#: wording serves plain text and Markdown; a map's text never reaches
#: ``str.format`` as a template.
_SENTENCES: dict[str, str] = {
    "added": "added {label}{where}",
    "removed": "removed {label}{where}",
    "resolved": "resolved {label}{where}",
    "renamed": "renamed {ident}: {quoted_old} → {quoted_new}",
    "renamed-id": "renamed id {code_old} → {code_new} of {quoted_name}",
    "moved": "moved {label}: {old} → {new}",
    "reordered": "reordered {field} of {label}: {old} → {new}",
    "emotion": "emotion at {label}{who}: {old} → {new}",
    "severity": "severity of {label}: {old} → {new}",
    "status": "status of {label}: {old} → {new}",
    "metric-added": "metric {metric} added at {label}: {new}",
    "metric-removed": "metric {metric} removed at {label} (was {old})",
    "metric": "metric {metric} at {label}: {old} → {new}",
    "edge-added": "flow {ident} → {code_new} added",
    "edge-removed": "flow {ident} → {code_old} removed",
    "map-field": "{field}: {quoted_old} → {quoted_new}",
    "changed": "{field} of {label}{where}: {quoted_old} → {quoted_new}",
}


def _sentence(
    change: Change, quote: Callable[[str], str], code: Callable[[str], str], plain: Callable[[str], str]
) -> str:
    """The change as a short sentence. ``quote`` wraps user text, ``code`` ids and
    ``plain`` anything else."""
    ident = code(change.id)
    old, new = _show(change.old), _show(change.new)
    kind = change.kind
    if kind == "renamed" and change.field == "id":
        kind = "renamed-id"
    elif kind == "metric" and change.old is None:
        kind = "metric-added"
    elif kind == "metric" and change.new is None:
        kind = "metric-removed"
    elif kind not in _SENTENCES or kind == "changed":
        kind = "map-field" if change.section == "map" else "changed"
    words = {
        "ident": ident,
        "label": f"{ident} {quote(change.name)}",
        "quoted_name": quote(change.name),
        "where": f" in {plain(change.where)}" if change.where else "",
        "who": f" for {code(change.persona)}" if change.persona else "",
        "field": change.field,
        "metric": quote(change.field or ""),
        "old": plain(old),
        "new": plain(new),
        "quoted_old": quote(old),
        "quoted_new": quote(new),
        "code_old": code(old),
        "code_new": code(new),
    }
    return _SENTENCES[kind].format(**words)


def _summary(diff: MapDiff) -> str:
    if diff.equal:
        return "no semantic changes"
    parts = [f"{count} {kind}" for kind, count in diff.counts().items()]
    return f"{plural(len(diff.changes), 'change')}: {', '.join(parts)}"


def _grouped(diff: MapDiff) -> list[tuple[str, list[Change]]]:
    return [
        (title, [c for c in diff.changes if c.section == section])
        for section, title in SECTIONS
        if any(c.section == section for c in diff.changes)
    ]


def format_text(diff: MapDiff) -> str:
    """Plain text for a terminal or a CI log."""
    lines = [f"--- {_plain(diff.old_name)}", f"+++ {_plain(diff.new_name)}"]
    for title, changes in _grouped(diff):
        lines.append(f"{title}:")
        lines += [f"  {_sentence(c, repr_text, _plain, _plain)}" for c in changes]
    lines.append(_summary(diff))
    return "\n".join(lines) + "\n"


def repr_text(text: str) -> str:
    """User text in plain output: quoted, on one line, control characters shown."""
    return f"“{_plain(text)}”"


def _plain(text: str) -> str:
    """Text on one line with control characters shown, so user text cannot move
    the cursor or colour a terminal."""
    return printable(_one_line(text))


def _md_code(text: str) -> str:
    """An id in code style. Ids are slugs, but metric names and revision names
    are free text, so anything else falls back to escaped text."""
    if text and all(ch.isalnum() or ch in "-_./:" for ch in text) and text.isascii():
        return f"`{text}`"
    return inline(text)


def format_md(diff: MapDiff) -> str:
    """Markdown made to be posted as a pull-request comment."""
    title = inline(diff.new_title)
    lines = [f"### Journey map changes: {title}", ""]
    lines.append(f"{_md_code(diff.old_name)} → {_md_code(diff.new_name)} — **{inline(_summary(diff))}**")
    for section_title, changes in _grouped(diff):
        lines += ["", f"#### {section_title}", ""]
        lines += [f"- {_sentence(c, _md_quote, _md_code, inline)}" for c in changes]
    return "\n".join(lines) + "\n"


def format_json(diff: MapDiff) -> str:
    """Machine-readable: stable keys, one object per change."""
    document = {
        "old": diff.old_name,
        "new": diff.new_name,
        "equal": diff.equal,
        "summary": diff.counts(),
        "changes": [asdict(c) for c in diff.changes],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _md_quote(text: str) -> str:
    return f"“{inline(text)}”"


#: How each --format writes a diff.
FORMATTERS: dict[str, Callable[[MapDiff], str]] = {"text": format_text, "md": format_md, "json": format_json}

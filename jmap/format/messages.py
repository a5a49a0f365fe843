"""The words of the validator's messages: how a value is described, how
text is cut, and the hints that say how to fix a value.

A hint is advice the user will follow, so it is given only when following it
makes the value valid (``valid_as_text``; ``duration_hint`` offers a
corrected duration only when it is one).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jmap.format.hints import closest
from jmap.format.loader import BOOL, FLOAT, INT, STR, TIMESTAMP, Mapping, Node, Scalar, Sequence
from jmap.format.table import COLOR_PATTERN, DURATION_PATTERN, DURATION_UNITS_ORDER, ID_PATTERN, PERCENT_PATTERN

ID_RE = re.compile(ID_PATTERN)
COLOR_RE = re.compile(COLOR_PATTERN)
PERCENT_RE = re.compile(PERCENT_PATTERN)
DURATION_RE = re.compile(DURATION_PATTERN)
DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([^\W\d_]+)")


def describe(node: Node) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    assert isinstance(node, Scalar)
    if node.value is None:
        return "an empty value"
    if node.tag == BOOL:
        return f"the boolean {str(node.value).lower()}"
    if node.tag in (INT, FLOAT):
        return f"the number {node.value!r}"
    if node.tag == TIMESTAMP:
        return "a date"
    if node.tag == STR:
        return "text"
    return "a value"


def short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def exact(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters but otherwise as typed: an id that
    differs from a valid one only by an invisible character (``"start\\n"``)
    must show that character (reporters print it as an escape)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Units people write, in English and French, for the units of a duration.
UNIT_ALIASES = {
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "seconde": "s",
    "secondes": "s",
    "mn": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "heure": "h",
    "heures": "h",
    "j": "d",
    "day": "d",
    "days": "d",
    "jour": "d",
    "jours": "d",
    "week": "w",
    "weeks": "w",
    "sem": "w",
    "semaine": "w",
    "semaines": "w",
    "month": "mo",
    "months": "mo",
    "mois": "mo",
    "yr": "y",
    "year": "y",
    "years": "y",
    "an": "y",
    "ans": "y",
    "année": "y",
    "années": "y",
}


def unit_for(unit: str) -> str:
    """The duration unit meant by ``unit`` (itself when it is one; the
    nearest when it is a typo), or ``unit`` again when there is none."""
    if unit in DURATION_UNITS_ORDER:
        return unit
    return UNIT_ALIASES.get(unit) or closest(unit, DURATION_UNITS_ORDER) or unit


def valid_as_text(kind: str, text: str, choices: tuple[str, ...] = ()) -> bool:
    """Whether ``text``, written in quotes, is a valid value of ``kind``: the
    condition for advising to quote it."""
    if kind == "text":
        return bool(text.strip())
    if kind == "id":
        return ID_RE.fullmatch(text) is not None
    if kind == "enum":
        return text in choices
    if kind == "color":
        return COLOR_RE.fullmatch(text) is not None
    if kind == "duration":
        return DURATION_RE.fullmatch(text) is not None
    if kind == "metric":
        return PERCENT_RE.fullmatch(text) is not None
    return False  # an emotion, a version: never text


def article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def duration_hint(text: str) -> str:
    """How to write ``text`` as a duration: the corrected value when there is
    one, else what a duration looks like."""
    compact = text.replace(" ", "")
    if compact != text and DURATION_RE.fullmatch(compact):
        return f" (write it without spaces: '{compact}')"
    # French typography: a decimal comma (1,5h), minutes after the hours (1h30).
    written = re.sub(r"(\d),(\d)", r"\1.\2", compact)
    written = re.sub(r"^(\d+h)(\d+)$", r"\1\2min", written)
    if written != compact and DURATION_RE.fullmatch(written):
        return f" (write '{written}')"
    parts = DURATION_PART.findall(compact)
    units = [u for _, u in parts]
    if parts and "".join(n + u for n, u in parts) == compact:
        unknown = [u for u in units if u not in DURATION_UNITS_ORDER]
        if "m" in unknown:
            return " ('m' is ambiguous: write 'min' for minutes or 'mo' for months)"
        if unknown:
            fixed = "".join(n + unit_for(u) for n, u in parts)
            if DURATION_RE.fullmatch(fixed):
                return f" (unknown unit '{unknown[0]}': write '{fixed}')"
            return f" (unknown unit '{unknown[0]}'; units: s, min, h, d, w, mo, y)"
        if len(set(units)) != len(units):
            return " (each unit may appear once)"
        return " (write the largest unit first, as in 1h30min)"
    return " (number-unit pairs such as 45s, 10min, 1h30min, 2w, 6mo; units s, min, h, d, w, mo, y)"


def trap(node: Node, expected: str, line_text: Callable[[int], str], choices: tuple[str, ...] = ()) -> str:
    """Why a scalar is not what the author meant, in YAML's terms.

    The advice to quote the value is given only when the quoted text is
    a valid value of the ``expected`` kind: "1.5" in quotes is no
    emotion, and "2024-03-01" no metric, so those get the explanation
    without the advice.
    """
    if not isinstance(node, Scalar) or not node.plain:
        return ""
    raw = node.raw
    if node.value is None and raw in ("", "~", "null", "Null", "NULL"):
        rest = line_text(node.line)[node.col - 1 :].lstrip()
        if raw == "" and rest.startswith("#"):
            comment = ": an unquoted '#' starts a YAML comment, so the value is empty"
            quoted = short(rest, 30)
            if valid_as_text(expected, quoted, choices):
                return f'{comment} (write "{quoted}" in quotes)'
            if expected == "color":
                return f"{comment}; in quotes, '{quoted}' would not be a colour '#rgb' or '#rrggbb' either"
            return comment
        before = line_text(node.line)[: node.col - 1]
        if raw == "" and re.search(r":\s*&\S*\s*$", before):
            return ": a value starting with '&' is a YAML anchor, so the value is empty (put the value in quotes)"
        return ""
    advice = f' (write "{raw}" in quotes)' if valid_as_text(expected, raw, choices) else ""
    if node.tag == BOOL:
        return f": YAML reads {raw} as the boolean {str(node.value).lower()}{advice}"
    if node.tag in (INT, FLOAT) and ":" in raw:
        hint = " (write a duration such as 1h30min)" if expected == "duration" else advice
        return f": YAML 1.1 reads {raw} as the sexagesimal number {node.value}{hint}"
    if node.tag == INT and re.fullmatch(r"[-+]?0[0-7_]+", raw):
        return f": YAML 1.1 reads {raw} as the octal number {node.value}{advice}"
    if node.tag in (INT, FLOAT):
        if expected == "duration":
            return f": a bare number is ambiguous, add a unit such as {raw}min or {raw}s"
        return f' (write "{raw}" in quotes if it is text)' if advice else ""
    if node.tag == TIMESTAMP:
        return f": YAML reads {raw} as a date{advice}"
    return ""

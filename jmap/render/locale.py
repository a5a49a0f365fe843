"""Numbers, durations and punctuation in the map's language (``lang``: en, fr).

One module so that the diagram, the page, the summary and the gallery print
``1 h 15 min``, ``120 000`` and ``69 %`` the same way. Written by hand for the
two languages jmap speaks rather than taken from Babel: Babel's wheel is about
10 MB of CLDR data and importing ``babel.numbers`` costs tens of milliseconds
at every render, for the handful of rules below (see README, dependencies).

French typography as the Imprimerie nationale writes it (and CLDR's ``fr``):
thousands grouped with a narrow no-break space (U+202F), a decimal comma, a
narrow no-break space before ``%`` ``;`` ``!`` ``?`` and a no-break space
(U+00A0) before ``:``. In both languages a number and its unit are joined by a
no-break space, so ``15 min`` never breaks across two lines.
"""

from __future__ import annotations

import re

from jmap.model import Duration

TYPE_CHECKING = False
if TYPE_CHECKING:
    from jmap.model import Metric, MetricValue

NBSP = "\u00a0"
NNBSP = "\u202f"


#: Unit words, singular and plural, by language. English uses short forms
#: that read in a small card ("2 wk 3 d"); French those of its typography
#: ("2 sem. 3 j", "1 an", "2 ans", "6 mois").
def _words(**forms: str | tuple[str, str]) -> dict[str, tuple[str, str]]:
    """Unit → (singular, plural); a single word serves both."""
    return {unit: form if isinstance(form, tuple) else (form, form) for unit, form in forms.items()}


UNIT_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "en": _words(y="yr", mo="mo", w="wk", d="d", h="h", min="min", s="s"),
    "fr": _words(y=("an", "ans"), mo="mois", w="sem.", d="j", h="h", min="min", s="s"),
}

_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(mo|min|y|w|d|h|s)")
_FRENCH_TIGHT = re.compile(r"[ \u00a0\u202f]?([;!?])(?=$|[\s\"'»)\]!?.,…])")
_FRENCH_COLON = re.compile(r"[ \u00a0\u202f]?:(?=$|\s)")
_FRENCH_PERCENT = re.compile(r"(?<=[0-9])[ \u00a0\u202f]?%")
_FRENCH_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]?")
_FRENCH_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]?»")
_KEY_SEPARATORS = re.compile(r"[_\-\s]+")


def _lang(lang: str) -> str:
    return "fr" if lang == "fr" else "en"


def format_number(value: float, lang: str, decimals: int | None = None) -> str:
    """``120000`` → ``120,000`` (en) or ``120 000`` (fr, narrow no-break space);
    ``4.3`` → ``4.3`` or ``4,3``.

    ``decimals`` fixes the number of decimals; by default an integral value has
    none and another keeps up to two, trailing zeros dropped.
    """
    if decimals is None:
        shortest = f"{abs(value):.2f}".rstrip("0")
        decimals = len(shortest) - shortest.index(".") - 1
    negative = value < 0 and round(abs(value), decimals) != 0
    whole, _, fraction = f"{abs(value):.{decimals}f}".partition(".")
    group = NNBSP if _lang(lang) == "fr" else ","
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = group.join(groups)
    if fraction:
        text += ("," if _lang(lang) == "fr" else ".") + fraction
    return ("-" if negative else "") + text


def _decimals_written(text: str) -> int:
    """How many decimals the author wrote (``4.30`` → 2), so ``4.30`` keeps its zero."""
    number = text.rstrip("%").strip()
    if "e" in number.lower() or "." not in number:
        return 0
    return len(number.split(".", 1)[1])


def format_percent(value: float, lang: str, decimals: int | None = None) -> str:
    """``69%`` (en) or ``69 %`` (fr, narrow no-break space before the sign)."""
    number = format_number(value, lang, decimals)
    return number + (NNBSP + "%" if _lang(lang) == "fr" else "%")


def format_metric_value(value: MetricValue, lang: str) -> str:
    """A metric's value or target as the map's language writes it, with the
    author's number of decimals (``4.30`` stays ``4,30`` in French)."""
    decimals = _decimals_written(value.text) if value.text else None
    if value.percent:
        return format_percent(value.number, lang, decimals)
    return format_number(value.number, lang, decimals)


def format_metric(metric: Metric, lang: str) -> str:
    """``value unit`` of a metric, e.g. ``4,3 /5`` or ``14 min``; no label."""
    text = format_metric_value(metric.value, lang)
    if metric.unit:
        text += NBSP + metric.unit
    return text


#: Units largest first, with their length in seconds (as the format counts
#: them: a month is 30 days, a year 365).
_UNIT_SECONDS = (
    ("y", 365 * 86400),
    ("mo", 30 * 86400),
    ("w", 7 * 86400),
    ("d", 86400),
    ("h", 3600),
    ("min", 60),
    ("s", 1),
)
_SIZE = dict(_UNIT_SECONDS)


def duration_seconds(duration: Duration) -> float:
    """A duration's length in seconds, read from its text when it has parts
    (a Duration built by hand may carry no seconds)."""
    parts = _PART.findall(duration.text)
    if parts:
        return sum(float(number) * _SIZE[unit] for number, unit in parts)
    return duration.seconds


def _unit(count: float, unit: str, lang: str, decimals: int = 0) -> str:
    singular, plural = UNIT_WORDS[_lang(lang)][unit]
    return format_number(count, lang, decimals) + NBSP + (singular if count <= 1 else plural)


def format_duration(duration: Duration, lang: str) -> str:
    """A duration as people say it, in the map's language: at most two units,
    the second rounded (``1mo1w3d4h1min10s`` → ``1 mo 1 wk``, ``3d31min`` →
    ``3 d 1 h``, ``90min`` → ``1 h 30 min``, ``1.5d`` → ``1 d 12 h``), and
    ``45 s`` for what is under a minute. The diagram, the page, the summary
    and the gallery all call it, so they say every duration the same way;
    ``format_duration_as_written`` keeps the author's exact parts (a tooltip).

    Each number is joined to its unit by a no-break space, the two parts by
    an ordinary space.
    """
    seconds = duration_seconds(duration)
    if seconds < 60:
        if seconds <= 0:
            return _unit(0, "s", lang)
        decimals = 0 if seconds >= 10 or seconds == int(seconds) else 1
        return _unit(round(seconds, decimals), "s", lang, decimals)
    index = next(i for i, (_name, size) in enumerate(_UNIT_SECONDS) if seconds + 0.5 >= size)
    unit, size = _UNIT_SECONDS[index]
    count, rest = divmod(seconds, size)
    small, small_size = _UNIT_SECONDS[index + 1]
    smalls = round(rest / small_size)
    if rest + small_size / 2 >= size or smalls * small_size >= size:
        # The rest rounds up to a whole larger unit: 59 min 50 s is 1 h.
        count, smalls = count + 1, 0
    if index > 0 and count * size >= _UNIT_SECONDS[index - 1][1]:
        # …and that whole unit may itself make the next one up (23 h 59 min 50 s).
        return format_duration(Duration.from_seconds(count * size), lang)
    text = _unit(count, unit, lang)
    if smalls:
        text += " " + _unit(smalls, small, lang)
    return text


def format_duration_as_written(duration: Duration, lang: str) -> str:
    """The author's own parts, in the map's language (``2w3d15min`` →
    ``2 sem. 3 j 15 min``): the exact value behind a rounded one."""
    parts = []
    for number, unit in _PART.findall(duration.text):
        decimals = len(number.split(".", 1)[1]) if "." in number else 0
        parts.append(_unit(float(number), unit, lang, decimals))
    return " ".join(parts) if parts else duration.text


def french_spacing(text: str, lang: str) -> str:
    """French typography's no-break spaces before ``: ; ! ? %`` and inside
    « » (a space already there becomes the no-break one); text in any other
    language is returned unchanged. A colon followed by no space
    (``https://``, ``10:30``) is left alone, and ``%`` only follows a number.
    """
    if _lang(lang) != "fr" or not any(ch in text for ch in ":;!?%«»"):
        return text
    text = _FRENCH_TIGHT.sub(lambda m: NNBSP + m.group(1), text)
    text = _FRENCH_PERCENT.sub(NNBSP + "%", text)
    text = _FRENCH_OPEN_QUOTE.sub("«" + NNBSP, text)
    text = _FRENCH_CLOSE_QUOTE.sub(NNBSP + "»", text)
    return _FRENCH_COLON.sub(NBSP + ":", text)


def humanise_key(key: str) -> str:
    """A metric key as a label: ``note_moyenne`` → ``Note moyenne``,
    ``abandon-panier`` → ``Abandon panier``; an acronym stays (``NPS``)."""
    words = _KEY_SEPARATORS.sub(" ", key).strip()
    if not words:
        return key
    return words[0].upper() + words[1:]


def metric_label(metric: Metric) -> str:
    """What a metric is called in renders: its ``label``, else its key humanised."""
    return metric.label if metric.label else humanise_key(metric.name)


def with_colon(label: str, lang: str) -> str:
    """``Goal:`` or ``Objectif :`` (no-break space): the label followed by the
    colon of the label table, the one place that spells it per language."""
    from jmap.render.labels import labels

    return label + labels(_lang(lang))["colon"]

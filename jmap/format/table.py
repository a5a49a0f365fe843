"""The journey-map format version 1 as data.

One table says which keys each entity has, which are required and what kind of
value each takes. The validator walks it and the JSON Schema is generated from
it, so the two cannot drift apart (a test also compares the shipped schema
file with a fresh generation).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from jmap.model import CHANNEL_TYPES, EFFORTS, IMPACTS, LANGS, SEVERITIES, STATUSES

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
#: What a slug replaces: any run of characters an id may not hold.
_NOT_IN_ID = re.compile(r"[^a-z0-9_-]+")


def slugify(text: str) -> str:
    """The id closest to ``text`` (``Prise de Conscience`` → ``prise-de-conscience``):
    accents dropped, other characters an id may not hold become ``-``. Empty
    when nothing of ``text`` fits in an id (``日本``). One rule for the
    validator's "did you mean" and the Mermaid importer's ids."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_IN_ID.sub("-", ascii_text).strip("-_")


COLOR_PATTERN = r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
PERCENT_PATTERN = r"^-?[0-9]+(?:\.[0-9]+)?%$"
_NUM = r"[0-9]+(?:\.[0-9]+)?"
#: Units largest first, each at most once: ``1h30min`` but not ``30min1h``.
DURATION_UNITS_ORDER = ("y", "mo", "w", "d", "h", "min", "s")
DURATION_PATTERN = "^(?=[0-9])" + "".join(f"(?:{_NUM}{u})?" for u in DURATION_UNITS_ORDER) + "$"
#: ``MAP/PAIN-ID`` in ``addresses``: a pain point of another map of the portfolio.
CROSS_ADDRESS_PATTERN = r"^(?:[a-z0-9][a-z0-9_-]*/)?[a-z0-9][a-z0-9_-]*$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: How deep sub-touchpoints nest below a stage's own touchpoint.
MAX_SUB_DEPTH = 2
EXTENSION_PREFIX = "x-"


@dataclass(frozen=True, slots=True)
class Field:
    """What one key holds."""

    kind: str
    required: bool = False
    #: For ``enum``: the allowed values; for ``ref``/``refs``: the entity kind referred to.
    arg: tuple[str, ...] | str | None = None


TEXT = Field("text")
TEXTS = Field("texts")

ENTITIES: dict[str, dict[str, Field]] = {
    "map": {
        "jmap": Field("version", True),
        "title": Field("name", True),
        "description": TEXT,
        "lang": Field("enum", arg=LANGS),
        "owner": TEXT,
        "scenario": TEXT,
        "tags": Field("tags"),
        "personas": Field("list", arg="persona"),
        "channels": Field("list", arg="channel"),
        "stages": Field("list", True, arg="stage"),
        "opportunities": Field("list", arg="opportunity"),
        # Portfolio keys (docs/portfolio.md): all optional, so a map valid
        # alone stays valid.
        "id": Field("id"),
        "reviewed": Field("date"),
    },
    "persona": {
        "id": Field("id", True),
        "name": Field("name", True),
        "description": TEXT,
        "goals": TEXTS,
        "frustrations": TEXTS,
        "quote": TEXT,
        "color": Field("color"),
    },
    "channel": {
        "id": Field("id", True),
        "name": Field("name", True),
        "type": Field("enum", arg=CHANNEL_TYPES),
    },
    "stage": {
        "id": Field("id", True),
        "name": Field("name", True),
        "description": TEXT,
        "goal": TEXT,
        "duration": Field("duration"),
        "metrics": Field("metrics"),
        "touchpoints": Field("list", arg="touchpoint"),
        "details": Field("mapref"),
    },
    "touchpoint": {
        "id": Field("id", True),
        "name": Field("name", True),
        "description": TEXT,
        "channel": Field("ref", arg="channel"),
        "personas": Field("refs", arg="persona"),
        "doing": TEXTS,
        "thinking": TEXTS,
        "feeling": TEXTS,
        "emotion": Field("emotion"),
        "duration": Field("duration"),
        "backstage": TEXTS,
        "owner": TEXT,
        "metrics": Field("metrics"),
        "next": Field("refs", arg="touchpoint"),
        "pain_points": Field("list", arg="pain_point"),
        "touchpoints": Field("list", arg="touchpoint"),
        "details": Field("mapref"),
    },
    "pain_point": {
        "id": Field("id", True),
        "name": Field("name", True),
        "description": TEXT,
        "severity": Field("enum", arg=SEVERITIES),
        "owner": TEXT,
    },
    "opportunity": {
        "id": Field("id", True),
        "name": Field("name", True),
        "description": TEXT,
        "addresses": Field("addresses", arg="pain_point"),
        "owner": TEXT,
        "impact": Field("enum", arg=IMPACTS),
        "effort": Field("enum", arg=EFFORTS),
        "status": Field("enum", arg=STATUSES),
    },
    "metric": {
        "value": Field("metric_value", True),
        "label": TEXT,
        "target": Field("metric_value"),
        "unit": TEXT,
        "source": TEXT,
    },
    # The portfolio file (jmap-portfolio.yaml, docs/portfolio.md): its shared
    # personas and channels are the entities above.
    "portfolio": {
        "jmap-portfolio": Field("version", True),
        "title": Field("name", True),
        "description": TEXT,
        "lang": Field("enum", arg=LANGS),
        "owner": TEXT,
        "personas": Field("list", arg="persona"),
        "channels": Field("list", arg="channel"),
        "review": Field("record", arg="review"),
    },
    "review": {
        "every": Field("duration", True),
    },
}

#: What each entity is, for editors (the JSON Schema's descriptions).
ENTITY_DOCS: dict[str, str] = {
    "map": "A customer-journey map for jmap (format version 1). See docs/format.md.",
    "persona": "A persona: one kind of customer whose journey the map follows.",
    "channel": "A channel: where a touchpoint happens (a website, a shop, a phone line).",
    "stage": "A stage of the journey (awareness, purchase…), in the order the customer goes through them.",
    "touchpoint": "A touchpoint: one moment where the customer meets the organisation.",
    "pain_point": "A pain point: what goes wrong for the customer at a touchpoint.",
    "opportunity": "An opportunity: an improvement, addressing pain points.",
    "metric": "A metric in its detailed form: a value with its label, target, unit and source.",
    "portfolio": "A portfolio of journey maps for jmap (jmap-portfolio.yaml, version 1). See docs/portfolio.md.",
    "review": "How often every map of the portfolio is checked against reality.",
}

_ID = "Lowercase ASCII slug (letters, digits, - and _), unique across the whole map."
_NAME = "The name shown in every render; not empty."
_DESCRIPTION = "Free text describing it."
_METRICS = 'Metric name to a number, a percentage string ("23%") or {value, label, target, unit, source}.'
_DURATION = "Number-unit pairs, largest unit first: 45s, 10min, 1h30min, 2w, 6mo, 1y."

#: What each key holds, entity by entity (the JSON Schema's descriptions):
#: ``personas`` is a list of persona objects at the top level and a list of
#: persona ids on a touchpoint, and editors show the right one.
FIELD_DOCS: dict[str, dict[str, str]] = {
    "map": {
        "jmap": "Format version; must be 1. It also marks the file as a journey map.",
        "title": "Title of the journey map.",
        "description": "What the map is about.",
        "lang": "Language of the labels in the renders (en or fr); your own text is never translated.",
        "owner": "Who looks after the map.",
        "scenario": "The situation the map describes.",
        "tags": "Tags, each a text.",
        "personas": "The personas whose journeys the map follows (persona objects).",
        "channels": "The channels where touchpoints happen (channel objects).",
        "stages": "The stages of the journey, in order; at least one.",
        "opportunities": "Improvements to the journey, each addressing pain points (opportunity objects).",
        "id": "The map's id in its portfolio (default: the file name without .yaml); other maps name it in "
        "'details' and in 'addresses' (MAP/PAIN-ID).",
        "reviewed": "When the map was last checked against reality: a date such as 2026-11-02.",
    },
    "persona": {
        "id": _ID,
        "name": _NAME,
        "description": _DESCRIPTION,
        "goals": "What the persona wants: a text or a list of texts.",
        "frustrations": "What annoys the persona: a text or a list of texts.",
        "quote": "Something the persona might say.",
        "color": '"#rgb" or "#rrggbb", in quotes; without it, renders pick one from the persona\'s position.',
    },
    "channel": {
        "id": _ID,
        "name": _NAME,
        "type": "online (default) or offline.",
    },
    "stage": {
        "id": _ID,
        "name": _NAME,
        "description": _DESCRIPTION,
        "goal": "What the persona wants from this stage.",
        "duration": "How long the whole stage takes. " + _DURATION,
        "metrics": _METRICS,
        "touchpoints": "The touchpoints of this stage, in order (touchpoint objects).",
        "details": "The id of the map of the portfolio that zooms into this stage.",
    },
    "touchpoint": {
        "id": _ID,
        "name": _NAME,
        "description": _DESCRIPTION,
        "channel": "The id of the channel where this touchpoint happens.",
        "personas": "Ids of the personas who pass here; default everyone.",
        "doing": "What the persona does: a text or a list of texts.",
        "thinking": "What the persona thinks: a text or a list of texts.",
        "feeling": "What the persona feels, in words: a text or a list of texts.",
        "emotion": "-2 (very negative) to +2 (very positive), for everyone here or per persona id.",
        "duration": "How long this touchpoint takes. " + _DURATION,
        "backstage": "What happens behind the scenes (systems, teams): a text or a list of texts.",
        "owner": "Who is responsible for this touchpoint.",
        "metrics": _METRICS,
        "next": "Touchpoint ids where the flow goes next; [] ends the flow here.",
        "pain_points": "What goes wrong here (pain-point objects).",
        "touchpoints": "Sub-touchpoints: finer steps of this touchpoint (touchpoint objects).",
        "details": "The id of the map of the portfolio that zooms into this touchpoint.",
    },
    "pain_point": {
        "id": _ID,
        "name": _NAME,
        "description": _DESCRIPTION,
        "severity": "low, medium (default), high or critical.",
        "owner": "Who is responsible for solving it.",
    },
    "opportunity": {
        "id": _ID,
        "name": _NAME,
        "description": _DESCRIPTION,
        "addresses": "Ids of the pain points this opportunity addresses; MAP/PAIN-ID names one of another map "
        "of the portfolio.",
        "owner": "Who is responsible for it.",
        "impact": "low, medium or high.",
        "effort": "low, medium or high.",
        "status": "idea, planned, in-progress or done.",
    },
    "metric": {
        "value": 'The figure: a number or a percentage string ("23%").',
        "label": "Text shown for the metric; without it renders show the key humanised.",
        "target": "The figure aimed at: a number or a percentage string.",
        "unit": "Shown after the value (min, €, /5).",
        "source": "Where the figure comes from.",
    },
    "portfolio": {
        "jmap-portfolio": "Portfolio format version; must be 1. It also marks the file as a portfolio.",
        "title": "Title of the portfolio.",
        "description": "What the portfolio covers.",
        "lang": "Default language of its maps' renders and of the portfolio page (en or fr); a map's own lang wins.",
        "owner": "Who looks after the portfolio.",
        "personas": "Shared personas: any map of the portfolio names them by id in its 'personas' list.",
        "channels": "Shared channels: any touchpoint of the portfolio names them by id.",
        "review": "How often maps are reviewed: {every: 6mo}.",
    },
    "review": {
        "every": "A map whose 'reviewed' date is older than this gets a stale-map warning. " + _DURATION,
    },
}

#: How entities are named in messages ("a pain point is missing 'name'").
ENTITY_NAMES = {
    "map": "journey map",
    "persona": "persona",
    "channel": "channel",
    "stage": "stage",
    "touchpoint": "touchpoint",
    "pain_point": "pain point",
    "opportunity": "opportunity",
    "metric": "metric",
    "portfolio": "portfolio",
    "review": "review",
}

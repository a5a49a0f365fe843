"""The journey-map format version 1 as data.

One table says which keys each entity has, which are required and what kind of
value each takes. The validator walks it and the JSON Schema is generated from
it, so the two cannot drift apart (a test also compares the shipped schema
file with a fresh generation).
"""

from __future__ import annotations

from jmap.model import CHANNEL_TYPES, EFFORTS, IMPACTS, LANGS, SEVERITIES, STATUSES

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
COLOR_PATTERN = r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
PERCENT_PATTERN = r"^-?[0-9]+(?:\.[0-9]+)?%$"
_NUM = r"[0-9]+(?:\.[0-9]+)?"
#: Units largest first, each at most once: ``1h30min`` but not ``30min1h``.
DURATION_UNITS_ORDER = ("y", "mo", "w", "d", "h", "min", "s")
DURATION_PATTERN = "^(?=[0-9])" + "".join(f"(?:{_NUM}{u})?" for u in DURATION_UNITS_ORDER) + "$"
#: How deep sub-touchpoints nest below a stage's own touchpoint.
MAX_SUB_DEPTH = 2
EXTENSION_PREFIX = "x-"


class Field:
    """What one key holds. A plain class: this table is read at every start."""

    __slots__ = ("arg", "kind", "required")

    def __init__(self, kind: str, required: bool = False, arg: tuple[str, ...] | str | None = None) -> None:
        self.kind = kind
        self.required = required
        #: For ``enum``: the allowed values; for ``ref``/``refs``: the entity kind referred to.
        self.arg = arg


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
        "addresses": Field("refs", arg="pain_point"),
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
}

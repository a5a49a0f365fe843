"""Generate the JSON Schema (draft 2020-12) of the format from the table.

The schema accepts exactly the structurally valid maps: the checks that need
the whole map (unique ids, references that resolve, emotions of personas who
pass there) are beyond JSON Schema and stay with `jmap validate`. Every
entity and every key carries the description of jmap.format.table, so an
editor says what a key holds where it stands (``personas`` at the top level
is a list of persona objects, on a touchpoint a list of persona ids).
The generated text is shipped as jmap/format/journey-map.schema.json; a test fails
when the shipped file and a fresh generation differ
(regenerate with `python scripts/gen_schema.py`).
"""

from __future__ import annotations

import json
from typing import Any

from jmap.format.table import (
    COLOR_PATTERN,
    CROSS_ADDRESS_PATTERN,
    DATE_PATTERN,
    DURATION_PATTERN,
    ENTITIES,
    ENTITY_DOCS,
    FIELD_DOCS,
    ID_PATTERN,
    MAX_SUB_DEPTH,
    PERCENT_PATTERN,
    Field,
)
from jmap.model import EMOTION_MAX, EMOTION_MIN

#: The schema's ``$id``: also what `jmap init` puts in a new map's modeline.
SCHEMA_ID = "https://jmap.dev/schema/journey-map-1.json"
EXTENSIONS = {"^x-": {"description": "Your own data; ignored by jmap."}}

_TOUCHPOINT_DEFS = ["touchpoint", "sub_touchpoint", "sub_sub_touchpoint"][: MAX_SUB_DEPTH + 1]


def _id() -> dict[str, Any]:
    return {"type": "string", "pattern": ID_PATTERN}


def _metric_value() -> dict[str, Any]:
    return {"anyOf": [{"type": "number"}, {"type": "string", "pattern": PERCENT_PATTERN}]}


def _field(key: str, spec: Field, touchpoint_level: int, doc: str | None) -> dict[str, Any]:
    kind = spec.kind
    if kind == "text":
        out: dict[str, Any] = {"type": "string"}
    elif kind == "name":
        out = {"type": "string", "pattern": r"\S"}
    elif kind == "texts":
        out = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    elif kind == "id" or kind == "ref" or kind == "mapref":
        out = _id()
    elif kind == "version":
        out = {"type": "integer", "const": 1}
    elif kind == "enum":
        out = {"type": "string", "enum": list(spec.arg or ())}
    elif kind == "color":
        out = {"type": "string", "pattern": COLOR_PATTERN}
    elif kind == "duration":
        out = {"type": "string", "pattern": DURATION_PATTERN}
    elif kind == "tags":
        out = {"type": "array", "items": {"type": "string"}}
    elif kind == "refs":
        out = {"type": "array", "items": _id(), "uniqueItems": True}
    elif kind == "list":
        target = str(spec.arg)
        if target == "touchpoint":
            target = _TOUCHPOINT_DEFS[touchpoint_level]
        out = {"type": "array", "items": {"$ref": f"#/$defs/{target}"}}
        if key == "personas" and touchpoint_level == 0 and not spec.required:
            # A map's personas: its own, or shared ones of its portfolio named by id.
            out = {"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/persona"}, _id()]}}
        if spec.required:
            out["minItems"] = 1
    elif kind == "emotion":
        score = {"type": "integer", "minimum": EMOTION_MIN, "maximum": EMOTION_MAX}
        out = {
            "anyOf": [
                score,
                {
                    "type": "object",
                    "propertyNames": {"anyOf": [{"pattern": ID_PATTERN}, {"pattern": "^x-"}]},
                    "patternProperties": EXTENSIONS,
                    "additionalProperties": score,
                },
            ]
        }
    elif kind == "metrics":
        out = {
            "type": "object",
            "patternProperties": EXTENSIONS,
            "additionalProperties": {"anyOf": [*_metric_value()["anyOf"], {"$ref": "#/$defs/metric"}]},
        }
    elif kind == "metric_value":
        out = _metric_value()
    elif kind == "date":
        out = {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
    elif kind == "addresses":
        out = {"type": "array", "items": {"type": "string", "pattern": CROSS_ADDRESS_PATTERN}, "uniqueItems": True}
    elif kind == "record":
        out = {"$ref": f"#/$defs/{spec.arg}"}
    else:  # pragma: no cover - the format table and this function grow together
        raise AssertionError(kind)
    if doc:
        out = {"description": doc, **out}
    return out


def _entity(kind: str, touchpoint_level: int = 0) -> dict[str, Any]:
    fields = dict(ENTITIES[kind])
    if kind == "touchpoint" and touchpoint_level >= MAX_SUB_DEPTH:
        del fields["touchpoints"]
    child_level = touchpoint_level + 1 if kind == "touchpoint" else 0
    docs = FIELD_DOCS[kind]
    return {
        "description": ENTITY_DOCS[kind]
        if touchpoint_level == 0
        else f"{ENTITY_DOCS[kind]} (nested {touchpoint_level} deep)",
        "type": "object",
        "properties": {key: _field(key, spec, child_level, docs.get(key)) for key, spec in fields.items()},
        "required": [key for key, spec in fields.items() if spec.required],
        "patternProperties": EXTENSIONS,
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    root = _entity("map")
    defs: dict[str, Any] = {}
    for kind in ("persona", "channel", "stage"):
        defs[kind] = _entity(kind)
    for level, name in enumerate(_TOUCHPOINT_DEFS):
        defs[name] = _entity("touchpoint", level)
    for kind in ("pain_point", "opportunity", "metric"):
        defs[kind] = _entity(kind)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "jmap journey map, format version 1",
        **root,
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


#: The ``$id`` of the portfolio file's schema (`jmap schema --portfolio`).
PORTFOLIO_SCHEMA_ID = "https://jmap.dev/schema/portfolio-1.json"


def build_portfolio_schema() -> dict[str, Any]:
    """The schema of ``jmap-portfolio.yaml``, from the same table."""
    root = _entity("portfolio")
    # Shared personas are full persona objects, never ids.
    root["properties"]["personas"] = {
        "description": FIELD_DOCS["portfolio"]["personas"],
        "type": "array",
        "items": {"$ref": "#/$defs/persona"},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PORTFOLIO_SCHEMA_ID,
        "title": "jmap portfolio, format version 1",
        **root,
        "$defs": {kind: _entity(kind) for kind in ("persona", "channel", "review")},
    }


def portfolio_schema_text() -> str:
    return json.dumps(build_portfolio_schema(), indent=2, ensure_ascii=False) + "\n"

"""What the checker understood of a map: entities, then the model and the
quality warnings read from them.

The checker reads each entity into an ``Entity`` (its converted values, and
the nodes they came from); a map without errors becomes a ``JourneyMap``
(``build_map``), and the quality warnings are read from the entities, so they
come in the same run as errors (``check_quality``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jmap import model as m
from jmap.format.loader import FLOAT, INT, Mapping, Node, Scalar
from jmap.format.rule_ids import Rule, RuleId

#: The value of a key whose error was reported: neither used nor reported again.
INVALID = object()


def integral(node: Scalar) -> bool:
    """An integer, or a float with no fraction (``1.0``): JSON Schema's
    ``integer`` accepts both, and the validator agrees with the schema."""
    if node.tag == INT:
        return True
    return node.tag == FLOAT and math.isfinite(node.value) and node.value == int(node.value)


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity's converted values, with the nodes they came from (filled in
    key by key as the checker reads them)."""

    kind: str
    node: Mapping
    values: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    #: An error was reported inside it: quality warnings about it would
    #: only repeat that error in other words.
    damaged: bool = False

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key, default)
        return default if value is INVALID else value


def build_map(doc: Entity) -> m.JourneyMap:
    """The model of a map whose entities were read without an error."""

    def named(e: Entity) -> tuple[str, str, str | None]:
        """The fields of ``m.Named``, which every entity but a channel starts with."""
        return e.values["id"], e.values["name"], e.get("description")

    def personas(e: Entity) -> m.Persona:
        return m.Persona(
            *named(e),
            e.get("goals", ()),
            e.get("frustrations", ()),
            e.get("quote"),
            e.get("color"),
        )

    def pain_point(e: Entity) -> m.PainPoint:
        return m.PainPoint(*named(e), e.get("severity", "medium"), e.get("owner"))

    def touchpoint(e: Entity) -> m.Touchpoint:
        emotion = e.get("emotion")
        if isinstance(emotion, int):
            emotion = m.Emotion(everyone=emotion)
        elif isinstance(emotion, dict):
            emotion = m.Emotion(per_persona=emotion)
        personas_here = e.get("personas")
        return m.Touchpoint(
            id=e.values["id"],
            name=e.values["name"],
            description=e.get("description"),
            channel=e.get("channel"),
            personas=tuple(personas_here) if personas_here is not None else None,
            doing=e.get("doing", ()),
            thinking=e.get("thinking", ()),
            feeling=e.get("feeling", ()),
            emotion=emotion,
            duration=e.get("duration"),
            backstage=e.get("backstage", ()),
            owner=e.get("owner"),
            metrics=e.get("metrics", ()),
            next=e.get("next"),
            pain_points=tuple(pain_point(p) for p in e.get("pain_points", [])),
            touchpoints=tuple(touchpoint(t) for t in e.get("touchpoints", [])),
        )

    def stage(e: Entity) -> m.Stage:
        return m.Stage(
            *named(e),
            e.get("goal"),
            e.get("duration"),
            e.get("metrics", ()),
            tuple(touchpoint(t) for t in e.get("touchpoints", [])),
        )

    def opportunity(e: Entity) -> m.Opportunity:
        return m.Opportunity(
            *named(e),
            e.get("addresses", ()),
            e.get("owner"),
            e.get("impact"),
            e.get("effort"),
            e.get("status"),
        )

    return m.JourneyMap(
        title=doc.values["title"],
        stages=tuple(stage(s) for s in doc.values["stages"]),
        version=doc.values["jmap"],
        description=doc.get("description"),
        lang=doc.get("lang", "en"),
        owner=doc.get("owner"),
        scenario=doc.get("scenario"),
        tags=doc.get("tags", ()),
        personas=tuple(personas(p) for p in doc.get("personas", [])),
        channels=tuple(
            m.Channel(c.values["id"], c.values["name"], c.get("type", "online")) for c in doc.get("channels", [])
        ),
        opportunities=tuple(opportunity(o) for o in doc.get("opportunities", [])),
    )


def check_quality(doc: Entity, warn: Callable[[Node, RuleId, str], None]) -> None:
    """The quality warnings, on the entities read (partial when the file
    has errors); an entity with an error of its own gets no warning."""
    stages: list[Entity] = doc.get("stages") or []
    persona_ids = [p.get("id") for p in doc.get("personas") or [] if isinstance(p.get("id"), str)]
    used: set[str] = set()
    damaged_flow = False
    pain_points: list[Entity] = []

    def walk(touchpoints: list[Entity], inherited: tuple[str, ...] | None) -> None:
        nonlocal damaged_flow
        for tp in touchpoints:
            damaged_flow = damaged_flow or tp.damaged
            own = tp.get("personas")
            here = tuple(own) if isinstance(own, tuple) else inherited
            used.update(persona_ids if here is None else here)
            pain_points.extend(pp for pp in tp.get("pain_points") or [] if isinstance(pp, Entity))
            walk(tp.get("touchpoints") or [], here)

    for stage in stages:
        touchpoints = stage.get("touchpoints") or []
        if not touchpoints and not stage.damaged and isinstance(stage.get("id"), str):
            warn(stage.node, Rule.EMPTY_STAGE, f"stage '{stage.get('id')}' has no touchpoints")
        for tp in touchpoints:
            if tp.get("channel") is None and not tp.damaged and isinstance(tp.get("id"), str):
                warn(tp.node, Rule.MISSING_CHANNEL, f"touchpoint '{tp.get('id')}' has no channel")
        walk(touchpoints, None)
    opportunities: list[Entity] = doc.get("opportunities") or []
    if "opportunities" not in doc.nodes or (
        isinstance(doc.values.get("opportunities"), list) and not any(o.damaged for o in opportunities)
    ):
        addressed = {pid for o in opportunities for pid in o.get("addresses") or ()}
        for pp in pain_points:
            severity = pp.get("severity", "medium")
            ident = pp.get("id")
            if isinstance(ident, str) and m.is_unaddressed(severity, ident, addressed) and not pp.damaged:
                warn(
                    pp.node,
                    Rule.UNADDRESSED_PAIN_POINT,
                    f"{severity} pain point '{ident}' is not addressed by any opportunity",
                )
    if not damaged_flow:
        for persona in doc.get("personas") or []:
            ident = persona.get("id")
            if isinstance(ident, str) and ident not in used:
                warn(persona.node, Rule.UNUSED_PERSONA, f"persona '{ident}' passes no touchpoint")

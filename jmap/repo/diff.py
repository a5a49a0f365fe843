"""Semantic diff of two versions of a journey map.

A line diff of the YAML tells a reviewer that line 212 changed; this tells them
that the payment touchpoint moved to the support stage and that Sophie now feels
-1 instead of +1 there. Entities are matched by id (ids are the stable identity
of the format), so a renamed touchpoint is a rename, not a removal plus an
addition; and an entity whose id changed while its content did not is one
id rename, not an addition, a removal and moves. Every difference between the two models ends up in the diff, either
as a named kind of change or as a field change, so "no changes" (exit 0) really
means the two maps say the same thing.

The functions here are pure (two models in, the changes out);
jmap.repo.diff_report writes them as text, Markdown or JSON, and
jmap.commands.diff reads the two versions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from jmap.model import Duration, Emotion, JourneyMap, Metric, MetricValue, Opportunity, PainPoint, Touchpoint

#: JSON-friendly value of a changed field: text, a number, a list of text or nothing.
Value = str | int | float | list[str] | None

#: Order of the sections in every output, the order a reviewer reads a map in.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("map", "Map"),
    ("persona", "Personas"),
    ("channel", "Channels"),
    ("stage", "Stages"),
    ("touchpoint", "Touchpoints"),
    ("emotion", "Emotions"),
    ("pain_point", "Pain points"),
    ("opportunity", "Opportunities"),
    ("metric", "Metrics"),
    ("flow", "Flow"),
)


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the two versions.

    ``kind`` is one of added, removed, resolved (a pain point that is gone),
    renamed, moved, reordered, emotion, severity, status, metric, changed
    (any other field) and edge-added / edge-removed (flow).
    ``where`` locates the change (``"stage purchase"``, ``"touchpoint cart"``).
    """

    section: str
    kind: str
    id: str
    name: str
    field: str | None = None
    old: Value = None
    new: Value = None
    persona: str | None = None
    where: str | None = None


@dataclass(frozen=True, slots=True)
class MapDiff:
    old_name: str
    new_name: str
    old_title: str
    new_title: str
    changes: tuple[Change, ...]

    @property
    def equal(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        """How many changes of each kind, in first-seen order."""
        counts: dict[str, int] = {}
        for change in self.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        return counts


# -- comparing models ----------------------------------------------------------


def diff_maps(old: JourneyMap, new: JourneyMap, old_name: str = "old", new_name: str = "new") -> MapDiff:
    """Every semantic difference from ``old`` to ``new``, in a stable order."""
    renames = find_id_renames(old, new)
    changes: list[Change] = [
        Change(section, "renamed", new_id, name, "id", old_id, new_id) for section, old_id, new_id, name in renames
    ]
    if renames:
        # Compare the rest as if the old version had used the new ids already.
        old = _with_ids(old, {old_id: new_id for _s, old_id, new_id, _n in renames})
    changes += _diff_map_fields(old, new)
    changes += _diff_entities("persona", old.personas, new.personas, skip=())
    changes += _diff_entities("channel", old.channels, new.channels, skip=())
    changes += _diff_stages(old, new)
    changes += _diff_touchpoints(old, new)
    changes += _diff_emotions(old, new)
    changes += _diff_pain_points(old, new)
    changes += _diff_opportunities(old, new)
    changes += _diff_metrics(old, new)
    changes += _diff_flow(old, new)
    order = {section: i for i, (section, _) in enumerate(SECTIONS)}
    changes.sort(key=lambda c: order[c.section])  # stable: keeps document order inside a section
    return MapDiff(old_name, new_name, old.title, new.title, tuple(changes))


#: Fields that hold ids of other entities (``personas`` only in a touchpoint).
_REFERENCE_FIELDS = ("next", "addresses")


def _with_ids(value: Any, mapping: dict[str, str]) -> Any:
    """A copy of a model value whose ids, and every reference to them, are
    renamed by ``mapping``."""
    if isinstance(value, tuple):
        return tuple(_with_ids(item, mapping) for item in value)
    if isinstance(value, dict):
        return {mapping.get(k, k): v for k, v in value.items()}
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    names = [f.name for f in dataclasses.fields(value) if f.init]
    values: dict[str, Any] = {}
    for name in names:
        item = getattr(value, name)
        if name in ("id", "channel") and isinstance(item, str):
            item = mapping.get(item, item)
        elif item is not None and (name in _REFERENCE_FIELDS or (name == "personas" and isinstance(value, Touchpoint))):
            item = tuple(mapping.get(i, i) for i in item)
        else:
            item = _with_ids(item, mapping)
        values[name] = item
    return type(value)(**values)


def _entities(jm: JourneyMap) -> list[tuple[str, Any]]:
    """Every entity with an id, with its diff section."""
    return [
        *(("persona", e) for e in jm.personas),
        *(("channel", e) for e in jm.channels),
        *(("stage", e) for e in jm.stages),
        *(("touchpoint", e) for e in jm.all_touchpoints()),
        *(("pain_point", e) for e in jm.all_pain_points()),
        *(("opportunity", e) for e in jm.opportunities),
    ]


#: Each pass of the rename search is linear; chains of renamed references
#: (``next`` from one renamed touchpoint to the next) need one pass per link,
#: so the passes are capped to keep any input linear.
_RENAME_PASSES = 8


def find_id_renames(old: JourneyMap, new: JourneyMap) -> list[tuple[str, str, str, str]]:
    """``(section, old id, new id, name)`` for each entity whose id changed
    and nothing else: an id that is gone, an id that is new, and the same
    content once the old ids are read as the new ones.

    Matched by a hash of the content (linear time); a content shared by
    several entities is ambiguous and left as additions and removals. Renames
    found make more contents equal (a ``next`` to a renamed touchpoint), so
    the search runs again until it finds nothing new.
    """
    old_ids = {e.id for _s, e in _entities(old)}
    new_entities = [(section, e) for section, e in _entities(new) if e.id not in old_ids]
    new_ids = {e.id for _s, e in _entities(new)}
    gone = [(section, e) for section, e in _entities(old) if e.id not in new_ids]
    if not gone or not new_entities:
        return []
    self_id = "\0self"
    mapping: dict[str, str] = {}
    found: list[tuple[str, str, str, str]] = []
    by_content: dict[tuple[str, str], list[Any]] = {}
    for section, e in new_entities:
        by_content.setdefault((section, repr(_with_ids(e, {e.id: self_id}))), []).append(e)
    for _pass in range(_RENAME_PASSES):
        olds: dict[tuple[str, str], list[Any]] = {}
        for section, e in gone:
            if e.id not in mapping:
                olds.setdefault((section, repr(_with_ids(e, {**mapping, e.id: self_id}))), []).append(e)
        fresh = [
            (key[0], before[0], by_content[key][0])
            for key, before in olds.items()
            if len(before) == 1 and len(by_content.get(key, ())) == 1
        ]
        fresh = [(section, b, a) for section, b, a in fresh if a.id not in mapping.values()]
        if not fresh:
            break
        for section, before, after in fresh:
            mapping[before.id] = after.id
            found.append((section, before.id, after.id, after.name))
    order = {section: i for i, (section, _) in enumerate(SECTIONS)}
    position = {e.id: i for i, (_s, e) in enumerate(new_entities)}
    return sorted(found, key=lambda r: (order[r[0]], position[r[2]]))


def _value(raw: Any) -> Value:
    """A field value as shown and serialised: the author's spelling where the
    model keeps it (durations, metric values), lists for tuples."""
    if raw is None or isinstance(raw, str | int | float):
        return raw
    if isinstance(raw, Duration):
        return raw.text
    if isinstance(raw, MetricValue):
        return raw.text
    if isinstance(raw, tuple | list):
        return [str(_value(item)) for item in raw]
    return str(raw)


def _field_changes(section: str, old: Any, new: Any, skip: Iterable[str], where: str | None = None) -> list[Change]:
    """A ``changed`` record for each differing plain field of two same-id entities."""
    skipped = {"id", "name", *skip}
    out: list[Change] = []
    for name in (f.name for f in fields(old)):
        if name in skipped or name.startswith("_"):
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            out.append(Change(section, "changed", new.id, new.name, name, _value(before), _value(after), where=where))
    return out


def _diff_entities(
    section: str,
    old: Sequence[Any],
    new: Sequence[Any],
    skip: Iterable[str],
    where_old: Callable[[Any], str | None] = lambda _e: None,
    where_new: Callable[[Any], str | None] = lambda _e: None,
    removed_kind: str = "removed",
) -> list[Change]:
    """Added, removed, renamed and field changes of entities matched by id."""
    skip = tuple(skip)
    before = {e.id: e for e in old}
    after = {e.id: e for e in new}
    out: list[Change] = []
    for entity in new:
        previous = before.get(entity.id)
        if previous is None:
            out.append(Change(section, "added", entity.id, entity.name, where=where_new(entity)))
            continue
        if previous.name != entity.name:
            out.append(
                Change(
                    section,
                    "renamed",
                    entity.id,
                    entity.name,
                    "name",
                    previous.name,
                    entity.name,
                    where=where_new(entity),
                )
            )
        out += _field_changes(section, previous, entity, skip, where=where_new(entity))
    for entity in old:
        if entity.id not in after:
            out.append(Change(section, removed_kind, entity.id, entity.name, where=where_old(entity)))
    return out


def _diff_map_fields(old: JourneyMap, new: JourneyMap) -> list[Change]:
    out: list[Change] = []
    for name in ("title", "description", "lang", "owner", "scenario", "tags", "version"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            out.append(Change("map", "changed", "map", new.title, name, _value(before), _value(after)))
    return out


def _reorder(
    section: str, entity_id: str, name: str, old_ids: list[str], new_ids: list[str], field: str
) -> list[Change]:
    """A ``reordered`` record when the ids both versions share are in another order."""
    common = set(old_ids) & set(new_ids)
    before = [i for i in old_ids if i in common]
    after = [i for i in new_ids if i in common]
    if before == after:
        return []
    return [Change(section, "reordered", entity_id, name, field, before, after)]


def _diff_stages(old: JourneyMap, new: JourneyMap) -> list[Change]:
    out = _diff_entities("stage", old.stages, new.stages, skip=("touchpoints", "metrics"))
    out += _reorder("stage", "map", new.title, [s.id for s in old.stages], [s.id for s in new.stages], "stages")
    return out


def _touchpoint_place(jm: JourneyMap, tp: Touchpoint) -> str:
    parent = jm.parent_of(tp.id)
    if parent is not None:
        return f"touchpoint {parent.id}"
    return f"stage {jm.stage_of(tp.id).id}"


def _diff_touchpoints(old: JourneyMap, new: JourneyMap) -> list[Change]:
    skip = ("touchpoints", "pain_points", "metrics", "emotion")
    out = _diff_entities(
        "touchpoint",
        list(old.all_touchpoints()),
        list(new.all_touchpoints()),
        skip=skip,
        where_old=lambda tp: _touchpoint_place(old, tp),
        where_new=lambda tp: _touchpoint_place(new, tp),
    )
    # Moves go right after the entity's other records would be ideal, but a
    # reviewer scans moves as a group, so they follow in new document order.
    old_ids = {tp.id for tp in old.all_touchpoints()}
    for tp in new.all_touchpoints():
        if tp.id not in old_ids:
            continue
        before, after = _touchpoint_place(old, old.touchpoint(tp.id)), _touchpoint_place(new, tp)
        if before != after:
            out.append(Change("touchpoint", "moved", tp.id, tp.name, "place", before, after))
    new_ids = {tp.id for tp in new.all_touchpoints()}
    for stage in new.stages:
        old_stage = next((s for s in old.stages if s.id == stage.id), None)
        if old_stage is not None:
            out += _reorder(
                "touchpoint",
                stage.id,
                stage.name,
                [t.id for t in old_stage.touchpoints],
                [t.id for t in stage.touchpoints],
                "touchpoints",
            )
    for tp in new.all_touchpoints():
        if tp.id in old_ids and tp.touchpoints:
            previous = old.touchpoint(tp.id)
            out += _reorder(
                "touchpoint",
                tp.id,
                tp.name,
                [t.id for t in previous.touchpoints if t.id in new_ids],
                [t.id for t in tp.touchpoints],
                "touchpoints",
            )
    return out


def _diff_emotions(old: JourneyMap, new: JourneyMap) -> list[Change]:
    """Per-persona emotion changes at touchpoints present in both versions.

    Personas present in both versions are compared one by one, so a shared score
    that becomes per-persona reports only the personas whose score moved. When the
    versions share no persona, the shared score (and per-persona mapping) is
    compared as written.
    """
    new_persona_ids = [p.id for p in new.personas]
    common = [pid for pid in new_persona_ids if pid in {p.id for p in old.personas}]
    old_ids = {tp.id for tp in old.all_touchpoints()}
    out: list[Change] = []
    for tp in new.all_touchpoints():
        if tp.id not in old_ids:
            continue
        previous = old.touchpoint(tp.id)
        where = f"touchpoint {tp.id}"
        if common:
            for pid in common:
                before, after = old.emotion_at(previous, pid), new.emotion_at(tp, pid)
                if before != after:
                    out.append(Change("emotion", "emotion", tp.id, tp.name, "emotion", before, after, pid, where))
        elif previous.emotion != tp.emotion:
            before_e, after_e = previous.emotion or Emotion(), tp.emotion or Emotion()
            if before_e.everyone != after_e.everyone:
                out.append(
                    Change(
                        "emotion",
                        "emotion",
                        tp.id,
                        tp.name,
                        "emotion",
                        before_e.everyone,
                        after_e.everyone,
                        None,
                        where,
                    )
                )
            for pid in sorted({*before_e.per_persona, *after_e.per_persona}):
                before_v, after_v = before_e.per_persona.get(pid), after_e.per_persona.get(pid)
                if before_v != after_v:
                    out.append(Change("emotion", "emotion", tp.id, tp.name, "emotion", before_v, after_v, pid, where))
    return out


def _diff_pain_points(old: JourneyMap, new: JourneyMap) -> list[Change]:
    def where(jm: JourneyMap) -> Callable[[PainPoint], str]:
        return lambda pp: f"touchpoint {jm.touchpoint_of_pain_point(pp.id).id}"

    out = _diff_entities(
        "pain_point",
        list(old.all_pain_points()),
        list(new.all_pain_points()),
        skip=("severity",),
        where_old=where(old),
        where_new=where(new),
        removed_kind="resolved",
    )
    before = {pp.id: pp for pp in old.all_pain_points()}
    for pp in new.all_pain_points():
        previous = before.get(pp.id)
        if previous is None:
            continue
        here = where(new)(pp)
        if previous.severity != pp.severity:
            out.append(
                Change("pain_point", "severity", pp.id, pp.name, "severity", previous.severity, pp.severity, where=here)
            )
        was = where(old)(previous)
        if was != here:
            out.append(Change("pain_point", "moved", pp.id, pp.name, "place", was, here))
    return out


def _diff_opportunities(old: JourneyMap, new: JourneyMap) -> list[Change]:
    out = _diff_entities("opportunity", old.opportunities, new.opportunities, skip=("status",))
    before: dict[str, Opportunity] = {o.id: o for o in old.opportunities}
    for opp in new.opportunities:
        previous = before.get(opp.id)
        if previous is not None and previous.status != opp.status:
            out.append(Change("opportunity", "status", opp.id, opp.name, "status", previous.status, opp.status))
    return out


def _metric_text(metric: Metric | None) -> str | None:
    """One metric as a reviewer reads it: ``22% (target 25%, source CRM)``."""
    if metric is None:
        return None
    text = metric.value.text
    extras = []
    if metric.unit:
        text = f"{text} {metric.unit}"
    if metric.target is not None:
        extras.append(f"target {metric.target.text}")
    if metric.source:
        extras.append(f"source {metric.source}")
    return f"{text} ({', '.join(extras)})" if extras else text


def _diff_metrics(old: JourneyMap, new: JourneyMap) -> list[Change]:
    """Metrics of stages and touchpoints present in both versions, matched by
    owner id and metric name (an added or removed owner implies its metrics)."""

    def owners(jm: JourneyMap) -> list[tuple[str, str, str, tuple[Metric, ...]]]:
        found: list[tuple[str, str, str, tuple[Metric, ...]]] = []
        for stage in jm.stages:
            found.append((stage.id, stage.name, f"stage {stage.id}", stage.metrics))
        for tp in jm.all_touchpoints():
            found.append((tp.id, tp.name, f"touchpoint {tp.id}", tp.metrics))
        return found

    before = {owner_id: {m.name: m for m in metrics} for owner_id, _name, _where, metrics in owners(old)}
    out: list[Change] = []
    for owner_id, name, where, metrics in owners(new):
        old_metrics = before.get(owner_id)
        if old_metrics is None:
            continue
        new_metrics = {m.name: m for m in metrics}
        for metric in metrics:
            previous = old_metrics.get(metric.name)
            if previous != metric:
                before_text, after_text = _metric_text(previous), _metric_text(metric)
                out.append(
                    Change("metric", "metric", owner_id, name, metric.name, before_text, after_text, where=where)
                )
        for metric_name, previous in old_metrics.items():
            if metric_name not in new_metrics:
                before_text = _metric_text(previous)
                out.append(Change("metric", "metric", owner_id, name, metric_name, before_text, None, where=where))
    return out


def _diff_flow(old: JourneyMap, new: JourneyMap) -> list[Change]:
    """Every flow edge that appears or disappears, including those of added
    and removed touchpoints: a touchpoint inserted between two others shows
    the edge it replaces *and* the two edges that now go through it, so the
    reviewer reads the whole new path, not a broken journey."""
    before, after = old.flow_edges(), new.flow_edges()
    before_set, after_set = set(before), set(after)
    out: list[Change] = []
    for source, target in after:
        if (source, target) not in before_set:
            out.append(Change("flow", "edge-added", source, new.touchpoint(source).name, "next", None, target))
    for source, target in before:
        if (source, target) not in after_set:
            # The source may be gone from the new version: name it as it was.
            name = (new if source in new.index.touchpoints else old).touchpoint(source).name
            out.append(Change("flow", "edge-removed", source, name, "next", target, None))
    return out


__all__ = [
    "SECTIONS",
    "Change",
    "MapDiff",
    "Value",
    "diff_maps",
]

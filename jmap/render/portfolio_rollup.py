"""The roll-up of a portfolio: what its page, its summary and its JSON show.

Two steps, so that a portfolio too large for one machine can be built in
shards (docs/ci.md): :func:`map_facts` reduces one validated map to plain,
JSON-ready facts (its figures, its personas' emotions, its channels, pain
points and opportunities, its ``details`` links), and :func:`assemble` makes
the roll-up from the facts of every map and the portfolio file alone, never
from a map. Both are pure and deterministic: the same facts give the same
roll-up, whatever order the maps were built in.
"""

from __future__ import annotations

import datetime
from typing import Any

from jmap import model as m

TYPE_CHECKING = False
if TYPE_CHECKING:
    from jmap.format.portfolio import Shared

#: The version of the facts' and the roll-up's layout (portfolio.json's ``version``).
ROLLUP_VERSION = 1
IMPACT_ORDER = {"high": 0, "medium": 1, "low": 2, None: 3}
EFFORT_ORDER = {"low": 0, "medium": 1, "high": 2, None: 3}
STATUS_ORDER = {"in-progress": 0, "planned": 1, "idea": 2, None: 3, "done": 4}


def map_facts(jm: m.JourneyMap, map_id: str, path: str, links: list[list[Any]] | None = None) -> dict[str, Any]:
    """What the portfolio outputs need of one valid map (``path``: its source,
    relative to the portfolio's folder, with ``/``)."""
    shared_personas = set(jm.shared_personas)
    shared_channels = set(jm.shared_channels)
    personas = []
    for p in jm.personas:
        route = []
        for tp in jm.persona_journey(p.id):
            score = jm.emotion_at(tp, p.id)
            if score is None:
                continue
            route.append({"touchpoint": tp.id, "name": tp.name, "stage": jm.stage_of(tp.id).name, "score": score})
        personas.append(
            {"id": p.id, "name": p.name, "color": p.color, "shared": p.id in shared_personas, "route": route}
        )
    channel_use: dict[str, int] = {}
    for tp in jm.all_touchpoints():
        if tp.channel is not None:
            channel_use[tp.channel] = channel_use.get(tp.channel, 0) + 1
    details = []
    for stage in jm.stages:
        if stage.details:
            details.append({"from": stage.id, "name": stage.name, "kind": "stage", "map": stage.details})
        for tp in _walk(stage.touchpoints):
            if tp.details:
                details.append({"from": tp.id, "name": tp.name, "kind": "touchpoint", "map": tp.details})
    return {
        "id": map_id,
        "path": path,
        "valid": True,
        "links": links or [],
        "title": jm.title,
        "owner": jm.owner,
        "lang": jm.lang,
        "reviewed": jm.reviewed,
        "stages": [{"id": s.id, "name": s.name} for s in jm.stages],
        "touchpoints": sum(1 for _ in jm.all_touchpoints()),
        "personas": personas,
        "channels": [
            {"id": c.id, "name": c.name, "type": c.type, "shared": c.id in shared_channels, "touchpoints": n}
            for c in jm.channels
            if (n := channel_use.get(c.id, 0))
        ],
        "details": details,
        "pain_points": [
            {
                "id": pp.id,
                "name": pp.name,
                "severity": pp.severity,
                "touchpoint": jm.touchpoint_of_pain_point(pp.id).name,
                "stage": jm.stage_of(jm.touchpoint_of_pain_point(pp.id).id).name,
            }
            for pp in jm.all_pain_points()
        ],
        "opportunities": [
            {
                "id": o.id,
                "name": o.name,
                "description": o.description,
                "impact": o.impact,
                "effort": o.effort,
                "status": o.status,
                "owner": o.owner,
                "addresses": [f"{map_id}/{a}" for a in o.addresses] + list(o.cross_addresses),
            }
            for o in jm.opportunities
        ],
    }


def invalid_facts(map_id: str, path: str, links: list[list[Any]] | None = None) -> dict[str, Any]:
    """A map that did not validate: listed, with nothing rolled up from it."""
    return {"id": map_id, "path": path, "valid": False, "links": links or []}


def _walk(touchpoints: tuple[m.Touchpoint, ...]) -> list[m.Touchpoint]:
    out: list[m.Touchpoint] = []
    for tp in touchpoints:
        out.append(tp)
        out.extend(_walk(tp.touchpoints))
    return out


def _lowest(route: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The persona's lowest moment: the first touchpoint with its lowest score."""
    if not route:
        return None
    low = min(route, key=lambda r: r["score"])
    return {"touchpoint": low["touchpoint"], "name": low["name"], "stage": low["stage"], "score": low["score"]}


def assemble(
    shared: Shared, facts: list[dict[str, Any]], today: datetime.date, outputs: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """The roll-up of the portfolio from its maps' facts (in path order).

    ``outputs``: map id → {format: path of the output relative to the
    portfolio's output folder}, for the links of the page.
    """
    from jmap.format.portfolio import due_date, is_stale

    outputs = outputs or {}
    facts = sorted(facts, key=lambda f: f["path"])
    ids = [f["id"] for f in facts]
    known = set(ids)
    by_id = {f["id"]: f for f in facts}
    children: dict[str, list[str]] = {i: [] for i in ids}
    parents: dict[str, list[dict[str, str]]] = {i: [] for i in ids}
    for f in facts:
        for d in f.get("details", []):
            if d["map"] in known and d["map"] != f["id"]:
                if d["map"] not in children[f["id"]]:
                    children[f["id"]].append(d["map"])
                parents[d["map"]].append({"map": f["id"], "from": d["from"], "name": d["name"]})
    roots = [i for i in ids if not parents[i]]
    # A map detailed from several places sits under the one nearest a root
    # (the first in path order): levels by breadth-first search, then the
    # tree of those first parents in depth-first order. Maps caught in a
    # cycle have no root above them and are listed as roots too.
    level_of: dict[str, int] = {}
    primary: dict[str, list[str]] = {i: [] for i in ids}
    frontier = list(roots)
    for r in roots:
        level_of[r] = 0
    while frontier:
        nxt = []
        for node in frontier:
            for child in children[node]:
                if child not in level_of:
                    level_of[child] = level_of[node] + 1
                    primary[node].append(child)
                    nxt.append(child)
        frontier = nxt
    order: list[tuple[str, int]] = []
    seen: set[str] = set()

    def visit(root: str) -> None:
        stack = [(root, 0)]
        while stack:
            node, level = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            order.append((node, level))
            stack.extend((c, level + 1) for c in reversed(primary[node]))

    for root in roots:
        visit(root)
    for i in ids:
        if i not in seen:
            visit(i)

    every = shared.review_every
    pain_index = {
        f"{f['id']}/{pp['id']}": {**pp, "map": f["id"]} for f in facts if f["valid"] for pp in f["pain_points"]
    }
    maps = []
    for map_id, level in order:
        f = by_id[map_id]
        entry: dict[str, Any] = {
            "id": map_id,
            "path": f["path"],
            "valid": f["valid"],
            "level": level,
            "parents": parents[map_id],
            "children": children[map_id],
            "outputs": outputs.get(map_id, {}),
        }
        if f["valid"]:
            severities = {s: 0 for s in reversed(m.SEVERITIES)}
            for pp in f["pain_points"]:
                severities[pp["severity"]] += 1
            statuses = {s: 0 for s in m.STATUSES}
            for o in f["opportunities"]:
                if o["status"] in statuses:
                    statuses[o["status"]] += 1
            entry.update(
                title=f["title"],
                owner=f["owner"],
                stages=len(f["stages"]),
                touchpoints=f["touchpoints"],
                lowest=[{"persona": p["id"], "name": p["name"], "moment": _lowest(p["route"])} for p in f["personas"]],
                pain_points=severities,
                opportunities=statuses,
                unprioritised=sum(1 for o in f["opportunities"] if o["status"] is None),
                reviewed=f["reviewed"],
                due=due_date(f["reviewed"], every),
                stale=is_stale(f["reviewed"], every, today),
            )
        maps.append(entry)

    personas = []
    for pid, persona in shared.personas.items():
        appearances = []
        for map_id, _level in order:
            f = by_id[map_id]
            if not f["valid"]:
                continue
            for p in f["personas"]:
                if p["id"] == pid and p["shared"]:
                    appearances.append({"map": map_id, "route": p["route"], "lowest": _lowest(p["route"])})
        personas.append(
            {
                "id": pid,
                "name": persona.name,
                "description": persona.description,
                "color": persona.color,
                "quote": persona.quote,
                "maps": appearances,
            }
        )

    channels = []
    for cid, channel in shared.channels.items():
        per_map = {}
        for map_id, _level in order:
            f = by_id[map_id]
            if not f["valid"]:
                continue
            for c in f["channels"]:
                if c["id"] == cid and c["shared"]:
                    per_map[map_id] = c["touchpoints"]
        channels.append({"id": cid, "name": channel.name, "type": channel.type, "maps": per_map})

    backlog = []
    for map_id, _level in order:
        f = by_id[map_id]
        if not f["valid"]:
            continue
        for o in f["opportunities"]:
            addresses = []
            for ref in o["addresses"]:
                pp = pain_index.get(ref)
                target_map, _, pain_id = ref.partition("/")
                if pp is None:
                    addresses.append({"map": target_map, "id": pain_id, "name": None, "severity": None})
                else:
                    addresses.append({"map": target_map, "id": pain_id, "name": pp["name"], "severity": pp["severity"]})
            backlog.append(
                {
                    "map": map_id,
                    **{k: o[k] for k in ("id", "name", "description", "impact", "effort", "status", "owner")},
                    "addresses": addresses,
                }
            )
    position = {map_id: n for n, (map_id, _level) in enumerate(order)}
    backlog.sort(
        key=lambda o: (
            STATUS_ORDER.get(o["status"], 3),
            IMPACT_ORDER.get(o["impact"], 3),
            EFFORT_ORDER.get(o["effort"], 3),
            position[o["map"]],
        )
    )
    addressed = {f"{a['map']}/{a['id']}" for o in backlog for a in o["addresses"]}
    unaddressed = [
        {"map": pp["map"], "id": pp["id"], "name": pp["name"], "severity": pp["severity"]}
        for ref, pp in pain_index.items()
        if pp["severity"] in m.SERIOUS_SEVERITIES and ref not in addressed
    ]
    return {
        "version": ROLLUP_VERSION,
        "title": shared.title,
        "description": shared.description,
        "owner": shared.owner,
        "lang": shared.lang or "en",
        "review": {"every": every.text} if every is not None else None,
        "maps": maps,
        "hierarchy": roots,
        "personas": personas,
        "channels": channels,
        "backlog": backlog,
        "unaddressed": unaddressed,
    }

"""The roll-up of a portfolio (jmap.render.portfolio_rollup) from its maps'
facts alone: the hierarchy, each map's figures, the persona index, the
channel matrix and the one backlog."""

from __future__ import annotations

import datetime

from jmap.format.portfolio import Shared, duration_of
from jmap.format.validator import load_text
from jmap.model import Channel, Persona
from jmap.render.portfolio_md import render_portfolio_md
from jmap.render.portfolio_rollup import assemble, invalid_facts, map_facts

SHARED = Shared(
    file="p.yaml",
    path="/p/jmap-portfolio.yaml",
    title="P",
    lang="en",
    personas={"lea": Persona("lea", "Léa"), "max": Persona("max", "Max")},
    channels={"web": Channel("web", "Web"), "fax": Channel("fax", "Fax", "offline")},
    positions={"lea": ("persona", 4, 9), "max": ("persona", 5, 9), "web": ("channel", 7, 9), "fax": ("channel", 8, 9)},
    review_every=duration_of("6mo"),
)
DAY = datetime.date(2026, 12, 11)


def facts(ident: str, *, details: str = "", reviewed: str = "2026-11-01", opportunity: str = "") -> dict:
    text = f"""\
jmap: 1
id: {ident}
title: Map {ident}
reviewed: {reviewed}
personas: [lea, {{id: own-{ident}, name: Own}}]
stages:
  - id: s
    name: Stage
{f"    details: {details}" if details else ""}
    touchpoints:
      - {{id: a, name: A, channel: web, emotion: 1}}
      - {{id: b, name: B, channel: web, emotion: {{lea: -2, own-{ident}: 0}},
          pain_points: [{{id: p, name: Pain of {ident}, severity: high}}]}}
opportunities:
  - {{id: o, name: Fix {ident}, addresses: [p{", " + opportunity if opportunity else ""}], impact: low, effort: high, status: idea}}
"""
    result = load_text(text, portfolio=SHARED)
    assert result.map is not None, [d.format() for d in result.diagnostics]
    return map_facts(result.map, ident, f"{ident}.yaml")


def test_hierarchy_nearest_parent_first_and_cycles_listed() -> None:
    rollup = assemble(
        SHARED,
        [facts("master", details="buy"), facts("buy", details="pay"), facts("pay"), facts("loop", details="loop")],
        DAY,
    )
    # Roots in path order (a map detailing only itself is one), each followed by the maps under it.
    assert [(m["id"], m["level"]) for m in rollup["maps"]] == [("loop", 0), ("master", 0), ("buy", 1), ("pay", 2)]
    assert rollup["hierarchy"] == ["loop", "master"]
    assert next(m for m in rollup["maps"] if m["id"] == "buy")["parents"] == [
        {"map": "master", "from": "s", "name": "Stage"}
    ]


def test_figures_lowest_moments_and_reviews() -> None:
    rollup = assemble(SHARED, [facts("a", reviewed="2026-01-02"), invalid_facts("b", "b.yaml")], DAY)
    a, b = rollup["maps"]
    assert (a["stages"], a["touchpoints"]) == (1, 2)
    assert a["pain_points"] == {"low": 0, "medium": 0, "high": 1, "critical": 0}
    assert a["opportunities"]["idea"] == 1
    assert a["lowest"][0]["moment"] == {"touchpoint": "b", "name": "B", "stage": "Stage", "score": -2}
    assert (a["due"], a["stale"]) == ("2026-07-01", True)
    assert b == {"id": "b", "path": "b.yaml", "valid": False, "level": 0, "parents": [], "children": [], "outputs": {}}


def test_personas_channels_and_one_backlog_across_maps() -> None:
    rollup = assemble(SHARED, [facts("a"), facts("b", opportunity="a/p")], DAY)
    lea = rollup["personas"][0]
    assert [m["map"] for m in lea["maps"]] == ["a", "b"]
    assert [s["score"] for s in lea["maps"][0]["route"]] == [1, -2]
    assert rollup["personas"][1]["maps"] == []  # max: in no map
    assert rollup["channels"][0]["maps"] == {"a": 2, "b": 2}
    assert rollup["channels"][1]["maps"] == {}
    fix_b = next(o for o in rollup["backlog"] if o["map"] == "b")
    assert [(x["map"], x["id"], x["name"]) for x in fix_b["addresses"]] == [
        ("b", "p", "Pain of b"),
        ("a", "p", "Pain of a"),
    ]
    # a/p is addressed by both maps, b/p by b: nothing serious is left unanswered.
    assert rollup["unaddressed"] == []


def test_the_backlog_puts_work_in_progress_first_then_impact_then_effort() -> None:
    one = facts("a")
    one["opportunities"] = [
        {**one["opportunities"][0], "id": i, "impact": imp, "effort": eff, "status": st}
        for i, imp, eff, st in [
            ("done", "high", "low", "done"),
            ("idea-low", "low", "low", "idea"),
            ("idea-high", "high", "high", "idea"),
            ("idea-high-easy", "high", "low", "idea"),
            ("doing", "low", "high", "in-progress"),
            ("planned", "medium", "medium", "planned"),
        ]
    ]
    order = [o["id"] for o in assemble(SHARED, [one], DAY)["backlog"]]
    assert order == ["doing", "planned", "idea-high-easy", "idea-high", "idea-low", "done"]


def test_the_summary_escapes_user_text_and_keeps_review_flags_last() -> None:
    hostile = facts("a")
    hostile["title"] = "[click](http://evil) <b>@team</b> | x"
    hostile["opportunities"] = []  # its high pain point is left unanswered
    md = render_portfolio_md(assemble(SHARED, [hostile], DAY)).decode()
    assert "\\[click\\]\\(http://evil\\) \\<b\\>\\@team\\</b\\> \\| x" in md
    assert "](http://evil)" not in md
    # The review flags come last, in a section of their own.
    assert md.index("## Opportunity backlog") < md.index("## Serious pain points no opportunity addresses")
    assert md.rstrip().endswith("- 🟧 Pain of a (high, \\[click\\]\\(http://evil\\) \\<b\\>\\@team\\</b\\> \\| x)")

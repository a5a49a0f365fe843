"""The portfolio page (``OUT/index.html`` of a portfolio) and its two
siblings, ``portfolio.md`` and ``portfolio.json``, from one roll-up
(jmap.render.portfolio_rollup).

The page follows the map page's rules: Jinja2 with autoescape, one inline
style block allowed by its hash in a strict Content-Security-Policy, no
script, nothing from the network, the portfolio's language, drawn icons
(inline SVG), persona colours darkened to 3:1 as on the map page.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from jmap.render.locale import NNBSP, with_colon
from jmap.render.page import CURVE_BACKGROUNDS, readable_color
from jmap.render.portfolio_text import counted, say_every, score_text, words
from jmap.render.style import EMOTION_COLORS, SEVERITY_COLORS, persona_colors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

#: The sparkline of a persona's emotion along one map.
SPARK_WIDTH = 168
SPARK_HEIGHT = 44
SPARK_PAD = 6


def _spark(route: list[dict[str, Any]], color: str) -> dict[str, Any]:
    """Points of the sparkline: x spread over the width, y from +2 (top) to −2."""
    n = len(route)
    inner_w = SPARK_WIDTH - 2 * SPARK_PAD
    inner_h = SPARK_HEIGHT - 2 * SPARK_PAD
    points = []
    for i, step in enumerate(route):
        x = SPARK_PAD + (inner_w * i / (n - 1) if n > 1 else inner_w / 2)
        y = SPARK_PAD + inner_h * (2 - step["score"]) / 4
        points.append({"x": round(x, 1), "y": round(y, 1), "fill": EMOTION_COLORS[step["score"]], **step})
    return {
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "zero": SPARK_PAD + inner_h / 2,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "points": points,
        "color": color,
    }


def page_view(rollup: dict[str, Any]) -> dict[str, Any]:
    """Everything the template shows, worked out here so the template only lays it out."""
    lang = rollup["lang"]
    w = words(lang)

    def quoted(text: str) -> str:
        """« text » with French no-break spaces, “text” in English."""
        return f"«{NNBSP}{text}{NNBSP}»" if lang == "fr" else f"“{text}”"

    def colon(label: str) -> str:
        return with_colon(label, lang)

    titles = {mp["id"]: mp.get("title") or mp["id"] for mp in rollup["maps"]}

    class _P:
        def __init__(self, ident: str, color: str | None) -> None:
            self.id, self.color = ident, color

    colors = persona_colors([_P(p["id"], p["color"]) for p in rollup["personas"]])  # type: ignore[misc]
    colors = {k: readable_color(v, CURVE_BACKGROUNDS) for k, v in colors.items()}

    maps = []
    for mp in rollup["maps"]:
        links = [
            {"label": w[label], "href": quote(mp["outputs"][fmt])}
            for fmt, label in (("html", "page"), ("svg", "diagram"), ("md", "summary"))
            if fmt in mp["outputs"]
        ]
        # One line per parent map: the first place it details this map from.
        firsts = {p["map"]: p for p in reversed(mp["parents"])}
        parents = [
            w["details"].format(stage=quoted(firsts[pid]["name"]), map=titles[pid])
            for pid in dict.fromkeys(p["map"] for p in mp["parents"])
        ]
        maps.append({**mp, "title": titles[mp["id"]], "links": links, "parents_text": parents})

    personas = []
    for p in rollup["personas"]:
        color = colors[p["id"]]
        rows = []
        for a in p["maps"]:
            if not a["route"]:
                continue
            route = a["route"]
            low = a["lowest"]
            label = w["emotion_along"].format(
                persona=p["name"],
                map=titles[a["map"]],
                first=score_text(route[0]["score"]),
                last=score_text(route[-1]["score"]),
                low=score_text(low["score"]),
                moment=low["name"],
            )
            rows.append(
                {
                    "map": a["map"],
                    "title": titles[a["map"]],
                    "spark": _spark(route, color),
                    "label": label,
                    "lowest": low,
                    "low_text": score_text(low["score"]),
                }
            )
        n = len(p["maps"])
        count = w["no_map"] if n == 0 else (w["appears_in_one"] if n == 1 else w["appears_in"].format(n=n))
        personas.append({**p, "color": color, "rows": rows, "count": count})

    map_ids = [mp["id"] for mp in rollup["maps"] if mp["valid"]]
    channels = [{**c, "cells": [c["maps"].get(i) for i in map_ids], "kind": w[c["type"]]} for c in rollup["channels"]]

    backlog = []
    for o in rollup["backlog"]:
        addresses = [
            {
                **a,
                "map_title": titles.get(a["map"], a["map"]),
                "color": SEVERITY_COLORS.get(a["severity"] or "", "#8d99ae"),
            }
            for a in o["addresses"]
        ]
        backlog.append({**o, "map_title": titles[o["map"]], "addresses": addresses})

    every = rollup["review"]["every"] if rollup["review"] else None
    return {
        "lang": lang,
        "w": w,
        "title": rollup["title"],
        "description": rollup["description"],
        "owner": rollup["owner"],
        "count": w["map_count"] if len(maps) == 1 else w["maps_count"].format(n=len(maps)),
        "review_every": w["review_every"].format(every=say_every(every, lang)) if every else None,
        "maps": maps,
        "personas": personas,
        "channel_maps": [{"id": i, "title": titles[i]} for i in map_ids],
        "channels": channels,
        "backlog": backlog,
        "severity_colors": SEVERITY_COLORS,
        "severities": ("critical", "high", "medium", "low"),
        "statuses": ("in-progress", "planned", "idea", "done"),
        "score_text": score_text,
        "quoted": quoted,
        "counted": lambda n, key: counted(n, key, lang),
        "colon": colon,
    }


def render_portfolio_page(rollup: dict[str, Any], templates_dir: Path | None = None) -> bytes:
    """``index.html`` of the portfolio: self-contained, strict CSP."""
    from jmap.render.templating import environment, render
    from jmap.resources import templates_dir as shipped_templates

    search = [str(shipped_templates())]
    if templates_dir is not None and (templates_dir / "portfolio" / "index.html.j2").is_file():
        search.insert(0, str(templates_dir))
    env = environment(tuple(search))
    return render(env, "portfolio/index.html.j2", **page_view(rollup)).encode("utf-8")


def render_portfolio_json(rollup: dict[str, Any]) -> bytes:
    """``portfolio.json``: the roll-up as data (schema: ``portfolio-rollup.schema.json``)."""
    document = {"$schema": "https://jmap.dev/schema/portfolio-rollup-1.json", **rollup}
    # Keys sorted: the same bytes whether the facts came from a map or through a shard manifest.
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")

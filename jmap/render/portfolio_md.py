"""``portfolio.md``: the portfolio's roll-up for a wiki or a pull request.

The same roll-up as the page (jmap.render.portfolio_rollup), as GitHub
Markdown: the maps in hierarchy order with their key figures and reviews,
each shared persona's lowest moment in each map, the channel × map matrix and
the one opportunity backlog. User text is escaped so it can never become
markup, a link or a mention. The team's review flags (serious pain points no
opportunity addresses) come last, in a section of their own (house style).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from jmap.render.portfolio_text import counted, say_every, score_text, words

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~@&])")
_EMOJI_SEVERITY = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "⬜"}


def md(text: object) -> str:
    """User text as literal Markdown, on one line (a newline would end a table row)."""
    flat = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", flat)


def render_portfolio_md(rollup: dict[str, Any]) -> bytes:
    lang = rollup["lang"]
    w = words(lang)
    titles = {mp["id"]: mp.get("title") or mp["id"] for mp in rollup["maps"]}
    out: list[str] = [f"# {md(rollup['title'])}", ""]
    if rollup["description"]:
        out += [md(rollup["description"]), ""]
    meta = [
        w["portfolio"],
        w["map_count"] if len(rollup["maps"]) == 1 else w["maps_count"].format(n=len(rollup["maps"])),
    ]
    if rollup["owner"]:
        meta.append(f"{w['owner']}{w_colon(lang)} {md(rollup['owner'])}")
    if rollup["review"]:
        meta.append(w["review_every"].format(every=say_every(rollup["review"]["every"], lang)))
    out += [" · ".join(meta), ""]

    out += [f"## {w['hierarchy']}", ""]
    out.append(
        f"| {w['map']} | {w['stages']} | {w['touchpoints']} | {w['pain_points']} | {w['opportunities']} | {w['reviewed']} |"
    )
    out.append("| --- | ---: | ---: | --- | --- | --- |")
    for mp in rollup["maps"]:
        indent = "&nbsp;&nbsp;&nbsp;&nbsp;" * mp["level"] + ("↳ " if mp["level"] else "")
        title = md(titles[mp["id"]])
        if "html" in mp["outputs"]:
            title = f"[{title}]({quote(mp['outputs']['html'])})"
        if not mp["valid"]:
            out.append(f"| {indent}{title} | | | {md(w['invalid'])} | | |")
            continue
        pains = ", ".join(
            f"{_EMOJI_SEVERITY[s]} {counted(n, s, lang)}"
            for s in ("critical", "high", "medium", "low")
            if (n := mp["pain_points"][s])
        )
        opps = ", ".join(
            counted(n, s, lang) for s in ("in-progress", "planned", "idea", "done") if (n := mp["opportunities"][s])
        )
        review = mp["reviewed"] or w["not_reviewed"]
        if mp["stale"]:
            review += f" ⚠️ {w['stale']}"
        out.append(f"| {indent}{title} | {mp['stages']} | {mp['touchpoints']} | {pains} | {opps} | {review} |")
    out.append("")

    if rollup["personas"]:
        out += [
            f"## {w['personas']}",
            "",
            f"| {w['personas']} | " + " | ".join(md(titles[i]) for i in _valid(rollup)) + " |",
        ]
        out.append("| --- |" + " --- |" * len(_valid(rollup)))
        for p in rollup["personas"]:
            cells = []
            lows = {a["map"]: a["lowest"] for a in p["maps"]}
            for map_id in _valid(rollup):
                low = lows.get(map_id)
                cells.append(
                    f"{score_text(low['score'])} {md(low['name'])}" if low else ("·" if map_id in lows else "")
                )
            out.append(f"| {md(p['name'])} | " + " | ".join(cells) + " |")
        out += ["", f"_{md(w['lowest'])}_", ""]

    if rollup["channels"]:
        out += [
            f"## {w['channels']}",
            "",
            f"| {w['channel']} | " + " | ".join(md(titles[i]) for i in _valid(rollup)) + " |",
        ]
        out.append("| --- |" + " ---: |" * len(_valid(rollup)))
        for c in rollup["channels"]:
            out.append(f"| {md(c['name'])} | " + " | ".join(str(c["maps"].get(i, "")) for i in _valid(rollup)) + " |")
        out.append("")

    out += [f"## {w['backlog']}", ""]
    if rollup["backlog"]:
        out.append(
            f"| {w['opportunity']} | {w['map']} | {w['impact']} | {w['effort']} | {w['status']} | {w['owner']} | {w['addresses']} |"
        )
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        for o in rollup["backlog"]:
            addressed = "<br>".join(
                f"{_EMOJI_SEVERITY.get(a['severity'] or '', '')} {md(a['name'] or w['unknown_pain_point'])} ({md(titles.get(a['map'], a['map']))})".strip()
                for a in o["addresses"]
            )
            out.append(
                f"| {md(o['name'])} | {md(titles[o['map']])} | {w[o['impact']] if o['impact'] else ''} | "
                f"{w[o['effort']] if o['effort'] else ''} | {w[o['status']] if o['status'] else ''} | "
                f"{md(o['owner'] or '')} | {addressed} |"
            )
    else:
        out.append(w["no_opportunities"])
    out.append("")

    if rollup["unaddressed"]:
        out += [f"## {w['unaddressed']}", ""]
        for a in rollup["unaddressed"]:
            out.append(
                f"- {_EMOJI_SEVERITY[a['severity']]} {md(a['name'])} ({w[a['severity']]}, {md(titles[a['map']])})"
            )
        out.append("")
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")


def w_colon(lang: str) -> str:
    return "\u00a0:" if lang == "fr" else ":"


def _valid(rollup: dict[str, Any]) -> list[str]:
    return [mp["id"] for mp in rollup["maps"] if mp["valid"]]

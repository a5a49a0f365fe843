"""Generated journey maps for the benchmarks: realistic shape, any size.

Every feature that costs time appears at a fixed rate (per-persona emotions,
sub-touchpoints, pain points, metrics, `next` branches and loops), so time per
touchpoint is comparable across sizes and linear growth shows as a flat line.
"""

from __future__ import annotations


def generated_map_yaml(touchpoints: int, per_stage: int = 10) -> str:
    lines = [
        "jmap: 1",
        f"title: Generated journey of {touchpoints} touchpoints",
        "lang: en",
        "personas:",
        "  - {id: ana, name: Ana, color: '#2a9d8f'}",
        "  - {id: ben, name: Ben, color: '#e76f51'}",
        "  - {id: chloe, name: Chloé}",
        "channels:",
        "  - {id: web, name: Web}",
        "  - {id: store, name: Store, type: offline}",
        "stages:",
    ]
    pains: list[str] = []
    made = 0
    stage = 0
    while made < touchpoints:
        lines += [
            f"  - id: s{stage}",
            f"    name: Stage {stage}",
            "    duration: 1d2h",
            "    metrics: {visitors: 1200}",
            "    touchpoints:",
        ]
        for _ in range(min(per_stage, touchpoints - made)):
            i = made
            made += 1
            lines += [
                f"      - id: t{i}",
                f"        name: Touchpoint {i} — étape",
                f"        channel: {'web' if i % 3 else 'store'}",
                "        doing: Compares offers",
                "        thinking: [Is it worth it?, Where is the price?]",
                "        feeling: Hesitant",
                f"        emotion: {{ana: {i % 5 - 2}, ben: {(i + 2) % 5 - 2}, chloe: 0}}",
                "        duration: 5min30s",
                "        metrics: {conversion: 42%, nps: {value: 31, target: 40, source: Survey}}",
            ]
            if i % 4 == 0:
                lines += [
                    "        pain_points:",
                    f"          - {{id: p{i}, name: Pain {i}, severity: {('low', 'medium', 'high', 'critical')[i % 8 // 2]}}}",
                ]
                pains.append(f"p{i}")
            if i % 10 == 5:
                lines += ["        touchpoints:", f"          - {{id: t{i}-sub, name: Step of {i}}}"]
            if i % 25 == 24 and i + 2 < touchpoints:
                lines += [f"        next: [t{i + 1}, t{i + 2}]"]
        stage += 1
    if pains:
        lines.append("opportunities:")
        for pain in pains:
            lines.append(
                f"  - {{id: o-{pain}, name: Fix {pain}, addresses: [{pain}], impact: high, effort: low, status: idea}}"
            )
    return "\n".join(lines) + "\n"

"""Generated maps of any size, for the benchmarks and the browser tests.

Generated maps have a realistic shape at any size, and every feature that
costs time appears at a fixed rate (per-persona emotions, persona subsets,
sub-touchpoints, pain points, metrics, `next` branches, loops back and exits),
so time per touchpoint is comparable across sizes and linear growth shows as
a flat column. They are built as text, so generating costs nothing measurable.
"""

from __future__ import annotations

PERSONAS = ("ana", "ben", "chloe")
TOUCHPOINTS_PER_STAGE = 10


def generated_map_yaml(touchpoints: int, *, personas: bool = True, branches: bool = True) -> str:
    """A valid map of ``touchpoints`` touchpoints (sub-touchpoints included);
    without ``personas`` it has none (one emotion per touchpoint), without
    ``branches`` the flow is the document order (no loop, no exit)."""
    out = [
        "jmap: 1",
        f"title: Generated journey of {touchpoints} touchpoints",
        "lang: en",
    ]
    if personas:
        out += [
            "personas:",
            "  - {id: ana, name: Ana, color: '#2a9d8f'}",
            "  - {id: ben, name: Ben, color: '#e76f51'}",
            "  - {id: chloe, name: Chloé}",
        ]
    out += [
        "channels:",
        "  - {id: web, name: Website, type: online}",
        "  - {id: shop, name: Shop, type: offline}",
        "stages:",
    ]
    pains: list[str] = []
    made = 0
    stage = 0
    while made < touchpoints:
        out += [
            f"  - id: stage-{stage}",
            f"    name: Stage {stage}",
            "    goal: Move the customer on",
            "    duration: 1d2h",
            f"    metrics: {{visitors: {100_000 // (stage + 1)}}}",
            "    touchpoints:",
        ]
        for _ in range(TOUCHPOINTS_PER_STAGE):
            if made >= touchpoints:
                break
            i = made
            out += [
                f"      - id: tp-{i}",
                f"        name: Touchpoint number {i} — étape",
                f"        channel: {'shop' if i % 5 == 0 else 'web'}",
                "        doing: Compares offers",
                "        thinking: [Is it worth it?, Where is the price?]",
                "        feeling: Hesitant",
                "        duration: 5min30s",
                f"        emotion: {{ana: {i % 5 - 2}, ben: {(i + 2) % 5 - 2}}}"
                if i % 3 and personas
                else f"        emotion: {i % 5 - 2}",
            ]
            if i % 4 == 1 and personas:
                out.append("        personas: [ana, ben]")
            if i % 6 == 2:
                out += [
                    "        metrics:",
                    f"          conversion: {{value: {i % 90 + 5}%, target: 90%, source: Survey}}",
                ]
            if i % 5 == 3:
                severity = ("low", "medium", "high", "critical")[i % 4]
                out += [
                    "        pain_points:",
                    f"          - {{id: pain-{i}, name: Something goes wrong at step {i}, severity: {severity}}}",
                ]
                pains.append(f"pain-{i}")
            # Branches: a loop back every 13 touchpoints, an exit every 17.
            if branches and i % 13 == 12 and i >= 3:
                out.append(
                    f"        next: [tp-{i + 1}, tp-{i - 3}]" if i + 1 < touchpoints else f"        next: [tp-{i - 3}]"
                )
            elif branches and i % 17 == 16:
                out.append("        next: []")
            made += 1
            if i % 7 == 6 and made < touchpoints:
                out += ["        touchpoints:", f"          - {{id: tp-{made}, name: A finer step {made}}}"]
                made += 1
        stage += 1
    if pains:
        out.append("opportunities:")
        out += [
            f"  - {{id: fix-{p}, name: Fix {p}, addresses: [{p}], impact: high, effort: low, status: idea}}"
            for p in pains
        ]
    return "\n".join(out) + "\n"

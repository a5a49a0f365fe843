"""Benchmark of `jmap render -f html`: the examples and generated maps.

    .venv/bin/python bench/bench_html.py            # examples, 50, 500, 5000 touchpoints
    .venv/bin/python bench/bench_html.py 500 20000  # chosen sizes

Prints the best-of-N time of render_html per map (the page in memory, as the
CLI produces it before writing) and the time per touchpoint, so that linear
growth shows as a flat last column. Exits 1 when a 500-touchpoint page takes
a second or more, the issue's budget, so CI can run it as a check.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jmap.model import (  # noqa: E402
    Channel,
    Duration,
    Emotion,
    JourneyMap,
    Metric,
    MetricValue,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from jmap.render_html import render_html  # noqa: E402

BUDGET_500 = 1.0
SEVERITIES = ("low", "medium", "high", "critical")


def generated_map(touchpoints: int, per_stage: int = 10) -> JourneyMap:
    """A realistic map of ``touchpoints`` top-level touchpoints: three personas,
    per-persona emotions, a sub-touchpoint, a pain point and a metric every few
    touchpoints, explicit branches and loops, and an opportunity per pain point."""
    personas = (
        Persona(id="ana", name="Ana", color="#2a9d8f", goals=("Go fast",)),
        Persona(id="ben", name="Ben", color="#e76f51"),
        Persona(id="chloe", name="Chloé"),
    )
    channels = (Channel(id="web", name="Web"), Channel(id="store", name="Store", type="offline"))
    stages: list[Stage] = []
    opportunities: list[Opportunity] = []
    made = 0
    while made < touchpoints:
        s = len(stages)
        tps: list[Touchpoint] = []
        for _ in range(min(per_stage, touchpoints - made)):
            i = made
            made += 1
            pain = ()
            if i % 4 == 0:
                pain = (PainPoint(id=f"pp{i}", name=f"Pain point {i}", severity=SEVERITIES[i % 4]),)
                opportunities.append(
                    Opportunity(id=f"op{i}", name=f"Fix {i}", addresses=(f"pp{i}",), impact="high", status="idea")
                )
            nxt = None
            if i % 25 == 7 and i + 3 < touchpoints:
                nxt = (f"t{i + 1}", f"t{i + 3}")
            elif i % 50 == 30:
                nxt = (f"t{i - 5}", f"t{i + 1}") if i + 1 < touchpoints else ()
            tps.append(
                Touchpoint(
                    id=f"t{i}",
                    name=f"Touchpoint {i} — étape",
                    channel=channels[i % 2].id,
                    personas=None if i % 3 else ("ana", "ben"),
                    doing=(f"Does thing {i}",),
                    thinking=(f"Thinks about {i}",) if i % 2 else (),
                    feeling=("Curious",) if i % 5 == 0 else (),
                    emotion=Emotion(per_persona={"ana": (i % 5) - 2, "ben": ((i + 2) % 5) - 2})
                    if i % 3 == 0
                    else Emotion(everyone=((i * 7) % 5) - 2),
                    duration=Duration("5min", 300),
                    backstage=(f"System {i % 7}",) if i % 6 == 0 else (),
                    owner="Team A" if i % 10 == 0 else None,
                    metrics=(Metric("conversion", MetricValue(i % 100, True, f"{i % 100}%")),) if i % 8 == 0 else (),
                    next=nxt,
                    pain_points=pain,
                    touchpoints=(Touchpoint(id=f"t{i}-sub", name=f"Step of {i}"),) if i % 9 == 0 else (),
                )
            )
        stages.append(Stage(id=f"s{s}", name=f"Stage {s}", goal=f"Goal of stage {s}", touchpoints=tuple(tps)))
    return JourneyMap(
        title=f"Generated journey of {touchpoints} touchpoints",
        personas=personas,
        channels=channels,
        stages=tuple(stages),
        opportunities=tuple(opportunities),
    )


def best_of(render, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        render()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [50, 500, 5000]
    rows: list[tuple[str, int, float, int]] = []
    render_html(generated_map(5))  # compile the templates once, as a long run would
    try:
        from jmap.validator import load_file

        for path in sorted((ROOT / "examples").glob("*.yaml")):
            jm = load_file(path).map
            if jm is not None:
                n = sum(1 for _ in jm.all_touchpoints())
                html = render_html(jm)
                rows.append((path.name, n, best_of(lambda jm=jm: render_html(jm), 5), len(html.encode())))
    except ImportError:
        pass
    for size in sizes:
        jm = generated_map(size)
        n = sum(1 for _ in jm.all_touchpoints())
        html = render_html(jm)
        repeats = 5 if size <= 1000 else 2
        rows.append((f"generated-{size}", n, best_of(lambda jm=jm: render_html(jm), repeats), len(html.encode())))

    print(f"{'map':<28} {'touchpoints':>11} {'seconds':>9} {'ms/touchpoint':>14} {'page KiB':>9}")
    for name, n, seconds, size in rows:
        print(f"{name:<28} {n:>11} {seconds:>9.3f} {1000 * seconds / n:>14.3f} {size / 1024:>9.0f}")
    slow = [(name, s) for name, n, s, _ in rows if name == "generated-500" and s >= BUDGET_500]
    if slow:
        print(f"FAIL: a 500-touchpoint page took {slow[0][1]:.2f}s (budget {BUDGET_500}s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

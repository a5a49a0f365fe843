"""Benchmark of the Markdown summary on maps of many pain points with long texts.

    .venv/bin/python bench/bench_markdown.py             # 1,000 / 4,000 / 8,000 pain points
    .venv/bin/python bench/bench_markdown.py 500 16000   # chosen sizes

Each pain point has a 5,000-character description and one opportunity
addressing it: the two corners that were quadratic or per-character (looking
up a pain point's opportunities, escaping long texts). The floor, measured in
the same run on the same map, is ``str.replace`` of the map's four markup
characters over every pain point's texts, the least any escaper must do; the ratio should stay flat as the
map grows (linear) and small (not per character in Python).

It is a benchmark, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maps import best  # noqa: E402
from jmap.format.validator import load_text  # noqa: E402
from jmap.model import JourneyMap  # noqa: E402
from jmap.render.markdown import render_md  # noqa: E402

DESCRIPTION_WORDS = 2_500  # "word " * 2,500 ≈ 5,000 characters with the spaces


def long_text_map(pain_points: int) -> JourneyMap:
    lines = ["jmap: 1", "title: Long texts", "channels:", "  - {id: web, name: Web}", "stages:"]
    per_stage = 100
    for stage in range(max(1, pain_points // per_stage)):
        lines += [f"  - id: s{stage}", f"    name: Stage {stage}", "    touchpoints:"]
        for i in range(stage * per_stage, min(pain_points, (stage + 1) * per_stage)):
            text = "w|[*] " * (DESCRIPTION_WORDS // 2)
            lines.append(
                f"      - {{id: t{i}, name: Step {i}, channel: web, "
                f"pain_points: [{{id: p{i}, name: Pain {i}, description: '{text}'}}]}}"
            )
    lines.append("opportunities:")
    lines += [f"  - {{id: o{i}, name: Fix {i}, addresses: [p{i}]}}" for i in range(pain_points)]
    result = load_text("\n".join(lines) + "\n", "bench.yaml")
    assert result.map is not None, result.diagnostics[:3]
    return result.map


def floor(jm: JourneyMap) -> None:
    for pain in jm.all_pain_points():
        for text in (pain.description or "", pain.name):
            text.replace("|", "\\|").replace("*", "\\*").replace("[", "\\[").replace("]", "\\]")


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1_000, 4_000, 8_000]
    print(f"{'pain points':>11} {'render_md s':>12} {'floor s':>8} {'ratio':>6} {'µs per pain point':>18}")
    for size in sizes:
        jm = long_text_map(size)
        ours = best(3, lambda jm=jm: render_md(jm))
        base = best(3, lambda jm=jm: floor(jm))
        print(f"{size:>11} {ours:>12.3f} {base:>8.3f} {ours / base:>6.2f} {1e6 * ours / size:>18.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

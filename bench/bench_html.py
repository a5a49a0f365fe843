"""Benchmark of `jmap render -f html`: the examples and generated maps.

    .venv/bin/python bench/bench_html.py            # examples, 50, 500, 5000 touchpoints
    .venv/bin/python bench/bench_html.py 500 20000  # chosen sizes

Two tables, each figure the best of several runs:

- the command as users run it, `jmap render -f html -o DIR FILE`, against a
  stack floor measured in the same run (the same interpreter importing yaml,
  click and jinja2 and loading the map with ``yaml.CSafeLoader``), and their
  ratio (target: at most 1.5);
- ``render_html`` alone, in process, with the time per touchpoint, which stays
  flat when growth is linear (target: a 500-touchpoint page under 1 s).

It is a benchmark, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maps import best, floor_load_command, generated_map_yaml, jmap_command, run  # noqa: E402
from jmap.format.validator import load_file  # noqa: E402
from jmap.render.page import render_html  # noqa: E402


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [50, 500, 5000]
    with tempfile.TemporaryDirectory(prefix="jmap-bench-html-") as tmp:
        workdir = Path(tmp)
        cases = sorted((ROOT / "examples").glob("*.yaml"))
        for size in sizes:
            path = workdir / f"generated-{size}.yaml"
            path.write_text(generated_map_yaml(size), encoding="utf-8")
            cases.append(path)

        print(f"{'map':<28} {'touchpoints':>11} {'jmap s':>8} {'floor s':>8} {'ratio':>6}")
        for path in cases:
            repeat = 2 if path.stat().st_size > 500_000 else 5
            render = [*jmap_command(), "render", "-f", "html", "-o", str(workdir / "out"), str(path)]
            run(render)  # warm-up: bytecode as an installed jmap has it
            ours = best(repeat, lambda render=render: run(render))
            floor = best(repeat, lambda path=path: run(floor_load_command(path, jinja=True)))
            jm = load_file(path).map
            assert jm is not None, path
            touchpoints = sum(1 for _ in jm.all_touchpoints())
            print(f"{path.stem:<28} {touchpoints:>11} {ours:>8.3f} {floor:>8.3f} {ours / floor:>6.2f}", flush=True)

        print(
            f"\n{'render_html in process':<28} {'touchpoints':>11} {'seconds':>9} {'ms/touchpoint':>14} {'page KiB':>9}"
        )
        render_html(load_file(cases[0]).map)  # compile the templates once, as a long run would
        for path in cases:
            jm = load_file(path).map
            touchpoints = sum(1 for _ in jm.all_touchpoints())
            page = render_html(jm)
            seconds = best(2 if touchpoints > 1000 else 5, lambda jm=jm: render_html(jm))
            print(
                f"{path.stem:<28} {touchpoints:>11} {seconds:>9.3f} {1000 * seconds / touchpoints:>14.3f}"
                f" {len(page.encode()) / 1024:>9.0f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

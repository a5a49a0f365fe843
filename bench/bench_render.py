"""Benchmark of `jmap render -f svg` against a floor measured in the same run.

    .venv/bin/python bench/bench_render.py                 # examples + 50, 500, 5000
    .venv/bin/python bench/bench_render.py --sizes 50 500  # fewer generated maps
    .venv/bin/python bench/bench_render.py --repeat 5

For each example map and each generated map of N touchpoints, it prints:

- jmap: wall time of the real command, ``jmap render -f svg -o DIR FILE``;
- floor: what no implementation can avoid, measured on this machine now:
  the same interpreter starting and loading the map with ``yaml.CSafeLoader``,
  plus ``dot -Tsvg`` on the very DOT file that jmap produces for the map;
- ratio: jmap / floor (target: at most 1.6 for the example maps);
- python: the Python part alone (validation, model and DOT text, in process),
  and its time per touchpoint, which stays flat when the part is linear.

The best of ``--repeat`` runs is kept for every figure, after a warm-up run
that caches bytecode as an installed jmap would have it, so a busy machine
inflates nothing. Generated maps are written as YAML to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERSONAS = ("ana", "ben", "chloe")
TOUCHPOINTS_PER_STAGE = 10


def jmap_command() -> list[str]:
    script = Path(sys.executable).with_name("jmap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jmap"]


def generated_map(touchpoints: int) -> str:
    """A plausible map of ``touchpoints`` touchpoints: stages of ten, three
    personas, per-persona emotions, pain points, metrics, a sub-step every
    seventh touchpoint, a loop back every thirteenth and an exit every
    seventeenth. Built as text so that generation costs nothing measurable."""
    out = [
        "jmap: 1",
        f"title: Generated journey of {touchpoints} touchpoints",
        "lang: en",
        "personas:",
        *(f"  - {{id: {p}, name: Persona {p}}}" for p in PERSONAS),
        "channels:",
        "  - {id: web, name: Website, type: online}",
        "  - {id: shop, name: Shop, type: offline}",
        "stages:",
    ]
    made = 0
    stage = 0
    while made < touchpoints:
        out += [
            f"  - id: stage-{stage}",
            f"    name: Stage {stage}",
            "    goal: Move the customer on",
            "    touchpoints:",
        ]
        for _ in range(TOUCHPOINTS_PER_STAGE):
            if made >= touchpoints:
                break
            i = made
            out += [
                f"      - id: tp-{i}",
                f"        name: Touchpoint number {i} of the generated journey",
                f"        channel: {'shop' if i % 5 == 0 else 'web'}",
                f"        emotion: {{ana: {i % 5 - 2}, ben: {(i + 2) % 5 - 2}}}"
                if i % 3
                else f"        emotion: {i % 5 - 2}",
            ]
            if i % 4 == 1:
                out.append("        personas: [ana, ben]")
            if i % 6 == 2:
                out += ["        metrics:", f"          conversion: {{value: {i % 90 + 5}%, target: 90%}}"]
            if i % 5 == 3:
                out += [
                    "        pain_points:",
                    f"          - {{id: pain-{i}, name: Something goes wrong at step {i}, severity: medium}}",
                ]
            if i % 13 == 12 and i >= 3:
                out.append(
                    f"        next: [tp-{i + 1}, tp-{i - 3}]" if i + 1 < touchpoints else f"        next: [tp-{i - 3}]"
                )
            elif i % 17 == 16:
                out.append("        next: []")
            made += 1
            if i % 7 == 6 and made < touchpoints:
                out += ["        touchpoints:", f"          - {{id: tp-{made}, name: A finer step {made}}}"]
                made += 1
        stage += 1
    return "\n".join(out) + "\n"


def best(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


#: Users run jmap with compiled bytecode cached; a shell that sets
#: PYTHONDONTWRITEBYTECODE would make every run recompile every module.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], stdin: bytes | None = None) -> None:
    subprocess.run(cmd, input=stdin, capture_output=True, check=True, env=ENV)


def measure(path: Path, workdir: Path, repeat: int) -> tuple[float, float, float, int]:
    from jmap.render_dot import render_dot
    from jmap.validator import load_file

    result = load_file(path)
    if result.map is None:
        raise SystemExit(f"{path}: invalid map, cannot benchmark")
    touchpoints = sum(1 for _ in result.map.all_touchpoints())
    run([*jmap_command(), "render", "-f", "dot", "-o", str(workdir), str(path)])
    dot_file = workdir / f"{path.stem}.dot"
    dot = shutil.which("dot") or "dot"
    load = f"import yaml; yaml.load(open({str(path)!r}, 'rb'), Loader=yaml.CSafeLoader)"

    run([*jmap_command(), "render", "-f", "svg", "-o", str(workdir), str(path)])  # warm-up: writes bytecode
    jmap_time = best(repeat, lambda: run([*jmap_command(), "render", "-f", "svg", "-o", str(workdir), str(path)]))
    floor_load = best(repeat, lambda: run([sys.executable, "-c", load]))
    floor_dot = best(repeat, lambda: run([dot, "-Tsvg", "-o", str(workdir / "floor.svg"), str(dot_file)]))
    python_part = best(repeat, lambda: render_dot(load_file(path).map))
    return jmap_time, floor_load + floor_dot, python_part, touchpoints


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[50, 500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if shutil.which("dot") is None:
        print("the Graphviz program `dot` is not installed; the benchmark needs it", file=sys.stderr)
        return 1
    print(f"{'map':<28} {'touchpoints':>11} {'jmap s':>8} {'floor s':>8} {'ratio':>6} {'python s':>9} {'µs/tp':>7}")
    with tempfile.TemporaryDirectory(prefix="jmap-bench-") as tmp:
        workdir = Path(tmp)
        cases = sorted((ROOT / "examples").glob("*.yaml"))
        for size in args.sizes:
            generated = workdir / f"generated-{size}.yaml"
            generated.write_text(generated_map(size), encoding="utf-8")
            cases.append(generated)
        for path in cases:
            repeat = args.repeat if path.parent != workdir or "5000" not in path.name else 1
            jmap_time, floor, python_part, touchpoints = measure(path, workdir, repeat)
            print(
                f"{path.stem:<28} {touchpoints:>11} {jmap_time:>8.3f} {floor:>8.3f} {jmap_time / floor:>6.2f}"
                f" {python_part:>9.4f} {python_part / touchpoints * 1e6:>7.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

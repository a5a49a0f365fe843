"""Benchmark of `jmap render -f svg` against a floor measured in the same run.

    .venv/bin/python bench/bench_render.py                 # examples + 50, 500, 5000
    .venv/bin/python bench/bench_render.py --sizes 50 500  # fewer generated maps
    .venv/bin/python bench/bench_render.py --repeat 5

For each example map and each generated map of N touchpoints, it prints:

- jmap: wall time of the real command, ``jmap render -f svg -o DIR FILE``;
- floor: what no implementation can avoid, measured on this machine now:
  the same interpreter starting, importing yaml and click and loading the map
  with ``yaml.CSafeLoader``, plus ``dot -Tsvg`` on the very DOT file that jmap
  produces for the map;
- ratio: jmap / floor (target: at most 1.6 for the example maps);
- python: the Python part alone (validation, model and DOT text, in process),
  and its time per touchpoint, which stays flat when the part is linear.

The best of ``--repeat`` runs is kept for every figure, after a warm-up run
that caches bytecode as an installed jmap would have it, so a busy machine
inflates nothing. Generated maps are written as YAML to a temporary folder.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maps import best, floor_load_command, generated_map_yaml, jmap_command, run  # noqa: E402


def measure(path: Path, workdir: Path, repeat: int) -> tuple[float, float, float, int]:
    from jmap.format.validator import load_file
    from jmap.render.diagram import render_dot

    result = load_file(path)
    if result.map is None:
        raise SystemExit(f"{path}: invalid map, cannot benchmark")
    touchpoints = sum(1 for _ in result.map.all_touchpoints())
    run([*jmap_command(), "render", "-f", "dot", "-o", str(workdir), str(path)])
    dot_file = workdir / f"{path.stem}.dot"
    dot = shutil.which("dot") or "dot"

    run([*jmap_command(), "render", "-f", "svg", "-o", str(workdir), str(path)])  # warm-up: writes bytecode
    jmap_time = best(repeat, lambda: run([*jmap_command(), "render", "-f", "svg", "-o", str(workdir), str(path)]))
    floor_load = best(repeat, lambda: run(floor_load_command(path)))
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
            generated.write_text(generated_map_yaml(size), encoding="utf-8")
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

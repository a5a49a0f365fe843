"""Benchmark of the Markdown summary against a floor measured in the same run.

    .venv/bin/python bench/bench_md.py                 # 50, 500, 5000 touchpoints
    .venv/bin/python bench/bench_md.py --sizes 50 500 --repeat 5

For each generated map of N touchpoints, in process (the CLI's start-up is
bench_render's business), it prints:

- md: ``render_md`` on the loaded map (tables, pictures, escaping);
- floor: loading the same map's YAML with ``yaml.CSafeLoader``, what any
  renderer of the file must at least do, measured on this machine now;
- ratio: md / floor, which stays flat as N grows when the summary is linear;
- per touchpoint: md's time per touchpoint, likewise flat.

The best of ``--repeat`` runs is kept for every figure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maps import best, generated_map_yaml  # noqa: E402


def main(argv: list[str]) -> int:
    from jmap.format.validator import load_text
    from jmap.render.markdown import render_md

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'touchpoints':>11} {'md ms':>9} {'floor ms':>9} {'ratio':>6} {'µs/touchpoint':>14}")
    for size in args.sizes:
        text = generated_map_yaml(size)
        jm = load_text(text, "generated.yaml").map
        assert jm is not None
        md = best(args.repeat, lambda jm=jm: render_md(jm))
        floor = best(args.repeat, lambda text=text: yaml.load(text, Loader=yaml.CSafeLoader))
        print(f"{size:>11} {md * 1000:>9.1f} {floor * 1000:>9.1f} {md / floor:>6.2f} {md / size * 1e6:>14.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

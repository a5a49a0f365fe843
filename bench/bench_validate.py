"""Benchmark of `jmap validate` against the least a PyYAML-based validator must do.

    .venv/bin/python bench/bench_validate.py

Run it with the interpreter of an installed virtual environment (scripts/setup.sh
makes one), not through a shell wrapper: the floor and jmap then run on the
same interpreter. For each map it prints the best wall time of
`jmap validate FILE` and of the stack floor, measured in the same run:

    python -c "import yaml, click; yaml.load(open(FILE, 'rb'), Loader=yaml.CSafeLoader)"

and their ratio. For the first example it then shows
where the start-up goes, step by step, against the same floor. For generated maps of 100, 1,000 and
10,000 touchpoints it also prints the in-process validation time and the time
per touchpoint, which stays flat when growth is linear (target: 10,000
touchpoints under 2 s). It is a benchmark, not a test: it prints figures and
exits 0.
"""

from __future__ import annotations

import compileall
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maps import best, floor_load_command, generated_map_yaml, jmap_command, run  # noqa: E402

PYTHON = sys.executable


def main() -> int:
    import jmap
    from jmap.format.validator import load_text

    # Measure what an installed wheel runs: bytecode compiled, as pip does.
    compileall.compile_dir(str(Path(jmap.__file__).parent), quiet=1)
    print(f"interpreter: {PYTHON}\njmap: {jmap.__file__}\n")
    print(f"{'map':<34}{'jmap validate':>15}{'floor':>10}{'ratio':>8}")
    floor_pass = best(15, lambda: run([PYTHON, "-c", "pass"]))
    rows: list[tuple[str, Path]] = [(p.name, p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    with tempfile.TemporaryDirectory() as tmp:
        sizes = (100, 1_000, 10_000)
        for size in sizes:
            path = Path(tmp) / f"generated-{size}.yaml"
            path.write_text(generated_map_yaml(size), encoding="utf-8")
            rows.append((f"generated {size:,} touchpoints", path))
        for name, path in rows:
            runs = 15 if path.stat().st_size < 200_000 else 3
            ours = best(runs, lambda path=path: run([*jmap_command(), "validate", str(path)]))
            floor = best(runs, lambda path=path: run(floor_load_command(path)))
            print(f"{name:<34}{ours * 1000:>12.1f} ms{floor * 1000:>7.1f} ms{ours / floor:>8.2f}")
        print(f"\n(python -c pass alone: {floor_pass * 1000:.1f} ms)\n")
        startup_parts(rows[0][1])
        print(f"{'in-process validation':<34}{'time':>12}{'per touchpoint':>18}")
        for size in sizes:
            text = (Path(tmp) / f"generated-{size}.yaml").read_bytes()
            result = load_text(text, "generated.yaml")
            assert result.map is not None, [d.format() for d in result.diagnostics[:3]]
            seconds = best(3 if size >= 10_000 else 7, lambda text=text: load_text(text, "generated.yaml"))
            print(f"{f'{size:,} touchpoints':<34}{seconds * 1000:>9.1f} ms{seconds / size * 1e6:>15.1f} µs")
    return 0


def startup_parts(path: Path) -> None:
    """Where a small map's time goes, each step adding to the one above, as a
    ratio to the stack floor (python, yaml and click, loading the map): what
    jmap's own modules cost before any checking."""
    load = f"import yaml; yaml.load(open({str(path)!r}, 'rb'), Loader=yaml.CSafeLoader)"
    steps = [
        ("floor: python, yaml, click, load", [PYTHON, "-c", f"import click; {load}"]),
        ("+ jmap.model (frozen dataclasses)", [PYTHON, "-c", f"import click, jmap.model; {load}"]),
        ("+ every module validate imports", [PYTHON, "-c", f"import jmap.cli, jmap.commands.validate; {load}"]),
        ("jmap validate (parse, check, report)", [*jmap_command(), "validate", str(path)]),
    ]
    print(f"{'start-up, ' + path.name:<40}{'time':>10}{'× floor':>9}")
    floor = 0.0
    for name, cmd in steps:
        seconds = best(15, lambda cmd=cmd: run(cmd))
        floor = floor or seconds
        print(f"{name:<40}{seconds * 1000:>7.1f} ms{seconds / floor:>9.2f}")
    print()


if __name__ == "__main__":
    raise SystemExit(main())

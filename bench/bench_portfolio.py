"""Benchmark of a portfolio (docs/portfolio.md) of generated maps.

    .venv/bin/python bench/bench_portfolio.py                  # 100 and 1,000 maps
    .venv/bin/python bench/bench_portfolio.py --sizes 100,300 -f html,md --jobs 2

For each size it generates a portfolio (10 to 40 touchpoints a map, six shared
personas of which each map follows two, plus one that one map in ten follows,
eight shared channels, a master journey detailing every tenth map, cross-map
``addresses``) and times the real command, process start included:

- validate: ``jmap validate DIR``, and its time per map (linear: the same
  per map at every size);
- build: a full ``jmap build DIR -o OUT`` into an empty folder;
- check: ``jmap build --check`` on the built folder, nothing changed
  (target on 1,000 maps: at most 2 s), against its floor measured in the same
  run: a Python process that reads and hashes every map and every output;
- one persona: the rare shared persona renamed in the portfolio file, then a
  build: how many maps it rendered (exactly those that follow the persona)
  and its time;
- shard: ``--shard 1/4`` into an empty folder, as a fraction of the full
  build (target: about a quarter), and ``--index`` after the four shards.

The best of ``--repeat`` runs is kept for the timings of commands that change
nothing; the machine's other load can only inflate the others.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maps import ENV, jmap_command  # noqa: E402 - after the path set-up above

PERSONAS = ("lea", "max", "nora", "omar", "paul", "rita")
RARE = "zoe"
CHANNELS = ("web", "app", "email", "sms", "shop", "phone", "carrier", "home")


def portfolio_yaml() -> str:
    lines = ["jmap-portfolio: 1", "title: Generated portfolio", "lang: en", "personas:"]
    for i, pid in enumerate((*PERSONAS, RARE)):
        lines.append(
            f"  - {{id: {pid}, name: Persona {pid.title()}, color: '#{(i * 37) % 256:02x}6a{(i * 91) % 256:02x}'}}"
        )
    lines.append("channels:")
    for i, cid in enumerate(CHANNELS):
        lines.append(f"  - {{id: {cid}, name: Channel {cid}, type: {'online' if i < 4 else 'offline'}}}")
    lines += ["review:", "  every: 1y", ""]
    return "\n".join(lines)


def map_yaml(i: int, count: int) -> str:
    touchpoints = 10 + (i * 7) % 31
    followed = [PERSONAS[i % 6], PERSONAS[(i + 2) % 6]] + ([RARE] if i % 10 == 3 else [])
    lines = [
        "jmap: 1",
        f"id: m{i:04d}",
        f"title: Map {i:04d}",
        "reviewed: 2026-10-01",
        f"personas: [{', '.join(followed)}]",
        "stages:",
    ]
    per_stage = (touchpoints + 3) // 4
    n = 0
    for s in range(4):
        lines += [f"  - id: s{s}", f"    name: Stage {s}"]
        lines.append("    touchpoints:")
        for _ in range(per_stage):
            if n >= touchpoints:
                break
            score = ((n * 5 + i) % 5) - 2
            lines.append(
                f"      - {{id: t{n}, name: Touchpoint {n} of map {i}, channel: {CHANNELS[(n + i) % 8]}, "
                f"emotion: {{{followed[0]}: {score}, {followed[1]}: {-score}}}"
                + (f", details: m{(n * 10) % count:04d}" if i == 0 and n > 0 and (n * 10) % count else "")
                + (
                    f", pain_points: [{{id: p{n}, name: Pain {n}, severity: {('low', 'medium', 'high')[n % 3]}}}]"
                    if n % 3 == 0
                    else ""
                )
                + "}"
            )
            n += 1
    lines.append("opportunities:")
    for n in range(0, touchpoints, 3):
        lines.append(f"  - {{id: o{n}, name: Fix {n}, addresses: [p{n}], impact: high, effort: low, status: planned}}")
    if i > 0:
        lines.append(f"  - {{id: cross, name: Cross-map fix, addresses: [m{i - 1:04d}/p0], status: idea}}")
    return "\n".join(lines) + "\n"


def make_portfolio(root: Path, count: int) -> Path:
    src = root / f"portfolio-{count}"
    src.mkdir(parents=True)
    (root / ".git").mkdir(exist_ok=True)
    (src / "jmap-portfolio.yaml").write_text(portfolio_yaml(), encoding="utf-8")
    for i in range(count):
        folder = src / f"team-{i % 8}"
        folder.mkdir(exist_ok=True)
        (folder / f"m{i:04d}.yaml").write_text(map_yaml(i, count), encoding="utf-8")
    return src


def run(args: list[str], expect: tuple[int, ...] = (0,)) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([*jmap_command(), *args], capture_output=True, env={**ENV, "CI": "1"}, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in expect:
        sys.exit(
            f"jmap {' '.join(args[:3])} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')[-3000:]}"
        )
    return elapsed, done.stdout.decode(errors="replace")


def best_of(repeat: int, args: list[str], expect: tuple[int, ...] = (0,)) -> float:
    return min(run(args, expect)[0] for _ in range(repeat))


FLOOR = """
import hashlib, sys
from pathlib import Path
for folder in sys.argv[1:]:
    for p in sorted(Path(folder).rglob('*')):
        if p.is_file():
            hashlib.sha256(p.read_bytes()).hexdigest()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000", help="comma list of portfolio sizes (maps)")
    parser.add_argument("-f", "--formats", default="html,md", help="formats built (default html,md)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    fmt = ["-f", options.formats, "-j", str(options.jobs), "--no-progress"]
    per_map: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="jmap-bench-portfolio-") as tmp:
        root = Path(tmp)
        for count in sizes:
            src = make_portfolio(root, count)
            out = root / f"out-{count}"
            print(f"== {count} maps ({options.formats}, -j {options.jobs})")
            validate = best_of(options.repeat, ["validate", str(src)], expect=(0,))
            per_map[count] = validate / count
            print(f"validate DIR           {validate:8.2f} s   {1000 * validate / count:6.2f} ms a map")
            build, _ = run(["build", str(src), "-o", str(out), *fmt])
            print(f"build (full)           {build:8.2f} s")
            check = best_of(options.repeat, ["build", str(src), "-o", str(out), *fmt[:2], "--check"])
            floor = min(
                (
                    lambda: (
                        s := time.perf_counter(),
                        subprocess.run([sys.executable, "-c", FLOOR, str(src), str(out)], check=True),
                        time.perf_counter() - s,
                    )[2]
                )()
                for _ in range(options.repeat)
            )
            print(f"build --check (no change) {check:5.2f} s   floor (read+hash) {floor:.2f} s   ×{check / floor:.1f}")
            portfolio = src / "jmap-portfolio.yaml"
            portfolio.write_text(
                portfolio.read_text(encoding="utf-8").replace("Persona Zoe", "Persona Zoé"), encoding="utf-8"
            )
            followers = sum(1 for i in range(count) if i % 10 == 3)
            _, listed = run(["build", str(src), "-o", str(out), *fmt[:2], "--check"], expect=(1,))
            stale_maps = {m.group(1) for m in re.finditer(r"(m\d{4})\.html \(shared persona zoe changed\)", listed)}
            edit, said = run(["build", str(src), "-o", str(out), *fmt])
            rendered = len(re.findall(r"^rendered ", said, re.M))
            print(
                f"one persona edited     {edit:8.2f} s   rendered {rendered} maps; {followers} follow it; "
                f"--check named {len(stale_maps)}"
            )
            for k in (1, 2, 3, 4):
                shard_out = root / f"shard-{count}-{k}"
                took, _ = run(["build", str(src), "-o", str(shard_out), *fmt, "--shard", f"{k}/4"])
                if k == 1:
                    shard_one = took
            print(f"--shard 1/4            {shard_one:8.2f} s   ×{shard_one / build:.2f} of the full build")
            together = root / f"together-{count}"
            for k in (1, 2, 3, 4):
                shutil.copytree(root / f"shard-{count}-{k}", together, dirs_exist_ok=True)
            index, _ = run(["build", str(src), "-o", str(together), *fmt[:2], "--index"])
            same = all(
                hashlib.sha256((together / p.relative_to(out)).read_bytes()).digest()
                == hashlib.sha256(p.read_bytes()).digest()
                for p in out.rglob("*")
                if p.is_file() and p.name != ".jmap-build.lock"
            )
            print(f"--index after 4 shards {index:8.2f} s   same bytes as one build: {same}")
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            print(
                f"validate per map: {1000 * per_map[small]:.2f} ms at {small}, {1000 * per_map[large]:.2f} ms at {large} "
                f"(×{per_map[large] / per_map[small]:.2f}: 1.0 is linear)"
            )


if __name__ == "__main__":
    main()

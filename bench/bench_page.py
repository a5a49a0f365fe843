"""Benchmark of `jmap render -f page-pdf` against a bare headless print.

    .venv/bin/python bench/bench_page.py          # the examples and a 200-touchpoint map
    .venv/bin/python bench/bench_page.py 500      # chosen generated sizes

The floor is what no PDF of the page can avoid: the same browser printing the
same HTML file, `chromium --headless --print-to-pdf` (with --no-sandbox and
a fresh profile folder, as jmap runs it). jmap adds loading the map,
rendering the page and fixing the PDF's dates; target: at most 1.5x the floor.
Each figure is the best of three runs. It is a benchmark, not a test: it
prints figures and exits 0 (or says why it cannot run).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maps import best, generated_map_yaml, jmap_command, run  # noqa: E402
from jmap.errors import RenderError  # noqa: E402
from jmap.render.browser import find_browser  # noqa: E402


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [200]
    try:
        browser = find_browser()
    except RenderError as exc:
        print(f"bench_page: {exc}")
        return 0
    with tempfile.TemporaryDirectory(prefix="jmap-bench-page-") as tmp:
        workdir = Path(tmp)
        cases = sorted((ROOT / "examples").glob("*.yaml"))
        for size in sizes:
            path = workdir / f"generated-{size}.yaml"
            path.write_text(generated_map_yaml(size), encoding="utf-8")
            cases.append(path)
        print(f"{'map':<28} {'jmap s':>8} {'floor s':>8} {'ratio':>6}")
        for path in cases:
            out = workdir / "out"
            html_dir = workdir / "html"
            run([*jmap_command(), "render", "-f", "html", "-o", str(html_dir), str(path)])
            page = html_dir / f"{path.stem}.html"
            ours = best(
                3,
                lambda path=path, out=out: run(
                    [*jmap_command(), "render", "-f", "page-pdf", "-o", str(out), str(path)]
                ),
            )

            def bare(page: Path = page) -> None:
                with tempfile.TemporaryDirectory(prefix="jmap-bench-profile-") as profile:
                    subprocess.run(
                        [
                            browser,
                            "--headless",
                            "--no-sandbox",
                            f"--user-data-dir={profile}",
                            f"--print-to-pdf={workdir / 'bare.pdf'}",
                            page.as_uri(),
                        ],
                        capture_output=True,
                        check=True,
                        timeout=300,
                    )

            floor = best(3, bare)
            print(f"{path.stem:<28} {ours:>8.3f} {floor:>8.3f} {ours / floor:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

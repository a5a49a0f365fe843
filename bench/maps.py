"""What the benchmarks share: generated maps, timing, and the floor.

The generated maps come from tests/support/generated.py, so the browser test
checks the very page whose render time bench_html.py reports.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.generated import PERSONAS, TOUCHPOINTS_PER_STAGE, generated_map_yaml

__all__ = [
    "ENV",
    "PERSONAS",
    "TOUCHPOINTS_PER_STAGE",
    "best",
    "floor_load_command",
    "generated_map_yaml",
    "jmap_command",
    "run",
]

#: Users run jmap with compiled bytecode cached; a shell that sets
#: PYTHONDONTWRITEBYTECODE would make every run recompile every module.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def best(runs: int, action: Callable[[], object]) -> float:
    """The best wall time of ``runs`` calls: the least disturbed by a busy machine."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def jmap_command() -> list[str]:
    """The installed console script beside this interpreter (what users run)."""
    script = Path(sys.executable).with_name("jmap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jmap"]


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, capture_output=True, check=True, env=ENV)


def floor_load_command(path: Path, *, jinja: bool = False) -> list[str]:
    """The stack floor: what any tool built on jmap's stack must do. Start the
    same interpreter, import the libraries the command cannot run without
    (PyYAML and click; Jinja2 too for the page, ``jinja=True``) and load the
    map with libyaml. Diagram benchmarks add ``dot`` on the map's DOT text."""
    imports = "import yaml, click" + (", jinja2" if jinja else "")
    return [sys.executable, "-c", f"{imports}; yaml.load(open({str(path)!r}, 'rb'), Loader=yaml.CSafeLoader)"]

"""Shared fixtures: paths of the project's files and helpers to run the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden"


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


def jmap_command() -> list[str]:
    """The installed console script when there is one, so acceptance tests
    drive what users run; else the module of the interpreter running pytest."""
    script = Path(sys.executable).with_name("jmap")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "jmap"]


def run_jmap(*args: str, cwd: Path | None = None, input: bytes | None = None, env: dict | None = None):
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [*jmap_command(), *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        env=full_env,
        timeout=120,
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked needs_dot are skipped (with the reason) where Graphviz is
    absent; CI installs it, and a test there checks that it is present."""
    if shutil.which("dot"):
        return
    skip = pytest.mark.skip(reason="the Graphviz `dot` program is not installed")
    for item in items:
        if "needs_dot" in item.keywords:
            item.add_marker(skip)

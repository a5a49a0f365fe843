"""Running the npm tools of tools/mermaid: the real Mermaid parser and markdownlint."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from support import ROOT

TOOLS = ROOT / "tools" / "mermaid"


@dataclass
class NodeRun:
    returncode: int
    stdout: str
    stderr: str


def run_tool(script: str, *args: str) -> NodeRun:
    done = subprocess.run(["node", str(TOOLS / script), *args], capture_output=True, text=True, timeout=300, cwd=TOOLS)
    return NodeRun(done.returncode, done.stdout, done.stderr)


def mermaid_parse(diagrams: dict[str, str], directory: Path) -> tuple[NodeRun, dict[str, dict]]:
    """Parse each diagram (name → text) in one Node process: what the real
    parser understood, by name, for the diagrams that parsed."""
    paths = []
    for name, text in diagrams.items():
        path = directory / f"{name}.mmd"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    run = run_tool("check.mjs", "--json", *paths)
    parsed = {Path(item["file"]).stem: item for item in json.loads(run.stdout or "[]")}
    return run, parsed


def markdownlint(files: list[Path], *, all_rules: bool = False) -> NodeRun:
    return run_tool("lint-md.mjs", *(["--all"] if all_rules else []), *map(str, files))

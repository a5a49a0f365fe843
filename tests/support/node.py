"""Running the npm tools of tools/mermaid: the real Mermaid parser and markdownlint."""

from __future__ import annotations

import html
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    parsed = {Path(item["file"]).stem: _decoded(item) for item in json.loads(run.stdout or "[]")}
    return run, parsed


#: Mermaid's placeholders for entity codes (its encodeEntities), which its
#: renderer turns back into HTML entities and so into characters.
_PLACEHOLDER = re.compile("\ufb02\u00b0(\u00b0?)(\\w+)\u00b6\u00df")


def shown(text: str) -> str:
    """What a reader of the rendered diagram sees for ``text`` as the parser
    reports it (placeholders decoded), or for text written with entity codes
    (``#58;``)."""
    text = _PLACEHOLDER.sub(lambda m: f"#{m.group(2)};", text)
    return re.sub(r"#(\w+);", lambda m: _entity(m.group(1)), text, flags=re.ASCII)


def _entity(inner: str) -> str:
    if inner.isdigit():
        return chr(int(inner))
    return html.unescape(f"&{inner};")


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in ("file", "type") else _decoded(v)) for k, v in value.items()}
    return value


def markdownlint(files: list[Path], *, all_rules: bool = False) -> NodeRun:
    return run_tool("lint-md.mjs", *(["--all"] if all_rules else []), *map(str, files))

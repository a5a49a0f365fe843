"""Regenerate the golden files of every example map.

Run after an intended change to a renderer, then review the diff of
tests/golden/ like any other change:

    .venv/bin/python scripts/regen_golden.py            # every format
    .venv/bin/python scripts/regen_golden.py dot md     # some formats

tests/unit/test_golden.py compares the renderers' output with these files.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jmap.format.validator import load_file  # noqa: E402
from jmap.render.formats import render_map  # noqa: E402

GOLDEN_FORMATS = ("dot", "html", "md", "mmd")


def main(argv: list[str]) -> int:
    formats = tuple(argv) or GOLDEN_FORMATS
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        result = load_file(path)
        if result.map is None:
            print(f"{path}: invalid, not regenerated", file=sys.stderr)
            return 1
        for fmt, data in render_map(result.map, formats).items():
            target = ROOT / "tests" / "golden" / fmt / f"{path.stem}.{fmt}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

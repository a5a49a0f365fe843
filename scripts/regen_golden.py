"""Regenerate the committed renders of the example maps (docs/renders).

docs/renders is the one golden set: tests/unit/test_golden.py compares the
renderers' output with it, and CI runs `jmap build examples -o docs/renders
--check`. Run this after an intended change to a renderer, then review the
diff of docs/renders like any other change:

    .venv/bin/python scripts/regen_golden.py

It is the same as `jmap build examples -o docs/renders` (every default format
and the gallery), run in-process with the checkout's code.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jmap.commands.build import build_maps  # noqa: E402
from jmap.render.formats import BUILD_FORMATS  # noqa: E402


def main(argv: list[str]) -> int:
    if argv:
        print("usage: regen_golden.py (it regenerates every format of docs/renders)", file=sys.stderr)
        return 2
    return build_maps(
        ROOT / "examples",
        ROOT / "docs" / "renders",
        jobs=1,
        check=False,
        formats=BUILD_FORMATS,
        strict=False,
        templates_dir=None,
        progress=False,
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

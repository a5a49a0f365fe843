"""Regenerate jmap/format/rules.json (what `jmap explain` prints) from docs/rules.md.

.venv/bin/python scripts/gen_rules.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jmap.format.rules import RULES_FILE, rules_json  # noqa: E402

RULES_FILE.write_text(rules_json((ROOT / "docs" / "rules.md").read_text(encoding="utf-8")), encoding="utf-8")
print(f"wrote {RULES_FILE.relative_to(ROOT)}")

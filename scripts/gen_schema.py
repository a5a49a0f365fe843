"""Regenerate jmap/journey-map.schema.json from jmap/formatdef.py.

.venv/bin/python scripts/gen_schema.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jmap.schema_gen import schema_text  # noqa: E402

target = ROOT / "jmap" / "journey-map.schema.json"
target.write_text(schema_text(), encoding="utf-8")
print(f"wrote {target.relative_to(ROOT)}")

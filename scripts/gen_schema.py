"""Regenerate jmap/format/journey-map.schema.json from jmap/format/table.py.

.venv/bin/python scripts/gen_schema.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jmap.format.schema import portfolio_schema_text, schema_text  # noqa: E402

target = ROOT / "jmap" / "format" / "journey-map.schema.json"
target.write_text(schema_text(), encoding="utf-8")
print(f"wrote {target.relative_to(ROOT)}")
portfolio = ROOT / "jmap" / "format" / "portfolio.schema.json"
portfolio.write_text(portfolio_schema_text(), encoding="utf-8")
print(f"wrote {portfolio.relative_to(ROOT)}")

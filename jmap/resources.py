"""Where the package's shipped files live: inside the package, so that a
wheel and a source checkout have one layout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    return _PACKAGE / "templates"


def schema_path() -> Path:
    return _PACKAGE / "format" / "journey-map.schema.json"


def portfolio_schema_path() -> Path:
    return _PACKAGE / "format" / "portfolio.schema.json"


def rollup_schema_path() -> Path:
    return _PACKAGE / "render" / "portfolio-rollup.schema.json"

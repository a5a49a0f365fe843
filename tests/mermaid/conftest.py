"""Helpers that run the npm tools in tools/mermaid: the real Mermaid parser
and markdownlint.

Tests here are marked ``mermaid``. They need Node.js and
``cd tools/mermaid && npm ci``; where either is missing they are skipped with
that reason on a developer's machine and failed in CI (support.tools), as
Graphviz tests are without ``dot``. The helpers are in support/node.py.
"""

from __future__ import annotations

import shutil

import pytest
from support.node import TOOLS
from support.tools import INSTALL, unavailable


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mermaid: needs Node.js and the npm tools of tools/mermaid (npm ci)")


def _missing() -> str | None:
    if shutil.which("node") is None:
        return INSTALL["node"]
    if not (TOOLS / "node_modules" / "mermaid").is_dir():
        return "the npm tools are not installed (cd tools/mermaid && npm ci)"
    return None


@pytest.fixture(autouse=True)
def _node_tools(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("mermaid") is not None:
        reason = _missing()
        if reason is not None:
            unavailable(reason)

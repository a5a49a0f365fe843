"""Hooks for the whole suite; shared helpers live in tests/support."""

from __future__ import annotations

import pytest
from support.tools import require


@pytest.fixture(autouse=True)
def _programs_of_markers(request: pytest.FixtureRequest) -> None:
    """A test marked ``needs_dot`` runs only with Graphviz: skipped without it
    on a developer's machine, failed in CI (see support.tools)."""
    if request.node.get_closest_marker("needs_dot") is not None:
        require("dot")

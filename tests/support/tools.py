"""The programs some tests drive (Graphviz ``dot``, Node.js, git, Chromium).

On a developer's machine a missing program skips the tests that need it,
with the reason. In CI (``CI`` set) it fails them: a CI image that lost one
of them must not pass by skipping what it was meant to check.
"""

from __future__ import annotations

import os
import shutil

import pytest

#: How to get each program, for the message.
INSTALL = {
    "dot": "the Graphviz `dot` program is not installed (apt-get install graphviz)",
    "node": "Node.js is not installed (apt-get install nodejs npm)",
    "git": "git is not installed (apt-get install git)",
}


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def unavailable(reason: str) -> None:
    """Skip the test locally; fail it in CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: a missing tool fails the run)", pytrace=False)
    pytest.skip(reason)


def require(program: str) -> str:
    """The path of ``program``, or the test is skipped (locally) or failed (CI)."""
    found = shutil.which(program)
    if found is None:
        unavailable(INSTALL.get(program, f"`{program}` is not installed"))
    assert found is not None
    return found

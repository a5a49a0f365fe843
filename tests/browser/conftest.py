"""The browser fixture: one headless Chromium for the whole session
(tests/support/browser.py drives it)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import Browser, chromium_path
from support.tools import unavailable


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium is not installed (apt-get install chromium), or set JMAP_CHROMIUM")
    with tempfile.TemporaryDirectory(prefix="jmap-chromium-") as profile:
        b = Browser(executable, Path(profile))
        try:
            yield b
        finally:
            b.close()

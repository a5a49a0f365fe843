"""The browser fixture: one headless Chromium for the whole session, driven
by the product's own DevTools client (tests/support/browser.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import Browser, browser_path
from support.tools import unavailable


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = browser_path()
    if executable is None:
        unavailable("Chromium is not installed (apt-get install chromium), or set JMAP_BROWSER")
    with tempfile.TemporaryDirectory(prefix="jmap-chromium-") as profile:
        b = Browser(executable, Path(profile))
        try:
            yield b
        finally:
            b.close()

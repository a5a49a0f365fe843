"""A real headless Chromium for the HTML page tests, driven by the product's
own DevTools client (jmap.render.browser.DevTools) with no new dependency.

Chromium is spoken to over a pipe (``--remote-debugging-pipe``: JSON messages
separated by NUL bytes on file descriptors 3 and 4), so neither a WebDriver,
nor Playwright's browser download, nor a websocket library is needed: only
the Debian ``chromium`` package, found as the product finds it (JMAP_BROWSER,
else Chromium or Chrome on PATH). The browser records every request the page
attempts and every console message, which is what the tests assert on.

Where Chromium is missing the browser tests are skipped locally, but fail in
CI (``CI`` set) so that a broken CI image cannot pass silently (support.tools).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from jmap.errors import RenderError
from jmap.render.browser import DevTools, find_browser

#: What a DevTools command that fails raises (the product's error).
CdpError = RenderError
#: One browser serves the whole session: its own deadline is a day, each
#: command has TEST_COMMAND_TIMEOUT seconds.
SESSION_TIMEOUT = 86400.0
TEST_COMMAND_TIMEOUT = 60.0


def browser_path() -> str | None:
    """The browser the product would use (JMAP_BROWSER, else PATH), or None."""
    try:
        return find_browser()
    except RenderError:
        return None


class Browser(DevTools):
    """One Chromium process and one page, with what the tests look at."""

    def __init__(self, executable: str, profile: Path) -> None:
        super().__init__(executable, profile, SESSION_TIMEOUT)
        self.attach(("Page", "Network", "Runtime", "Log"))

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: bool = True, timeout: float | None = None
    ) -> Any:
        return super().send(method, params, session, TEST_COMMAND_TIMEOUT if timeout is None else timeout)

    def wait_for(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        return super().wait_for(method, TEST_COMMAND_TIMEOUT if timeout is None else timeout)

    # page helpers ---------------------------------------------------------------

    def open(self, path: Path, width: int = 1400, height: int = 1000, dark: bool = False) -> None:
        """Load a page afresh, forgetting the events of the previous one."""
        self.viewport(width, height, scale=1)
        self.emulate(media="", dark=dark)
        self.navigate(path.resolve().as_uri())

    def emulate_media(self, media: str) -> None:
        self.send("Emulation.setEmulatedMedia", {"media": media})

    def screenshot(self, target: Path, element: str | None = None, max_height: int = 16000) -> Path:
        """The whole page, or from the top of ``element`` (a CSS selector) down,
        at most ``max_height`` pixels tall."""
        box = self.evaluate(
            "(() => { const d = document.documentElement;"
            f" const el = {json.dumps(element)} ? document.querySelector({json.dumps(element)}) : null;"
            " const top = el ? el.getBoundingClientRect().top + window.scrollY : 0;"
            " return {w: d.scrollWidth, y: top, h: d.scrollHeight - top}; })()"
        )
        clip = {"x": 0, "y": box["y"], "width": box["w"], "height": min(box["h"], max_height), "scale": 1}
        data = self.send(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}, timeout=60
        )["data"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
        return target

    # what the page did ----------------------------------------------------------

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def console_errors(self) -> list[str]:
        errors = []
        for e in self.events:
            p = e["params"]
            if e["method"] == "Runtime.exceptionThrown":
                errors.append(json.dumps(p["exceptionDetails"])[:500])
            elif e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert", "warning"):
                errors.append(json.dumps(p["args"])[:500])
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
                errors.append(p["entry"].get("text", "")[:500])
        return errors

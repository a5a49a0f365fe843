"""A real headless Chromium for the HTML page tests, with no new dependency.

Chromium is driven through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages separated by NUL bytes on file
descriptors 3 and 4), so neither a WebDriver, nor Playwright's browser
download, nor a websocket library is needed: only the Debian ``chromium``
package. The browser records every request the page attempts and every
console message, which is what the tests assert on.

Where Chromium is missing the browser tests are skipped locally, but fail in
CI (``CI`` set) so that a broken CI image cannot pass silently (support.tools).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from jmap.render.browser import BROWSER_CANDIDATES, BROWSER_FLAGS

#: The product's own list of browsers and of flags that keep Chromium off the
#: network, plus what the test driver needs (no QUIC, the DevTools pipe).
CHROMIUM_CANDIDATES = BROWSER_CANDIDATES
CHROMIUM_FLAGS = (*BROWSER_FLAGS, "--disable-quic", "--remote-debugging-pipe")


def chromium_path() -> str | None:
    """``JMAP_CHROMIUM`` if set, else the first Chromium on PATH."""
    explicit = os.environ.get("JMAP_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class CdpError(RuntimeError):
    """Chromium answered a DevTools command with an error."""


class Browser:
    """One Chromium process and one page, spoken to over the DevTools pipe."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_pipes() -> None:  # runs in the child before exec
            # Copy to fresh numbers first: the pipe ends may already be 3 or 4,
            # and dup2 onto itself would keep their close-on-exec flag.
            read_end, write_end = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    # protocol -------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], remaining)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise CdpError("Chromium closed the DevTools pipe (did it crash?)")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None, session: bool = True, timeout: float = 30) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event["method"] == method:
                return event
        while True:
            reply = self._read_message(deadline)
            if "method" in reply:
                self.events.append(reply)
                if reply["method"] == method:
                    return reply

    # page helpers ---------------------------------------------------------------

    def open(self, path: Path, width: int = 1400, height: int = 1000, dark: bool = False) -> None:
        """Load a page afresh, forgetting the events of the previous one."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.send(
            "Emulation.setEmulatedMedia",
            {"media": "", "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
        )
        self.events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        self.wait_for("Page.loadEventFired")
        # Let layout and any late console message settle.
        self.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))", await_promise=True)

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": await_promise}
        )
        if "exceptionDetails" in result:
            raise CdpError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

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

    def print_pdf(self) -> bytes:
        data = self.send(
            "Page.printToPDF",
            {"landscape": True, "printBackground": True, "paperWidth": 16.54, "paperHeight": 11.69},
            timeout=60,
        )["data"]
        return base64.b64decode(data)

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

    def close(self) -> None:
        with contextlib.suppress(CdpError, OSError):
            self.send("Browser.close", session=False, timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)

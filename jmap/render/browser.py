"""The page as PDF and PNG, printed by a real headless browser.

``page-pdf`` (A3 landscape, vector, searchable text) and ``page-png`` (the
page at twice the device scale, for slides) are what a consultant sends or
projects. No Python library lays out HTML and CSS as a browser does, so the
page is handed to Chromium or Chrome, found on PATH or named by
``JMAP_BROWSER``, and run directly as ``dot`` is: list arguments, no shell, a
timeout, and a throw-away profile folder so that nothing of the user's
browser is read or changed. The page is written to that temporary folder and
opened from disk; its Content-Security-Policy still forbids every load.

The PDF comes from ``--print-to-pdf``. The PNG needs the page's full height,
which only the browser knows, so it is taken over the DevTools protocol on a
pipe (``--remote-debugging-pipe``): set the window, measure, grow, capture.

Same input, same bytes: Chromium stamps the PDF with the time of printing
(``/CreationDate``, ``/ModDate``); both are rewritten to SOURCE_DATE_EPOCH by
the same function that fixes Graphviz's PDFs (each date keeps its length, so
the file's cross-reference offsets stay valid).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from jmap.errors import RenderError
from jmap.render.programs import finish, fixed_pdf_dates, run_program, seconds_setting, start

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
)
#: Seconds before the browser is stopped: a 500-touchpoint page prints in a few.
DEFAULT_BROWSER_TIMEOUT = 120.0
#: For the PNG only. With subpixel glyph positioning, glyphs sit at fractions
#: of a pixel and the long paragraphs came out in one of two anti-aliasings
#: depending on timing: four renders at once, or one on a loaded machine, gave
#: two different images. With glyphs on whole pixels the capture is the same
#: bytes every time (run-all-compositor-stages, one raster thread, no partial
#: raster, waiting for fonts and frames, a fresh load at the final size: none
#: of these changed either image; this flag alone did).
PNG_RASTER_FLAGS = ("--disable-font-subpixel-positioning",)
MISSING_BROWSER = (
    "no headless browser found: page-pdf and page-png need Chromium or Chrome "
    "(`apt-get install chromium`), on PATH or named by JMAP_BROWSER"
)
#: The PNG's width in CSS pixels (twice that in image pixels): a laptop screen.
PNG_WIDTH = 1440
PNG_SCALE = 2
#: Largest PNG in CSS pixels: a huge map is cut there rather than exhausting memory.
PNG_MAX_WIDTH = 8000
PNG_MAX_HEIGHT = 8000
_PDF_NODE_ID = re.compile(rb"\(node(\d{8})\)")


def browser_timeout() -> float:
    """JMAP_BROWSER_TIMEOUT in seconds, or the default: read when the browser
    runs, with the same rules as JMAP_DOT_TIMEOUT."""
    return seconds_setting("JMAP_BROWSER_TIMEOUT", DEFAULT_BROWSER_TIMEOUT)


def find_browser() -> str:
    """``JMAP_BROWSER`` (a path or a command name), else the first Chromium or
    Chrome on PATH; RenderError with one actionable line when there is none."""
    named = os.environ.get("JMAP_BROWSER")
    if named:
        found = shutil.which(named)
        if found is None:
            raise RenderError(f"JMAP_BROWSER names '{named}', which is not an executable browser")
        return found
    for name in BROWSER_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RenderError(MISSING_BROWSER)


def browser_version() -> str:
    """The browser's own version line (``Chromium 156.0…``), or ``absent``: it
    decides the bytes of page-pdf and page-png, so builds key their cache on it."""
    try:
        program = find_browser()
        completed = subprocess.run([program, "--version"], capture_output=True, timeout=30, check=False)
    except (RenderError, OSError, subprocess.SubprocessError):
        return "absent"
    return completed.stdout.decode("utf-8", "replace").strip() or "unknown"


def reproducible_pdf(pdf: bytes) -> bytes:
    """The PDF made reproducible, every change keeping its length so that the
    file's byte offsets do not move: the creation and modification dates set
    to SOURCE_DATE_EPOCH (as for Graphviz's PDFs), and the ids of the tagged
    structure (``(node00002528)``, numbered by the browser's DOM, which shifts
    from run to run) counted from 1 in the same order, so the sorted id tree
    stays sorted."""
    pdf = fixed_pdf_dates(pdf)
    ids = [int(n) for n in _PDF_NODE_ID.findall(pdf)]
    if not ids:
        return pdf
    first = min(ids) - 1
    return _PDF_NODE_ID.sub(lambda m: b"(node%08d)" % (int(m.group(1)) - first), pdf)


def _run(command: list[str], timeout: float) -> None:
    run_program(
        command,
        name="the browser",
        timeout=timeout,
        missing=MISSING_BROWSER,
        too_long=f"the browser took longer than {timeout:g} seconds and was stopped",
        why=_last_line,
    )


def _last_line(stderr: bytes, status: int) -> str:
    """Chromium's last line tells why it gave up (the first ones are noise)."""
    lines = [ln for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else f"exit status {status}"


@contextlib.contextmanager
def _opened(html: str) -> Iterator[tuple[str, float, Path, str]]:
    """The browser, its timeout, and a throw-away folder holding the page:
    found before anything is written, so a missing browser costs nothing."""
    timeout = browser_timeout()
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="jmap-page-") as tmp:
        folder = Path(tmp)
        page = folder / "page.html"
        page.write_text(html, encoding="utf-8")
        yield browser, timeout, folder, page.as_uri()


def page_pdf(html: str) -> bytes:
    """The page printed to PDF by the browser (the page's ``@page`` rule makes
    it A3 landscape), made reproducible."""
    with _opened(html) as (browser, timeout, folder, uri):
        out = folder / "page.pdf"
        _run(
            [
                browser,
                *BROWSER_FLAGS,
                f"--user-data-dir={folder / 'profile'}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                uri,
            ],
            timeout,
        )
        try:
            pdf = out.read_bytes()
        except OSError as exc:
            raise RenderError("the browser wrote no PDF") from exc
    if not pdf.startswith(b"%PDF"):
        raise RenderError("the browser wrote no PDF")
    return reproducible_pdf(pdf)


def page_png(html: str) -> bytes:
    """The whole page as a PNG at PNG_SCALE times the device scale, PNG_WIDTH
    CSS pixels wide (wider when the grid needs more, so nothing hides behind
    a scroll bar), as tall as the page."""
    with _opened(html) as (browser, timeout, folder, uri), _DevTools(browser, folder / "profile", timeout) as tools:
        return tools.full_page_png(uri)


_MEASURE = """(() => {
  const d = document.documentElement;
  let extra = 0;
  for (const el of document.querySelectorAll('.grid-scroll, .table-scroll')) {
    extra = Math.max(extra, el.scrollWidth - el.clientWidth);
  }
  return {width: d.scrollWidth + extra, height: d.scrollHeight};
})()"""


class _DevTools:
    """One browser process spoken to over the DevTools pipe (file descriptors
    3 and 4, NUL-separated JSON messages): no websocket, no extra package."""

    def __init__(self, executable: str, profile: Path, timeout: float) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes() -> None:  # in the child, before exec
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        try:
            self.proc = start(
                [
                    executable,
                    *BROWSER_FLAGS,
                    *PNG_RASTER_FLAGS,
                    "--remote-debugging-pipe",
                    f"--user-data-dir={profile}",
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=wire_pipes,
                close_fds=False,
            )
        except OSError as exc:
            for fd in (to_browser_r, self._to_browser, self._from_browser, from_browser_w):
                os.close(fd)
            raise RenderError(f"could not run the browser: {exc.strerror or exc}") from exc
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._timeout = timeout
        self._deadline = time.monotonic() + timeout
        self.session: str | None = None

    def __enter__(self) -> _DevTools:
        return self

    def __exit__(self, *_exc: object) -> None:
        with contextlib.suppress(RenderError):
            self.send("Browser.close", session=False)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        finally:
            finish(self.proc)  # the browser's helpers too, whatever happened
        os.close(self._to_browser)
        os.close(self._from_browser)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise RenderError(f"the browser took longer than {self._timeout:g} seconds and was stopped")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RenderError("the browser closed its DevTools pipe (did it crash?)")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, params: dict[str, Any] | None = None, session: bool = True) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        try:
            os.write(self._to_browser, json.dumps(message).encode("utf-8") + b"\0")
        except OSError as exc:
            raise RenderError("the browser closed its DevTools pipe (did it crash?)") from exc
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RenderError(f"the browser refused {method}: {reply['error'].get('message', '')}")
                return reply.get("result", {})
            if reply.get("method") == "Page.loadEventFired":
                self._loaded = True

    def _evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def _settle(self) -> None:
        """Wait for the fonts and two frames, so the capture never catches a
        layout half done (the PNG is then the same bytes run after run)."""
        self.send(
            "Runtime.evaluate",
            {
                "expression": "document.fonts.ready.then(() => new Promise(r =>"
                " requestAnimationFrame(() => requestAnimationFrame(r))))",
                "awaitPromise": True,
            },
        )

    def _size(self, width: int, height: int) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": PNG_SCALE, "mobile": False},
        )

    def _open(self, url: str) -> None:
        """Navigate to the page and wait for its load event, then for it to settle."""
        self._loaded = False
        self.send("Page.navigate", {"url": url})
        while not self._loaded:
            message = self._read()
            if message.get("method") == "Page.loadEventFired":
                self._loaded = True
        self._settle()

    def full_page_png(self, url: str) -> bytes:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)[
            "sessionId"
        ]
        self.send("Page.enable")
        self.send(
            "Emulation.setEmulatedMedia",
            {"media": "screen", "features": [{"name": "prefers-color-scheme", "value": "light"}]},
        )
        width, height = PNG_WIDTH, 900
        self._size(width, height)
        self._open(url)
        # The grid's height follows the window's (its header rows stay pinned
        # on screen): grow the window until the whole page fits in it.
        for _ in range(4):
            size = self._evaluate(_MEASURE)
            wanted = (
                min(PNG_MAX_WIDTH, max(PNG_WIDTH, int(size["width"]))),
                min(PNG_MAX_HEIGHT, int(size["height"])),
            )
            if wanted == (width, height):
                break
            width, height = wanted
            self._size(width, height)
            self._settle()
        data = self.send(
            "Page.captureScreenshot", {"format": "png", "fromSurface": True, "captureBeyondViewport": False}
        )["data"]
        return base64.b64decode(data)

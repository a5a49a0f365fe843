"""The page as PDF and PNG, printed by a real headless browser.

``page-pdf`` (A3 landscape, vector, searchable text) and ``page-png`` (the
page at twice the device scale, for slides) are what a consultant sends or
projects. No Python library lays out HTML and CSS as a browser does, so the
page is handed to Chromium or Chrome, found on PATH or named by
``JMAP_BROWSER``, and run directly as ``dot`` is: list arguments, no shell, a
timeout, and a throw-away profile folder so that nothing of the user's
browser is read or changed. The page is written to that temporary folder and
opened from disk; its Content-Security-Policy still forbids every load.

Both are made over the DevTools protocol on a pipe (``--remote-debugging-pipe``,
class DevTools): the PDF is a poster whose sheets each hold a part of the grid
scaled to fill them, which only the browser can measure; the PNG is a slide
whose window is widened until the picture is landscape.

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
from jmap.render.programs import finish, fixed_pdf_dates, seconds_setting, start

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
BROWSER_FLAGS = (
    "--headless",
    "--disable-quic",
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
    structure (``(node00002528)``, numbered by the browser's DOM, whose counts
    shift and leave gaps from run to run) replaced by their rank, 1, 2, 3…,
    so the sorted id tree stays sorted and the same page gives the same bytes."""
    pdf = fixed_pdf_dates(pdf)
    ids = sorted({int(n) for n in _PDF_NODE_ID.findall(pdf)})
    if not ids:
        return pdf
    rank = {ident: index for index, ident in enumerate(ids, start=1)}
    return _PDF_NODE_ID.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], pdf)


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


#: Landscape sheets (``--paper``) in millimetres, and the page's margin
#: (the style sheet's ``@page`` rule says the same).
PAPER_MM = {"a4": (297, 210), "a3": (420, 297), "a2": (594, 420), "a1": (841, 594)}
SHEET_MARGIN_MM = 10
#: How much the poster may scale a sheet's grid: up to fill the sheet, down
#: only as far as keeps the grid's text at 8 pt (print sizes are set for it).
POSTER_MIN_ZOOM = 0.9
POSTER_MAX_ZOOM = 2.2
#: A part that does not fit its sheet even at POSTER_MIN_ZOOM (one very tall
#: touchpoint) may shrink to this, keeping every character at 6 pt or more,
#: rather than run onto a second sheet.
POSTER_FLOOR_ZOOM = 0.9
#: The PNG is a slide: at least this landscape (width over height), the window
#: widened step by step until it is.
SLIDE_WIDTHS = (PNG_WIDTH, 1920, 2560, 3200, 4000)
SLIDE_RATIO = 1.3


def sheet_size(paper: str) -> tuple[float, float]:
    """The printable area of a landscape sheet of ``paper``, in CSS pixels."""
    width, height = PAPER_MM[paper]
    return ((width - 2 * SHEET_MARGIN_MM) * 96 / 25.4, (height - 2 * SHEET_MARGIN_MM) * 96 / 25.4)


#: Scales each part of the grid (one per sheet) to fill its sheet: the
#: largest zoom at which the part, laid out as wide as the sheet allows at
#: that zoom, fits the sheet's height (below the header on the first sheet).
#: Returns the zoom chosen for each part. Run by page_pdf, and by the tests
#: that check what it prints.
POSTER_FIT = """((width, height, low, high, floor) => {
  const parts = [...document.querySelectorAll("table.grid")];
  const zooms = [];
  parts.forEach((table, index) => {
    const room = index === 0 ? height - table.getBoundingClientRect().top - window.scrollY - 4 : height - 4;
    const columns = table.querySelectorAll("tr.touchpoint-row > th").length - 1;
    const fits = (zoom) => {
      // As wide as the sheet, but no column wider than a reading measure.
      table.style.width = Math.min(width / zoom, 130 + columns * 700) + "px";
      table.style.zoom = String(zoom);
      return table.getBoundingClientRect().height <= room;
    };
    let best = floor;
    if (fits(high)) {
      best = high;
    } else {
      let lo = fits(low) ? low : floor, hi = high;
      for (let step = 0; step < 9; step++) {
        const mid = (lo + hi) / 2;
        if (fits(mid)) { lo = mid; best = mid; } else { hi = mid; }
      }
    }
    best = Math.floor(best * 100) / 100;
    fits(best);
    zooms.push(best);
  });
  return zooms;
})"""


def poster_fit(width: float, height: float) -> str:
    """The expression that scales the loaded page's grid parts to sheets of ``width`` x ``height``."""
    return f"{POSTER_FIT}({width:.2f}, {height:.2f}, {POSTER_MIN_ZOOM}, {POSTER_MAX_ZOOM}, {POSTER_FLOOR_ZOOM})"


def page_pdf(html: str, paper: str = "a3") -> bytes:
    """The page printed to PDF by the browser as a poster: landscape sheets of
    ``paper`` (the page's ``@page`` rule names the same), each part of the grid
    scaled to fill its sheet (POSTER_FIT), made reproducible."""
    width, height = sheet_size(paper)
    with _opened(html) as (browser, timeout, folder, uri), DevTools(browser, folder / "profile", timeout) as tools:
        tools.attach()
        tools.emulate(media="print")
        tools.viewport(round(width), round(height), scale=1)
        tools.navigate(uri)
        tools.evaluate(poster_fit(width, height))
        # Once more on the settled layout: the same zooms, the same bytes.
        tools.settle()
        tools.evaluate(poster_fit(width, height))
        tools.settle()
        pdf = tools.print_pdf()
    if not pdf.startswith(b"%PDF"):
        raise RenderError("the browser wrote no PDF")
    return reproducible_pdf(pdf)


def page_png(html: str) -> bytes:
    """The page as a slide: its header and journey grid (no persona cards, no
    opportunity table), landscape, at PNG_SCALE times the device scale and at
    least PNG_WIDTH CSS pixels wide (2,880 image pixels); a tall grid widens
    the window until the picture is landscape."""
    with _opened(html) as (browser, timeout, folder, uri), DevTools(browser, folder / "profile", timeout) as tools:
        return tools.slide_png(uri)


_MEASURE = """(() => {
  const d = document.documentElement;
  d.classList.add("slide");
  return {width: d.scrollWidth, height: d.scrollHeight};
})()"""


class DevTools:
    """One browser process spoken to over the DevTools pipe (file descriptors
    3 and 4, NUL-separated JSON messages): no websocket, no extra package.

    The product prints and captures with it; the browser tests drive pages
    with it too (tests/support/browser.py), so there is one driver and one
    variable (JMAP_BROWSER). Every message the browser sends unasked is kept
    in ``events`` (requests, console messages) until ``clear_events``.
    """

    def __init__(self, executable: str, profile: Path, timeout: float, flags: tuple[str, ...] = ()) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes() -> None:  # in the child, before exec
            # Copy to fresh numbers first: the pipe ends may already be 3 or 4,
            # and dup2 onto itself would keep their close-on-exec flag.
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        try:
            self.proc = start(
                [
                    executable,
                    *BROWSER_FLAGS,
                    *PNG_RASTER_FLAGS,
                    *flags,
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
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> DevTools:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        # Interrupted (Ctrl-C, SIGTERM): no goodbye, the browser is killed.
        self.close(polite=kind is None or not issubclass(kind, KeyboardInterrupt))

    def close(self, polite: bool = True) -> None:
        """Stop the browser (and its helpers, whatever happened); safe to call twice."""
        try:
            if polite:
                with contextlib.suppress(RenderError, OSError):
                    self.send("Browser.close", session=False, timeout=5)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=10)
        finally:
            finish(self.proc)
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)

    # protocol -------------------------------------------------------------------

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = min(deadline, self._deadline) - time.monotonic()
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

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: bool = True, timeout: float | None = None
    ) -> Any:
        """One command, answered; ``timeout`` bounds this command, within the run's own."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        try:
            os.write(self._to_browser, json.dumps(message).encode("utf-8") + b"\0")
        except OSError as exc:
            raise RenderError("the browser closed its DevTools pipe (did it crash?)") from exc
        deadline = time.monotonic() + (timeout if timeout is not None else self._timeout)
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RenderError(f"the browser refused {method}: {reply['error'].get('message', '')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        """The first event named ``method`` since the events were cleared."""
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + (timeout if timeout is not None else self._timeout)
        while True:
            message = self._read(deadline)
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message

    def clear_events(self) -> None:
        self.events.clear()

    # pages ----------------------------------------------------------------------

    def attach(self, domains: tuple[str, ...] = ("Page",)) -> None:
        """Open a tab and speak to it from now on."""
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)[
            "sessionId"
        ]
        for domain in domains:
            self.send(f"{domain}.enable")

    def viewport(self, width: int, height: int, scale: float = PNG_SCALE, mobile: bool = False) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )

    def emulate(self, media: str = "", dark: bool = False) -> None:
        """``media`` "print", "screen" or "" (as loaded); light or dark colours."""
        self.send(
            "Emulation.setEmulatedMedia",
            {"media": media, "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
        )

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": await_promise}
        )
        if "exceptionDetails" in result:
            raise RenderError(f"the page's script failed: {result['exceptionDetails'].get('text', '')}")
        return result.get("result", {}).get("value")

    def settle(self) -> None:
        """Wait for the fonts and two frames, so that nothing is measured or
        captured half laid out (the PNG is then the same bytes run after run)."""
        self.evaluate(
            "document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))",
            await_promise=True,
        )

    def navigate(self, url: str) -> None:
        """Load ``url`` afresh and wait for its load event, then for it to settle."""
        self.clear_events()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        self.settle()

    def capture(self, clip: dict[str, float] | None = None) -> bytes:
        params: dict[str, Any] = {"format": "png", "fromSurface": True, "captureBeyondViewport": clip is not None}
        if clip is not None:
            params["clip"] = {**clip, "scale": 1}
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])

    def print_pdf(self) -> bytes:
        """The loaded page printed on the sheet its ``@page`` rule names."""
        data = self.send("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})["data"]
        return base64.b64decode(data)

    def slide_png(self, url: str) -> bytes:
        self.attach()
        self.emulate(media="screen")
        width, height = PNG_WIDTH, 900
        self.viewport(width, height)
        self.navigate(url)
        for candidate in SLIDE_WIDTHS:
            # A short window, so that the page's height is its own.
            self.viewport(candidate, 600)
            self.settle()
            size = self.evaluate(_MEASURE)
            width, height = max(candidate, int(size["width"])), int(size["height"])
            if width >= SLIDE_RATIO * height:
                break
        width, height = min(PNG_MAX_WIDTH, width), min(PNG_MAX_HEIGHT, height)
        self.viewport(width, height)
        self.settle()
        return self.capture()

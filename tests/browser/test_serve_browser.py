"""`jmap serve` in a real headless Chromium: the consultant's editor saves,
the open page follows without a reload, keeps its place, shows a broken
save's lines over the last good render, and comes back when it is fixed.

The server is the real command on a free port of 127.0.0.1; the browser's
console must stay clean, so a Content-Security-Policy violation by the live
script (or anything it loads) fails the test. Screenshots at 1440x900 go to
pytest's tmp folder, and to docs/img/ when JMAP_SAVE_SCREENSHOTS is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import EXAMPLES, ROOT, example_paths
from support.browser import CdpError
from support.serving import TRICKY, Served, tricky_map_yaml

pytestmark = pytest.mark.browser

EXAMPLE = EXAMPLES / "checkout-fr.yaml"
TITLE = "Maison Loriot"


def goto(browser: Any, url: str, width: int = 1440, height: int = 900) -> dict[str, Any]:
    """Load ``url``; the response of the document (its status).

    The previous page is left for a blank one first, so that its event
    stream, retrying a server that a previous test stopped, cannot log a
    refused connection into this test's console.
    """
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    for address in ("about:blank", url):
        browser.events.clear()
        browser.send("Page.navigate", {"url": address})
        browser.wait_for("Page.loadEventFired")
    return next(
        e["params"]["response"]
        for e in browser.events
        if e["method"] == "Network.responseReceived" and e["params"]["type"] == "Document"
    )


def until(browser: Any, expression: str, timeout: float = 10.0) -> Any:
    """Evaluate ``expression`` until it is truthy (at most ``timeout`` seconds);
    an error (the page is being reloaded) counts as not yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = browser.evaluate(expression)
        except CdpError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{expression} stayed false for {timeout} s")
        time.sleep(0.05)


def connected(browser: Any) -> None:
    until(browser, "document.getElementById('jmap-live-bar')?.className === 'jmap-live-on'")


def screenshot(browser: Any, tmp_path: Path, name: str) -> Path:
    import base64

    data = browser.send("Page.captureScreenshot", {"format": "png"})["data"]
    shot = tmp_path / f"{name}.png"
    shot.write_bytes(base64.b64decode(data))
    assert shot.stat().st_size > 10_000, "the screenshot is suspiciously small (a blank page?)"
    if os.environ.get("JMAP_SAVE_SCREENSHOTS"):
        shutil.copy(shot, ROOT / "docs" / "img" / f"{name}.png")
    return shot


@pytest.fixture(autouse=True)
def leave_blank(browser: Any) -> Iterator[None]:
    """Leave each test on a blank page, so that no live page goes on trying
    to reach its stopped server while the next tests (of any file) run."""
    yield
    browser.events.clear()
    browser.send("Page.navigate", {"url": "about:blank"})
    browser.wait_for("Page.loadEventFired")


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    target = tmp_path / "checkout.yaml"
    shutil.copy(EXAMPLE, target)
    return target


def test_a_save_appears_in_place_and_a_broken_save_shows_its_line(browser, map_file, tmp_path) -> None:
    good = map_file.read_text(encoding="utf-8")
    with Served(map_file) as served:
        assert goto(browser, served.url)["status"] == 200
        connected(browser)
        assert TITLE in browser.evaluate("document.querySelector('h1').textContent")
        screenshot(browser, tmp_path, "serve-live")
        # Read somewhere down the page, scrolled sideways along the journey (one scroll: the page's).
        browser.evaluate("window.scrollTo(400, 700)")
        place = browser.evaluate("[window.scrollY, window.scrollX]")
        assert place[0] > 0 and place[1] > 0

        map_file.write_text(good.replace(TITLE, "Saved in the editor"), encoding="utf-8")
        until(browser, "document.querySelector('h1').textContent.includes('Saved in the editor')")
        assert browser.evaluate("[window.scrollY, window.scrollX]") == place
        assert browser.evaluate("document.getElementById('jmap-live-problems').hidden")

        # A broken save: the lines, with the file's line and column, over the last good render.
        broken = good.replace(TITLE, "Never shown").replace("    color:", "    colour:", 1)
        map_file.write_text(broken, encoding="utf-8")
        text = until(
            browser,
            "(() => { const p = document.getElementById('jmap-live-problems'); return !p.hidden && p.textContent; })()",
        )
        line = next(i for i, x in enumerate(broken.splitlines(), 1) if x.startswith("    colour:"))
        assert re.search(rf"{re.escape(str(map_file))}:{line}:5: error: .*\[[a-z-]+\]", text), text
        assert "did you mean 'color'" in text
        # A French map, a French panel: its heading and note are the map's words.
        assert "Cette version de la carte ne peut pas être affichée" in text
        assert "La dernière version valide reste affichée" in text
        assert "Saved in the editor" in browser.evaluate("document.querySelector('h1').textContent")
        assert browser.evaluate("window.scrollY") == place[0]
        box = browser.evaluate(
            "(() => { const r = document.getElementById('jmap-live-problems').getBoundingClientRect();"
            " return {w: r.width, h: r.height, top: r.top}; })()"
        )
        assert box["w"] > 300 and box["h"] > 50 and 0 <= box["top"] < 100, box
        browser.evaluate("window.scrollTo(0, 0)")
        screenshot(browser, tmp_path, "serve-error")

        # Fixed: the page comes back, the problems go.
        map_file.write_text(good.replace(TITLE, "Fixed and back"), encoding="utf-8")
        until(browser, "document.querySelector('h1').textContent.includes('Fixed and back')")
        until(browser, "document.getElementById('jmap-live-problems').hidden")
        assert browser.console_errors() == []
        requested = {re.sub(r"\?.*", "", u) for u in browser.requests()}
        assert requested <= {served.url, served.url + "checkout.html", served.url + ".jmap/events"}, requested


def test_a_template_change_reloads_the_page_in_place(browser, map_file, tmp_path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    style = (ROOT / "jmap" / "templates" / "html" / "style.css.j2").read_text(encoding="utf-8")
    (theme / "style.css.j2").write_text(style, encoding="utf-8")
    with Served(map_file, "--templates", str(theme)) as served:
        goto(browser, served.url)
        connected(browser)
        browser.evaluate("window.scrollTo(0, 500)")
        (theme / "style.css.j2").write_text(style + "\nh1 { color: rgb(200, 0, 0); }\n", encoding="utf-8")
        until(browser, "getComputedStyle(document.querySelector('h1')).color === 'rgb(200, 0, 0)'")
        connected(browser)
        assert browser.evaluate("window.scrollY") == 500
        assert browser.console_errors() == []


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "checkout.yaml"]
)
def test_a_climbing_path_is_refused(browser, map_file, path) -> None:
    with Served(map_file) as served:
        response = goto(browser, served.url + path)
        assert response["status"] in (403, 404)
        body = browser.evaluate("document.body.textContent")
        assert "root:" not in body and "jmap: 1" not in body
        assert "jmap serve:" in body


def test_the_folder_index_links_every_map_and_follows_new_ones(browser, tmp_path) -> None:
    for i, path in enumerate(example_paths()):
        folder = tmp_path / ("" if i == 0 else f"team-{i}")
        folder.mkdir(exist_ok=True)
        shutil.copy(path, folder / path.name)
    with Served(tmp_path) as served:
        goto(browser, served.url)
        connected(browser)
        links = browser.evaluate("Array.from(document.querySelectorAll('td .title a'), a => [a.textContent, a.href])")
        assert len(links) == len(example_paths())
        screenshot(browser, tmp_path, "serve-gallery")
        for title, href in links:
            assert goto(browser, href)["status"] == 200
            connected(browser)
            assert browser.evaluate("document.querySelector('h1').textContent") == title
            # The live bar speaks the map's language.
            all_maps = {"fr": "Toutes les cartes", "en": "All maps"}[browser.evaluate("document.documentElement.lang")]
            assert browser.evaluate("document.querySelector('#jmap-live-bar a:last-child').textContent") == all_maps
        # A new map saved into the folder appears in the open gallery.
        goto(browser, served.url)
        connected(browser)
        new = tmp_path / "team-new" / "new.yaml"
        new.parent.mkdir()
        new.write_text(EXAMPLE.read_text(encoding="utf-8").replace(TITLE, "A brand new map"), encoding="utf-8")
        until(browser, "document.body.textContent.includes('A brand new map')")
        assert browser.console_errors() == []


@pytest.mark.needs_dot
def test_the_diagram_is_one_click_away_and_live(browser, map_file, tmp_path) -> None:
    with Served(map_file) as served:
        goto(browser, served.url)
        connected(browser)
        browser.evaluate("document.querySelector('#jmap-live-bar a').click()")
        until(browser, "location.pathname === '/.jmap/diagram/checkout.html'")
        until(browser, "document.querySelector('.diagram img')?.naturalWidth > 0", timeout=15)
        first = browser.evaluate("document.querySelector('.diagram img').src")
        connected(browser)
        screenshot(browser, tmp_path, "serve-diagram")
        map_file.write_text(map_file.read_text(encoding="utf-8").replace(TITLE, "New diagram"), encoding="utf-8")
        until(browser, f"document.querySelector('.diagram img')?.src !== {json.dumps(first)}", timeout=15)
        until(browser, "document.querySelector('.diagram img').naturalWidth > 0", timeout=15)
        assert "New diagram" in browser.evaluate("document.querySelector('h1').textContent")
        assert browser.console_errors() == [], browser.requests()


def test_text_in_any_script_or_case_leaves_the_live_bar_working(browser, tmp_path) -> None:
    """İ (its lower case is two characters), ß, ﬁ, combining accents and
    right-to-left text in every field: the page shows the live bar and
    follows a save; the script's source never shows as text."""
    target = tmp_path / "iade.yaml"
    target.write_text(tricky_map_yaml(EXAMPLE), encoding="utf-8")
    with Served(target) as served:
        assert goto(browser, served.url)["status"] == 200
        connected(browser)
        assert TRICKY in browser.evaluate("document.querySelector('h1').textContent")
        assert "EventSource" not in browser.evaluate("document.body.innerText")
        screenshot(browser, tmp_path, "serve-tricky-text")
        target.write_text(tricky_map_yaml(EXAMPLE, TRICKY + " saved"), encoding="utf-8")
        until(browser, "document.querySelector('h1').textContent.includes('saved')")
        connected(browser)
        assert browser.console_errors() == []

"""The HTML page in a real headless Chromium: what a consultant's client sees.

Each page is rendered to a file and opened from disk, as a client opening an
e-mailed attachment would. The browser records every request the page tries
and every console message; a Content-Security-Policy violation (an attempt to
load anything) is a console error, so "no request, no console error" means the
page is self-contained and well-formed. Screenshots go to pytest's tmp folder,
and also to docs/img/ when JMAP_SAVE_SCREENSHOTS is set.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from support import ROOT, example_paths
from support.generated import generated_map_yaml

from jmap.model import JourneyMap
from jmap.render.page import build_page, render_html

pytestmark = pytest.mark.browser

DOCS_IMG = ROOT / "docs" / "img"


def _generated_map(touchpoints: int) -> JourneyMap:
    """The benchmarks' generated map (tests/support/generated.py), so the page
    tested here is the one whose render time bench/bench_html.py reports."""
    from jmap.format.validator import load_text

    jm = load_text(generated_map_yaml(touchpoints), "generated.yaml").map
    assert jm is not None
    return jm


def _load(path: Path) -> JourneyMap:
    from jmap.format.validator import load_file

    jm = load_file(path).map
    assert jm is not None, f"{path} does not validate"
    return jm


def _maps() -> list[tuple[str, Path]]:
    found = [(p.stem, p) for p in example_paths()]
    spec_example = ROOT / "tests" / "fixtures" / "valid" / "spec-example.yaml"
    if spec_example.exists():
        found.append(("spec-example", spec_example))
    return found


def _write_page(tmp_path: Path, name: str, html: str) -> Path:
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    return page


def _save_screenshot(browser, tmp_path: Path, name: str) -> Path:
    shot = browser.screenshot(tmp_path / f"{name}.png")
    assert shot.stat().st_size > 10_000, "the screenshot is suspiciously small (a blank page?)"
    if os.environ.get("JMAP_SAVE_SCREENSHOTS"):
        # The top of the journey grid is what a README needs, and keeps the file small.
        browser.screenshot(DOCS_IMG / f"{name}.png", element=".journey", max_height=1100)
    return shot


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _assert_clean_load(browser, page: Path) -> None:
    attempted = [url for url in browser.requests() if url != page.resolve().as_uri()]
    assert attempted == [], f"the page tried to load {attempted}"
    assert browser.console_errors() == []


VISIBLE_NAMES_JS = """
(() => {
  const out = [];
  for (const el of document.querySelectorAll('.grid-frame .tp-name, .grid-frame .sub-name')) {
    const r = el.getBoundingClientRect();
    out.push({text: el.textContent, w: r.width, h: r.height,
              hidden: getComputedStyle(el).visibility !== 'visible'});
  }
  return out;
})()
"""


@pytest.mark.parametrize(("name", "path"), _maps(), ids=[n for n, _ in _maps()])
def test_every_touchpoint_and_lane_is_visible_without_requests_or_errors(browser, tmp_path, name, path):
    jm = _load(path)
    page = _write_page(tmp_path, name, render_html(jm))
    browser.open(page, width=1400, height=1000)
    _assert_clean_load(browser, page)

    shown = browser.evaluate(VISIBLE_NAMES_JS)
    invisible = [s["text"] for s in shown if s["w"] <= 0 or s["h"] <= 0 or s["hidden"]]
    assert invisible == []
    assert sorted(_normalise(s["text"]) for s in shown) == sorted(_normalise(tp.name) for tp in jm.all_touchpoints())

    view = build_page(jm)
    expected_lanes = [lane.label for lane in (*view.grid.lanes_above, *view.grid.lanes_below)]
    heads = browser.evaluate(
        "Array.from(document.querySelectorAll('.grid-frame tbody th.lane-head')).map(th => "
        "({text: th.textContent, h: th.getBoundingClientRect().height}))"
    )
    head_texts = [_normalise(h["text"]) for h in heads]
    for label in expected_lanes:
        assert any(text.startswith(label) for text in head_texts), label
    assert all(h["h"] > 0 for h in heads)
    if view.grid.curve is not None:
        spots = browser.evaluate("document.querySelectorAll('.grid-frame svg.curve svg.spot').length")
        assert spots == len(view.grid.curve.spots)
    _save_screenshot(browser, tmp_path, f"html-{name}")


def test_dark_mode_switches_the_palette(browser, tmp_path):
    path = _maps()[0][1]
    page = _write_page(tmp_path, "dark", render_html(_load(path)))
    background = "getComputedStyle(document.body).backgroundColor"
    browser.open(page, dark=False)
    light = browser.evaluate(background)
    browser.open(page, dark=True)
    dark = browser.evaluate(background)
    _assert_clean_load(browser, page)

    def luminance(css: str) -> float:
        r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    assert luminance(light) > 0.8
    assert luminance(dark) < 0.2
    _save_screenshot(browser, tmp_path, "html-dark")
    browser.open(page, dark=False)


def test_narrow_screen_shows_the_journey_as_cards(browser, tmp_path):
    path = _maps()[0][1]
    page = _write_page(tmp_path, "narrow", render_html(_load(path)))
    browser.open(page, width=390, height=844)
    _assert_clean_load(browser, page)
    sizes = browser.evaluate(
        "(() => { const g = document.querySelector('.grid-frame');"
        " return {doc: document.documentElement.scrollWidth, inner: g.scrollWidth, outer: g.clientWidth}; })()"
    )
    assert sizes["doc"] <= 390, "the page itself must not scroll sideways"
    assert sizes["inner"] <= sizes["outer"], "cards: the grid does not scroll either"
    # Lane names are said on each card, not in a column of their own.
    assert browser.evaluate("getComputedStyle(document.querySelector('tbody th.lane-head')).display") == "none"
    _save_screenshot(browser, tmp_path, "html-narrow")


def test_print_layout_shows_the_whole_grid_and_makes_a_pdf(browser, tmp_path):
    path = _maps()[0][1]
    page = _write_page(tmp_path, "print", render_html(_load(path)))
    browser.open(page)
    browser.emulate_media("print")
    try:
        overflow = browser.evaluate("getComputedStyle(document.querySelector('.grid-frame')).overflowX")
        sticky = browser.evaluate("getComputedStyle(document.querySelector('tbody th.lane-head')).position")
        pdf = browser.print_pdf()
    finally:
        browser.emulate_media("")
    assert overflow == "visible"
    assert sticky in ("static", "relative")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    (tmp_path / "print.pdf").write_bytes(pdf)
    _assert_clean_load(browser, page)


HOSTILE = (
    "<script>document.title='pwned'</script><img src=https://evil.example/x.png "
    "onerror=\"document.title='pwned'\"><style>body{display:none}</style>"
    "<link rel=stylesheet href=https://evil.example/x.css>"
)


def test_hostile_text_stays_text_in_the_browser(browser, tmp_path):
    from support.factories import sample_map

    jm = sample_map(text=lambda field: f"{field} {HOSTILE}")
    page = _write_page(tmp_path, "hostile", render_html(jm))
    browser.open(page)
    _assert_clean_load(browser, page)
    counts = browser.evaluate(
        "({scripts: document.scripts.length, imgs: document.images.length,"
        " styles: document.querySelectorAll('style').length, links: document.querySelectorAll('link').length,"
        " title: document.title, display: getComputedStyle(document.body).display})"
    )
    assert counts == {
        "scripts": 1,  # jmap's own fit-to-width control, allowed by its hash
        "imgs": 0,
        "styles": 1,
        "links": 0,
        "title": f"title {HOSTILE}",
        "display": "block",
    }
    assert "<script>" in browser.evaluate("document.querySelector('h1').textContent")


@pytest.mark.slow
def test_a_500_touchpoint_page_stays_usable(browser, tmp_path):
    jm = _generated_map(500)
    page = _write_page(tmp_path, "generated-500", render_html(jm))
    browser.open(page)
    _assert_clean_load(browser, page)
    timing = browser.evaluate(
        "(() => { const t = performance.getEntriesByType('navigation')[0];"
        " const start = performance.now(); window.scrollTo(50000, 0);"
        " document.body.getBoundingClientRect(); const scroll = performance.now() - start;"
        " return {load: t.loadEventEnd - t.startTime, scroll,"
        " columns: document.querySelectorAll('.grid-frame th.touchpoint').length}; })()"
    )
    assert timing["columns"] == len(jm.top_touchpoints())  # one column per stage touchpoint
    assert timing["load"] < 5000, timing
    assert timing["scroll"] < 1000, timing


def test_the_watch_on_requests_and_console_errors_is_not_blind(browser, tmp_path):
    """A page that does load something is caught, so the clean results above mean something."""
    leaky = _write_page(tmp_path, "leaky", '<!DOCTYPE html><title>x</title><img src="http://127.0.0.1:9/x.png" alt="">')
    browser.open(leaky)
    assert "http://127.0.0.1:9/x.png" in browser.requests()
    blocked = _write_page(
        tmp_path,
        "blocked",
        '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '<title>x</title><img src="http://127.0.0.1:9/x.png" alt="">',
    )
    browser.open(blocked)
    assert browser.console_errors() != []

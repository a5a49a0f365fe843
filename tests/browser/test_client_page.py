"""The page as a client sees it: on a projector (1280×720), a laptop
(1440×900) and a large screen (1920×1080), printed on A3, exported to PDF and
PNG, and checked by axe-core's WCAG 2.1 AA rules.

Positions are measured in the browser's own layout (getBoundingClientRect),
character sizes in the printed PDF (poppler's pdftotext) and in the print
layout (computed font sizes), so "fits", "aligned" and "at least 6 pt" are
facts about the rendering, not about the markup.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import ROOT, example_paths

from jmap.format.validator import load_file, load_text
from jmap.model import JourneyMap
from jmap.render.page import build_page, render_html

pytestmark = pytest.mark.browser

SCREENS = ((1280, 720), (1440, 900), (1920, 1080))
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def _load(path: Path) -> JourneyMap:
    jm = load_file(path).map
    assert jm is not None, path
    return jm


def _columns_map(columns: int, lang: str = "en") -> JourneyMap:
    """A map of ``columns`` top-level touchpoints in stages of three, each with
    a name as long as real ones and an emotion, so the curve is drawn."""
    lines = ["jmap: 1", f"title: {columns} columns", f"lang: {lang}", "stages:"]
    for k in range(columns):
        if k % 3 == 0:
            lines += [f"  - id: s{k}", f"    name: Stage number {k // 3}", "    touchpoints:"]
        lines += [
            f"      - id: t{k}",
            f"        name: Touchpoint with a longer name {k}",
            f"        emotion: {k % 5 - 2}",
            "        doing: Compares the offers and reads the reviews",
            f"        duration: {k + 1}min",
        ]
    jm = load_text("\n".join(lines) + "\n", "cols.yaml").map
    assert jm is not None
    return jm


def _tall_lanes_map(columns: int) -> JourneyMap:
    """A map of two stages whose first touchpoints have doing and thinking
    lists far too long for one sheet of A3: their lanes run over several
    sheets. Items are numbered (``do7``, ``th12``) to be found in the PDF."""
    lines = ["jmap: 1", "title: Tall lanes", "lang: en", "stages:"]
    half = columns // 2
    for k in range(columns):
        if k % half == 0:
            lines += [f"  - id: s{k}", f"    name: Stage {'AB'[k // half]} here", "    touchpoints:"]
        lines += [f"      - id: t{k}", f"        name: Touchpoint {k}", "        emotion: 1"]
        if k % half == 0:
            lines.append("        doing:")
            lines += [
                f"          - do{i} fills in one more field of a very long form, then checks it" for i in range(45)
            ]
            lines.append("        thinking:")
            lines += [f"          - th{i} wonders whether this is the last field of the form" for i in range(45)]
        else:
            lines.append("        doing: Waits")
    jm = load_text("\n".join(lines) + "\n", "tall.yaml").map
    assert jm is not None
    return jm


def _open(browser, tmp_path: Path, name: str, html: str, width: int, height: int) -> Path:
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    browser.open(page, width=width, height=height)
    return page


GEOMETRY_JS = """
(() => {
  const frame = document.querySelector('.grid-frame');
  const table = frame.querySelector('.grid-parts');
  const f = frame.getBoundingClientRect();
  const heads = Array.from(frame.querySelectorAll('th.touchpoint')).map(th => {
    const r = th.getBoundingClientRect(); return {left: r.left, right: r.right, cx: (r.left + r.right) / 2};
  });
  const spots = Array.from(frame.querySelectorAll('svg.curve svg.spot')).map(s => {
    const c = s.querySelector('g.face circle').getBoundingClientRect();
    return {cx: (c.left + c.right) / 2, cy: (c.top + c.bottom) / 2, score: s.querySelector('text').textContent};
  });
  const axis = Array.from(frame.querySelectorAll('th.curve-head:not(.part-head) svg.curve-axis text')).map(t => {
    const r = t.getBoundingClientRect(); return {sign: t.textContent, cy: (r.top + r.bottom) / 2};
  });
  return {frame: {left: f.left, right: f.right, top: f.top, width: frame.clientWidth, scroll: frame.scrollWidth},
          table: table.getBoundingClientRect().width, doc: document.documentElement.scrollWidth,
          heads, spots, axis};
})()
"""


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
@pytest.mark.parametrize("path", example_paths(), ids=[p.stem for p in example_paths()])
def test_the_examples_start_with_the_journey_and_fill_the_frame(browser, tmp_path, path, width, height):
    jm = _load(path)
    _open(browser, tmp_path, path.stem, render_html(jm), width, height)
    g = browser.evaluate(GEOMETRY_JS)
    # One scroll: a grid wider than the window widens the page, whose
    # fit-to-width control then shows the whole grid.
    if g["doc"] > width:
        assert browser.evaluate("document.querySelector('.fit-control').hidden") is False
        browser.evaluate("document.getElementById('fit-toggle').click()")
        assert browser.evaluate("document.documentElement.scrollWidth") <= width
        browser.evaluate("document.getElementById('fit-toggle').click()")
    # The grid fills its frame (no notch beside the stage band), at every width.
    assert abs(g["table"] - g["frame"]["width"]) <= 1 or g["table"] > g["frame"]["width"]
    # Journey first: the grid starts in the top half of the first screen.
    assert g["frame"]["top"] < height / 2, g["frame"]["top"]
    # Every face sits over its column's centre, and at the height of its score on the scale.
    level = {a["sign"]: a["cy"] for a in g["axis"]}
    centres = [h["cx"] for h in g["heads"]]
    for spot in g["spots"]:
        assert min(abs(spot["cx"] - c) for c in centres) <= 2, spot
        assert abs(spot["cy"] - level[spot["score"]]) <= 2, (spot, level)


@pytest.mark.parametrize(
    ("columns", "width", "height", "fits"),
    [(10, 1440, 900, True), (14, 1920, 1080, True), (10, 1280, 720, False), (24, 1920, 1080, False)],
)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_columns_flex_to_the_screen(browser, tmp_path, columns, width, height, fits, lang):
    jm = _columns_map(columns, lang)
    _open(browser, tmp_path, f"cols-{columns}", render_html(jm), width, height)
    g = browser.evaluate(GEOMETRY_JS)
    assert len(g["heads"]) == columns
    if fits:
        # Every touchpoint in view, none behind a sideways scroll.
        assert g["frame"]["scroll"] <= g["frame"]["width"]
        assert all(h["right"] <= g["frame"]["right"] + 1 for h in g["heads"])
    else:
        assert g["frame"]["scroll"] > g["frame"]["width"]
        # Longer maps scroll with lane names and stage headers pinned.
        moved = browser.evaluate(
            "(() => { const f = document.querySelector('.grid-frame');"
            " const lane = f.querySelector('tbody th.lane-head'); const stage = f.querySelector('.stage-row th.stage');"
            " const before = [lane.getBoundingClientRect().left, stage.getBoundingClientRect().top];"
            " f.scrollLeft = 400; f.scrollTop = 300;"
            " const after = [lane.getBoundingClientRect().left, stage.getBoundingClientRect().top];"
            " f.scrollLeft = 0; f.scrollTop = 0; return {before, after}; })()"
        )
        assert abs(moved["after"][0] - moved["before"][0]) < 1, "lane names stay put"
        if browser.evaluate(
            "document.querySelector('.grid-frame').scrollHeight > document.querySelector('.grid-frame').clientHeight"
        ):
            assert abs(moved["after"][1] - moved["before"][1]) < 1, "stage headers stay put"
    level = {a["sign"]: a["cy"] for a in g["axis"]}
    for spot in g["spots"]:
        assert abs(spot["cy"] - level[spot["score"]]) <= 2


PRINT_SIZES_JS = """
(() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let count = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (el.closest('.sr-only, .journey-heading')) continue;
    const rects = el.getClientRects();
    if (!rects.length) continue;  // not printed (display: none)
    const size = parseFloat(getComputedStyle(el).fontSize);
    count++;
    if (size < 8) small.push([node.textContent.trim().slice(0, 40), size]);
  }
  return {count, small};
})()
"""


def _pdftotext_words(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, height in pt, yMin, yMax, word) of every word of the PDF."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    words = []
    page = 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            y0, y1 = float(m.group(1)), float(m.group(2))
            words.append((page, y1 - y0, y0, y1, m.group(3)))
    return words


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("name", ["checkout-fr", "service-clinic", "wide-24", "tall-lanes"])
def test_print_on_a3_keeps_every_character_at_6pt_or_more(browser, tmp_path, name):
    if name == "wide-24":
        jm = _columns_map(24)
    elif name == "tall-lanes":
        jm = _tall_lanes_map(16)
    else:
        jm = _load(ROOT / "examples" / f"{name}.yaml")
    view = build_page(jm)
    page = _open(browser, tmp_path, name, render_html(jm), 1440, 900)
    browser.emulate_media("print")
    try:
        sizes = browser.evaluate(PRINT_SIZES_JS)
        pdf_bytes = browser.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, timeout=60)[
            "data"
        ]
    finally:
        browser.emulate_media("")
    assert sizes["count"] > 50 and sizes["small"] == [], sizes["small"][:10]
    import base64

    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(base64.b64decode(pdf_bytes))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+1191\.\d+ x 841\.\d+ pts", info), info  # A3 landscape
    words = _pdftotext_words(pdf)
    # A word box is as tall as the font's ascent plus descent: at 6 pt it is over 6 pt tall.
    tiny = [w for w in words if w[1] < 6.0]
    assert tiny == [], tiny[:10]
    # Stage headers and lane names on every page that holds a grid.
    pages = {}
    for p, _h, _y0, _y1, word in words:
        pages.setdefault(p, []).append(word)
    label = view.labels["stages"].upper()
    grid_pages = [p for p, ws in pages.items() if label in ws]
    if len(view.parts) > 1:
        assert len(grid_pages) >= len(view.parts)
        for part in view.parts:
            first_stage = part.stages[0].name.split()[0]
            assert any(first_stage in pages[p] for p in grid_pages)
    # No heading alone at the foot of a page: something of its section follows it on the same page.
    for heading in (view.labels["opportunities"], view.labels["persona_details"].split()[0]):
        found = [(p, y1) for p, _h, _y0, y1, word in words if word == heading]
        for p, y1 in found[-1:]:
            assert any(wp == p and y0 > y1 for wp, _h, y0, _y1, _w in words), f"'{heading}' stranded on page {p}"
    browser.open(page)


def _print_pdf(browser, tmp_path: Path, name: str, html: str) -> Path:
    _open(browser, tmp_path, name, html, 1440, 900)
    browser.emulate_media("print")
    try:
        data = browser.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, timeout=60)["data"]
    finally:
        browser.emulate_media("")
    import base64

    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(base64.b64decode(data))
    return pdf


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("columns", [6, 16], ids=["one-part", "two-parts"])
def test_a_lane_that_runs_onto_the_next_sheet_is_named_there_with_the_stage_headers(browser, tmp_path, columns):
    jm = _tall_lanes_map(columns)
    pdf = _print_pdf(browser, tmp_path, f"tall-{columns}", render_html(jm))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    sheets = text.split("\f")
    lanes = {"do": "DOING", "th": "THINKING"}
    shown: dict[str, list[int]] = {key: [] for key in lanes}
    for number, sheet in enumerate(sheets, 1):
        for key, lane_name in lanes.items():
            if re.search(rf"\b{key}\d+ ", sheet):
                shown[key].append(number)
                # The lane's name, the stage headers and their corner are on this sheet.
                assert lane_name in sheet, f"sheet {number} shows {lane_name.lower()} items without the lane name"
                assert "STAGES" in sheet and re.search(r"Stage [AB] here", sheet), f"sheet {number}: no stage headers"
    # The lanes do run over several sheets, and every item is printed once.
    assert len(shown["do"]) >= 2 and len(shown["th"]) >= 2, shown
    for key in lanes:
        found = re.findall(rf"\b{key}(\d+) ", text)
        assert sorted(map(int, found)) == sorted(list(range(45)) * 2), key  # two tall touchpoints
    # No row header alone at the foot of a sheet: a sheet that ends with a
    # lane name also shows that lane's items.
    for number, sheet in enumerate(sheets, 1):
        last = [line for line in sheet.splitlines() if line.strip()][-1:] or [""]
        for key, lane_name in lanes.items():
            if last[0].strip().startswith(lane_name):
                assert re.search(rf"\b{key}\d+ ", sheet), f"'{lane_name}' stranded at the foot of sheet {number}"


LONG_WORDS = (
    "Rétrocompatibilité-intergouvernementalisation",  # a French compound
    "https://boutique.example.com/commande/paiement/confirmation?session=4f9a",  # a URL
    "ORDER_CONFIRMATION_EMAIL_TEMPLATE_V2_FINAL",  # a 40-character identifier
)


def _long_words_map(columns: int) -> JourneyMap:
    """Every field of a narrow column filled with words longer than the column."""
    a, b, c = LONG_WORDS
    lines = [
        "jmap: 1",
        f"title: {a}",
        "lang: fr",
        "personas:",
        f"  - id: p1\n    name: {a}",
        f"  - id: p2\n    name: {c}",
        "channels:",
        f"  - id: web\n    name: {b}\n    type: online",
        "stages:",
    ]
    for k in range(columns):
        if k % 4 == 0:
            lines += [
                f"  - id: s{k}",
                f"    name: {a}",
                f"    goal: {b}",
                f"    metrics:\n      {c.lower()}: 120000",
                "    touchpoints:",
            ]
        lines += [
            f"      - id: t{k}",
            f"        name: {a if k % 2 else c}",
            "        channel: web",
            f"        personas: [{'p1' if k % 2 else 'p1, p2'}]",
            "        emotion: {p1: 1, p2: -1}" if k % 2 == 0 else "        emotion: {p1: 1}",
            f"        doing: [{a}, {b}]",
            f"        thinking: {c}",
            f"        backstage: {b}",
            f"        owner: {c}",
            f"        metrics:\n          {a.lower()}: 4.3",
            "        pain_points:",
            f"          - id: pp{k}\n            name: {c}\n            severity: high\n            description: {b}\n"
            f"            owner: {a}",
            "        touchpoints:",
            f"          - id: u{k}\n            name: {b}\n            doing: {c}",
        ]
    lines += ["opportunities:", f"  - id: o1\n    name: {a} {b}\n    addresses: [pp0, pp1]\n    impact: high"]
    result = load_text("\n".join(lines) + "\n", "long-words.yaml")
    assert result.map is not None, [d.format() for d in result.errors]
    return result.map


OVERFLOW_JS = """
(() => {
  const bad = [];
  for (const cell of document.querySelectorAll('.grid-parts th, .grid-parts td, .opportunity-table td, .opportunity-table th')) {
    if (cell.classList.contains('part-head') || !cell.getClientRects().length) continue;
    const box = cell.getBoundingClientRect();
    if (cell.scrollWidth > cell.clientWidth + 1) bad.push(['scroll', cell.className, cell.scrollWidth, cell.clientWidth]);
    for (const el of cell.querySelectorAll('*')) {
      if (el.closest('svg.curve, svg.curve-axis, .sr-only')) continue;
      const r = el.getBoundingClientRect();
      if (r.width && (r.right > box.right + 1 || r.left < box.left - 1))
        bad.push([el.tagName, el.className.baseVal ?? el.className, (el.textContent || '').slice(0, 30), r.right - box.right]);
    }
  }
  return {bad: bad.slice(0, 10), count: bad.length,
          cells: document.querySelectorAll('.grid-parts td').length,
          doc: document.documentElement.scrollWidth};
})()
"""


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)], ids=["1280x720", "phone"])
def test_long_words_wrap_inside_their_column(browser, tmp_path, width, height):
    jm = _long_words_map(12)
    _open(browser, tmp_path, "long-words", render_html(jm), width, height)
    result = browser.evaluate(OVERFLOW_JS)
    assert result["cells"] > 80
    assert result["count"] == 0, result["bad"]
    if width < 600:
        assert result["doc"] <= width, "cards on a phone: nothing wider than the screen"
    else:
        # Columns as wide as their longest word: twelve do not fit 1280 px, and
        # the page scrolls sideways as one (no box with scroll bars of its own).
        assert result["doc"] > width
    # Words are hyphenated by the map's language where the browser has a dictionary for it.
    hyphens = browser.evaluate(
        "[document.documentElement.lang, getComputedStyle(document.querySelector('.grid td:not(.corner)')).hyphens]"
    )
    assert hyphens == ["fr", "auto"]


def _axe(browser) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA rules on the open page. axe is put into
    the page through DevTools (which the page's CSP does not govern), so the
    product's policy stays as strict as shipped."""
    browser.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    result = browser.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => r.violations.map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
        await_promise=True,
    )
    return result


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (cd tools/axe && npm ci)")
@pytest.mark.parametrize("path", example_paths(), ids=[p.stem for p in example_paths()])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_axe_finds_nothing_on_the_page(browser, tmp_path, path, dark):
    page = tmp_path / f"{path.stem}.html"
    page.write_text(render_html(_load(path)), encoding="utf-8")
    browser.open(page, width=1440, height=900, dark=dark)
    assert _axe(browser) == []
    browser.open(page, width=1440, height=900)


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (cd tools/axe && npm ci)")
def test_axe_finds_nothing_on_the_gallery(browser, tmp_path):
    from jmap.render.gallery import render_gallery
    from jmap.repo.build import GalleryEntry

    entries = [
        GalleryEntry(
            rel="a/checkout.yaml",
            status="valid",
            title="Checkout",
            owner="CX",
            tags=("web",),
            stages=5,
            pain_points=1200,
            outputs=(("html", "a/checkout.html"), ("page-pdf", "a/checkout.page.pdf")),
        ),
        GalleryEntry(rel="b.yaml", status="invalid", diagnostics=("3:1: error: bad [rule]",)),
    ]
    gallery = tmp_path / "index.html"
    gallery.write_bytes(render_gallery(entries))
    browser.open(gallery, width=1280, height=720)
    assert _axe(browser) == []
    assert "1,200" in browser.evaluate("document.body.textContent")


def test_the_curve_has_a_text_equivalent_for_screen_readers(browser, tmp_path):
    jm = _load(ROOT / "examples" / "checkout-fr.yaml")
    _open(browser, tmp_path, "a11y", render_html(jm), 1440, 900)
    tree = browser.send("Accessibility.getFullAXTree")["nodes"]
    images = [n for n in tree if n.get("role", {}).get("value") == "image"]
    names = [n.get("name", {}).get("value", "") for n in images]
    description = [n.get("description", {}).get("value", "") for n in images]
    assert "Courbe émotionnelle" in names
    assert any("Recherche produit" in d and "+1" in d for d in description), description
    json.dumps(tree)  # the tree is plain data

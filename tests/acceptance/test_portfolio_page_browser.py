"""The portfolio page in a real headless Chromium: self-contained (no
request, no console error under its CSP), in the portfolio's language,
one scroll on a wide screen, stacked cards on a phone, user text as text."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import EXAMPLES, run_jmap
from support.browser import Browser, chromium_path
from support.tools import unavailable

DAY = {"SOURCE_DATE_EPOCH": "1830000000"}  # 2027-12-28: every review overdue, so the marks show


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium is not installed (apt-get install chromium), or set JMAP_CHROMIUM")
    assert executable is not None
    with tempfile.TemporaryDirectory(prefix="jmap-chromium-") as profile:
        b = Browser(executable, Path(profile))
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    (root / ".git").mkdir()
    shutil.copytree(EXAMPLES / "portfolio", root / "maps")
    run = run_jmap("build", str(root / "maps"), "-o", str(root / "out"), "-f", "svg,html,md", env=DAY)
    assert run.returncode == 0, run.stderr.decode()
    return root / "out"


def overflow(browser: Browser) -> int:
    return int(browser.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("width", [1920, 1400, 1024])
def test_the_page_is_self_contained_and_fits_the_window(browser: Browser, site: Path, width: int) -> None:
    browser.open(site / "index.html", width=width, height=1080)
    assert [r for r in browser.requests() if not r.startswith("file:")] == []
    assert browser.console_errors() == []
    assert browser.evaluate("document.documentElement.lang") == "fr"
    assert overflow(browser) <= 0
    sections = browser.evaluate("[...document.querySelectorAll('main section h2')].map(h => h.textContent)")
    assert sections == ["Cartes", "Personas", "Canaux × cartes", "Opportunités"]
    # Every map of the hierarchy, each with its review overdue marked by a drawn icon.
    assert browser.evaluate("document.querySelectorAll('tr[id^=map-]').length") == 4
    assert browser.evaluate("document.querySelectorAll('.stale svg').length") == 4
    # Each shared persona's emotion along each map it follows: one sparkline per (persona, map).
    assert browser.evaluate("document.querySelectorAll('.persona svg[role=img]').length") == 4 + 4 + 2
    if width == 1400:
        browser.screenshot(site.parent / "portfolio-1400.png", max_height=5000)


def test_no_word_is_broken_inside(browser: Browser, site: Path) -> None:
    """Words stay whole: no cell is narrower than its longest word."""
    browser.open(site / "index.html", width=1024, height=900)
    cut = browser.evaluate(
        """(() => {
          const bad = [];
          for (const cell of document.querySelectorAll('td, th')) {
            if (cell.scrollWidth > cell.clientWidth + 1) bad.push(cell.textContent.trim().slice(0, 40));
          }
          return bad;
        })()"""
    )
    assert cut == []


def test_on_a_phone_the_tables_become_cards(browser: Browser, site: Path) -> None:
    browser.open(site / "index.html", width=390, height=844)
    assert overflow(browser) <= 0
    assert browser.evaluate("getComputedStyle(document.querySelector('#maps tbody tr')).display") == "block"
    assert browser.evaluate("getComputedStyle(document.querySelector('#maps thead')).display") == "none"
    browser.screenshot(site.parent / "portfolio-phone.png", max_height=3000)


def test_hostile_text_stays_text(browser: Browser, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    (tmp_path / "jmap-portfolio.yaml").write_text(
        f"jmap-portfolio: 1\ntitle: '{evil}'\npersonas:\n  - {{id: p, name: '\"><img src=y>'}}\n"
        "channels:\n  - {id: web, name: '<b>Web</b>'}\n",
        encoding="utf-8",
    )
    (tmp_path / "m.yaml").write_text(
        f"jmap: 1\ntitle: '{evil}'\npersonas: [p]\nstages:\n  - id: s\n    name: S\n    touchpoints:\n"
        "      - {id: t, name: '</td><td>', channel: web, emotion: -1}\n"
        f"opportunities: [{{id: o, name: '{evil}', owner: '<i>x</i>'}}]\n",
        encoding="utf-8",
    )
    run = run_jmap("build", str(tmp_path), "-o", str(tmp_path / "out"), "-f", "html")
    assert run.returncode == 0, run.stderr.decode()
    browser.open(tmp_path / "out" / "index.html")
    assert browser.evaluate("document.querySelectorAll('script, img, b, i').length") == 0
    assert browser.evaluate("document.querySelector('h1').textContent") == evil
    assert browser.console_errors() == []
    assert [r for r in browser.requests() if not r.startswith("file:")] == []

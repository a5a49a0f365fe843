"""The summary's pictures as a reader sees them: drawn by the real Mermaid
(the bundle of tools/mermaid) in a real headless Chromium, as GitHub draws a
```mermaid block. The legend shows each persona's name exactly as written
(no "Bernard,¶-ß" when Mermaid wraps a name), and every step label fits its
box whole (Mermaid cuts what does not fit, with no mark)."""

from __future__ import annotations

import html
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support import ROOT
from support.browser import Browser, browser_path
from support.node import TOOLS
from support.tools import unavailable

from jmap.format.validator import load_file, load_text
from jmap.model import JourneyMap
from jmap.render.markdown import render_md

pytestmark = [pytest.mark.mermaid, pytest.mark.browser]

MERMAID = TOOLS / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = browser_path()
    if executable is None:
        unavailable("Chromium is not installed (apt-get install chromium), or set JMAP_BROWSER")
    with tempfile.TemporaryDirectory(prefix="jmap-mermaid-") as profile:
        b = Browser(executable, Path(profile))
        try:
            yield b
        finally:
            b.close()


def long_names_map() -> JourneyMap:
    """Names that made the legend and the labels fail: commas (entity codes
    in Mermaid), long words from Mermaid's own rendering tests, a colon, and
    steps whose names differ only at their end (the airport's queues)."""
    personas = [
        {"id": "bernard", "name": "Bernard, 61 ans"},
        {"id": "dark", "name": "Darko" + "o" * 30},  # one word: wider would be hyphenated
        {"id": "shadow", "name": "Shadow with a very long name that Mermaid has to wrap over several lines"},
        {"id": "lea", "name": "Léa: étudiante; #1"},
    ]
    queues = [
        {"id": f"q{n}", "name": f"File d'attente n°{n} au contrôle de sécurité", "emotion": {"bernard": -2, "lea": 0}}
        for n in range(1, 8)
    ]
    document = {
        "jmap": 1,
        "title": "Aéroport",
        "lang": "fr",
        "personas": personas,
        "stages": [
            {"id": "a", "name": "Arrivée", "touchpoints": [{"id": "t", "name": "Taxi", "emotion": 1}]},
            {"id": "s", "name": "Sécurité", "touchpoints": queues},
        ],
    }
    result = load_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "airport.yaml")
    assert result.map is not None, result.diagnostics
    return result.map


def draw(browser: Browser, markdown: str, work: Path) -> list[dict]:
    """Each ```mermaid block of ``markdown`` drawn by Mermaid: its legend's
    lines, and each step label's width against its box's."""
    blocks = re.findall(r"^```mermaid\n(.*?)^```$", markdown, flags=re.MULTILINE | re.DOTALL)
    assert blocks
    body = "".join(f'<pre class="mermaid">{html.escape(block)}</pre>' for block in blocks)
    page = work / "page.html"
    page.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><script src="{MERMAID.as_uri()}"></script></head>'
        f'<body style="width: 948px">{body}<script>mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});'
        "window.drawn = mermaid.run().then(() => 'ok', e => String(e));</script></body></html>",
        encoding="utf-8",
    )
    browser.open(page, width=1012, height=900)
    assert browser.evaluate("window.drawn", await_promise=True) == "ok"
    found = browser.evaluate(
        """JSON.stringify([...document.querySelectorAll('pre.mermaid svg')].map(svg => ({
             legend: [...svg.querySelectorAll('text.legend')].map(t => t.textContent),
             labels: [...svg.querySelectorAll('rect.task')].map(rect => {
               const div = rect.parentNode.querySelector('div.label');
               const range = document.createRange(); range.selectNodeContents(div);
               return {text: div.textContent, width: range.getBoundingClientRect().width,
                       box: rect.getBoundingClientRect().width};
             }),
           })))"""
    )
    return json.loads(found)


@pytest.mark.parametrize("name", ["airport", *(path.stem for path in EXAMPLES)])
def test_legend_shows_the_persona_names_as_written_and_no_label_is_cut(
    browser: Browser, tmp_path: Path, name: str
) -> None:
    jm = long_names_map() if name == "airport" else load_file(ROOT / "examples" / f"{name}.yaml").map
    assert jm is not None
    names = [p.name for p in jm.personas]
    for persona in [None, *(p.id for p in jm.personas[:1])]:
        pictures = draw(browser, render_md(jm, persona), tmp_path)
        for picture in pictures:
            # Mermaid wraps a long name over several legend lines, between
            # words; joined with spaces they give the names, each whole.
            text = " ".join(picture["legend"])
            shown = [n for n in names if n in text]
            assert len(" ".join(shown)) == len(text), (picture["legend"], names)
            assert "¶" not in text and "ﬂ°" not in text and "#44;" not in text
            for label in picture["labels"]:
                assert "…" not in label["text"]
                assert label["width"] <= label["box"], label
        drawn = {n for picture in pictures for n in names if n in " ".join(picture["legend"])}
        assert drawn == set(names if persona is None else names[:1]), drawn

"""The Markdown summary: escaping of user text, well-formed tables, the
sections a reviewer reads (ranked pain points and opportunities, funnel,
totals) and the labels of the map's language."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support import ROOT

from jmap.format.validator import load_file, load_text
from jmap.model import JourneyMap
from jmap.render.markdown import render_md
from jmap.render.mdtext import inline, one_line, shorten, table
from jmap.render.mermaid import render_mmd

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

HOSTILE = "a | b\nnew line <script>alert(1)</script> [x](javascript:alert(1)) *bold* _it_ `code` ![i](y) &lt; ~~s~~ # h"


def build(document: dict) -> JourneyMap:
    result = load_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "test.yaml")
    assert result.map is not None, result.diagnostics
    return result.map


def shop(lang: str = "en", name: str = "Cart") -> JourneyMap:
    return build(
        {
            "jmap": 1,
            "title": "Shop",
            "description": "From need to loyalty.",
            "lang": lang,
            "owner": "CX team",
            "scenario": "Sophie wants a paper.",
            "personas": [
                {"id": "sophie", "name": "Sophie", "goals": ["Find fast", "Pay easily"], "quote": "Five minutes."},
                {"id": "marc", "name": "Marc"},
            ],
            "channels": [
                {"id": "web", "name": "Website"},
                {"id": "phone", "name": "Phone", "type": "offline"},
                {"id": "unused", "name": "Unused"},
            ],
            "stages": [
                {
                    "id": "visit",
                    "name": "Visit",
                    "goal": "Understand the offer",
                    "metrics": {"visitors": 120000, "bounce": "40%"},
                    "touchpoints": [
                        {
                            "id": "home",
                            "name": "Home page",
                            "channel": "web",
                            "emotion": 1,
                            "duration": "2min",
                            "doing": ["Scrolls", "Reads"],
                            "thinking": "x" * 300,
                        }
                    ],
                },
                {
                    "id": "buy",
                    "name": "Buy",
                    "duration": "1h",
                    "metrics": {"visitors": 90000},
                    "touchpoints": [
                        {
                            "id": "cart",
                            "name": name,
                            "channel": "web",
                            "emotion": {"sophie": 0, "marc": -2},
                            "metrics": {"conversion": {"value": "22%", "target": "25%", "source": "Analytics"}},
                            "pain_points": [
                                {"id": "fees", "name": "Hidden fees", "severity": "low"},
                                {"id": "refused", "name": "Card refused", "severity": "critical"},
                                {"id": "slow", "name": "Slow page", "severity": "high"},
                            ],
                            "touchpoints": [{"id": "card", "name": "Card form", "emotion": -1}],
                        },
                        {"id": "call", "name": "Callback", "channel": "phone", "personas": ["marc"], "emotion": 2},
                    ],
                },
                {"id": "after", "name": "After", "metrics": {"visitors": 90000}},
            ],
            "opportunities": [
                {"id": "o-low", "name": "Small fix", "addresses": ["fees"], "impact": "low", "effort": "low"},
                {"id": "o-big", "name": "Big one", "addresses": ["refused"], "impact": "high", "effort": "high"},
                {
                    "id": "o-best",
                    "name": "Quick win",
                    "addresses": ["refused"],
                    "impact": "high",
                    "effort": "low",
                    "status": "in-progress",
                },
            ],
        }
    )


# -- escaping -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a | b", r"a \| b"),
        ("two\nlines\r\n\nhere", "two / lines / here"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
        ("![i](y)", r"!\[i\](y)"),
        ("*a* _b_ `c` ~d~", r"\*a\* \_b\_ \`c\` \~d\~"),
        ("back\\slash", r"back\\slash"),
        ("# heading", r"\# heading"),
        ("&lt; &#60; &#x3c; &amp;", r"&amp;lt; &amp;\#60; &amp;\#x3c; &amp;amp;"),
        ("R&D & co", "R&D & co"),
        ("- item", r"\- item"),
        ("+ item", r"\+ item"),
        ("---", r"\---"),
        ("1. first", r"1\. first"),
        ("2) second", r"2\) second"),
        ("-5% and 7.4%", "-5% and 7.4%"),
        ("> quote", "&gt; quote"),
        ("tab\there\x00nul", "tab here nul"),
        ("Déjà vu 🎉 مرحبا", "Déjà vu 🎉 مرحبا"),
    ],
)
def test_inline_escaping(raw: str, escaped: str) -> None:
    assert inline(raw) == escaped


def test_shorten_cuts_at_a_word_before_escaping() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("one two three four", 12) == "one two…"
    assert len(shorten("x" * 300, 120)) == 120
    assert one_line(" a \n\n b ") == "a / b"


def test_table_rejects_a_short_row() -> None:
    with pytest.raises(ValueError, match="2 cells, header has 3"):
        table(["a", "b", "c"], [["1", "2"]])
    assert table(["a", "b"], [["1", ""]], align=("left", "right")) == ["| a | b |", "| --- | ---: |", "| 1 |   |"]


# -- table structure ----------------------------------------------------------

_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def tables_of(markdown: str) -> list[list[str]]:
    """Every pipe table as its lines, checking the blank lines around it."""
    lines = markdown.split("\n")
    found: list[list[str]] = []
    current: list[str] = []
    in_code = False
    for number, line in enumerate(lines):
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("|"):
            if not current:
                assert number == 0 or lines[number - 1] == "", f"no blank line before table at {number + 1}"
            current.append(line)
            continue
        if current:
            assert line == "", f"no blank line after table at {number + 1}"
            found.append(current)
            current = []
    return found


def cells(row: str) -> list[str]:
    assert row.startswith("| ") and row.endswith(" |"), row
    return _CELL_SPLIT.split(row)[1:-1]


def assert_tables_well_formed(markdown: str) -> int:
    tables = tables_of(markdown)
    for rows in tables:
        width = len(cells(rows[0]))
        assert all(re.fullmatch(r" :?---:? ", c) for c in cells(rows[1])), rows[1]
        for row in rows:
            assert len(cells(row)) == width, row
    return len(tables)


def test_tables_are_well_formed_with_hostile_names() -> None:
    jm = shop(name=HOSTILE)
    jm = replace(
        jm,
        personas=(replace(jm.personas[0], name=HOSTILE), *jm.personas[1:]),
        channels=(replace(jm.channels[0], name=HOSTILE), *jm.channels[1:]),
    )
    md = render_md(jm)
    assert assert_tables_well_formed(md) >= 6
    assert "<script" not in md
    outside_code = re.sub(r"```mermaid\n.*?```", "", md, flags=re.DOTALL)
    assert not re.search(r"(?<!\\)\]\(", outside_code)
    assert "\nnew line" not in md


def test_hostile_text_renders_as_text() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    jm = shop(name=HOSTILE)
    html = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(render_md(jm))
    assert "<script" not in html
    assert "<a " not in html
    assert "<img" not in html
    assert "<em>" not in html and "<strong>bold" not in html
    assert "<code>" not in html and "<s>" not in html
    visible = "a | b / new line &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) *bold* _it_ `code`"
    assert visible in html
    # every table row keeps the header's column count in a real parser too
    for table_html in re.findall(r"<table>.*?</table>", html, flags=re.DOTALL):
        widths = {len(re.findall(r"<t[hd]", row)) for row in re.findall(r"<tr>.*?</tr>", table_html, re.DOTALL)}
        assert len(widths) == 1, table_html


# -- content ------------------------------------------------------------------


def section(md: str, heading: str) -> str:
    start = md.index(f"\n## {heading}\n")
    end = md.find("\n## ", start + 1)
    return md[start : end if end != -1 else len(md)]


def test_header_and_personas() -> None:
    md = render_md(shop())
    assert md.startswith(
        "# Shop\n\nFrom need to loyalty.\n\n- **Scenario:** Sophie wants a paper.\n- **Owner:** CX team\n"
    )
    assert "| Sophie |   | Find fast / Pay easily |   | Five minutes. |" in md


def test_stage_tables() -> None:
    md = render_md(shop())
    assert "### 1. Visit\n\n- **Goal:** Understand the offer\n- **Duration:** 2min (sum of touchpoints)\n" in md
    assert "### 2. Buy\n\n- **Duration:** 1h\n" in md
    assert "| Home page | Website (online) | 🙂 +1 | Scrolls / Reads | " + "x" * 119 + "… |   |" in md
    assert "| Cart | Website (online) | Sophie 😐 0 / Marc 😠 -2 |" in md
    assert "| ↳ Card form | " in md
    assert "| Callback | Phone (offline) | 😄 +2 |" in md


def test_embeds_the_mermaid_export() -> None:
    jm = shop()
    assert f"\n```mermaid\n{render_mmd(jm)}```\n" in render_md(jm)


def test_pain_points_ranked_and_unaddressed_called_out() -> None:
    pains = section(render_md(shop()), "Pain points")
    rows = [line for line in pains.split("\n") if line.startswith("| ") and "---" not in line][1:]
    assert [cells(r)[0].strip() for r in rows] == ["critical", "high", "low"]
    assert cells(rows[0])[4].strip() == "Big one / Quick win"
    assert "**⚠ Not addressed by any opportunity:**\n\n- **high** — Slow page (Buy › Cart)" in pains
    assert "Hidden fees (" not in pains.split("⚠")[1]


def test_opportunities_ranked_by_impact_then_effort() -> None:
    opportunities = section(render_md(shop()), "Opportunities")
    names = re.findall(r"^\| (Quick win|Big one|Small fix) ", opportunities, flags=re.MULTILINE)
    assert names == ["Quick win", "Big one", "Small fix"]
    assert "| Quick win | high | low | in progress | Card refused |   |" in opportunities


def test_metrics_funnel_and_totals() -> None:
    md = render_md(shop())
    metrics = section(md, "Metrics")
    assert "| Buy | Cart | conversion | 22% | 25% | Analytics |" in metrics
    assert "### Funnel: visitors" in metrics
    assert "| Visit | 120000 |   |" in metrics
    assert "| Buy | 90000 | -30000 (-25.0%) |" in metrics
    assert "| After | 90000 | +0 (+0.0%) |" in metrics
    assert "Funnel: bounce" not in metrics  # a rate, not a count
    totals = section(md, "Totals")
    assert "- **Total duration:** 1h2min" in totals
    assert "| Website (online) | 2 |" in totals
    assert "| — | 1 |" in totals  # the card form has no channel
    assert "| Phone (offline) | 1 |" in totals
    assert "| Unused (online) | 0 |" in totals
    assert "| Sophie | 🙁 -1 Buy › Card form | 🙂 +1 Visit › Home page |" in totals
    assert "| Marc | 😠 -2 Buy › Cart | 😄 +2 Buy › Callback |" in totals


def test_french_labels_and_typography() -> None:
    md = render_md(shop(lang="fr"))
    assert "- **Scénario\u00a0:** Sophie wants a paper." in md
    assert "## Points de douleur" in md
    assert "| critique |" in md
    assert "| Buy | 90000 | -30000 (-25,0\u00a0%) |" in md
    assert "Tout le monde" not in md


def test_persona_view() -> None:
    md = render_md(shop(), persona="sophie")
    assert "- **Persona:** Sophie" in md
    assert "Callback" not in md.split("## Totals")[0].split("```")[2]
    assert "| Cart | Website (online) | 😐 0 |" in md
    assert "| Marc |" not in md


def test_map_without_personas_has_an_everyone_row() -> None:
    jm = build(
        {
            "jmap": 1,
            "title": "T",
            "stages": [{"id": "s", "name": "S", "touchpoints": [{"id": "a", "name": "A", "emotion": -1}]}],
        }
    )
    assert "| Everyone | 🙁 -1 S › A | 🙁 -1 S › A |" in render_md(jm)


def test_byte_identical_across_runs() -> None:
    assert render_md(shop()) == render_md(shop())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_have_well_formed_tables(path: Path) -> None:
    jm = load_file(path).map
    assert jm is not None
    for persona in [None, *(p.id for p in jm.personas)]:
        md = render_md(jm, persona)
        assert assert_tables_well_formed(md) >= 3
        assert md.endswith("\n") and not md.endswith("\n\n")


def test_a_mention_in_a_map_notifies_nobody_in_the_summary_or_the_diff() -> None:
    """One Markdown escaper: `@team` is inert in the summary and in `jmap diff --format md`."""
    from jmap.repo.diff import diff_maps
    from jmap.repo.diff_report import format_md

    assert inline("ask @cx-team") == "ask &#64;cx-team"
    text = "jmap: 1\ntitle: T\nstages:\n  - id: s\n    name: S\n    touchpoints:\n      - {id: a, name: A}\n"
    old, new = load_text(text, "a.yaml").map, load_text(text.replace("name: A", "name: ask @cx-team"), "b.yaml").map
    assert old is not None and new is not None
    # The embedded Mermaid block is code, where GitHub mentions no one.
    prose = re.sub(r"```mermaid\n.*?```", "", render_md(new), flags=re.DOTALL)
    assert "@cx-team" not in prose and "&#64;cx-team" in prose
    diff = format_md(diff_maps(old, new))
    assert "@cx-team" not in diff and "&#64;cx-team" in diff


def _inline_by_characters(text: str) -> str:
    """The escaping rules of docs/markdown.md applied one character at a time:
    the specification the fast :func:`inline` must match."""
    import re as _re
    import unicodedata

    from jmap.render.mdtext import _LINE_START

    lines = []
    for line in _re.split(r"\r\n|[\r\n\u0085\u2028\u2029\x0b\x0c]", text):
        cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in line)
        cleaned = _re.sub(r"[ \t]+", " ", cleaned).strip()
        if cleaned:
            lines.append(cleaned)
    flat = " / ".join(lines)
    entity = _re.compile(r"[A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;")
    out = []
    for position, ch in enumerate(flat):
        if ch == "&":
            out.append("&amp;" if entity.match(flat, position + 1) else "&")
        elif ch in "<>@":
            out.append({"<": "&lt;", ">": "&gt;", "@": "&#64;"}[ch])
        elif ch in "\\`*_[]#|~":
            out.append("\\" + ch)
        else:
            out.append(ch)
    escaped = "".join(out)
    match = _LINE_START.match(escaped)
    if match:
        if match.group(0)[0].isdigit():
            escaped = escaped[: match.end()] + "\\" + escaped[match.end() :]
        else:
            escaped = "\\" + escaped
    return escaped


@given(st.text(alphabet=st.sampled_from(list("ab &<>\\`*_[]#|~-+=1.);\n\r\t\x00\x1f\x85\u2028 lt#x3C@")), max_size=40))
@settings(max_examples=400, deadline=None)
def test_fast_escaping_matches_the_character_rules(text: str) -> None:
    from jmap.render.mdtext import inline

    assert inline(text) == _inline_by_characters(text)

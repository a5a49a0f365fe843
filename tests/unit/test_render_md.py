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
from support.factories import with_touchpoint

from jmap.format.validator import load_file, load_text
from jmap.mermaid.export import render_mmd
from jmap.model import JourneyMap
from jmap.render.markdown import render_md
from jmap.render.mdtext import inline, one_line, shorten, table

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
        ("&lt; &#60; &#x3c; &amp;", r"&amp;lt; &amp;\#&#8288;60; &amp;\#x3c; &amp;amp;"),
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
    assert table(["a", "b"], [["1", "2"]], align=("left", "right")) == ["| a | b |", "| --- | ---: |", "| 1 | 2 |"]
    assert table(["a", "b"], [["1", ""], ["2", "x"]]) == ["| a | b |", "| --- | --- |", "| 1 |   |", "| 2 | x |"]


def test_table_leaves_out_columns_empty_in_every_row() -> None:
    rows = [["Sam", " ", "x", ""], ["Ana", "", "", ""]]
    assert table(["who", "a", "b", "c"], rows, align=("left", "right", "right", "left")) == [
        "| who | b |",
        "| --- | ---: |",
        "| Sam | x |",
        "| Ana |   |",
    ]
    # the first column names the rows and stays
    assert table(["who", "b"], [["", "x"]]) == ["| who | b |", "| --- | --- |", "|   | x |"]


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
    assert "| Persona | Goals | Quote |\n| --- | --- | --- |\n" in md  # no empty Description, Frustrations
    assert "| Sophie | Find fast<br>Pay easily | Five minutes. |" in md


def test_stage_tables() -> None:
    md = render_md(shop())
    # a stage without a length of its own shows only the time in its touchpoints
    # each stage's picture sits under its own heading
    assert "### 1. Visit\n\n```mermaid\n" in md
    assert "```\n\n- **Goal:** Understand the offer\n- **Time spent:** 2\u00a0min\n" in md
    assert "### 2. Buy\n\n```mermaid\n" in md
    assert "```\n\n- **Stage length:** 1\u00a0h\n\n" in md
    # no Feeling column: no touchpoint of the stage has one
    assert "| Touchpoint | Channel | Duration | Emotion | Doing | Thinking |\n" in md
    # the steps drawn in the pictures carry their number there and here (the key)
    assert "| 1. Home page | Website (online) | 2\u00a0min | 🙂 +1 | Scrolls<br>Reads | " + "x" * 119 + "… |" in md
    assert "| 2. Cart | Website (online) | Sophie 😐 0<br>Marc 😠 -2 |" in md
    assert "| ↳ Card form | " in md
    assert "| 3. Callback | Phone (offline) | 😄 +2 |" in md


def mermaid_blocks(md: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", md, flags=re.MULTILINE | re.DOTALL)


def test_the_picture_shows_each_personas_own_score() -> None:
    jm = shop()
    visit, buy = mermaid_blocks(render_md(jm))  # one picture per stage; none for a stage without touchpoints
    assert visit.startswith("---\nconfig:\n  journey:\n    width: 150\n")
    # Sophie 0 and Marc -2 at the cart: two tasks, never their average (2)
    assert "    2. Cart: 3: Sophie\n    2. Cart: 1: Marc\n" in buy
    assert "    1. Home page: 4: Sophie, Marc\n" in visit
    assert "Home page" not in buy and "Cart" not in visit  # never another stage's steps
    assert render_mmd(jm) not in render_md(jm)  # the export is one diagram for import, not this


def test_pain_points_ranked_and_unaddressed_called_out() -> None:
    pains = section(render_md(shop()), "Pain points")
    rows = [line for line in pains.split("\n") if line.startswith("| ") and "---" not in line][1:]
    assert [cells(r)[0].strip() for r in rows] == ["critical", "high", "low"]
    assert cells(rows[0])[4].strip() == "Big one<br>Quick win"
    # review flags are for the team: in a section of their own at the end, not here
    assert "⚠" not in pains and "Not addressed" not in pains
    review = render_md(shop()).split("\n## To review\n\n", 1)[1]
    assert review.startswith("- ⚠ **high** — Slow page (Buy › Cart): not addressed by any opportunity\n")
    assert "Hidden fees" not in review


def test_opportunities_ranked_by_impact_then_effort() -> None:
    opportunities = section(render_md(shop()), "Opportunities")
    names = re.findall(r"^\| (Quick win|Big one|Small fix) ", opportunities, flags=re.MULTILINE)
    assert names == ["Quick win", "Big one", "Small fix"]
    assert "| Opportunity | Impact | Effort | Status | Addresses |\n" in opportunities  # no Owner column
    assert "| Quick win | high | low | in progress | Card refused |" in opportunities


def test_metrics_funnel_and_totals() -> None:
    md = render_md(shop())
    metrics = section(md, "Metrics")
    assert "| Buy | Cart | Conversion | 22% | 25% | Analytics |" in metrics
    assert "### Funnel: Visitors" in metrics
    assert "| Visit | 120,000 |   |" in metrics
    assert "| Buy | 90,000 | -30,000 (-25.0%) |" in metrics
    assert "| After | 90,000 | 0 (0.0%) |" in metrics
    assert "Funnel: Bounce" not in metrics  # a rate, not a count
    totals = section(md, "Totals")
    assert "- **Journey length:** 1\u00a0h\n- **Time spent:** 2\u00a0min\n" in totals
    assert "| Website (online) | 2 |" in totals
    # no placeholder row for the card form, which has no channel: a review flag
    assert "| — |" not in totals
    assert "- **Touchpoints without a channel** (1): Buy › Card form" in section(md, "To review")
    assert "| Phone (offline) | 1 |" in totals
    assert "| Unused (online) | 0 |" in totals
    assert "| Sophie | 🙁 -1 Buy › Card form | 🙂 +1 Visit › Home page |" in totals
    assert "| Marc | 😠 -2 Buy › Cart | 😄 +2 Buy › Callback |" in totals


def test_french_labels_and_typography() -> None:
    md = render_md(shop(lang="fr"))
    assert "- **Scénario\u00a0:** Sophie wants a paper." in md
    assert "## Points de friction" in md
    assert "| critique |" in md
    assert "| Buy | 90\u202f000 | -30\u202f000 (-25,0\u202f%) |" in md
    assert "Tout le monde" not in md


def test_persona_view() -> None:
    md = render_md(shop(), persona="sophie")
    assert "- **Persona:** Sophie" in md
    assert "Callback" not in "".join(mermaid_blocks(md))
    assert "| 2. Cart | Website (online) | 😐 0 |" in md
    assert "| Marc |" not in md


def test_map_without_personas_has_an_everyone_row() -> None:
    jm = build(
        {
            "jmap": 1,
            "title": "T",
            "stages": [{"id": "s", "name": "S", "touchpoints": [{"id": "a", "name": "A", "emotion": -1}]}],
        }
    )
    # the view's rule: a low point is negative, a high point positive
    assert "| Persona | Low point |\n| --- | --- |\n| Everyone | 🙁 -1 S › A |\n" in render_md(jm)


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


# -- what a client reads: text as written, time, pictures ----------------------


def test_line_breaks_and_paragraphs_are_kept() -> None:
    jm = build(
        {
            "jmap": 1,
            "title": "T",
            "description": "First paragraph,\nsecond line.\n\nSecond paragraph.",
            "personas": [{"id": "p", "name": "P", "description": "Line one\nline two <br> typed"}],
            "stages": [{"id": "s", "name": "S", "touchpoints": [{"id": "a", "name": "A", "doing": ["x\ny"]}]}],
        }
    )
    md = render_md(jm)
    assert "# T\n\nFirst paragraph,<br>second line.\n\nSecond paragraph.\n\n" in md
    assert "| P | Line one<br>line two &lt;br&gt; typed |" in md  # only jmap writes <br>
    assert "| 1. A | x<br>y |" in md


def test_user_html_never_becomes_an_element_even_where_html_is_allowed() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    jm = shop(name="<br><img src=x onerror=alert(1)><b>b</b>\n<br/>")
    jm = replace(jm, personas=(replace(jm.personas[0], quote="<iframe>\n<script>x</script>"), *jm.personas[1:]))
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(render_md(jm))
    assert re.findall(r"<(?!/?(?:h[1-3]|p|ul|li|strong|table|thead|tbody|tr|th|td|pre|code|br)\b)[a-z]+", html) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize(
    ("raw", "markdown"),
    [
        ("Ask @cx-team or @octo/design", "Ask @&#8288;cx-team or @&#8288;octo/design"),
        ("mail me@example.com", "mail me@&#8288;example.com"),
        ("Fixed in #123 and GH#7", r"Fixed in \#&#8288;123 and GH\#&#8288;7"),
        ("see GH-42", "see GH&#8288;-42"),
        ("C# and #hashtag stay", r"C\# and \#hashtag stay"),
        ("See https://example.com/a?b=1", "See https:&#8288;//example.com/a?b=1"),
        ("or www.example.com", "or www&#8288;.example.com"),
    ],
)
def test_github_mentions_issue_links_and_autolinks_are_kept_out(raw: str, markdown: str) -> None:
    assert inline(raw) == markdown


def test_github_sees_no_link_where_the_user_wrote_one() -> None:
    """markdown-it with linkify finds GitHub's bare URLs; the word joiner
    (an invisible character) keeps them text that reads the same."""
    markdown_it = pytest.importorskip("markdown_it")
    pytest.importorskip("linkify_it")
    text = "Ask @cx-team, see #12, https://example.com/x and www.example.org"
    md = markdown_it.MarkdownIt("gfm-like", {"linkify": True})
    assert "<a " in md.render("https://example.com/x www.example.org")  # the check can see a link
    html = md.render(inline(text))
    assert "<a " not in html
    assert html.replace("\u2060", "") == f"<p>{text}</p>\n"


def test_french_punctuation_gets_its_no_break_spaces() -> None:
    shop_fr = shop(lang="fr")
    first = shop_fr.stages[0].touchpoints[0].id
    jm = with_touchpoint(shop_fr, first, thinking=("Pourquoi ? Vraiment ! Bon : voilà ; fin",))
    md = render_md(jm)
    assert "Pourquoi\u202f? Vraiment\u202f! Bon\u00a0: voilà\u202f; fin" in md
    assert "https://" not in md or "https:\u00a0//" not in md


def test_durations_in_the_maps_language() -> None:
    md = render_md(shop(lang="fr"))
    assert "| 1. Home page | Website (en ligne) | 2\u00a0min |" in md
    assert "- **Durée de l’étape\u00a0:** 1\u00a0h\n" in md


def test_no_table_has_an_empty_column() -> None:
    for path in EXAMPLES:
        jm = load_file(path).map
        assert jm is not None
        for persona in [None, *(p.id for p in jm.personas)]:
            for rows in tables_of(render_md(jm, persona)):
                body = [cells(r) for r in rows[2:]]
                for column in range(len(cells(rows[0]))):
                    assert any(row[column].strip() for row in body), (path.name, rows[0], column)


def test_a_long_journey_is_drawn_one_stage_at_a_time_with_numbered_steps() -> None:
    """The airport's queues: "File d'attente n°1…" to "n°7…" cut exactly the
    words that told them apart. Now one picture per stage (a long stage goes
    on in a picture of its own), every box labelled with the step's number
    and its whole name when it fits, the number alone when it does not, and
    the stage's table giving each number its name: nothing is cut."""
    from jmap.mermaid.pictures import MAX_TASKS

    queues = [{"id": f"q{n}", "name": f"File d'attente n°{n} — guichet {n}", "emotion": -1} for n in range(1, 18)]
    queues[0]["name"] = "Accueil"
    jm = build(
        {
            "jmap": 1,
            "title": "Préfecture",
            "lang": "fr",
            "stages": [
                {"id": "a", "name": "Accueil", "touchpoints": queues[:3]},
                {"id": "b", "name": "Guichets", "touchpoints": queues[3:]},
            ],
        }
    )
    md = render_md(jm)
    pictures = mermaid_blocks(md)
    assert len(pictures) == 1 + -(-14 // MAX_TASKS)  # 3 tasks, then 14 in pictures of at most MAX_TASKS
    assert md.index("### 1. Accueil") < md.index(pictures[0]) < md.index("### 2. Guichets") < md.index(pictures[1])

    def tasks_of(picture: str) -> list[str]:
        body = picture.split("\njourney\n", 1)[1]
        return [line.strip().rsplit(": ", 1)[0] for line in body.splitlines() if line.startswith("    ")]

    assert all(len(tasks_of(picture)) <= MAX_TASKS for picture in pictures)
    assert all(picture.count("  section ") == 1 for picture in pictures)
    labels = [task for picture in pictures for task in tasks_of(picture)]
    assert "…" not in "".join(pictures)
    assert labels[0] == "1. Accueil"
    for number, (label, queue) in enumerate(zip(labels, queues, strict=True), start=1):
        assert label in (str(number), f"{number}. {queue['name']}")
        assert f"| {number}. {queue['name']} |" in md


def test_pictures_stay_within_mermaids_text_limit() -> None:
    personas = [{"id": f"p{n}", "name": f"Persona number {n} " + "x" * 60} for n in range(2000)]
    jm = build(
        {
            "jmap": 1,
            "title": "Crowd",
            "personas": personas,
            "stages": [
                {
                    "id": "s",
                    "name": "S",
                    "touchpoints": [
                        {
                            "id": f"t{t}",
                            "name": "A" * 500,
                            "emotion": {p["id"]: n % 5 - 2 for n, p in enumerate(personas)},
                        }
                        for t in range(6)
                    ],
                }
            ],
        }
    )
    pictures = mermaid_blocks(render_md(jm))
    assert pictures and all(len(p) < 50_000 for p in pictures)
    tasks = [line for p in pictures for line in p.split("\njourney\n", 1)[1].splitlines() if line.startswith("    ")]
    assert len(tasks) == 30  # five scores at each of six touchpoints, none averaged
    assert all(re.search(r", \+\d+$", task) for task in tasks)  # the actors that do not fit are counted


@pytest.mark.parametrize("name", ["*a*", "ends with \\", "x_", "[link](y)", "a ** b", "&lt;", "(paren)"])
def test_a_pain_point_name_in_bold_stays_its_own_text(name: str) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    jm = shop()
    touchpoint = jm.stages[1].touchpoints[0]
    pains = list(touchpoint.pain_points)
    pains[1] = replace(pains[1], name=name, description="Why\nit hurts")
    jm = with_touchpoint(jm, touchpoint.id, pain_points=tuple(pains))
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(render_md(jm))
    shown = name.replace("&", "&amp;")
    assert f"<strong>{shown}</strong><br>Why<br>it hurts" in html


def test_a_mention_in_a_map_notifies_nobody_in_the_summary_or_the_diff() -> None:
    """One Markdown escaper: `@team` is inert in the summary and in `jmap diff --format md`."""
    from jmap.repo.diff import diff_maps
    from jmap.repo.diff_report import format_md

    assert inline("ask @cx-team") == "ask @&#8288;cx-team"
    text = "jmap: 1\ntitle: T\nstages:\n  - id: s\n    name: S\n    touchpoints:\n      - {id: a, name: A}\n"
    old, new = load_text(text, "a.yaml").map, load_text(text.replace("name: A", "name: ask @cx-team"), "b.yaml").map
    assert old is not None and new is not None
    # The embedded Mermaid block is code, where GitHub mentions no one.
    prose = re.sub(r"```mermaid\n.*?```", "", render_md(new), flags=re.DOTALL)
    assert "@cx-team" not in prose and "@&#8288;cx-team" in prose
    diff = format_md(diff_maps(old, new))
    assert "@cx-team" not in diff and "@&#8288;cx-team" in diff


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
    ascii_alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    def at(position: int) -> str:
        return flat[position] if 0 <= position < len(flat) else ""

    def linked_by_github(position: int) -> bool:
        """GitHub would make a mention, an issue link or an autolink of the
        text from here on, unless a word joiner follows this character."""
        ch = flat[position]
        if ch == "@":
            return at(position + 1) in ascii_alnum and at(position + 1) != ""
        if ch == "#":
            return at(position + 1).isdigit() and at(position + 1).isascii()
        if ch == ":":
            return (
                at(position - 1) in ascii_alnum and at(position - 1) != "" and flat[position + 1 : position + 3] == "//"
            )
        if ch in "Hh":
            return (
                at(position - 1) in ("G", "g")
                and at(position + 1) == "-"
                and at(position + 2).isdigit()
                and at(position + 2).isascii()
            )
        if ch in "Ww":
            return (
                flat[max(position - 2, 0) : position + 1].lower() == "www" and position >= 2 and at(position + 1) == "."
            )
        return False

    out = []
    joined = []
    for position, ch in enumerate(flat):
        if ch == "&":
            out.append("&amp;" if entity.match(flat, position + 1) else "&")
        elif ch in "<>":
            out.append({"<": "&lt;", ">": "&gt;"}[ch])
        elif ch in "\\`*_[]#|~":
            out.append("\\" + ch)
        else:
            out.append(ch)
        joined.append(linked_by_github(position))
    if out:
        match = _LINE_START.match("".join(out))
        if match:
            if match.group(0)[0].isdigit():
                digits = match.end()
                out[digits] = "\\" + out[digits]
            else:
                out[0] = "\\" + out[0]
    return "".join(piece + ("&#8288;" if join else "") for piece, join in zip(out, joined, strict=True))


@given(
    st.text(
        alphabet=st.sampled_from(list("ab &<>\\`*_[]#|~-+=1.);\n\r\t\x00\x1f\x85\u2028 lt#x3C@:/wWGgH")), max_size=40
    )
)
@settings(max_examples=400, deadline=None)
def test_fast_escaping_matches_the_character_rules(text: str) -> None:
    from jmap.render.mdtext import inline

    assert inline(text) == _inline_by_characters(text)

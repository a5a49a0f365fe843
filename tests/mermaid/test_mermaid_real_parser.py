"""The Mermaid export parses with the real Mermaid parser, and means what the
map says: every stage, task name, score and actor survives intact, whatever
characters the names hold. Also checks jmap's importer against the real
parser on foreign diagrams: both must understand the same thing."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml
from support import ROOT
from support.node import mermaid_parse, shown

from jmap.format.validator import load_file, load_text
from jmap.mermaid.export import WORD_JOINER, actor_names, mermaid_text, render_mmd, score_groups
from jmap.mermaid.importer import import_mermaid
from jmap.model import JourneyMap
from jmap.render.markdown import render_md
from jmap.render.view import journey_view

pytestmark = pytest.mark.mermaid

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

HOSTILE = [
    "Paiement: étape 1",
    "C# ou F#; choix",
    "Ligne 1\nLigne 2",
    "%%{init: {'theme': 'dark'}}%%",
    "%% commentaire",
    "a%%b",
    "journey",
    "Journey planning",
    "title Search",
    "Section Two",
    "accTitle: x",
    "accDescr { y }",
    "<script>alert(1)</script>",
    "```",
    "[x](javascript:alert(1))",
    "Déjà vu 🎉 — مرحبا",
    "  leading and trailing  ",
    "tab\there",
    "\ufeffjourney bom",
    "---",
    "100%",
    "}%%",
    "5: Me, You",
    "title",
]


def build(document: dict) -> JourneyMap:
    result = load_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "test.yaml")
    assert result.map is not None, result.diagnostics
    return result.map


def hostile_map() -> JourneyMap:
    personas = [
        {"id": "p1", "name": "Sophie, 34 ans: pressée; #1"},
        {"id": "p2", "name": "journey"},
        {"id": "p3", "name": "Marc\n<b>58</b>"},
    ]
    stages = []
    for number, chunk in enumerate(range(0, len(HOSTILE), 6)):
        names = HOSTILE[chunk : chunk + 6]
        stages.append(
            {
                "id": f"s{number}",
                "name": names[0],
                "touchpoints": [
                    {
                        "id": f"t{number}-{position}",
                        "name": name,
                        "personas": ["p1", "p3"] if position % 2 else ["p2"],
                        "emotion": (position % 5) - 2,
                    }
                    for position, name in enumerate(names)
                ],
            }
        )
    return build(
        {
            "jmap": 1,
            "title": "Titre: #1; avec\nsaut %%{init}%%",
            "description": "Desc: with # and ; and\nnew line",
            "personas": personas,
            "stages": stages,
        }
    )


def expected(jm: JourneyMap, persona: str | None = None) -> dict:
    """What the real parser must report for render_mmd(jm, persona)."""
    actors = actor_names(jm)
    sections = []
    tasks = []
    for stage in jm.stages:
        tasks_here = [tp for tp in stage.touchpoints if persona is None or persona in jm.personas_at(tp)]
        if persona is not None and not tasks_here:
            continue
        section = shown(mermaid_text(stage.name) or mermaid_text(stage.id))
        sections.append(section)
        for tp in tasks_here:
            # one task per score: each persona's own, never an average
            for score, people in score_groups(journey_view(jm, persona), tp):
                tasks.append(
                    {
                        "section": section,
                        "task": shown(mermaid_text(tp.name) or mermaid_text(tp.id)),
                        "score": score,
                        "people": [shown(actors[p]) for p in people],
                    }
                )
    return {"sections": sections, "tasks": tasks}


def test_examples_parse_and_keep_every_task(tmp_path: Path) -> None:
    assert EXAMPLES, "no example maps"
    maps = {path.stem: load_file(path).map for path in EXAMPLES}
    diagrams = {}
    wanted = {}
    for stem, jm in maps.items():
        assert jm is not None
        diagrams[stem] = render_mmd(jm)
        wanted[stem] = expected(jm)
        for persona in jm.personas:
            diagrams[f"{stem}--{persona.id}"] = render_mmd(jm, persona.id)
            wanted[f"{stem}--{persona.id}"] = expected(jm, persona.id)
    run, parsed = mermaid_parse(diagrams, tmp_path)
    assert run.returncode == 0, run.stderr
    for name, want in wanted.items():
        assert parsed[name]["type"] == "journey"
        assert parsed[name]["sections"] == want["sections"], name
        assert parsed[name]["tasks"] == want["tasks"], name


def test_hostile_names_parse_intact(tmp_path: Path) -> None:
    jm = hostile_map()
    run, parsed = mermaid_parse({"hostile": render_mmd(jm), "p1": render_mmd(jm, "p1")}, tmp_path)
    assert run.returncode == 0, run.stderr
    assert parsed["hostile"]["sections"] == expected(jm)["sections"]
    assert parsed["hostile"]["tasks"] == expected(jm)["tasks"]
    assert len(parsed["hostile"]["tasks"]) == len(HOSTILE)
    assert parsed["hostile"]["title"] == shown(mermaid_text(jm.title))
    assert parsed["p1"]["tasks"] == expected(jm, "p1")["tasks"]
    # Entity codes: Mermaid shows the very characters of the names.
    assert parsed["hostile"]["tasks"][0]["task"] == "Paiement: étape 1"
    assert parsed["hostile"]["tasks"][1]["task"] == "C# ou F#; choix"
    assert parsed["hostile"]["tasks"][1]["people"] == [
        "Sophie, 34 ans: pressée; #1",
        "Marc \u2039b\u203a58\u2039/b\u203a",
    ]


def summary_tasks(jm: JourneyMap, persona: str | None = None) -> list[tuple[int, str, int, str]]:
    """(step number, touchpoint name, score, persona name) for each persona at
    each task the summary draws: every persona's own score, never an average."""
    names = {p.id: p.name for p in jm.personas}
    out = []
    for stage in jm.stages:
        for tp in stage.touchpoints:
            people = [p for p in jm.personas_at(tp) if persona is None or p == persona]
            if persona is not None and not people:
                continue
            number = len({n for n, *_ in out}) + 1
            for pid in people:
                value = jm.emotion_at(tp, pid)
                out.append((number, tp.name, 3 if value is None else value + 3, names[pid]))
            if not people:
                shared = jm.emotion_at(tp)
                out.append((number, tp.name, 3 if shared is None else shared + 3, ""))
    return out


def test_summary_pictures_parse_and_show_each_personas_score(tmp_path: Path) -> None:
    """Every ```mermaid block of the summaries (examples, persona views, hostile
    names) parses with the real parser, front-matter configuration included,
    and together they draw every top-level touchpoint with each persona's own
    score."""
    maps = {"hostile": hostile_map(), **{path.stem: load_file(path).map for path in EXAMPLES}}
    diagrams: dict[str, str] = {}
    wanted: dict[str, list[tuple[int, str, int, str]]] = {}
    for name, jm in maps.items():
        assert jm is not None
        for persona in [None, *(p.id for p in jm.personas)]:
            key = f"{name}-{persona or 'all'}"
            blocks = re.findall(r"^```mermaid\n(.*?)^```$", render_md(jm, persona), flags=re.MULTILINE | re.DOTALL)
            assert blocks, key
            for number, block in enumerate(blocks):
                assert block.startswith("---\nconfig:\n") and len(block) < 50_000
                diagrams[f"{key}-{number:03d}"] = block
            wanted[key] = summary_tasks(jm, persona)
    run, parsed = mermaid_parse(diagrams, tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(parsed) == len(diagrams)
    for key, tasks in wanted.items():
        drawn = []
        for diagram in sorted(k for k in parsed if k.rsplit("-", 1)[0] == key):
            for task in parsed[diagram]["tasks"]:
                # "3. Name" when the whole name fits its box, "3" alone otherwise: never cut
                number, _, label = task["task"].partition(". ")
                for person in task["people"] or [""]:
                    drawn.append((int(number), label, task["score"], person))
        assert "…" not in str(drawn), key
        assert sorted((n, s, p) for n, _, s, p in drawn) == sorted(
            (n, s, shown(mermaid_text(who, actor=True))) for n, _, s, who in tasks
        ), key
        names = {n: shown(mermaid_text(name)) for n, name, _, _ in tasks}
        assert all(label in ("", names[n]) for n, label, _, _ in drawn), key


def test_random_names_always_parse(tmp_path: Path) -> None:
    """Seeded fuzzing: names drawn from the characters the grammar cares about."""
    rng = random.Random(20240501)
    alphabet = (
        list(":#;,%{}<>`\n\r\t \u2028\u00a0\ufeff\"'\\|-_*[]()!&")
        + list("abcjourneytitlesectionaccTD")
        + [
            "journey",
            "title ",
            "section ",
            "accTitle",
            "accDescr",
            "%%",
            "é",
            "🙂",
            "ش",
        ]
    )
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(400)]
    stages = [
        {
            "id": f"s{i}",
            "name": names[i * 20] if names[i * 20].strip() else f"S{i}",
            "touchpoints": [
                {"id": f"t{i}-{j}", "name": name if name.strip() else f"T{j}", "emotion": rng.randint(-2, 2)}
                for j, name in enumerate(names[i * 20 : i * 20 + 20])
            ],
        }
        for i in range(20)
    ]
    jm = build({"jmap": 1, "title": names[0] or "T", "personas": [{"id": "p", "name": names[1]}], "stages": stages})
    run, parsed = mermaid_parse({"fuzz": render_mmd(jm)}, tmp_path)
    assert run.returncode == 0, run.stderr
    assert parsed["fuzz"]["tasks"] == expected(jm)["tasks"]


# -- the importer agrees with the real parser -------------------------------------

FOREIGN = {
    "docs-example": """journey
    title My working day
    section Go to work
      Make tea: 5: Me
      Go upstairs: 3: Me
      Do work: 1: Me, Cat
    section Go home
      Go downstairs: 5: Me
      Sit down: 5: Me
""",
    "comments-and-directives": """---
title: From front matter
---
%%{init: {'theme': 'forest'}}%%
journey
  %% a comment line
  accTitle: Accessible title
  accDescr {
    A description
    on two lines
  }
  section First
  Task  with  spaces : 4 : Anna , Bo
  Extra parts: 2: Anna: ignored
  No actors: 3
""",
    "title-with-colon": """journey
title Checkout: mobile
section Only
  Pay: 1: Client
""",
    "tasks-before-sections": """journey
  Wake up: 2: Me
  section Later
  Coffee: 5: Me
""",
    "crlf": "journey\r\n  title Windows\r\n  section A\r\n    Task: 4: Me\r\n",
}

BROKEN = {
    "colon-in-section": "journey\n  section A: b\n    T: 5\n",
    "directive-before-front-matter": "%%{init: {}}%%\n---\ntitle: T\n---\njourney\n  section A\n    T: 5\n",
    "hash-in-task": "journey\n  section A\n    Task #1: 5\n",
    "no-score": "journey\n  section A\n    Task\n",
    "keyword-task": "journey\n  section A\n    Journey planning: 5\n",
    "not-journey": "flowchart LR\n  a --> b\n",
    "header-case": "jourNey\n  section A\n    T: 5\n",
    "duplicate-front-matter-key": "---\ntitle: A\ntitle: B\n---\njourney\n  section A\n    T: 5\n",
}


def test_importer_reads_foreign_diagrams_as_mermaid_does(tmp_path: Path) -> None:
    run, parsed = mermaid_parse(FOREIGN, tmp_path)
    assert run.returncode == 0, run.stderr
    for name, text in FOREIGN.items():
        result = load_text(import_mermaid(text, f"{name}.mmd"), f"{name}.yaml")
        assert result.map is not None, (name, result.diagnostics)
        jm = result.map
        real = parsed[name]
        # Mermaid keeps tasks before the first section in a nameless section.
        real_sections = [s.strip() for s in real["sections"]]
        ours = [s.name for s in jm.stages]
        if real["tasks"] and real["tasks"][0]["section"] == "":
            real_sections.insert(0, "Journey")
        assert ours == real_sections, name
        tasks = [tp for stage in jm.stages for tp in stage.touchpoints]
        assert [tp.name for tp in tasks] == [t["task"].strip() for t in real["tasks"]], name
        assert [jm.emotion_at(tp) + 3 for tp in tasks] == [t["score"] for t in real["tasks"]], name
        names = {p.id: p.name for p in jm.personas}
        for tp, task in zip(tasks, real["tasks"], strict=True):
            real_people = [p for p in task["people"] if p]
            if real_people:
                assert sorted(names[p] for p in jm.personas_at(tp)) == sorted(real_people), (name, tp.name)
        if real["title"]:
            assert jm.title == real["title"]


def test_importer_rejects_what_mermaid_rejects(tmp_path: Path) -> None:
    from jmap.errors import JmapError

    run, parsed = mermaid_parse(BROKEN, tmp_path)
    assert run.returncode == 1
    # Mermaid parses the flowchart, as a flowchart: not a journey to import.
    assert {name: item["type"] for name, item in parsed.items()} == {"not-journey": "flowchart-v2"}
    for name in BROKEN:
        if name != "not-journey":
            assert f"{name}.mmd: parse error" in run.stderr
    for name, text in BROKEN.items():
        with pytest.raises(JmapError, match=rf"^{name}\.mmd:\d+:\d+: error: .* \[mermaid-syntax\]$"):
            import_mermaid(text, f"{name}.mmd")


def test_word_joiner_is_invisible_to_the_parser(tmp_path: Path) -> None:
    """The keyword guard only inserts U+2060, which the importer strips."""
    text = f"journey\n  section S\n    J{WORD_JOINER}ourney planning: 4\n"
    run, parsed = mermaid_parse({"wj": text}, tmp_path)
    assert run.returncode == 0, run.stderr
    assert parsed["wj"]["tasks"][0]["task"] == f"J{WORD_JOINER}ourney planning"
    jm = load_text(import_mermaid(text, "wj.mmd"), "wj.yaml").map
    assert jm is not None
    assert jm.stages[0].touchpoints[0].name == "Journey planning"


def test_golden_exports_parse(tmp_path: Path) -> None:
    """The committed golden files are what users see: they must parse too."""
    golden = sorted((ROOT / "docs" / "renders").glob("*.mmd"))
    assert golden, "no committed Mermaid renders (scripts/regen_golden.py)"
    run, parsed = mermaid_parse({path.stem: path.read_text(encoding="utf-8") for path in golden}, tmp_path)
    assert run.returncode == 0, run.stderr
    assert sorted(parsed) == sorted(path.stem for path in golden)


# -- diagrams modelled on Mermaid's own parser tests and docs ------------------------------

MERMAID_FIXTURES = sorted((ROOT / "tests" / "fixtures" / "mermaid").glob("*.mmd"))


def test_importer_reads_mermaids_test_diagrams_as_mermaid_does(tmp_path: Path) -> None:
    """Task names, scores, actors (none stays none), sections and titles: what
    the real parser understood is what the import holds, and the imported map
    passes `validate --strict`."""
    assert len(MERMAID_FIXTURES) >= 8
    texts = {path.stem: path.read_text(encoding="utf-8") for path in MERMAID_FIXTURES}
    run, parsed = mermaid_parse(texts, tmp_path)
    assert run.returncode == 0, run.stderr
    for name, text in texts.items():
        result = load_text(import_mermaid(text, f"{name}.mmd"), f"{name}.yaml")
        assert result.map is not None and result.diagnostics == [], (name, [d.format() for d in result.diagnostics])
        jm = result.map
        real = parsed[name]
        assert [s.name for s in jm.stages] == [s.strip() for s in real["sections"]], name
        # A step its personas feel differently is one task per score in
        # Mermaid, and one touchpoint with each persona's score in the map.
        assert drawn_tasks(jm) == [
            (t["task"].strip(), t["score"], sorted({p for p in t["people"] if p})) for t in real["tasks"]
        ], name
        if real["title"]:
            assert jm.title == real["title"], name
        if real["accDescr"]:
            assert jm.description == real["accDescr"], name


def drawn_tasks(jm: JourneyMap) -> list[tuple[str, int, list[str]]]:
    """(task, score, actors) of each task Mermaid draws for the map's steps."""
    view = journey_view(jm)
    names = {p.id: p.name for p in jm.personas}
    return [
        (tp.name, score, sorted(names[p] for p in people))
        for stage in jm.stages
        for tp in stage.touchpoints
        for score, people in score_groups(view, tp)
    ]


def test_a_round_trip_through_the_import_keeps_what_mermaid_draws(tmp_path: Path) -> None:
    """Mermaid's own diagrams (long actor names from its rendering tests,
    per-persona scores, entity codes, actors differing by case…) imported
    then exported: the real parser reads the same sections, tasks, scores
    and actors, with the full persona names; and exporting again changes
    nothing."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in MERMAID_FIXTURES}
    exported = {}
    for name, text in texts.items():
        jm = load_text(import_mermaid(text, f"{name}.mmd"), f"{name}.yaml").map
        assert jm is not None
        exported[f"{name}--again"] = render_mmd(jm)
        again = load_text(import_mermaid(exported[f"{name}--again"], "again.mmd"), "again.yaml").map
        assert again is not None and render_mmd(again) == exported[f"{name}--again"], name
    run, parsed = mermaid_parse({**texts, **exported}, tmp_path)
    assert run.returncode == 0, run.stderr
    for name in texts:
        original, back = parsed[name], parsed[f"{name}--again"]

        def tasks(diagram: dict) -> list[tuple[str, str, int, list[str]]]:
            return [
                (t["section"].strip(), t["task"].strip(), t["score"], sorted({p for p in t["people"] if p}))
                for t in diagram["tasks"]
            ]

        assert tasks(back) == tasks(original), name
        assert "…" not in str(back), name
    long_names = parsed["long-actor-names--again"]["tasks"][1]["people"]
    assert long_names == [
        "Darko" + "o" * 103,
        "Shadow with a very long name that Mermaid has to wrap over several lines of its legend",
    ]


def test_a_round_trip_gives_back_the_same_names(tmp_path: Path) -> None:
    """Export with entity codes, parse with Mermaid, import: exact names."""
    jm = build(
        {
            "jmap": 1,
            "title": "Checkout: #1; v2",
            "personas": [{"id": "a", "name": "Ann, Jr"}, {"id": "b", "name": "bob"}, {"id": "c", "name": "Bob"}],
            "stages": [
                {
                    "id": "s",
                    "name": "Pay; then: wait #2",
                    "touchpoints": [
                        {"id": "t1", "name": "Card: refused", "personas": ["a", "b"], "emotion": -2},
                        {"id": "t2", "name": "C# or F#; pick", "personas": ["c"], "emotion": 1},
                        {"id": "t3", "name": "Nobody", "personas": [], "emotion": 0},
                    ],
                }
            ],
        }
    )
    exported = render_mmd(jm)
    run, parsed = mermaid_parse({"round": exported}, tmp_path)
    assert run.returncode == 0, run.stderr
    tasks = parsed["round"]["tasks"]
    assert [(t["task"], t["people"]) for t in tasks] == [
        ("Card: refused", ["Ann, Jr", "bob"]),
        ("C# or F#; pick", ["Bob"]),
        ("Nobody", []),
    ]
    again = load_text(import_mermaid(exported, "round.mmd"), "round.yaml").map
    assert again is not None
    assert again.title == "Checkout: #1; v2"
    assert [s.name for s in again.stages] == ["Pay; then: wait #2"]
    assert [tp.name for tp in again.stages[0].touchpoints] == ["Card: refused", "C# or F#; pick", "Nobody"]
    assert [p.name for p in again.personas] == ["Ann, Jr", "bob", "Bob"]
    assert again.personas_at(again.stages[0].touchpoints[2]) == ()
    assert render_mmd(again) == exported

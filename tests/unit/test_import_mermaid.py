"""``jmap import mermaid``: Mermaid journey text → a valid jmap map.
(tests/mermaid checks the reader against the real Mermaid parser.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st
from support import ROOT

from jmap.errors import JmapError
from jmap.format.validator import load_file, load_text
from jmap.mermaid.export import WORD_JOINER, render_mmd
from jmap.mermaid.grammar import Entities, read_text
from jmap.mermaid.importer import import_mermaid
from jmap.model import JourneyMap

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

WORKING_DAY = """journey
    title My working day
    section Go to work
      Make tea: 5: Me
      Go upstairs: 3: Me
      Do work: 1: Me, Cat
    section Go home
      Go downstairs: 5: Me
      Sit down: 5: Me
"""


def imported(text: str, filename: str = "day.mmd") -> JourneyMap:
    result = load_text(import_mermaid(text, filename), "imported.yaml")
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert result.map is not None and not errors, result.diagnostics
    return result.map


def test_mermaid_docs_example() -> None:
    out = import_mermaid(WORKING_DAY, "day.mmd")
    web = "unspecified"
    assert yaml.safe_load(out) == {
        "jmap": 1,
        "title": "My working day",
        "lang": "en",
        "personas": [{"id": "me", "name": "Me"}, {"id": "cat", "name": "Cat"}],
        "channels": [{"id": web, "name": "Unspecified (imported from Mermaid)"}],
        "stages": [
            {
                "id": "go-to-work",
                "name": "Go to work",
                "touchpoints": [
                    {"id": "make-tea", "name": "Make tea", "channel": web, "personas": ["me"], "emotion": 2},
                    {"id": "go-upstairs", "name": "Go upstairs", "channel": web, "personas": ["me"], "emotion": 0},
                    {"id": "do-work", "name": "Do work", "channel": web, "emotion": -2},
                ],
            },
            {
                "id": "go-home",
                "name": "Go home",
                "touchpoints": [
                    {"id": "go-downstairs", "name": "Go downstairs", "channel": web, "personas": ["me"], "emotion": 2},
                    {"id": "sit-down", "name": "Sit down", "channel": web, "personas": ["me"], "emotion": 2},
                ],
            },
        ],
    }
    assert out.startswith(
        "# yaml-language-server: $schema=https://jmap.dev/schema/journey-map-1.json\n"
        "jmap: 1\ntitle: My working day\nlang: en\n"
    )
    imported(WORKING_DAY)


def test_output_is_deterministic() -> None:
    assert import_mermaid(WORKING_DAY, "day.mmd") == import_mermaid(WORKING_DAY, "day.mmd")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_of_our_own_export(path: Path) -> None:
    jm = load_file(path).map
    assert jm is not None
    exported = render_mmd(jm)
    again = imported(exported, f"{path.stem}.mmd")
    assert render_mmd(again) == exported
    assert [s.name for s in again.stages] == [s.name for s in jm.stages]
    assert len(again.top_touchpoints()) == len(jm.top_touchpoints())


def test_ids_are_slugs_unique_across_the_map() -> None:
    jm = imported(
        "journey\n"
        "  section Checkout\n"
        "    Checkout: 3: Checkout\n"
        "    Checkout: 4: Checkout\n"
        "    Café crème à l'Élysée: 2\n"
        "    日本語: 2\n"
        "    " + "long " * 30 + ": 3\n"
    )
    ids = [jm.personas[0].id, jm.stages[0].id, *(tp.id for tp in jm.stages[0].touchpoints)]
    assert ids == [
        "checkout",
        "checkout-2",
        "checkout-3",
        "checkout-4",
        "cafe-creme-a-l-elysee",
        "touchpoint",
        "long-long-long-long-long-long-long-long-long",
    ]


def test_yaml_traps_in_names_stay_strings() -> None:
    names = ["no", "yes", "on", "1", "0755", "1e3", "&anchor", "*alias", "- dash", "'quoted'", '"dq"', "null", "~"]
    text = "journey\n  section S\n" + "".join(f"    {name}: 3: {name}\n" for name in names)
    jm = imported(text)
    assert [tp.name for tp in jm.stages[0].touchpoints] == names
    assert [p.name for p in jm.personas] == names


def test_front_matter_comments_and_accessibility() -> None:
    jm = imported(
        "---\ntitle: From front matter\n---\n"
        "%%{init: {'theme': 'forest'}}%%\n"
        "journey\n"
        "  %% a comment\n"
        "  accDescr {\n    A description\n  }\n"
        "  section A\n"
        "    Task  : 4 :  Anna ,  Bo , Anna\n"
        "    Extra: 2: Anna: ignored, as Mermaid ignores it\n"
    )
    assert jm.title == "From front matter"
    assert jm.description == "A description"
    tasks = jm.stages[0].touchpoints
    assert [(t.name, jm.emotion_at(t), jm.personas_at(t)) for t in tasks] == [
        ("Task", 1, ("anna", "bo")),
        ("Extra", -1, ("anna",)),
    ]


def test_title_falls_back_to_acc_title_then_file_name() -> None:
    assert imported("journey\n  accTitle: Accessible\n  section A\n").title == "Accessible"
    assert imported("journey\n  section A\n", "dir/checkout-flow.mmd").title == "checkout-flow"


def test_tasks_before_any_section_and_empty_diagram() -> None:
    jm = imported("journey\n  Wake up: 2\n  section Later\n  Coffee: 5\n")
    assert [(s.id, s.name) for s in jm.stages] == [("journey", "Journey"), ("later", "Later")]
    assert imported("journey\n").stages[0].name == "Journey"


def test_word_joiner_and_crlf_are_removed() -> None:
    jm = imported(f"\ufeffjourney\r\n  section S\r\n    T{WORD_JOINER}itle search: 4\r\n")
    assert jm.stages[0].touchpoints[0].name == "Title search"


@pytest.mark.parametrize(
    ("text", "where", "rule", "message"),
    [
        ("flowchart LR\n  a --> b\n", "1:1", "mermaid-syntax", "not a Mermaid journey diagram"),
        ("", "1:1", "mermaid-syntax", "not a Mermaid journey diagram"),
        ("journey\n  section A\n    Task #1: 5\n", "3:10", "mermaid-syntax", "'#' starts a comment"),
        ("journey\n  section A\n    Task\n", "3:9", "mermaid-syntax", "task 'Task' needs ': SCORE'"),
        ("journey\n  section A\n    Task:\n", "3:9", "mermaid-syntax", "task 'Task' needs ': SCORE'"),
        ("journey\n  section A: b\n", "2:12", "mermaid-syntax", "unexpected ': b'"),
        ("journey\n  section A\n  Journey map: 5\n", "3:3", "mermaid-syntax", "'Journey' is a keyword"),
        ("journey\n  accDescr {\n  open\n", "2:3", "mermaid-syntax", "never closed"),
        ("journey\n  section A\n    Task: 7: Me\n", "3:11", "mermaid-score", "task 'Task' has score '7'"),
        ("journey\n  section A\n    Task: 0\n", "3:11", "mermaid-score", "has score '0'"),
        ("journey\n  section A\n    Task:  high\n", "3:12", "mermaid-score", "has score 'high'"),
        ("journey\n  section A\n    Task: 2.5\n", "3:11", "mermaid-score", "has score '2.5'"),
        ("journey\n  section A\n    Task: \u0665\n", "3:11", "mermaid-score", "expected a whole number from 1 to 5"),
    ],
)
def test_errors_point_at_the_problem(text: str, where: str, rule: str, message: str) -> None:
    with pytest.raises(JmapError) as caught:
        import_mermaid(text, "in.mmd")
    text_of_error = str(caught.value)
    assert text_of_error.startswith(f"in.mmd:{where}: error: "), text_of_error
    assert text_of_error.endswith(f" [{rule}]")
    assert message in text_of_error
    assert "\n" not in text_of_error


def test_persona_order_follows_the_tasks() -> None:
    jm = imported(
        "journey\n  section S\n    A: 3: Tom\n    B: 3: Maya, Tom\n    C: 3: Priya, Tom\n    D: 3: Maya, Priya\n"
    )
    assert [p.name for p in jm.personas] == ["Maya", "Priya", "Tom"]


def test_many_actors_stay_fast() -> None:
    actors = ", ".join(f"A{n}" for n in range(2000))
    jm = imported(f"journey\n  section S\n    T: 3: {actors}\n    U: 3: A5\n")
    assert len(jm.personas) == 2000


def test_conflicting_actor_orders_still_give_every_persona() -> None:
    jm = imported("journey\n  section S\n    A: 3: Bo, Al\n    B: 3: Al, Bo\n    C: 3: Cy\n")
    # Cy waits for nobody; the Bo/Al cycle is then broken at the earliest seen.
    assert [p.name for p in jm.personas] == ["Cy", "Bo", "Al"]


def test_standard_input_has_a_generic_title() -> None:
    assert imported("journey\n  section A\n", "<stdin>").title == "Imported journey"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(min_size=1), min_size=1, max_size=6), st.integers(min_value=-2, max_value=2))
def test_any_exported_name_comes_back(names: list[str], emotion: int) -> None:
    """Whatever the names, the export parses back to the sanitised names."""
    from jmap.mermaid.export import mermaid_text

    lines = ["journey", "  section S"]
    lines += [f"    {mermaid_text(name) or 'x'}: {emotion + 3}" for name in names]
    jm = imported("\n".join(lines) + "\n")
    got = [(tp.name, jm.emotion_at(tp)) for tp in jm.stages[0].touchpoints]
    assert got == [(as_read(mermaid_text(n) or "x"), emotion) for n in names]


def as_read(exported: str) -> str:
    """An exported name as Mermaid (and so the importer) reads it: entity
    codes decoded, the word joiner gone, JavaScript's spaces trimmed."""
    entities = Entities()
    return read_text(entities.protect(exported), entities)


# -- as Mermaid reads it (issue: import mermaid means what Mermaid means) ------------------

MERMAID_FIXTURES = ROOT / "tests" / "fixtures" / "mermaid"


def test_a_task_without_actors_stays_without_personas() -> None:
    jm = imported((MERMAID_FIXTURES / "spec-task-definition.mmd").read_text(encoding="utf-8"))
    by_name = {tp.name: tp for stage in jm.stages for tp in stage.touchpoints}
    assert jm.personas_at(by_name["C task"]) == ()
    assert jm.personas_at(by_name["E task"]) == ()
    assert [p.name for p in jm.personas] == ["Alice", "Bob", "Charlie"]
    assert jm.personas_at(by_name["A task"]) == ("alice", "bob", "charlie")
    exported = render_mmd(jm)
    assert "    C task: 5\n" in exported and "    A task: 5: Alice, Bob, Charlie\n" in exported


def test_scores_that_mermaid_reads_as_whole_numbers() -> None:
    jm = imported((MERMAID_FIXTURES / "scores-as-numbers.mmd").read_text(encoding="utf-8"))
    assert [jm.emotion_at(tp) for tp in jm.stages[0].touchpoints] == [2, 1, -1, 0, -2]


@pytest.mark.parametrize("written", ["2024", "yes", "2024-05-01", "null", "1.0", "'quoted'"])
def test_a_front_matter_title_is_kept_as_written(written: str) -> None:
    jm = imported(f"---\ntitle: {written}\n---\njourney\n  section S\n    T: 3\n", "file-name.mmd")
    assert jm.title == written.strip("'")


def test_a_directive_over_several_lines_is_skipped() -> None:
    jm = imported((MERMAID_FIXTURES / "multiline-directive.mmd").read_text(encoding="utf-8"))
    assert jm.title == "Directive over several lines"
    assert [tp.name for tp in jm.stages[0].touchpoints] == ["Task"]


def test_entity_codes_are_decoded() -> None:
    jm = imported((MERMAID_FIXTURES / "entity-codes.mmd").read_text(encoding="utf-8"))
    assert jm.title == "Checkout: mobile #1"
    assert jm.stages[0].name == "Pay ; then wait"
    assert [tp.name for tp in jm.stages[0].touchpoints] == ["Card: refused", "C# or F#; pick", 'Say "hello"']
    assert [p.name for p in jm.personas] == ["Ann , Jr", "Bo"]


def test_the_export_writes_exact_characters_with_entity_codes() -> None:
    from jmap.mermaid.export import mermaid_text

    assert mermaid_text("Pay: now #1; ok") == "Pay#58; now #35;1#59; ok"
    assert mermaid_text("Smith, Ann", actor=True) == "Smith#44; Ann"
    assert mermaid_text("Smith, Ann") == "Smith, Ann"


def test_actors_that_differ_only_by_case_stay_two_actors() -> None:
    jm = imported((MERMAID_FIXTURES / "actors-differing-by-case.mmd").read_text(encoding="utf-8"))
    assert [p.name for p in jm.personas] == ["Bob", "bob"]
    assert render_mmd(jm).splitlines()[-3:] == ["    Call: 2: Bob", "    Chat: 4: bob", "    Both: 3: Bob, bob"]


def test_every_error_of_a_diagram_comes_in_one_run() -> None:
    from jmap.mermaid.importer import MermaidImportError

    text = "journey\n  section A\n    Good: 3\n    Seven: 7: Me\n    Zero: 0\n    No score\n    Fine: 5.0\n"
    with pytest.raises(MermaidImportError) as caught:
        import_mermaid(text, "in.mmd")
    assert [line.split(": error: ")[0] for line in caught.value.lines] == ["in.mmd:4:12", "in.mmd:5:11", "in.mmd:6:13"]
    assert "has score '7'" in caught.value.lines[0] and "has score '0'" in caught.value.lines[1]
    assert caught.value.lines[2].endswith("[mermaid-syntax]")


def test_the_imported_map_passes_strict_validation_with_lang_and_modeline() -> None:
    out = import_mermaid(WORKING_DAY, "day.mmd")
    assert out.splitlines()[0] == "# yaml-language-server: $schema=https://jmap.dev/schema/journey-map-1.json"
    result = load_text(out, "day.yaml")
    assert result.map is not None and result.diagnostics == [], [d.format() for d in result.diagnostics]
    assert result.map.lang == "en"


def test_ids_follow_the_validators_slug_rule() -> None:
    """One slug rule: the importer makes the ids the validator would suggest."""
    from jmap.format.table import slugify

    jm = imported("journey\n  section Sign_up now\n    Fill in_the form: 3\n")
    assert jm.stages[0].id == slugify("Sign_up now") == "sign_up-now"
    assert jm.stages[0].touchpoints[0].id == slugify("Fill in_the form") == "fill-in_the-form"


# -- what Mermaid refuses, and what every import must be (issue 24, item 8) ----------------


@pytest.mark.parametrize("header", ["Journey", "jourNey", "JOURNEY"])
def test_a_header_mermaid_does_not_detect_is_refused_at_its_line(header: str) -> None:
    """Mermaid's lexer ignores case, but the detector that chooses the diagram
    type (``/^\\s*journey/``) does not: ``jourNey`` draws nothing there."""
    from jmap.mermaid.importer import MermaidImportError

    with pytest.raises(MermaidImportError) as caught:
        import_mermaid(f"%% a comment\n{header}\n  section A\n    Task: 5\n", "in.mmd")
    assert caught.value.lines == [
        f"in.mmd:2:1: error: '{header}' is not a diagram type: Mermaid recognises 'journey' in lower case only "
        "[mermaid-syntax]"
    ]


def test_duplicate_front_matter_keys_are_refused_at_the_second_key() -> None:
    from jmap.mermaid.importer import MermaidImportError

    text = "---\ntitle: A\nconfig:\n  journey:\n    width: 200\n    width: 300\ntitle: B\n---\njourney\n  section S\n    T: 5\n"
    with pytest.raises(MermaidImportError) as caught:
        import_mermaid(text, "in.mmd")
    assert caught.value.lines == [
        "in.mmd:6:5: error: the front matter gives the key 'width' twice (first at line 5); Mermaid refuses a "
        "duplicated key [mermaid-syntax]",
        "in.mmd:7:1: error: the front matter gives the key 'title' twice (first at line 2); Mermaid refuses a "
        "duplicated key [mermaid-syntax]",
    ]


def strict_problems(text: str) -> list[str]:
    """What `validate --strict` says of the imported map: nothing, warnings included."""
    result = load_text(import_mermaid(text, "in.mmd"), "in.yaml")
    return [d.format() for d in result.diagnostics] + ([] if result.map is not None else ["no map"])


def test_empty_sections_are_left_out_and_an_empty_diagram_gets_one_step() -> None:
    """Mermaid draws nothing for a section without tasks, and a stage without
    touchpoints fails `validate --strict`: the section is left out. A diagram
    without any task becomes one stage (its first section's name, else
    "Journey") with one placeholder step."""
    text = "journey\n  section Empty\n  section Full\n    Task: 4: Me\n  section Empty too\n"
    assert strict_problems(text) == []
    assert [s.name for s in imported(text).stages] == ["Full"]
    for empty, stage in [
        ("journey\n", "Journey"),
        ("journey\n  title T\n  section First\n  section Second\n", "First"),
    ]:
        assert strict_problems(empty) == []
        jm = imported(empty)
        assert [s.name for s in jm.stages] == [stage]
        assert [tp.name for tp in jm.all_touchpoints()] == ["Unspecified step (the Mermaid diagram has no task)"]


#: Pieces of journey diagrams, hostile ones included: every combination is
#: either refused with FILE:LINE:COL messages or imported as a strict-valid map.
_NAMES = st.lists(
    st.sampled_from([*"aZé 9-_:;#,%{}()<>`'\"\t\u2060\u00a0\ufeff🎉İß", "#58;", "#quot;", "%%", "journey", "section "]),
    max_size=12,
).map("".join)
_LINES = st.one_of(
    st.builds(lambda n: f"  section {n}", _NAMES),
    st.builds(
        lambda n, s, a: f"    {n}: {s}{a}",
        _NAMES,
        st.sampled_from(["1", "3", "5", "5.0", "0x2", "7", "", " 4 "]),
        st.sampled_from(["", ": Me", ": Me, You", ": ", ": Me,", ": A: B", ": me, Me"]),
    ),
    st.builds(lambda n: f"  title {n}", _NAMES),
    st.builds(lambda n: f"  accTitle: {n}", _NAMES),
    st.builds(lambda n: f"  accDescr: {n}", _NAMES),
    st.sampled_from(["", "  %% comment", "%%{init: {}}%%", "  accDescr {\n  two\n  lines\n  }", "  section", "#x"]),
)
_HEADERS = st.sampled_from(
    [
        "journey",
        "journey\n",
        "  journey",
        "Journey",
        "jourNey",
        "---\ntitle: F\n---\njourney",
        "---\ntitle: A\ntitle: B\n---\njourney",
        "%% c\njourney",
        "flowchart",
    ]
)
#: Examples per run: bounded (about 2 s); JMAP_FUZZ_EXAMPLES raises it for a longer hunt.
FUZZ_EXAMPLES = int(__import__("os").environ.get("JMAP_FUZZ_EXAMPLES", "300"))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True)
@given(header=_HEADERS, body=st.lists(_LINES, max_size=12))
def test_fuzzed_diagrams_are_refused_or_import_to_a_strict_valid_map(header: str, body: list[str]) -> None:
    from jmap.mermaid.importer import MermaidImportError

    text = "\n".join([header, *body]) + "\n"
    try:
        out = import_mermaid(text, "in.mmd")
    except MermaidImportError as exc:
        assert exc.lines and all(line.startswith("in.mmd:") and line.endswith("]") for line in exc.lines)
        event("refused")
        return
    event("imported")
    result = load_text(out, "in.yaml")
    assert result.map is not None and result.diagnostics == [], (text, [d.format() for d in result.diagnostics])


def test_a_task_with_actors_but_no_score_is_told_the_score_is_missing(tmp_path) -> None:
    """`Etape deux: Gérard` names an actor where the score belongs: the message
    says the score may be missing and shows the line as it should be written."""
    from support import run_jmap

    diagram = tmp_path / "nm.mmd"
    diagram.write_text("journey\n  title T\n  section S\n    Etape deux: Gérard\n", encoding="utf-8")
    result = run_jmap("import", "mermaid", str(diagram), "-o", str(tmp_path / "out.yaml"))
    said = result.stderr.decode()
    assert result.returncode == 1
    assert "if 'Gérard' are its actors, the score is missing (write `Etape deux: 3: Gérard`)" in said

"""``jmap import mermaid``: Mermaid journey text → a valid jmap map.
(tests/mermaid checks the reader against the real Mermaid parser.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support import ROOT

from jmap.errors import JmapError
from jmap.format.mermaid_import import import_mermaid
from jmap.format.validator import load_file, load_text
from jmap.model import JourneyMap
from jmap.render.mermaid import WORD_JOINER, render_mmd

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
    assert yaml.safe_load(out) == {
        "jmap": 1,
        "title": "My working day",
        "personas": [{"id": "me", "name": "Me"}, {"id": "cat", "name": "Cat"}],
        "stages": [
            {
                "id": "go-to-work",
                "name": "Go to work",
                "touchpoints": [
                    {"id": "make-tea", "name": "Make tea", "personas": ["me"], "emotion": 2},
                    {"id": "go-upstairs", "name": "Go upstairs", "personas": ["me"], "emotion": 0},
                    {"id": "do-work", "name": "Do work", "emotion": -2},
                ],
            },
            {
                "id": "go-home",
                "name": "Go home",
                "touchpoints": [
                    {"id": "go-downstairs", "name": "Go downstairs", "personas": ["me"], "emotion": 2},
                    {"id": "sit-down", "name": "Sit down", "personas": ["me"], "emotion": 2},
                ],
            },
        ],
    }
    assert out.startswith("jmap: 1\ntitle: My working day\n")
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
    from jmap.render.mermaid import mermaid_text

    lines = ["journey", "  section S"]
    lines += [f"    {mermaid_text(name) or 'x'}: {emotion + 3}" for name in names]
    jm = imported("\n".join(lines) + "\n")
    got = [(tp.name, jm.emotion_at(tp)) for tp in jm.stages[0].touchpoints]
    assert got == [((mermaid_text(n) or "x").replace(WORD_JOINER, ""), emotion) for n in names]


def test_ids_follow_the_validators_slug_rule() -> None:
    """One slug rule: the importer makes the ids the validator would suggest."""
    from jmap.format.table import slugify

    jm = imported("journey\n  section Sign_up now\n    Fill in_the form: 3\n")
    assert jm.stages[0].id == slugify("Sign_up now") == "sign_up-now"
    assert jm.stages[0].touchpoints[0].id == slugify("Fill in_the form") == "fill-in_the-form"

"""The Mermaid export: mapping of a map onto a journey diagram, and the text
sanitiser that keeps any name parseable. (tests/mermaid checks the output
with the real Mermaid parser.)"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support.factories import with_touchpoint

from jmap.format.validator import load_text
from jmap.mermaid.export import (
    MERMAID_MAX_TEXT,
    WORD_JOINER,
    actor_names,
    emotion_to_score,
    mermaid_text,
    render_mmd,
    score_to_emotion,
)
from jmap.mermaid.grammar import LOOK_ALIKES, Entities, visible
from jmap.model import JourneyMap

#: What the journey lexer would read as something other than a task name.
_LEADING_KEYWORD = re.compile(r"(journey\b|title\s|section\s|acctitle|accdescr|%)", re.IGNORECASE | re.ASCII)


def build(document: dict) -> JourneyMap:
    result = load_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "test.yaml")
    assert result.map is not None, result.diagnostics
    return result.map


def small_map(**extra: object) -> JourneyMap:
    return build(
        {
            "jmap": 1,
            "title": "Checkout",
            "personas": [{"id": "sophie", "name": "Sophie, 34"}, {"id": "marc", "name": "Marc"}],
            "stages": [
                {
                    "id": "browse",
                    "name": "Browse",
                    "touchpoints": [
                        {"id": "ad", "name": "Ad: spring sale", "personas": ["sophie"], "emotion": 1},
                        {
                            "id": "cart",
                            "name": "Cart",
                            "emotion": {"sophie": 0, "marc": -1},
                            "touchpoints": [{"id": "promo", "name": "Promo code", "emotion": -2}],
                        },
                    ],
                },
                {
                    "id": "pay",
                    "name": "Pay",
                    "touchpoints": [
                        {"id": "payment", "name": "Payment", "emotion": -2},
                        {"id": "done", "name": "Done"},
                    ],
                },
            ],
            **extra,
        }
    )


def test_whole_export() -> None:
    assert render_mmd(small_map(description="Line one\nline two")) == (
        "journey\n"
        "  title Checkout\n"
        "  accDescr: Line one line two\n"
        "  section Browse\n"
        "    Ad#58; spring sale: 4: Sophie#44; 34\n"
        "    Cart: 3: Sophie#44; 34\n"
        "    Cart: 2: Marc\n"
        "  section Pay\n"
        "    Payment: 1: Sophie#44; 34, Marc\n"
        "    Done: 3: Sophie#44; 34, Marc\n"
    )


def test_persona_view_keeps_their_tasks_and_own_scores() -> None:
    assert render_mmd(small_map(), persona="marc") == (
        "journey\n"
        "  title Checkout (Marc)\n"
        "  section Browse\n"
        "    Cart: 2: Marc\n"
        "  section Pay\n"
        "    Payment: 1: Marc\n"
        "    Done: 3: Marc\n"
    )


def test_map_without_personas_has_no_actors() -> None:
    jm = build(
        {
            "jmap": 1,
            "title": "T",
            "stages": [{"id": "s", "name": "S", "touchpoints": [{"id": "a", "name": "A", "emotion": 2}]}],
        }
    )
    assert render_mmd(jm) == "journey\n  title T\n  section S\n    A: 5\n"


def test_empty_stage_is_kept_as_a_section() -> None:
    jm = build({"jmap": 1, "title": "T", "stages": [{"id": "s", "name": "S"}]})
    assert render_mmd(jm) == "journey\n  title T\n  section S\n"


@pytest.mark.parametrize(("emotion", "score"), [(-2, 1), (-1, 2), (0, 3), (1, 4), (2, 5)])
def test_emotion_maps_onto_score(emotion: int, score: int) -> None:
    assert emotion_to_score(emotion) == score
    assert score_to_emotion(score) == emotion


@pytest.mark.parametrize(("average", "score"), [(-0.5, 3), (0.5, 4), (-1.5, 2), (1.5, 5), (-0.4, 3), (1 / 3, 3)])
def test_per_persona_average_rounds_half_up(average: float, score: int) -> None:
    assert emotion_to_score(average) == score


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("Step 1: pay", "Step 1#58; pay"),
        ("C# ; F#", "C#35; #59; F#35;"),
        ("#58;", "#35;58#59;"),
        ("two\nlines\r\nhere", "two lines here"),
        ("  spaced   out\t", "spaced out"),
        ("<script>x</script>", "\u2039script\u203ax\u2039/script\u203a"),
        ("```", "\u02cb\u02cb\u02cb"),
        ("%%{init: {}}%%", f"{WORD_JOINER}%{WORD_JOINER}%{{init#58; {{}}}}%{WORD_JOINER}%"),
        ("100%", "100%"),
        ("Journey planning", f"J{WORD_JOINER}ourney planning"),
        ("journeyé", f"j{WORD_JOINER}ourneyé"),
        ("journeys", "journeys"),
        ("Title search", f"T{WORD_JOINER}itle search"),
        ("Title", "Title"),
        ("section two", f"s{WORD_JOINER}ection two"),
        ("accTitle", f"a{WORD_JOINER}ccTitle"),
        ("\ufeffjourney", f"j{WORD_JOINER}ourney"),
        ("Déjà vu 🎉 مرحبا", "Déjà vu 🎉 مرحبا"),
        ("\n\t", ""),
    ],
)
def test_mermaid_text(raw: str, safe: str) -> None:
    assert mermaid_text(raw) == safe


def test_actor_commas_are_entity_codes() -> None:
    assert mermaid_text("Sophie, 34", actor=True) == "Sophie#44; 34"
    assert mermaid_text("Sophie, 34") == "Sophie, 34"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_mermaid_text_never_leaves_grammar_characters(raw: str) -> None:
    safe = mermaid_text(raw, actor=True)
    # '#' and ';' only in entity codes, which Mermaid reads before the grammar.
    assert not set(re.sub(r"#[0-9]+;", "", safe)) & set(":#;\n\r,<>`")
    # ...and Mermaid shows the very text (markup characters as look-alikes).
    entities = Entities()
    shown = entities.decode(entities.protect(safe)).replace(WORD_JOINER, "")
    assert shown == "".join(LOOK_ALIKES.get(ch, ch) for ch in visible(raw)).replace(WORD_JOINER, "")
    assert "%%" not in safe
    assert safe == safe.strip()
    assert not _LEADING_KEYWORD.match(safe)


def test_actor_names_are_unique() -> None:
    jm = build(
        {
            "jmap": 1,
            "title": "T",
            "personas": [{"id": "a", "name": "Sam"}, {"id": "b", "name": "sam"}, {"id": "c", "name": "#"}],
            "stages": [{"id": "s", "name": "S"}],
        }
    )
    # Mermaid tells actors apart as written: "Sam" and "sam" are two.
    assert actor_names(jm) == {"a": "Sam", "b": "sam", "c": "#35;"}


def test_actor_names_that_are_exactly_the_same_get_their_id() -> None:
    jm = build(
        {
            "jmap": 1,
            "title": "T",
            "personas": [{"id": "a", "name": "Sam"}, {"id": "b", "name": "Sam"}],
            "stages": [{"id": "s", "name": "S"}],
        }
    )
    assert actor_names(jm) == {"a": "Sam", "b": "Sam (b)"}


def test_fallback_to_ids_when_a_name_is_blank() -> None:
    jm = with_touchpoint(small_map(), "ad", name="\t")
    jm = replace(jm, stages=(replace(jm.stages[0], name="\n"), *jm.stages[1:]))
    out = render_mmd(jm)
    assert "  section browse\n    ad: 4: Sophie#44; 34\n" in out


def test_output_is_byte_identical_across_runs() -> None:
    assert render_mmd(small_map()) == render_mmd(small_map())


def test_persona_title_keeps_the_comma_of_the_name() -> None:
    assert render_mmd(small_map(), persona="sophie").startswith("journey\n  title Checkout (Sophie, 34)\n")


# -- Mermaid's 50,000-character limit ----------------------------------------------


def _wide_map(touchpoints: int, name: str, lang: str = "en") -> JourneyMap:
    personas = [{"id": f"p{i}", "name": f"{name} {i}"} for i in range(4)]
    stages = [
        {
            "id": f"s{s}",
            "name": f"{name} stage {s}",
            "touchpoints": [
                {"id": f"t{s}-{t}", "name": f"{name} {s}.{t}", "channel": "web", "emotion": (t % 5) - 2}
                for t in range(10)
            ],
        }
        for s in range(touchpoints // 10)
    ]
    doc = {
        "jmap": 1,
        "title": name * 3,
        "description": name * 50,
        "lang": lang,
        "personas": personas,
        "channels": [{"id": "web", "name": "Web"}],
        "stages": stages,
    }
    result = load_text(yaml.safe_dump(doc, allow_unicode=True), "wide.yaml")
    assert result.map is not None, result.diagnostics[:3]
    return result.map


def _js_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Customer compares the delivery options and prices", id="long-ascii"),
        pytest.param("😀" * 120, id="emoji-count-twice-in-javascript"),
        pytest.param("x" * 1_000, id="1000-character-names"),
    ],
)
def test_a_large_map_stays_under_mermaids_limit_and_says_what_is_missing(name: str) -> None:
    """From about 580 touchpoints the export passed 50,000 characters and
    Mermaid drew an error instead of the journey."""
    jm = _wide_map(1_000, name)
    text = render_mmd(jm)
    assert _js_units(text) <= MERMAID_MAX_TEXT
    lines = text.splitlines()
    assert lines[-2] == "  section …"
    drawn = sum(1 for line in lines if line.startswith("    ")) - 1
    assert 0 < drawn < 1_000
    assert lines[-1].startswith(f"    {1_000 - drawn} more touchpoints not drawn")
    # The summary draws its own pictures (one per stage group), each bounded too.
    from jmap.render.markdown import render_md

    blocks = render_md(jm).split("```mermaid\n")[1:]
    assert blocks and all(_js_units(block.split("```", 1)[0]) <= MERMAID_MAX_TEXT for block in blocks)


def test_the_note_speaks_the_maps_language() -> None:
    text = render_mmd(_wide_map(2_000, "Le client compare les options de livraison et les prix", lang="fr"))
    assert "points de contact de plus non dessinés" in text.splitlines()[-1]


def test_a_map_that_fits_is_drawn_whole() -> None:
    text = render_mmd(_wide_map(200, "Step"))
    assert "…" not in text
    assert sum(1 for line in text.splitlines() if line.startswith("    ")) == 200


# -- as faithful as the YAML (issue 21) ---------------------------------------------


def test_each_persona_keeps_their_own_score_never_an_average() -> None:
    """Paiement got -1 for Léa (0) and Bernard (-2) once; Bernard's 0 became +1."""
    jm = build(
        {
            "jmap": 1,
            "title": "T",
            "personas": [{"id": "lea", "name": "Léa"}, {"id": "bernard", "name": "Bernard, 61 ans"}],
            "stages": [
                {
                    "id": "s",
                    "name": "S",
                    "touchpoints": [
                        {"id": "pay", "name": "Paiement", "emotion": {"lea": 0, "bernard": -2}},
                        {"id": "ok", "name": "Suivi", "emotion": {"lea": 2, "bernard": 0}},
                        {"id": "same", "name": "Fin", "emotion": {"lea": 1, "bernard": 1}},
                    ],
                }
            ],
        }
    )
    assert render_mmd(jm).splitlines()[3:] == [
        "    Paiement: 3: Léa",
        "    Paiement: 1: Bernard#44; 61 ans",
        "    Suivi: 5: Léa",
        "    Suivi: 3: Bernard#44; 61 ans",
        "    Fin: 4: Léa, Bernard#44; 61 ans",
    ]


def test_long_names_are_written_whole() -> None:
    """Persona names of any real length (Mermaid's own tests use names of a
    hundred characters and more) and long step names: no "…", ever."""
    actor = "Darkoooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo " * 3
    step = "Une étape au nom très long qui décrit précisément ce que fait le client à ce moment " * 2
    jm = build(
        {
            "jmap": 1,
            "title": "T " * 200,
            "personas": [{"id": "a", "name": actor.strip()}],
            "stages": [{"id": "s", "name": step, "touchpoints": [{"id": "t", "name": step, "emotion": 1}]}],
        }
    )
    text = render_mmd(jm)
    assert "…" not in text
    assert f"    {step.strip()}: 4: {actor.strip()}\n" in text


def test_every_example_gives_each_persona_their_own_score() -> None:
    """Read back from the text, independently of the export's code: at every
    top-level touchpoint of the examples, each persona passing there is an
    actor of exactly one task, whose score is that persona's own (neutral
    without one), and no label is cut."""
    from pathlib import Path

    from jmap.format.validator import load_file
    from jmap.mermaid.grammar import Entities, read_text

    examples = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
    assert examples
    for path in examples:
        jm = load_file(path).map
        assert jm is not None
        text = render_mmd(jm)
        assert "…" not in text
        names = {p.id: p.name for p in jm.personas}
        entities = Entities()
        drawn: dict[str, dict[str, int]] = {}
        for line in entities.protect(text).splitlines():
            if line.startswith("    "):
                name, score, actors = [*line.strip().split(":"), ""][:3]
                for actor in actors.split(","):
                    drawn.setdefault(read_text(name, entities), {})[read_text(actor, entities)] = int(score)
        for tp in (tp for stage in jm.stages for tp in stage.touchpoints):
            own = {names[p]: 3 + (jm.emotion_at(tp, p) or 0) for p in jm.personas_at(tp)}
            assert drawn[tp.name] == own, (path.stem, tp.name)


def test_the_export_and_the_summary_name_actors_by_one_rule() -> None:
    """Mermaid tells actors apart as written: "Sam" and "sam" are two people
    in the export and in the summary's pictures alike; only an exact twin
    gets its id."""
    from jmap.render.markdown import render_md

    jm = build(
        {
            "jmap": 1,
            "title": "T",
            "personas": [{"id": "a", "name": "Sam"}, {"id": "b", "name": "sam"}, {"id": "c", "name": "Sam"}],
            "stages": [{"id": "s", "name": "S", "touchpoints": [{"id": "t", "name": "Step", "emotion": 1}]}],
        }
    )
    assert "    Step: 4: Sam, sam, Sam (c)\n" in render_mmd(jm)
    assert "    1. Step: 4: Sam, sam, Sam (c)\n" in render_md(jm)


@pytest.mark.parametrize("touchpoints", [20, 200])
def test_generated_maps_have_no_cut_label_and_each_persona_s_score(touchpoints: int) -> None:
    """Generated maps (per-persona emotions, persona subsets, sub-steps):
    no "…" in the export or in the summary's pictures, and as many tasks as
    there are distinct scores at each step, never one averaged task."""
    from support.generated import generated_map_yaml

    from jmap.render.markdown import render_md

    jm = load_text(generated_map_yaml(touchpoints), "generated.yaml").map
    assert jm is not None
    text = render_mmd(jm)
    pictures = "".join(render_md(jm).split("```mermaid\n")[1:])
    assert "…" not in text and "…" not in pictures
    wanted = sum(
        len({jm.emotion_at(tp, p) or 0 for p in jm.personas_at(tp)}) or 1  # no score: neutral
        for stage in jm.stages
        for tp in stage.touchpoints
    )
    assert sum(1 for line in text.splitlines() if line.startswith("    ")) == wanted

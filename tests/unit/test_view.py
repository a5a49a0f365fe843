"""The persona view every renderer reads: what is visible, the arrows of the
route rule, the scores a card shows, low and high points, unaddressed pain
points, persona colours at 3:1, text colour on a fill, and the faces."""

from __future__ import annotations

import re

import pytest
from support import example_paths

from jmap.format.validator import load_file
from jmap.model import (
    Emotion,
    JourneyMap,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
    is_unaddressed,
)
from jmap.render.style import EMOTION_COLORS, INK, SEVERITY_COLORS
from jmap.render.view import (
    FACES,
    LIGHT_SURFACES,
    MIN_CONTRAST,
    Arrow,
    Score,
    contrast_ratio,
    face_drawing,
    face_svg,
    journey_view,
    readable_color,
    text_on,
)


def two_personas() -> JourneyMap:
    """Léa and Bernard: Bernard alone calls support; both hit −2 twice."""
    return JourneyMap(
        title="Airport",
        personas=(Persona("lea", "Léa", color="#8ecae6"), Persona("bernard", "Bernard, 61 ans")),
        stages=(
            Stage(
                "s",
                "Departure",
                touchpoints=(
                    Touchpoint("checkin", "Check-in", emotion=Emotion(everyone=1)),
                    Touchpoint(
                        "security",
                        "Security",
                        emotion=Emotion(per_persona={"lea": -2, "bernard": -2}),
                        pain_points=(PainPoint("queue", "Queue", severity="high"),),
                    ),
                    Touchpoint(
                        "support",
                        "Support",
                        personas=("bernard",),
                        emotion=Emotion(per_persona={"bernard": 0}),
                        pain_points=(PainPoint("wait", "Wait", severity="critical"),),
                    ),
                    Touchpoint(
                        "customs",
                        "Customs",
                        emotion=Emotion(per_persona={"lea": -2, "bernard": -1}),
                        pain_points=(PainPoint("form", "Form", severity="low"),),
                    ),
                    Touchpoint("gate", "Gate", emotion=Emotion(everyone=1), next=()),
                ),
            ),
        ),
        opportunities=(Opportunity("fast", "Fast lane", addresses=("queue",)),),
    )


def test_the_whole_map_shows_everything_and_draws_each_persona_route():
    view = journey_view(two_personas())
    assert view.shown == {"checkin", "security", "support", "customs", "gate"}
    assert Arrow("security", "support", ("bernard",), False) in view.arrows
    assert Arrow("support", "customs", ("bernard",), False) in view.arrows
    assert Arrow("security", "customs", ("lea",), True) in view.arrows, "Léa skips a step only Bernard takes"
    assert [a for a in view.arrows if a.skipped] == [Arrow("security", "customs", ("lea",), True)]


def test_a_persona_view_shows_only_their_route():
    view = journey_view(two_personas(), "lea")
    assert view.shown == {"checkin", "security", "customs", "gate"}
    assert [(a.source, a.target, a.skipped) for a in view.arrows] == [
        ("checkin", "security", False),
        ("security", "customs", True),
        ("customs", "gate", False),
    ]
    assert [p.id for p in view.personas] == ["lea"]


def test_personas_who_feel_the_same_share_one_face_never_an_average():
    jm = two_personas()
    view = journey_view(jm)
    security, customs = jm.touchpoint("security"), jm.touchpoint("customs")
    assert view.scores(security) == (Score(None, -2),)
    assert view.scores(customs) == (Score("lea", -2), Score("bernard", -1))
    assert journey_view(jm, "bernard").scores(customs) == (Score(None, -1),)
    assert view.score_of(customs, "bernard") == -1


def test_every_touchpoint_at_a_persona_minimum_is_a_low_point():
    view = journey_view(two_personas())
    assert view.low_points == {"security", "customs"}, "both −2s of Léa are marked, not the first only"
    assert view.high_points == {"checkin", "gate"}
    assert journey_view(two_personas(), "bernard").low_points == {"security"}


def test_no_low_point_without_a_negative_score():
    jm = JourneyMap(
        title="Calm",
        stages=(Stage("s", "S", touchpoints=(Touchpoint("a", "A", emotion=Emotion(everyone=0)),)),),
    )
    view = journey_view(jm)
    assert view.low_points == frozenset() and view.high_points == frozenset()


def test_unaddressed_means_serious_and_answered_by_no_opportunity():
    jm = two_personas()
    view = journey_view(jm)
    assert [pp.id for pp in jm.all_pain_points() if view.unaddressed(pp)] == ["wait"]
    assert [pp.id for pp in jm.unaddressed_pain_points()] == ["wait"]
    assert is_unaddressed("critical", "x", set()) and not is_unaddressed("medium", "x", set())
    assert not is_unaddressed("high", "x", {"x"})


def test_persona_colours_reach_three_to_one_on_every_light_surface():
    view = journey_view(two_personas())
    lea = view.color("lea")
    assert lea != "#8ecae6", "the pale cyan is darkened"
    assert all(contrast_ratio(lea, surface) >= MIN_CONTRAST for surface in LIGHT_SURFACES)
    assert re.fullmatch(r"#[0-9a-f]{6}", lea)
    assert view.color("bernard") == "#264653", "a dark colour is kept as it is"
    assert contrast_ratio(view.looks["lea"].color_dark, "#1b2129") >= MIN_CONTRAST


@pytest.mark.parametrize("color", ["#ffff00", "#fff", "#e9c46a", "#2a9d8f", "#000000"])
def test_readable_color_always_reaches_the_minimum(color):
    assert all(contrast_ratio(readable_color(color, LIGHT_SURFACES), s) >= MIN_CONTRAST for s in LIGHT_SURFACES)


def test_contrast_ratio_is_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#fff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_text_on_a_fill_is_the_colour_that_contrasts_more():
    for fill in [*EMOTION_COLORS.values(), *SEVERITY_COLORS.values(), "#ffffff", "#000000"]:
        ink = text_on(fill)
        other = "#ffffff" if ink == INK else INK
        assert contrast_ratio(ink, fill) >= contrast_ratio(other, fill)
    assert text_on(EMOTION_COLORS[-2]) == "#ffffff" and text_on(EMOTION_COLORS[0]) == INK


def test_one_face_table_in_one_font():
    assert sorted(FACES) == [-2, -1, 0, 1, 2]
    assert all(face.endswith("\ufe0e") for face in FACES.values())
    assert "\U0001f641" not in "".join(FACES.values()), "not in DejaVu Sans"


def test_one_face_drawing_curves_the_mouth_with_the_score():
    def bend(score: int) -> float:
        numbers = [float(n) for n in re.findall(r"-?[0-9.]+", face_drawing(score, 10, 10, 8).mouth)]
        return numbers[3] - numbers[1]  # control point below the corners: a smile

    assert bend(-2) < bend(-1) < bend(0) == 0 < bend(1) < bend(2)
    assert face_drawing(-2, 10, 10, 8).brows and not face_drawing(-1, 10, 10, 8).brows
    svg = face_svg(1, 0, 0, 4, "#2b2d42")
    assert svg.startswith('<g class="face" data-score="1">') and '<circle cx="0" cy="0" r="4"' in svg


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_every_example_view_is_consistent(path):
    jm = load_file(path).map
    assert jm is not None
    for persona in [None, *(p.id for p in jm.personas)]:
        view = journey_view(jm, persona)
        assert view.low_points <= view.shown and view.high_points <= view.shown
        assert all(a.source in view.shown and a.target in view.shown for a in view.arrows)

"""Numbers, durations and punctuation read as the map's language writes them.

A French client reads ``2 sem. 3 j 15 min``, ``120 000`` and ``69 %`` with the
no-break spaces of French typography; an English one ``2 wk 3 d 15 min``,
``120,000`` and ``69%``. Never ``2w3d15min`` or a raw metric key.
"""

from __future__ import annotations

import pytest

from jmap.model import Duration, JourneyMap, Metric, MetricValue, Stage, Touchpoint
from jmap.render.labels import labels
from jmap.render.locale import (
    NBSP,
    NNBSP,
    format_duration,
    format_metric,
    format_metric_value,
    format_number,
    format_percent,
    french_spacing,
    humanise_key,
    metric_label,
    with_colon,
)


def visible(text: str) -> str:
    """The no-break spaces made visible: ``~`` for U+00A0, ``^`` for U+202F."""
    return text.replace(NBSP, "~").replace(NNBSP, "^")


@pytest.mark.parametrize(
    ("text", "en", "fr"),
    [
        ("2w3d15min", "2~wk 3~d", "2~sem. 3~j"),
        ("1h15min", "1~h 15~min", "1~h 15~min"),
        ("45min", "45~min", "45~min"),
        ("1.5d", "1~d 12~h", "1~j 12~h"),
        ("1y", "1~yr", "1~an"),
        ("2y6mo", "2~yr 6~mo", "2~ans 6~mois"),
        ("30s", "30~s", "30~s"),
        ("90min", "1~h 30~min", "1~h 30~min"),
        ("1mo1w3d4h1min10s", "1~mo 1~wk", "1~mois 1~sem."),
        ("3d31min", "3~d 1~h", "3~j 1~h"),
        ("23h59min50s", "1~d", "1~j"),
        ("0.5s", "0.5~s", "0,5~s"),
    ],
)
def test_durations_as_people_say_them(text: str, en: str, fr: str) -> None:
    """At most two units, the second rounded, in both languages."""
    duration = Duration(text, 0.0)
    assert visible(format_duration(duration, "en")) == en
    assert visible(format_duration(duration, "fr")) == fr


def test_a_total_reads_like_a_written_duration() -> None:
    total = Duration.from_seconds(2 * 604800 + 3 * 86400 + 900)
    assert visible(format_duration(total, "fr")) == "2~sem. 3~j"


def test_the_exact_value_keeps_the_authors_parts() -> None:
    from jmap.render.locale import format_duration_as_written

    assert visible(format_duration_as_written(Duration("2w3d15min", 0.0), "fr")) == "2~sem. 3~j 15~min"
    assert visible(format_duration_as_written(Duration("1.5d", 0.0), "en")) == "1.5~d"


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        (120000, "120,000", "120^000"),
        (4.3, "4.3", "4^,3".replace("^", "")),
        (1234567.5, "1,234,567.5", "1^234^567,5"),
        (999, "999", "999"),
        (-2500, "-2,500", "-2^500"),
        (0.25, "0.25", "0,25"),
    ],
)
def test_grouped_thousands_and_local_decimals(value: float, en: str, fr: str) -> None:
    assert visible(format_number(value, "en")) == en
    assert visible(format_number(value, "fr")) == fr


def test_percentages() -> None:
    assert format_percent(69, "en") == "69%"
    assert visible(format_percent(69, "fr")) == "69^%"
    assert visible(format_percent(7.5, "fr")) == "7,5^%"


def test_metric_values_keep_the_authors_decimals() -> None:
    assert format_metric_value(MetricValue(4.3, False, "4.30"), "fr") == "4,30"
    assert visible(format_metric_value(MetricValue(69.0, True, "69%"), "fr")) == "69^%"
    assert format_metric_value(MetricValue(120000.0, False, "120000"), "en") == "120,000"
    metric = Metric("attente", MetricValue(14.0, False, "14"), unit="min")
    assert visible(format_metric(metric, "fr")) == "14~min"


def test_metric_labels_are_given_or_humanised() -> None:
    assert metric_label(Metric("note_moyenne", MetricValue(4.3, False, "4.3"))) == "Note moyenne"
    assert metric_label(Metric("abandon-panier", MetricValue(69, True, "69%"))) == "Abandon panier"
    assert metric_label(Metric("NPS", MetricValue(40, False, "40"))) == "NPS"
    assert metric_label(Metric("x", MetricValue(1, False, "1"), label="Taux de retour")) == "Taux de retour"
    assert humanise_key("visitors") == "Visitors"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pourquoi ?", "Pourquoi^?"),
        ("Pourquoi?", "Pourquoi^?"),
        ("Attention : fragile", "Attention~: fragile"),
        ("Attention: fragile", "Attention~: fragile"),
        ("Oui ; non", "Oui^; non"),
        ("Enfin !", "Enfin^!"),
        ("Quoi ?!", "Quoi^?^!"),
        ("Voir https://example.org à 10:30", "Voir https://example.org à 10:30"),
        ("« Où est le prix ? »", "«^Où est le prix^?^»"),
        ("Taux 7,4%", "Taux 7,4^%"),
    ],
)
def test_french_spacing(text: str, expected: str) -> None:
    assert visible(french_spacing(text, "fr")) == expected


def test_english_spacing_is_left_alone() -> None:
    assert french_spacing("Why? Because: reasons!", "en") == "Why? Because: reasons!"


def test_labels_with_a_colon_from_the_label_table() -> None:
    assert visible(with_colon(labels("fr")["goal"], "fr")) == "Objectif~:"
    assert visible(with_colon(labels("fr")["duration"], "fr")) == "Durée~:"
    assert with_colon(labels("en")["goal"], "en") == "Goal:"


def test_a_stage_length_and_the_time_in_its_touchpoints_stay_apart() -> None:
    consult = Touchpoint(
        "consult",
        "Consult",
        touchpoints=(
            Touchpoint("talk", "Talk", duration=Duration("10min", 600)),
            Touchpoint("exam", "Exam", duration=Duration("5min", 300)),
        ),
    )
    wait = Touchpoint("wait", "Wait", duration=Duration("45min", 2700))
    timed = Touchpoint("timed", "Timed", duration=Duration("1h", 3600), touchpoints=(consult.touchpoints[0],))
    stage = Stage("s", "S", duration=Duration("2w", 1209600), touchpoints=(wait, consult, timed))
    other = Stage("o", "O", touchpoints=(Touchpoint("call", "Call", duration=Duration("15min", 900)),))
    jm = JourneyMap("T", (stage, other))
    assert jm.stage_length(stage) == Duration("2w", 1209600)
    assert jm.time_in_touchpoints(stage) == Duration.from_seconds(2700 + 900 + 3600)
    assert jm.stage_length(other) is None
    assert jm.time_in_touchpoints(other) == Duration.from_seconds(900)
    assert jm.journey_length() == Duration("2w", 1209600.0)
    assert jm.journey_time_in_touchpoints() == Duration.from_seconds(2700 + 900 + 3600 + 900)
    assert jm.time_in_touchpoints(Stage("e", "E")) is None

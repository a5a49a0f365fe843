"""Both label tables cover the same keys, so no render falls back silently."""

from jmap.render.labels import LABELS, labels


def test_english_and_french_have_the_same_keys() -> None:
    assert set(LABELS["en"]) == set(LABELS["fr"])


def test_french_labels_are_french() -> None:
    fr = labels("fr")
    assert fr["stage"] == "Étape"
    assert fr["pain_point"] == "Point de friction"


def test_unknown_language_falls_back_to_english() -> None:
    assert labels("de") is LABELS["en"]

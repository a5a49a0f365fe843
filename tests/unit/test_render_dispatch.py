"""Choosing formats and naming outputs: shared by `render` and `build`."""

from __future__ import annotations

import pytest

from jmap.errors import UsageError
from jmap.render.formats import output_stem, parse_formats


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("checkout.yaml", "checkout"),
        ("maps/checkout.yml", "checkout"),
        ("journey.v2.yaml", "journey.v2"),
        ("LEGACY.YAML", "LEGACY"),
        ("notes.txt", "notes.txt"),
        (".yaml", ".yaml"),
    ],
)
def test_output_stem_drops_only_a_final_yaml_suffix(name: str, stem: str) -> None:
    assert output_stem(name) == stem


def test_formats_keep_their_order_and_drop_repeats() -> None:
    assert parse_formats(" svg, MD,svg ,,dot") == ("svg", "md", "dot")


@pytest.mark.parametrize("text", ["gif", "", " , "])
def test_unsupported_or_missing_formats_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_formats(text)

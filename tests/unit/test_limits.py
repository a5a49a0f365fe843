"""Any input costs bounded work: what aliases may repeat, how many values a file
may hold and how many problems are reported for one file.

Each test is a reproduction from a hostile probe: a small file that aliases a
large string thousands of times, a file of a million bad keys, one alias bomb
reported thousands of times at one position.
"""

from __future__ import annotations

import pytest

from jmap.format import loader
from jmap.format.diagnostics import MAX_PROBLEMS
from jmap.format.loader import EXPANSION_CEILING, EXPANSION_FLOOR, expansion_budget
from jmap.format.reporters import summary
from jmap.format.validator import load_text
from jmap.render.formats import render_map

HEAD = "jmap: 1\ntitle: T\n"
STAGE = "stages:\n  - id: s\n    name: S\n    touchpoints:\n      - {id: t, name: T, channel: web}\n"
CHANNELS = "channels:\n  - {id: web, name: Web}\n"


def _aliasing(big: int, times: int) -> str:
    """A map whose description anchors a ``big``-character string that tags
    repeat ``times`` times."""
    tags = ", ".join(["*big"] * times)
    return HEAD + f"description: &big {'x' * big}\ntags: [{tags}]\n" + CHANNELS + STAGE


def test_the_expansion_budget_grows_with_the_file_up_to_a_ceiling() -> None:
    assert expansion_budget(0) == EXPANSION_FLOOR
    assert expansion_budget(2_000_000) == EXPANSION_FLOOR + 2_000_000
    assert expansion_budget(loader.MAX_BYTES) == EXPANSION_CEILING


def test_a_small_file_repeating_a_large_string_is_refused_at_the_alias() -> None:
    # The probe: a 186 KB map aliasing one 64 KB string 20,000 times passed and
    # made `render -f html` write 1.3 GB.
    text = _aliasing(64 * 1024, 20_000)
    result = load_text(text, "bomb.yaml")
    assert result.map is None
    [diagnostic] = result.errors
    assert diagnostic.rule == "yaml-alias"
    assert "characters" in diagnostic.message and "alias bomb" in diagnostic.message
    # At the first alias past the budget, on the tags line.
    allowed = expansion_budget(len(text)) // (64 * 1024)
    assert diagnostic.line == 4
    assert diagnostic.col == len("tags: [") + 1 + allowed * len("*big, ")


def test_repeating_a_megabyte_string_a_hundred_times_is_refused() -> None:
    result = load_text(_aliasing(1_000_000, 100), "bomb.yaml")
    assert [d.rule for d in result.errors] == ["yaml-alias"]


def test_a_map_within_the_budget_renders_in_proportion_to_its_expansion() -> None:
    text = _aliasing(100_000, 10)
    result = load_text(text, "ok.yaml")
    assert result.map is not None, result.diagnostics
    expanded = len(text) + 10 * 100_000
    outputs = render_map(result.map, ("html", "md", "mmd", "dot"))
    for fmt, data in outputs.items():
        # Each repeated character is written a few times at most (the page
        # shows tags once in the header, the summary once).
        assert len(data) < 4 * expanded + 200_000, fmt


def test_a_file_holding_too_many_values_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_VALUES", 1_000)
    text = HEAD + "".join(f"k{i}: v\n" for i in range(2_000))
    result = load_text(text, "keys.yaml")
    [diagnostic] = result.diagnostics
    assert diagnostic.rule == "file-too-large"
    assert "1,000 YAML values" in diagnostic.message
    # 2 values per key; the header holds 5 (the root mapping, two pairs).
    assert diagnostic.line == 3 + (1_000 - 5) // 2


def test_a_file_of_many_bad_keys_reports_the_first_problems_and_says_it_stopped() -> None:
    text = HEAD + "".join(f"k{i:06d}: v\n" for i in range(5_000)) + STAGE
    result = load_text(text, "keys.yaml")
    assert len(result.diagnostics) == MAX_PROBLEMS
    assert result.truncated
    assert [d.line for d in result.diagnostics] == list(range(3, 3 + MAX_PROBLEMS))
    line = summary([result], strict=False)
    assert f"stopped after {MAX_PROBLEMS} problems in 1 map" in line


def test_many_duplicate_keys_stop_in_the_loader() -> None:
    text = HEAD + "x-a: 1\n" * 5_000 + CHANNELS + STAGE
    result = load_text(text, "dups.yaml")
    assert len(result.diagnostics) == MAX_PROBLEMS
    assert {d.rule for d in result.diagnostics} == {"yaml-duplicate-key"}
    assert result.truncated


def test_exactly_the_limit_is_not_called_truncated() -> None:
    text = HEAD + "".join(f"k{i:06d}: v\n" for i in range(MAX_PROBLEMS)) + CHANNELS + STAGE
    result = load_text(text, "keys.yaml")
    assert len(result.diagnostics) == MAX_PROBLEMS
    assert not result.truncated
    assert "stopped" not in summary([result], strict=False)


def test_warnings_past_the_limit_are_dropped_but_the_map_is_kept() -> None:
    touchpoints = "".join(f"      - {{id: t{i}, name: T}}\n" for i in range(300))
    text = HEAD + "stages:\n  - id: s\n    name: S\n    touchpoints:\n" + touchpoints
    result = load_text(text, "warnings.yaml")
    assert result.map is not None
    assert len(result.warnings) == MAX_PROBLEMS
    assert result.truncated


def test_a_problem_repeated_by_aliases_is_reported_once_with_a_count() -> None:
    # One touchpoint aliased 3,000 times: its id is a duplicate at each use,
    # and the probe printed the same position 33,000 times.
    aliases = "".join("      - *tp\n" for _ in range(3_000))
    text = (
        HEAD
        + CHANNELS
        + "stages:\n  - id: s\n    name: S\n    touchpoints:\n      - &tp {id: t, name: T, channel: web}\n"
        + aliases
    )
    result = load_text(text, "repeat.yaml")
    assert result.map is None
    [diagnostic] = result.diagnostics
    assert diagnostic.rule == "duplicate-id"
    assert (diagnostic.line, diagnostic.col) == (9, 18)  # the id, where it is anchored
    assert "found 3,000 times here" in diagnostic.message


def test_slips_in_a_large_file_are_repaired_within_a_budget_of_rereading() -> None:
    """Each repair reads the file again: a large file gets fewer of them, so
    reading any file costs a bounded multiple of its size."""
    from jmap.format.loader import MAX_REPAIRS, REPAIR_BUDGET, compose_repairing

    filler = "x-pad: " + "a" * 998 + "\n"
    slips = "a:\n  b: 1\n" + " c: 2\n" * (MAX_REPAIRS + 5)
    small = compose_repairing(slips)
    assert len(small.repaired) == MAX_REPAIRS
    large_text = slips + filler * 1_000  # about 1 MB
    large = compose_repairing(large_text)
    assert len(large.repaired) == REPAIR_BUDGET // len(large_text) < MAX_REPAIRS
    huge = compose_repairing(slips + filler * 5_000)
    assert huge.repaired == () and [p.rule for p in huge.problems] == ["yaml-indentation"]

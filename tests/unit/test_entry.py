"""The fast `validate` path gives exactly what the click command line gives."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, FIXTURES

from jmap.entry import fast_validate_options


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", str(EXAMPLES)], {"strict": False, "fmt": "text", "quiet": False}),
        (["validate", "--strict", "--format", "json", str(EXAMPLES)], {"strict": True, "fmt": "json", "quiet": False}),
        (["validate", "--format=github", "-q", str(EXAMPLES)], {"strict": False, "fmt": "github", "quiet": True}),
    ],
)
def test_simple_forms_take_the_fast_path(args, expected) -> None:
    options = fast_validate_options(args)
    assert options is not None
    assert options.pop("paths") == (str(EXAMPLES),)
    assert options == expected


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--help"],
        ["validate", "-h"],
        ["validate", "--format", "xml", str(EXAMPLES)],
        ["validate", "--format"],
        ["validate", "--bogus", str(EXAMPLES)],
        ["validate", "does/not/exist.yaml"],
        ["render", str(EXAMPLES)],
        ["--debug", "validate", str(EXAMPLES)],
        [],
    ],
)
def test_everything_else_goes_to_click(args) -> None:
    assert fast_validate_options(args) is None


def test_fast_and_click_paths_print_the_same(capsys) -> None:
    from jmap.checking import validate_paths
    from jmap.cli import run_click

    target = str(FIXTURES / "valid")
    code_click = run_click(["validate", "--format", "json", target])
    out_click = capsys.readouterr().out
    code_fast = validate_paths((target,), strict=False, fmt="json", quiet=False)
    out_fast = capsys.readouterr().out
    assert (code_fast, out_fast) == (code_click, out_click)
    assert '"files"' in out_fast

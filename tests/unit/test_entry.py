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
    from jmap.cli import run_click
    from jmap.commands.validate import validate_paths

    target = str(FIXTURES / "valid")
    code_click = run_click(["validate", "--format", "json", target])
    out_click = capsys.readouterr().out
    code_fast = validate_paths((target,), strict=False, fmt="json", quiet=False)
    out_fast = capsys.readouterr().out
    assert (code_fast, out_fast) == (code_click, out_click)
    assert '"files"' in out_fast


def test_simple_render_forms_take_the_fast_path(tmp_path) -> None:
    from jmap.entry import fast_options

    found = fast_options(["render", str(EXAMPLES), "-f", "svg,md", "-o", str(tmp_path), "--persona", "ana"])
    assert found is not None
    verb, options = found
    assert verb == "render"
    assert options == {
        "strict": False,
        "formats": ("svg", "md"),
        "output": str(tmp_path),
        "persona": "ana",
        "templates_dir": None,
        "paths": (str(EXAMPLES),),
    }
    assert fast_options(["render", "--formats=dot", "-o", "-", str(EXAMPLES)])[1]["formats"] == ("dot",)


@pytest.mark.parametrize(
    "args",
    [
        ["render", str(EXAMPLES), "-f", "gif"],
        ["render", str(EXAMPLES), "-f"],
        ["render", str(EXAMPLES), "--templates", "no/such/dir"],
        ["render", str(EXAMPLES), "--help"],
        ["render", "-fsvg", str(EXAMPLES)],
    ],
)
def test_unusual_render_forms_go_to_click(args) -> None:
    from jmap.entry import fast_options

    assert fast_options(args) is None


def test_fast_and_click_render_write_the_same_files(tmp_path, capsys) -> None:
    from jmap.cli import run_click
    from jmap.commands.render import render_paths

    source = str(EXAMPLES / "checkout-fr.yaml")
    assert run_click(["render", source, "-f", "dot,md", "-o", str(tmp_path / "click")]) == 0
    assert (
        render_paths(
            (source,),
            formats=("dot", "md"),
            output=str(tmp_path / "fast"),
            persona=None,
            templates_dir=None,
            strict=False,
        )
        == 0
    )
    for name in ("checkout-fr.dot", "checkout-fr.md"):
        assert (tmp_path / "click" / name).read_bytes() == (tmp_path / "fast" / name).read_bytes()

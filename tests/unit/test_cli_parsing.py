"""One parser: click reads every call, and each form means one thing.

jmap once had a hand-written fast path beside click, and the two disagreed:
`jmap render x.yaml -f=md` exited 0 on one and 2 on the other, and `-o=out`
wrote into `out/` or into a folder named `=out/` depending on whether another
argument looked unusual. These tests pin what each form means now.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import EXAMPLES

from jmap import cli

MAP = str(EXAMPLES / "checkout-fr.yaml")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The options each verb's work receives, instead of running it."""
    seen: list[dict[str, object]] = []

    def record(*args: object, **kwargs: object) -> int:
        seen.append({"args": args, **kwargs})
        return 0

    monkeypatch.setattr("jmap.commands.validate.validate_paths", record)
    monkeypatch.setattr("jmap.commands.render.render_paths", record)
    return seen


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", str(EXAMPLES)], {"strict": False, "fmt": "text", "quiet": False}),
        (["validate", "--strict", "--format", "json", str(EXAMPLES)], {"strict": True, "fmt": "json", "quiet": False}),
        (["validate", "--format=github", "-q", str(EXAMPLES)], {"strict": False, "fmt": "github", "quiet": True}),
        (["--debug", "validate", str(EXAMPLES)], {"strict": False, "fmt": "text", "quiet": False}),
    ],
)
def test_validate_options(calls, args, expected) -> None:
    assert cli.run(args) == 0
    (call,) = calls
    assert call.pop("args") == ((str(EXAMPLES),),)
    assert call == expected


def test_render_options(calls, tmp_path: Path) -> None:
    args = ["render", str(EXAMPLES), "-f", "svg,md", "-o", str(tmp_path), "--persona", "ana"]
    assert cli.run(args) == 0
    assert cli.run(["render", "--formats=dot", "-o", "-", str(EXAMPLES)]) == 0
    assert cli.run(["render", "-fsvg", str(EXAMPLES)]) == 0
    first, second, third = calls
    assert first == {
        "args": ((str(EXAMPLES),),),
        "strict": False,
        "formats": ("svg", "md"),
        "output": str(tmp_path),
        "persona": "ana",
        "templates_dir": None,
        "review": False,
        "paper": "a3",
    }
    assert second["formats"] == ("dot",) and second["output"] == "-"
    assert third["formats"] == ("svg",) and third["output"] == "."


def test_render_review_and_paper(calls) -> None:
    assert cli.run(["render", str(EXAMPLES), "--review", "--paper", "A1"]) == 0
    assert cli.run(["render", str(EXAMPLES), "--paper", "letter"]) == 2
    (call,) = calls
    assert (call["review"], call["paper"].lower()) == (True, "a1")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate"], 2),
        (["validate", "--help"], 0),
        (["validate", "-h"], 0),
        (["validate", "--format", "xml", str(EXAMPLES)], 2),
        (["validate", "--format"], 2),
        (["validate", "--bogus", str(EXAMPLES)], 2),
        (["validate", "does/not/exist.yaml"], 2),
        (["render", str(EXAMPLES), "-f", "gif"], 2),
        (["render", str(EXAMPLES), "-f"], 2),
        (["render", str(EXAMPLES), "--templates", "no/such/dir"], 2),
        (["render", str(EXAMPLES), "--help"], 0),
        ([], 2),  # help on standard error: a call without a verb is a usage error
    ],
)
def test_help_and_mistakes(calls, capsys, args, code) -> None:
    assert cli.run(args) == code
    assert calls == [], "nothing runs on help or a mistake"
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err


# -- the two bugs of the second parser -------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [[], ["--persona", "ana"], ["--strict"], ["--templates", str(EXAMPLES)], ["-o", "-"]],
    ids=["alone", "persona", "strict", "templates", "stdout"],
)
def test_formats_with_an_equals_sign_is_always_a_usage_error(calls, capsys, extra) -> None:
    """`-f=md` means one thing whatever else the call holds: click reads the
    value `=md`, which jmap refuses with the spelling to use instead."""
    assert cli.run(["render", MAP, "-f=md", *extra]) == 2
    assert calls == []
    err = capsys.readouterr().err
    assert "write -f md or --formats=md" in err


@pytest.mark.parametrize(
    "extra", [[], ["--persona", "ana"], ["-f", "md"], [MAP]], ids=["alone", "persona", "formats", "two-maps"]
)
def test_output_with_an_equals_sign_never_writes_into_a_folder_named_equals(
    monkeypatch, tmp_path: Path, capsys, extra
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.run(["render", MAP, "-o=out", *extra]) == 2
    assert list(tmp_path.iterdir()) == [], "neither out/ nor =out/ is written"
    assert "write -o out or --output=out" in capsys.readouterr().err


def test_the_long_forms_with_an_equals_sign_work(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.run(["render", MAP, "--formats=md", "--output=out"]) == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["checkout-fr.md"]


def test_build_and_schema_refuse_an_equals_sign_too(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.run(["build", str(EXAMPLES), "-o=site"]) == 2
    assert cli.run(["schema", "-o=schema.json"]) == 2
    assert list(tmp_path.iterdir()) == []
    assert "write -o site or --output=site" in capsys.readouterr().err

"""Exit codes of the console entry point when something goes wrong inside jmap.

A bug must end in a short "please report" message and exit code 3, never a
traceback (docs/cli.md); ``--debug`` is how a maintainer gets the traceback back.
Bugs are simulated by making a function deep inside validation raise, then
``jmap.cli.main`` runs in-process: click parses every call, and the exit
codes are chosen next to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import FIXTURES

from jmap import cli
from jmap.errors import JmapError, UsageError
from jmap.format import validator

MAP = str(FIXTURES / "valid" / "minimal.yaml")


def run_main(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    code = exit_info.value.code
    assert isinstance(code, int)
    return code


def explode(*_args: object, **_kwargs: object) -> None:
    raise ZeroDivisionError("simulated bug deep inside validation")


@pytest.fixture
def buggy_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validator._Checker, "check_references", explode)


@pytest.mark.usefixtures("buggy_validation")
@pytest.mark.parametrize(
    "args",
    [["validate", MAP], ["validate", "--strict", "--format", "json", MAP], ["validate", "--quiet", MAP]],
    ids=["plain", "options", "quiet"],
)
def test_a_bug_exits_3_with_a_short_message(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert run_main(args) == 3
    err = capsys.readouterr().err
    assert "please report" in err
    assert "--debug" in err
    assert "Traceback" not in err and "ZeroDivisionError" not in err
    assert err.count("\n") == 1, "one short line"


@pytest.mark.usefixtures("buggy_validation")
def test_a_bug_while_rendering_exits_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["render", MAP, "-f", "md", "-o", str(tmp_path)]
    assert run_main(args) == 3
    err = capsys.readouterr().err
    assert "please report" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "nothing written by a failed run"


@pytest.mark.usefixtures("buggy_validation")
@pytest.mark.parametrize(
    "args", [["--debug", "validate", MAP], ["validate", "--debug", MAP], ["validate", MAP, "--debug"]]
)
def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert run_main(args) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "ZeroDivisionError: simulated bug deep inside validation" in err
    assert "please report" in err


@pytest.mark.usefixtures("buggy_validation")
def test_debug_does_not_outlive_its_call(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["validate", "--debug", MAP]) == 3
    capsys.readouterr()
    assert run_main(["validate", MAP]) == 3
    assert "Traceback" not in capsys.readouterr().err


def test_a_bug_while_reading_yaml_exits_3(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validator, "compose_repairing", explode)
    assert run_main(["validate", MAP]) == 3
    assert "please report" in capsys.readouterr().err


def test_without_a_bug_the_same_calls_succeed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["validate", MAP]) == 0
    assert run_main(["--debug", "validate", MAP]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.count("1 map checked, all valid") == 2


@pytest.mark.parametrize(
    ("exception", "code", "text"),
    [
        (UsageError("no journey maps under x"), 2, "jmap: error: no journey maps under x"),
        (JmapError("cannot render"), 1, "jmap: error: cannot render"),
        (KeyboardInterrupt(), 130, "jmap: interrupted"),
    ],
    ids=["usage-error", "jmap-error", "interrupt"],
)
def test_expected_failures_keep_their_exit_codes(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    exception: BaseException,
    code: int,
    text: str,
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise exception

    monkeypatch.setattr("jmap.commands.validate.validate_paths", fail)
    assert run_main(["validate", MAP]) == code
    err = capsys.readouterr().err
    assert text in err and "Traceback" not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["validate", "--no-such-option", MAP]) == 2
    assert run_main(["validate", str(FIXTURES / "no-such-file.yaml")]) == 2
    err = capsys.readouterr().err
    assert "No such option" in err and "no such file" in err
    assert "Traceback" not in err

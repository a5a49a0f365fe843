"""`jmap validate` as users and CI run it: the real console script on files.

Every fixture in tests/fixtures/invalid and tests/fixtures/warnings has a
sidecar ``.expected`` file listing the exact diagnostics, one per line as
``LINE:COL SEVERITY RULE``, optionally followed by ``~ substring`` lines that
the message must contain. Hostile inputs run under a short timeout, because
"never a hang" is part of the contract (docs/cli.md), and no run may print a
traceback or echo a control character from the file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from support import FIXTURES, ROOT, example_paths, jmap_command, run_jmap

from jmap.text import printable

INVALID = FIXTURES / "invalid"
WARNINGS = FIXTURES / "warnings"
VALID = FIXTURES / "valid"

#: Generous for a CI machine under load; a hang or an alias bomb takes far longer.
HANG_TIMEOUT = 20

LINE_RE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.*) \[(?P<rule>[a-z0-9-]+)\]$"
)
SUMMARY_RE = re.compile(r"^\d+ maps? checked, ")
GITHUB_RE = re.compile(
    r"^::(?P<level>error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),title=jmap (?P<rule>[a-z0-9-]+)::(?P<message>.*) \[(?P=rule)\]$"
)
# C0 controls except newline, DEL, C1 controls, bidi overrides and isolates.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Expected(NamedTuple):
    line: int
    col: int
    severity: str
    rule: str
    contains: tuple[str, ...]

    @property
    def key(self) -> tuple[int, int, str, str]:
        return (self.line, self.col, self.severity, self.rule)


def read_expected(path: Path) -> list[Expected]:
    """Parse a sidecar: position lines, each followed by its ``~`` lines."""
    items: list[Expected] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        if raw.startswith("~ "):
            assert items, f"{path}: a '~' line must follow a diagnostic line"
            last = items[-1]
            items[-1] = last._replace(contains=(*last.contains, raw[2:]))
            continue
        position, severity, rule = raw.split()
        line, col = position.split(":")
        items.append(Expected(int(line), int(col), severity, rule, ()))
    return items


def fixture_ids(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


#: Fixtures whose .expected describes the right behaviour that the code does not have yet.
#: Fixtures whose expectation does not hold yet, with the reason (strict xfail).
#: Empty: every bug found by these fixtures is fixed.
KNOWN_BUGS: dict[str, str] = {}


def bug_params(folder: Path) -> list:
    return [
        pytest.param(stem, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[stem]))
        if stem in KNOWN_BUGS
        else stem
        for stem in fixture_ids(folder)
    ]


def run_guarded(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI with a timeout that turns a hang into a test failure."""
    try:
        return subprocess.run(
            [*jmap_command(), *args],
            cwd=cwd,
            capture_output=True,
            timeout=HANG_TIMEOUT,
            env={**os.environ, "NO_COLOR": "1"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"jmap {' '.join(args)} did not finish within {HANG_TIMEOUT}s (a hang)")


def assert_clean_output(proc: subprocess.CompletedProcess[bytes]) -> None:
    """No traceback, no raw control character, valid UTF-8 on both streams."""
    for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        text = stream.decode("utf-8")
        assert "Traceback" not in text, f"{name} shows a traceback:\n{text}"
        bad = RAW_CONTROL.search(text)
        assert bad is None, f"{name} echoes the raw control character {bad.group()!r}:\n{text!r}"


def parse_text(stdout: bytes) -> tuple[list[re.Match[str]], list[str]]:
    lines = stdout.decode("utf-8").splitlines()
    matches = [LINE_RE.match(line) for line in lines[:-1]]
    assert all(matches), f"lines not of the form FILE:LINE:COL: SEVERITY: MESSAGE [RULE]:\n{lines}"
    return [m for m in matches if m], lines


def assert_matches_expected(found: list[tuple[int, int, str, str, str]], expected: list[Expected], where: str) -> None:
    assert [f[:4] for f in found] == [e.key for e in expected], f"{where}: diagnostics differ"
    for (*_, message), exp in zip(found, expected, strict=True):
        for part in exp.contains:
            assert part in message, f"{where}: {exp.key}: {message!r} does not contain {part!r}"


# -- every fixture, exact diagnostics ---------------------------------------------------


@pytest.mark.parametrize("stem", bug_params(INVALID))
def test_invalid_fixture_gives_exactly_the_expected_errors(stem: str) -> None:
    path = INVALID / f"{stem}.yaml"
    expected = read_expected(INVALID / f"{stem}.expected")
    assert expected, "an invalid fixture must expect at least one diagnostic"
    proc = run_guarded("validate", str(path))
    assert_clean_output(proc)
    assert proc.returncode == 1, proc.stdout.decode()
    matches, lines = parse_text(proc.stdout)
    assert all(m["file"] == str(path) for m in matches), "each line must name the file"
    found = [(int(m["line"]), int(m["col"]), m["severity"], m["rule"], m["message"]) for m in matches]
    assert_matches_expected(found, expected, stem)
    assert SUMMARY_RE.match(lines[-1]) and "1 invalid" in lines[-1]


def test_every_invalid_fixture_has_its_expected_file() -> None:
    yaml_stems = set(fixture_ids(INVALID))
    expected_stems = {p.stem for p in INVALID.glob("*.expected")}
    assert yaml_stems == expected_stems
    assert len(yaml_stems) >= 35


@pytest.mark.parametrize("stem", fixture_ids(WARNINGS))
def test_warning_fixture_passes_normally_and_fails_under_strict(stem: str) -> None:
    path = WARNINGS / f"{stem}.yaml"
    expected = read_expected(WARNINGS / f"{stem}.expected")
    assert expected and all(e.severity == "warning" for e in expected)
    relaxed = run_guarded("validate", str(path))
    strict = run_guarded("validate", "--strict", str(path))
    for proc in (relaxed, strict):
        assert_clean_output(proc)
        matches, _ = parse_text(proc.stdout)
        found = [(int(m["line"]), int(m["col"]), m["severity"], m["rule"], m["message"]) for m in matches]
        assert_matches_expected(found, expected, stem)
    assert relaxed.returncode == 0
    assert strict.returncode == 1
    assert "all valid" in relaxed.stdout.decode().splitlines()[-1]
    assert "--strict: warnings fail" in strict.stdout.decode().splitlines()[-1]


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda p: p.name)
def test_valid_fixture_passes_strict_with_no_diagnostic(path: Path) -> None:
    proc = run_guarded("validate", "--strict", str(path))
    assert_clean_output(proc)
    assert proc.returncode == 0, proc.stdout.decode()
    assert proc.stdout.decode().splitlines() == ["1 map checked, all valid: 0 errors, 0 warnings"]


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name)
def test_every_example_validates_with_strict(path: Path) -> None:
    proc = run_guarded("validate", "--strict", str(path))
    assert proc.returncode == 0, proc.stdout.decode()
    assert proc.stdout.decode().splitlines() == ["1 map checked, all valid: 0 errors, 0 warnings"]


def test_examples_exist() -> None:
    assert len(example_paths()) >= 3


# -- other output formats -----------------------------------------------------------------


def _all_expectations(folder: Path) -> dict[str, list[Expected]]:
    return {stem: read_expected(folder / f"{stem}.expected") for stem in fixture_ids(folder) if stem not in KNOWN_BUGS}


def test_json_format_reports_every_fixture_in_one_run() -> None:
    expectations = _all_expectations(INVALID)
    paths = [str(INVALID / f"{stem}.yaml") for stem in expectations]
    proc = run_guarded("validate", "--format", "json", *paths)
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    payload = json.loads(proc.stdout)
    assert [f["file"] for f in payload["files"]] == paths
    for entry in payload["files"]:
        stem = Path(entry["file"]).stem
        assert entry["valid"] is False
        assert entry["errors"] + entry["warnings"] == len(entry["diagnostics"])
        # The "~" lines quote messages as a terminal shows them, control characters escaped.
        found = [(d["line"], d["col"], d["severity"], d["rule"], printable(d["message"])) for d in entry["diagnostics"]]
        assert all(d["file"] == entry["file"] for d in entry["diagnostics"])
        assert_matches_expected(found, expectations[stem], stem)
    summary = payload["summary"]
    assert summary["maps"] == summary["invalid"] == len(paths)
    assert summary["errors"] == sum(1 for e in expectations.values() for x in e if x.severity == "error")
    assert summary["warnings"] == sum(1 for e in expectations.values() for x in e if x.severity == "warning")
    assert summary["strict"] is False


def test_json_format_under_strict_marks_warning_maps_invalid() -> None:
    paths = [str(p) for p in sorted(WARNINGS.glob("*.yaml"))] + [str(VALID / "minimal.yaml")]
    relaxed = json.loads(run_guarded("validate", "--format", "json", *paths).stdout)
    proc = run_guarded("validate", "--format=json", "--strict", *paths)
    strict = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [f["valid"] for f in relaxed["files"]] == [True] * len(paths)
    assert [f["valid"] for f in strict["files"]] == [False] * (len(paths) - 1) + [True]
    assert strict["summary"]["strict"] is True
    assert strict["summary"]["warnings"] == sum(
        len(read_expected(Path(p).with_suffix(".expected"))) for p in paths[:-1]
    )


def test_github_format_annotates_each_diagnostic() -> None:
    expectations = _all_expectations(INVALID)
    paths = [str(INVALID / f"{stem}.yaml") for stem in expectations]
    proc = run_guarded("validate", "--format", "github", *paths)
    assert_clean_output(proc)
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    annotations = [GITHUB_RE.match(line) for line in lines[:-1]]
    assert all(annotations), [line for line in lines[:-1] if not GITHUB_RE.match(line)]
    by_file: dict[str, list[tuple[int, int, str, str, str]]] = {}
    for a in annotations:
        assert a is not None
        message = a["message"].replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
        by_file.setdefault(a["file"], []).append((int(a["line"]), int(a["col"]), a["level"], a["rule"], message))
    for stem, expected in expectations.items():
        assert_matches_expected(by_file[str(INVALID / f"{stem}.yaml")], expected, stem)
    assert SUMMARY_RE.match(lines[-1])


def test_github_format_warnings_become_errors_only_under_strict() -> None:
    path = str(WARNINGS / "empty-stage.yaml")
    relaxed = run_guarded("validate", "--format", "github", path).stdout.decode().splitlines()
    strict = run_guarded("validate", "--format", "github", "--strict", path).stdout.decode().splitlines()
    assert relaxed[0].startswith(f"::warning file={path},line=13,col=5,")
    assert strict[0].startswith(f"::error file={path},line=13,col=5,")


def test_github_format_escapes_commas_and_colons_in_file_names(tmp_path: Path) -> None:
    odd = tmp_path / "a,b:c.yaml"
    odd.write_bytes((INVALID / "unknown-key.yaml").read_bytes())
    proc = run_guarded("validate", "--format", "github", str(odd))
    first = proc.stdout.decode().splitlines()[0]
    assert "file=" + str(tmp_path).replace(":", "%3A").replace(",", "%2C") + "/a%2Cb%3Ac.yaml,line=12,col=9," in first


def test_quiet_drops_the_summary_line() -> None:
    proc = run_guarded("validate", "--quiet", str(INVALID / "unknown-key.yaml"))
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 1 and LINE_RE.match(lines[0])
    assert run_guarded("validate", "-q", str(VALID / "minimal.yaml")).stdout == b""


# -- several maps, folders ------------------------------------------------------------------


def test_several_files_report_each_and_fail_if_one_fails() -> None:
    good, bad = str(VALID / "minimal.yaml"), str(INVALID / "version-2.yaml")
    proc = run_guarded("validate", good, bad)
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith(f"{bad}:1:7: error: ")
    # The invalid map's empty stage is a warning of the same run.
    assert lines[-1] == "2 maps checked, 1 invalid: 1 error, 1 warning"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_directory_validates_every_map_below_and_ignores_other_yaml(tmp_path: Path) -> None:
    minimal = (VALID / "minimal.yaml").read_text(encoding="utf-8")
    _write(tmp_path / "maps" / "a.yaml", minimal)
    _write(tmp_path / "maps" / "deep" / "b.yml", minimal.replace("title: Minimal", "title: B"))
    _write(tmp_path / "maps" / "deep" / "broken.yaml", (INVALID / "unknown-key.yaml").read_text(encoding="utf-8"))
    # Not maps: a CI config, a list, broken YAML without a jmap key, a text file.
    _write(tmp_path / "maps" / ".github" / "workflows" / "ci.yml", "on: push\njobs: {}\n")
    _write(tmp_path / "maps" / "ci.yaml", "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    _write(tmp_path / "maps" / "list.yaml", "- jmap: 1\n")
    _write(tmp_path / "maps" / "broken-other.yaml", "key: [unclosed\n\tthing: {\n")
    _write(tmp_path / "maps" / "notes.txt", "jmap: 1\n")
    proc = run_guarded("validate", "maps", cwd=tmp_path)
    assert_clean_output(proc)
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 1
    assert lines == [
        "maps/deep/broken.yaml:12:9: error: unknown key 'chanel' in a touchpoint (did you mean 'channel'?) [unknown-key]",
        "3 maps checked, 1 invalid: 1 error, 0 warnings",
    ]
    (tmp_path / "maps" / "deep" / "broken.yaml").unlink()
    proc = run_guarded("validate", "--strict", "maps", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.decode().splitlines() == ["2 maps checked, all valid: 0 errors, 0 warnings"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_special_files_below_a_folder_do_not_hang(tmp_path: Path) -> None:
    _write(tmp_path / "a.yaml", (VALID / "minimal.yaml").read_text(encoding="utf-8"))
    os.mkfifo(tmp_path / "pipe.yaml")
    try:
        # A hang guard, not a timing: a loaded machine must not fail it.
        proc = subprocess.run([*jmap_command(), "validate", str(tmp_path)], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("validating a folder holding a named pipe hangs")
    assert proc.returncode in (0, 1)
    assert b"Traceback" not in proc.stderr


def test_directory_finds_maps_written_in_flow_style(tmp_path: Path) -> None:
    flow = "{jmap: 1, title: Flow, channels: [{id: w, name: W}], stages: [{id: s, name: S, touchpoints: [{id: a, name: A, channel: w}]}]}\n"
    _write(tmp_path / "flow.yaml", flow)
    _write(tmp_path / "block.yaml", (VALID / "minimal.yaml").read_text(encoding="utf-8"))
    proc = run_guarded("validate", str(tmp_path))
    assert proc.returncode == 0
    assert proc.stdout.decode().splitlines()[-1] == "2 maps checked, all valid: 0 errors, 0 warnings"


def test_directory_of_fixtures_finds_the_maps_only() -> None:
    proc = run_guarded("validate", "--format", "json", str(VALID))
    payload = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert sorted(Path(f["file"]).name for f in payload["files"]) == sorted(p.name for p in VALID.glob("*.yaml"))


def test_directory_without_maps_is_a_usage_error(tmp_path: Path) -> None:
    _write(tmp_path / "ci.yaml", "on: push\n")
    proc = run_guarded("validate", str(tmp_path))
    assert proc.returncode == 2
    assert "no journey maps" in proc.stderr.decode()
    assert b"Traceback" not in proc.stderr


def test_a_file_named_explicitly_is_checked_even_without_jmap_key(tmp_path: Path) -> None:
    other = _write(tmp_path / "ci.yaml", "on: push\n")
    proc = run_guarded("validate", str(other))
    assert proc.returncode == 1
    assert f"{other}:1:1: error: " in proc.stdout.decode()
    assert "[missing-key]" in proc.stdout.decode()


# -- usage errors and internal errors --------------------------------------------------------


def test_missing_file_exits_2_with_a_clear_message() -> None:
    proc = run_guarded("validate", "no-such-map.yaml")
    assert proc.returncode == 2
    assert "no-such-map.yaml" in proc.stderr.decode()
    assert "no such file" in proc.stderr.decode().lower()
    assert b"Traceback" not in proc.stderr
    assert proc.stdout == b""


def test_missing_file_among_existing_ones_exits_2() -> None:
    proc = run_guarded("validate", str(VALID / "minimal.yaml"), "no-such-map.yaml")
    assert proc.returncode == 2
    assert "no-such-map.yaml" in proc.stderr.decode()


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "--bogus", "examples"),
        ("validate", "--format", "xml", "examples"),
        ("validate",),
        ("frobnicate",),
        ("--no-such-global-option",),
    ],
    ids=["unknown-option", "unknown-format", "no-path", "unknown-command", "unknown-global-option"],
)
def test_usage_errors_exit_2_with_a_message(args: tuple[str, ...]) -> None:
    proc = run_guarded(*args, cwd=ROOT)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "Error" in err or "error" in err
    assert "Traceback" not in err


def test_size_cap_gives_a_clear_message(tmp_path: Path) -> None:
    from jmap.format.loader import MAX_BYTES

    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.write(b"jmap: 1\n")
        handle.truncate(MAX_BYTES + 10)  # sparse: cheap on disk and in time
    proc = run_guarded("validate", str(big))
    assert_clean_output(proc)
    assert proc.returncode == 1
    line = proc.stdout.decode().splitlines()[0]
    assert line.startswith(f"{big}:1:1: error: ")
    assert line.endswith("[file-too-large]")
    assert f"{MAX_BYTES:,}" in line


def test_internal_error_in_the_real_cli_exits_3_without_traceback() -> None:
    """A bug anywhere in validation ends with the short report message."""
    code = (
        "import sys, jmap.format.validator as v\n"
        "def boom(self, root):\n    raise ZeroDivisionError('simulated bug')\n"
        "v._Checker.run = boom\n"
        "from jmap.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    path = str(VALID / "minimal.yaml")
    plain = subprocess.run([sys.executable, "-c", code, "validate", path], capture_output=True, timeout=HANG_TIMEOUT)
    assert plain.returncode == 3
    assert b"Traceback" not in plain.stderr
    assert b"please report" in plain.stderr
    debug = subprocess.run(
        [sys.executable, "-c", code, "--debug", "validate", path], capture_output=True, timeout=HANG_TIMEOUT
    )
    assert debug.returncode == 3
    assert b"Traceback" in debug.stderr and b"simulated bug" in debug.stderr


# -- hostile bytes ----------------------------------------------------------------------------


HOSTILE = [
    pytest.param(b"\xff\xfe\x00", id="truncated-utf16"),
    pytest.param(b"\x00" * 64, id="nul-bytes"),
    pytest.param(bytes(range(256)), id="every-byte"),
    pytest.param(b"[" * 100_000, id="unclosed-brackets"),
    pytest.param(b"{" * 30_000 + b"}" * 30_000, id="nested-braces"),
    pytest.param(b"- " * 30_000 + b"x\n", id="nested-block-sequence"),
    pytest.param(b"a: &a [*a]\n", id="self-alias"),
    pytest.param(b"jmap: 1\ntitle: !!binary not-base64!\n", id="bad-binary"),
    pytest.param(b"jmap: 1\ntitle: !!float nope\n", id="bad-float-tag"),
    pytest.param(b"jmap: 1\ntitle: !!map x\n", id="map-tag-on-scalar"),
    pytest.param(b"jmap: 1\n? !!python/name:os.system\n: x\n", id="python-name-key"),
    pytest.param(b"%YAML 1.1\n%TAG ! tag:evil,2000:\n---\n!x {}\n", id="tag-directive"),
    pytest.param(b"jmap: 1\ntitle: \x1b]0;pwned\x07\n", id="osc-title"),
    pytest.param("jmap: 1\ntitle: T\n\u202e: x\n".encode(), id="bidi-key"),
    pytest.param(b"jmap: 1\ntitle: " + b"\xe9" * 1000 + b"\n", id="latin1-run"),
    pytest.param(b"jmap: 1\nstages:\n" + b"  - id: s\n    name: S\n" * 20_000, id="many-stages"),
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_bytes_get_positioned_errors_and_exit_1(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    proc = run_guarded("validate", str(path))
    assert_clean_output(proc)
    assert proc.returncode == 1, proc.stdout.decode()[-2000:]
    matches, _ = parse_text(proc.stdout)
    assert matches, "at least one positioned diagnostic"
    assert all(int(m["line"]) >= 1 and int(m["col"]) >= 1 for m in matches)


def _many_typos_map(count: int) -> str:
    lines = ["jmap: 1", "title: Many typos", "channels: [{id: web, name: W}]", "stages:", "  - id: s", "    name: S"]
    lines.append("    touchpoints:")
    for i in range(count):
        lines += [f"      - id: touchpoint-{i}", f"        name: T{i}", "        channel: web"]
        lines.append(f"        next: [touchpont-{i}]")
    return "\n".join(lines) + "\n"


def test_a_big_valid_map_validates_quickly(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    lines = ["jmap: 1", "title: Big", "channels: [{id: web, name: W}]", "stages:", "  - id: s", "    name: S"]
    lines.append("    touchpoints:")
    for i in range(5000):
        lines += [
            f"      - id: t{i}",
            f"        name: T{i}",
            "        channel: web",
            f"        next: [t{(i + 7) % 5000}]",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_guarded("validate", "--strict", str(path))
    assert proc.returncode == 0, proc.stdout.decode()[-500:]


def test_many_unresolved_references_do_not_hang(tmp_path: Path) -> None:
    path = tmp_path / "typos.yaml"
    path.write_text(_many_typos_map(1000), encoding="utf-8")
    try:
        # A hang guard, not a timing (it takes about 2 s on an idle 2-core
        # machine): the speed is bench/'s to measure, against its floor.
        proc = subprocess.run([*jmap_command(), "validate", str(path)], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("1,000 unresolved references took more than 60 s")
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert lines[-1] == (
        "1 map checked, 1 invalid: 100 errors, 0 warnings; "
        "stopped after 100 problems in 1 map, fix those and run again to see the rest"
    )
    assert len(lines) == 101


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_non_utf8_terminal_gets_the_diagnostics_not_an_internal_error(fmt: str) -> None:
    proc = subprocess.run(
        [*jmap_command(), "validate", "--format", fmt, str(INVALID / "utf16-bom.yaml")],
        capture_output=True,
        timeout=HANG_TIMEOUT,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert proc.returncode == 1, proc.stderr.decode()
    assert b"unknown key 'priorit" in proc.stdout


def test_control_characters_are_escaped_in_text_output() -> None:
    proc = run_guarded(
        "validate",
        str(INVALID / "control-chars.yaml"),
        str(INVALID / "bidi-override-key.yaml"),
        str(INVALID / "escaped-control-key.yaml"),
    )
    assert_clean_output(proc)
    assert "x\\u202egnp.exe" in proc.stdout.decode()
    assert "x\\x9b2J\\x1b[31m" in proc.stdout.decode()


@pytest.mark.parametrize("stem", ["bidi-override-key", "escaped-control-key"])
def test_control_characters_are_escaped_in_json_output(stem: str) -> None:
    proc = run_guarded("validate", "--format", "json", str(INVALID / f"{stem}.yaml"))
    assert_clean_output(proc)
    assert json.loads(proc.stdout)["files"][0]["diagnostics"][0]["rule"] == "unknown-key"


def test_run_jmap_helper_agrees_with_the_guarded_runner() -> None:
    """conftest's run_jmap drives the same console script."""
    proc = run_jmap("validate", str(VALID / "minimal.yaml"))
    assert proc.returncode == 0
    assert proc.stdout == run_guarded("validate", str(VALID / "minimal.yaml")).stdout


# -- ten megabytes of hostile YAML ---------------------------------------------------------


def _ten_megabytes(kind: str) -> bytes:
    head = b"jmap: 1\ntitle: T\nstages:\n  - id: s\n    name: S\n"
    if kind == "keys":
        body = b"".join(b"k%07d: v\n" % i for i in range(1_000_000))
    elif kind == "items":
        body = b"tags:\n" + b"".join(b"  - [x%d]\n" % i for i in range(1_000_000))
    else:  # one long line
        body = b"tags: [" + b",".join([b"[a]"] * 2_500_000) + b"]\n"
    return head + body


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["keys", "items", "one-line"])
def test_ten_megabytes_of_values_stop_early_in_bounded_memory(tmp_path: Path, kind: str) -> None:
    """A 10 MB file of a million keys (or items, or one long line) took up to
    66 s and 2.3 GB and printed millions of lines."""
    from jmap.format.diagnostics import MAX_PROBLEMS

    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(_ten_megabytes(kind))
    measure = (
        "import resource, subprocess, sys\n"
        "proc = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stderr.buffer.write(proc.stdout)\n"
        "print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", measure, *jmap_command(), "validate", str(path)],
        capture_output=True,
        timeout=120,  # a hang guard, not a timing: the figures are in the CHANGELOG
    )
    code, peak_kib = (int(x) for x in proc.stdout.split())
    lines = proc.stderr.decode().splitlines()
    assert code == 1
    assert len(lines) <= MAX_PROBLEMS + 1
    assert "[file-too-large]" in lines[0] and "1,000,000 YAML values" in lines[0]
    assert peak_kib < 600 * 1024, f"peak memory {peak_kib // 1024} MiB"


# -- every slip in one pass ----------------------------------------------------------------

ACCOUNT_OPENING = """\
jmap: 1
title: Ouverture de compte
lang: fr
personas:
  - {id: claire, name: Claire}
channels:
  - {id: web, name: Site web}
stages:
  - id: demande
    name: Demande
   goal: Ouvrir un compte
    touchpoints:
      - id: formulaire
        name Formulaire
        channel: web
      - id: carte-courrier
        name: Carte par courrier
        channel: webb
        emotion: 3
        duration: 2 jours
"""


def test_yaml_slips_and_the_mistakes_after_them_come_in_one_run(tmp_path: Path) -> None:
    """Too shallow by one space, a key without its colon, then three mistakes of
    meaning: one run reports all five, each where it is in the file."""
    path = tmp_path / "compte.yaml"
    path.write_text(ACCOUNT_OPENING, encoding="utf-8")
    proc = run_guarded("validate", str(path))
    assert proc.returncode == 1
    assert_clean_output(proc)
    matches, lines = parse_text(proc.stdout)
    found = [(int(m["line"]), int(m["col"]), m["rule"]) for m in matches]
    assert found == [
        (11, 4, "yaml-indentation"),
        (14, 9, "yaml-missing-colon"),
        (18, 18, "unknown-reference"),
        (19, 18, "emotion-range"),
        (20, 19, "invalid-duration"),
    ]
    assert "indented 1 space less than 'name' on line 10" in matches[0]["message"]
    assert "did not find expected" not in proc.stdout.decode()
    for match in matches[2:]:
        assert match["message"].endswith("(found after repairing lines 11 and 14 in memory)")
    assert "(unknown unit 'jours': write '2d')" in matches[4]["message"]
    assert lines[-1] == "1 map checked, 1 invalid: 5 errors, 0 warnings"


def test_a_named_pipe_given_as_the_map_is_refused_at_once(tmp_path) -> None:
    """`jmap validate` never waits for a writer: a FIFO is not a map file."""
    import os
    import subprocess

    from support import jmap_command

    pipe = tmp_path / "map.yaml"
    os.mkfifo(pipe)
    done = subprocess.run([*jmap_command(), "validate", str(pipe)], capture_output=True, timeout=60, check=False)
    assert done.returncode == 1
    assert b"map.yaml:1:1: error: this is a named pipe, socket or device, not a file" in done.stderr + done.stdout

"""`jmap import mermaid` on hostile input: a clear answer or a valid map, never
an internal error (exit 3) and never a map that `validate` then refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support import run_jmap

from jmap.format.validator import load_text

TASKS = "journey\n  section Visit\n    Browse: 4: Ana\n"


def _imported(proc) -> dict:
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode()
    result = load_text(text, "imported.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.mark.parametrize(
    "front",
    [
        pytest.param("title: 2024-13-01", id="impossible-date"),
        pytest.param("title: !!int abc", id="int-tag-on-text"),
        pytest.param("title: !!bool maybe", id="bool-tag-on-text"),
        pytest.param("title: " + "9" * 5_000, id="5000-digit-number"),
        pytest.param("title: " + "[" * 2_000 + "]" * 2_000, id="2000-nested-brackets"),
        pytest.param("title: {a: [b, {c: d}]}", id="mapping-title"),
    ],
)
def test_odd_front_matter_never_ends_in_an_internal_error(tmp_path: Path, front: str) -> None:
    path = tmp_path / "journey.mmd"
    path.write_text(f"---\n{front}\n---\n{TASKS}", encoding="utf-8")
    proc = run_jmap("import", "mermaid", str(path))
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr
    if proc.returncode == 0:
        # A scalar title is kept as written (a date or a number is that text);
        # anything else is no title: the file's name.
        assert _imported(proc)["title"] in ("journey", front.removeprefix("title: "))
    else:
        assert proc.stderr.decode().startswith(f"{path}:1:1: error: the front matter is not valid YAML")


def test_a_5000_digit_score_is_a_score_error(tmp_path: Path) -> None:
    path = tmp_path / "journey.mmd"
    path.write_text(f"journey\n  section S\n    Pay: {'3' * 5_000}: Ana\n", encoding="utf-8")
    proc = run_jmap("import", "mermaid", str(path))
    assert proc.returncode == 1, proc.stderr.decode()
    line = proc.stderr.decode().splitlines()[0]
    assert line.startswith(f"{path}:3:10: error: task 'Pay' has score '333")
    assert line.endswith("expected a whole number from 1 to 5 [mermaid-score]")


@pytest.mark.slow
def test_many_tasks_of_one_name_get_unique_ids() -> None:
    """20,000 tasks named alike took 20 s (each id tried 2, 3, 4… in turn)."""
    count = 20_000
    text = "journey\n  section S\n" + "    Pay: 3\n" * count
    proc = run_jmap("import", "mermaid", "-", input=text.encode())
    ids = [tp["id"] for tp in _imported(proc)["stages"][0]["touchpoints"]]
    assert len(set(ids)) == count
    assert ids[:3] == ["pay", "pay-2", "pay-3"] and ids[-1] == f"pay-{count}"


def test_non_utf8_standard_input_is_refused_like_a_file(tmp_path: Path) -> None:
    data = b"journey\n  section S\n    Caf\xe9: 3\n"
    path = tmp_path / "latin1.mmd"
    path.write_bytes(data)
    from_file = run_jmap("import", "mermaid", str(path))
    from_stdin = run_jmap("import", "mermaid", "-", input=data)
    assert from_file.returncode == from_stdin.returncode == 1
    assert from_file.stderr.decode().strip() == f"jmap: error: {path}: the file is not UTF-8 text"
    assert from_stdin.stderr.decode().strip() == "jmap: error: <stdin>: the input is not UTF-8 text"
    assert from_stdin.stdout == b""

"""`jmap diff` as users and git call it: files, REV:PATH, formats, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support import EXAMPLES, jmap_command, run_jmap
from support.tools import require

CLINIC = EXAMPLES / "service-clinic.yaml"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        check=True,
        text=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose history has two versions of a map."""
    require("git")
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "maps").mkdir()
    target = tmp_path / "maps" / "clinic.yaml"
    shutil.copy(CLINIC, target)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    text = target.read_text(encoding="utf-8")
    assert "severity: high" in text
    target.write_text(text.replace("severity: high", "severity: critical", 1), encoding="utf-8")
    return tmp_path


def test_equal_files_exit_0(tmp_path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text("# reformatted copy\n" + CLINIC.read_text(encoding="utf-8"), encoding="utf-8")
    done = run_jmap("diff", str(CLINIC), str(copy))
    assert done.returncode == 0, done.stderr
    assert b"no semantic changes" in done.stdout


def test_different_files_exit_1_in_every_format(repo) -> None:
    old = repo / "old.yaml"
    shutil.copy(CLINIC, old)
    new = repo / "maps" / "clinic.yaml"
    for fmt in ("text", "md", "json"):
        done = run_jmap("diff", str(old), str(new), "--format", fmt)
        assert done.returncode == 1, done.stderr
        assert done.stderr == b""
        if fmt == "json":
            document = json.loads(done.stdout)
            assert document["equal"] is False and document["summary"] == {"severity": 1}
        elif fmt == "md":
            assert done.stdout.startswith(b"### Journey map changes: ")
            assert b"high \xe2\x86\x92 critical" in done.stdout
        else:
            assert b"high \xe2\x86\x92 critical" in done.stdout


def test_rev_path_reads_from_git(repo) -> None:
    done = run_jmap("diff", "HEAD:maps/clinic.yaml", "maps/clinic.yaml", cwd=repo)
    assert done.returncode == 1, done.stderr
    assert b"--- HEAD:maps/clinic.yaml" in done.stdout and b"critical" in done.stdout
    same = run_jmap("diff", "main:maps/clinic.yaml", "HEAD:maps/clinic.yaml", cwd=repo)
    assert same.returncode == 0, same.stderr


def test_an_existing_file_wins_over_rev_path(repo) -> None:
    odd = repo / "HEAD:maps"
    odd.mkdir()
    (odd / "clinic.yaml").write_text((repo / "maps" / "clinic.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    done = run_jmap("diff", "HEAD:maps/clinic.yaml", "maps/clinic.yaml", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr


def test_missing_file_and_unknown_revision_are_usage_errors(repo) -> None:
    for args in (
        ("nope.yaml", "maps/clinic.yaml"),
        ("no-such-rev:maps/clinic.yaml", "maps/clinic.yaml"),
        ("HEAD:maps/absent.yaml", "maps/clinic.yaml"),
        ("--output=x:maps/clinic.yaml", "maps/clinic.yaml"),
    ):
        done = run_jmap("diff", "--", *args, cwd=repo)
        assert done.returncode == 2, (args, done.stderr)
        assert b"Traceback" not in done.stderr and done.stderr.strip()


def test_invalid_map_gets_positioned_diagnostics(tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        CLINIC.read_text(encoding="utf-8").replace("severity: high", "severity: hgih", 1), encoding="utf-8"
    )
    done = run_jmap("diff", str(CLINIC), str(broken))
    assert done.returncode == 1
    assert f"{broken}:".encode() in done.stderr and b": error: " in done.stderr and b"[" in done.stderr


def test_git_textconv_and_difftool(repo) -> None:
    """The .gitattributes and config lines of docs/ci.md, run for real."""
    command = " ".join(jmap_command())
    (repo / ".gitattributes").write_text("maps/**/*.yaml diff=jmap\n", encoding="utf-8")
    git(repo, "config", "diff.jmap.textconv", f"{command} render -f md -o -")
    textconv = git(repo, "diff", "--", "maps/clinic.yaml")
    assert "Critical" in textconv or "critical" in textconv
    assert "| " in textconv  # the Markdown summary's tables, not the YAML
    git(repo, "config", "difftool.jmap.cmd", f'{command} diff "$LOCAL" "$REMOTE"')
    done = subprocess.run(
        ["git", "difftool", "--no-prompt", "--tool=jmap", "--", "maps/clinic.yaml"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "high → critical" in done.stdout, done.stderr


CARD = """\
jmap: 1
title: Ouverture de compte
lang: fr
stages:
  - id: carte
    name: Carte
    touchpoints:
      - {id: carte-courrier, name: Carte par courrier}
      - {id: code-pin, name: Code PIN}
"""


def test_an_insertion_shows_the_flows_it_adds_as_well_as_the_one_it_removes(tmp_path: Path) -> None:
    """The issue's case: `appel-conseiller` inserted between `carte-courrier`
    and `code-pin`. A reviewer must read the new path, not a broken journey."""
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(CARD, encoding="utf-8")
    new.write_text(
        CARD.replace(
            "      - {id: code-pin",
            "      - {id: appel-conseiller, name: Appel du conseiller}\n      - {id: code-pin",
        ),
        encoding="utf-8",
    )
    text = run_jmap("diff", str(old), str(new))
    assert text.returncode == 1
    out = text.stdout.decode()
    for line in (
        "flow carte-courrier → appel-conseiller added",
        "flow appel-conseiller → code-pin added",
        "flow carte-courrier → code-pin removed",
    ):
        assert line in out, out
    records = json.loads(run_jmap("diff", str(old), str(new), "--format", "json").stdout)["changes"]
    flows = sorted((r["kind"], r["id"], r["old"] or r["new"]) for r in records if r["section"] == "flow")
    assert flows == [
        ("edge-added", "appel-conseiller", "code-pin"),
        ("edge-added", "carte-courrier", "appel-conseiller"),
        ("edge-removed", "carte-courrier", "code-pin"),
    ]

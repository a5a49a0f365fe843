"""`jmap diff` on two folders or REV:DIR of a portfolio: maps added, removed
and renamed, shared personas and channels, links between maps, then each
changed map as for two files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from support import EXAMPLES, ROOT, run_jmap


def edited_copy(tmp_path: Path) -> Path:
    new = tmp_path / "new"
    shutil.copytree(EXAMPLES / "portfolio", new)
    portfolio = new / "jmap-portfolio.yaml"
    portfolio.write_text(
        portfolio.read_text(encoding="utf-8").replace("Inès, 41 ans", "Inès, 42 ans"), encoding="utf-8"
    )
    (new / "retours.yaml").rename(new / "retours-remboursements.yaml")
    parcours = new / "parcours.yaml"
    parcours.write_text(parcours.read_text(encoding="utf-8").replace("livraison/suivi-opaque, ", ""), encoding="utf-8")
    (new / "livraison.yaml").unlink()
    return new


def test_two_folders_of_a_portfolio(tmp_path: Path) -> None:
    new = edited_copy(tmp_path)
    run = run_jmap("diff", str(EXAMPLES / "portfolio"), str(new))
    out = run.stdout.decode()
    assert run.returncode == 1, run.stderr.decode()
    assert "  renamed retours (retours.yaml → retours-remboursements.yaml)" in out
    assert "  removed livraison (livraison.yaml)" in out
    assert "  persona ines: name “Inès, 41 ans” → “Inès, 42 ans”" in out
    assert "  parcours: addresses removed: opportunity suivi-unifie → livraison/suivi-opaque" in out
    # The shared persona's change is said once, not again in each map that names it.
    assert out.count("Inès, 42 ans") == 1
    assert f"+++ {new}/parcours.yaml" in out


def test_json_and_markdown(tmp_path: Path) -> None:
    new = edited_copy(tmp_path)
    data = json.loads(run_jmap("diff", "--format", "json", str(EXAMPLES / "portfolio"), str(new)).stdout)
    assert {(m["change"], m["id"]) for m in data["maps"]} == {("renamed", "retours"), ("removed", "livraison")}
    assert data["shared"][0]["id"] == "ines" and not data["equal"]
    md = run_jmap("diff", "--format", "md", str(EXAMPLES / "portfolio"), str(new)).stdout.decode()
    assert "\n#### Maps\n\n- renamed `retours`" in md


def test_the_same_folder_from_git_is_equal() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", "examples/portfolio/jmap-portfolio.yaml"], cwd=ROOT, capture_output=True
    )
    if tracked.returncode != 0:
        return  # a source tree without git: nothing to read a revision from
    dirty = subprocess.run(["git", "status", "--porcelain", "examples/portfolio"], cwd=ROOT, capture_output=True)
    run = run_jmap("diff", "HEAD:examples/portfolio", "examples/portfolio", cwd=ROOT)
    if not dirty.stdout.strip():
        assert run.returncode == 0, run.stdout.decode() + run.stderr.decode()
        assert run.stdout.decode().strip().endswith("no semantic changes")


def test_a_single_map_of_a_portfolio_diffs_with_its_shared_personas(tmp_path: Path) -> None:
    new = edited_copy(tmp_path)
    run = run_jmap("diff", str(EXAMPLES / "portfolio" / "parcours.yaml"), str(new / "parcours.yaml"))
    assert run.returncode == 1, run.stderr.decode()
    assert "cross_addresses of suivi-unifie" in run.stdout.decode()

"""The hooks of .pre-commit-hooks.yaml, run by the real `pre-commit` tool.

pre-commit installs a hook repository from git at a revision, so the test makes
a throw-away git repository of this project's current files (the working tree,
committed or not) and points a user repository at it: what runs is exactly
what a user of `repo: https://…/jmap` would get, built with pip from PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import EXAMPLES, ROOT, run_jmap
from support.tools import require

pytestmark = pytest.mark.slow

PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "LICENSE", "CHANGELOG.md")
PROJECT_DIRS = ("jmap",)
FORMATS = "html,md"


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def committed(repo: Path, message: str) -> str:
    assert git(repo, "add", "-A").returncode == 0
    done = git(repo, "commit", "-q", "-m", message)
    assert done.returncode == 0, done.stdout + done.stderr
    return git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    require("git")
    pytest.importorskip("pre_commit")
    repo = tmp_path_factory.mktemp("jmap-hooks")
    for name in PROJECT_FILES:
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, repo / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    assert git(repo, "init", "-q", "-b", "main").returncode == 0
    return repo, committed(repo, "jmap under test")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """pre-commit's cache, shared by the tests so the hook env is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_repo(tmp_path, hook_repo) -> Path:
    repo_path, rev = hook_repo
    repo = tmp_path / "user"
    (repo / "maps" / "team").mkdir(parents=True)
    shutil.copy(EXAMPLES / "service-clinic.yaml", repo / "maps" / "clinic.yaml")
    shutil.copy(EXAMPLES / "checkout-fr.yaml", repo / "maps" / "team" / "checkout.yaml")
    (repo / ".gitlab-ci.yml").write_text("test:\n  script: [echo on]\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n"
        f"  - repo: {repo_path}\n"
        f"    rev: {rev}\n"
        f"    hooks:\n"
        f"      - id: jmap-validate\n"
        f"      - id: jmap-build-check\n"
        f"        args: [maps, -o, renders, -f, '{FORMATS}']\n",
        encoding="utf-8",
    )
    assert git(repo, "init", "-q", "-b", "main").returncode == 0
    done = run_jmap("build", "maps", "-o", "renders", "-f", FORMATS, cwd=repo)
    assert done.returncode == 0, done.stderr
    (repo / ".gitignore").write_text("renders/.jmap-build.lock\n", encoding="utf-8")
    committed(repo, "maps and renders")
    return repo


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )


def test_hooks_pass_on_valid_maps_with_current_renders(user_repo, home) -> None:
    done = pre_commit(user_repo, home, "run", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validate journey maps" in done.stdout and "Passed" in done.stdout
    assert "check committed journey-map renders are current" in done.stdout


def test_commit_with_a_broken_map_is_refused_with_positions(user_repo, home) -> None:
    assert pre_commit(user_repo, home, "install").returncode == 0
    clinic = user_repo / "maps" / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8")
    clinic.write_text(text.replace("severity: high", "severity: hihg", 1), encoding="utf-8")
    git(user_repo, "add", "-A")
    env_home = {"PRE_COMMIT_HOME": str(home)}
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "broken"],
        cwd=user_repo,
        capture_output=True,
        text=True,
        env={**os.environ, **env_home},
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "maps/clinic.yaml:" in output and ": error: " in output and "hihg" in output
    assert "Traceback" not in output


def test_stale_renders_fail_the_build_check_hook(user_repo, home) -> None:
    clinic = user_repo / "maps" / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("title: ", "title: Renamed — ", 1), encoding="utf-8")
    git(user_repo, "add", "-A")
    done = pre_commit(user_repo, home, "run", "jmap-build-check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "stale: renders/clinic.html" in done.stdout
    validate = pre_commit(user_repo, home, "run", "jmap-validate")
    assert validate.returncode == 0, validate.stdout

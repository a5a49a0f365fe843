"""A new team's first day, end to end, as the documentation tells it.

A fresh clone of jmap pinned by its commit (there is no release tag yet), the
README's install without pipx (a virtual environment: ``pip install --user``
is refused on Debian 12 and Ubuntu 24.04), its quick start, the GitHub
Actions example of docs/ci.md and its pre-commit configuration. The commands
are read from the documents themselves, with ``OWNER``'s address and
``COMMIT`` filled in, so a document that drifts from what works fails here.

Offline: the wheels (jmap's, built from the pinned commit, its dependencies
and the build backend) are gathered once into a folder, and every install a
user would make runs with ``PIP_NO_INDEX`` from that folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import EXAMPLES, ROOT
from support.tools import require

from jmap import __version__

pytestmark = pytest.mark.slow

PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "CHANGELOG.md", "CONTRIBUTING.md")
PROJECT_DIRS = ("jmap", "docs")
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout.strip()


def sh(script: str, cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BASH, script], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def code_block(document: str, after: str) -> list[str]:
    """The command lines of the first ``sh`` block after the text ``after``
    (comments dropped)."""
    rest = document[document.index(after) :]
    block = re.search(r"```sh\n(.*?)```", rest, re.S)
    assert block, f"no sh block after {after!r}"
    lines = [line.split("  #")[0].rstrip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def pinned(tmp_path_factory) -> tuple[str, str, Path]:
    """jmap's repository as a user finds it: (its address, the commit to pin,
    a folder of every wheel an install needs)."""
    require("git")
    base = tmp_path_factory.mktemp("newcomer")
    origin = base / "origin" / "jmap"
    origin.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, origin / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, origin / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "renders"))
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "jmap under test")
    commit = git(origin, "rev-parse", "HEAD")
    address = f"file://{origin}"
    wheels = base / "wheels"
    # The one step that may use an index: what a user's pip would download.
    gathered = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "-w",
            str(wheels),
            f"jmap @ git+{address}@{commit}",
            "hatchling",
            "pip",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if gathered.returncode != 0:
        pytest.skip(f"cannot gather the wheels of an install: {gathered.stderr[-500:]}")
    return address, commit, wheels


def user_env(home: Path, wheels: Path, *path: Path) -> dict[str, str]:
    """A user's shell: their HOME, no network for pip, the system's programs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "PYTHON"))}
    system_path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if ".venv" not in p)
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join([*map(str, path), system_path]),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_CONFIG_FILE=os.devnull,
        NO_COLOR="1",
    )
    return env


def filled(text: str, address: str, commit: str) -> str:
    return text.replace("https://github.com/OWNER/jmap", address).replace("COMMIT", commit)


def test_readme_install_without_pipx_and_quick_start(pinned, tmp_path: Path) -> None:
    address, commit, wheels = pinned
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for block in re.findall(r"```sh\n(.*?)```", readme, re.S) for line in block.splitlines()]
    assert not [line for line in commands if "pip install --user" in line], "refused on an externally managed Python"
    home = tmp_path / "home"
    home.mkdir()
    env = user_env(home, wheels, home / ".local" / "bin")
    # "git clone https://github.com/OWNER/jmap": a fresh clone, then the venv install of the README.
    git(tmp_path, "clone", "-q", address, "jmap")
    for line in code_block(readme, "Without pipx"):
        done = sh(filled(line, address, commit), tmp_path, env)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    version = sh("jmap --version", tmp_path, env)
    assert version.stdout.strip() == f"jmap {__version__}", version.stderr
    # The quick start, in an empty folder.
    work = tmp_path / "work"
    work.mkdir()
    for line in code_block(readme, "Then:"):
        done = sh(line, work, env)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    assert (work / "out" / "checkout.html").is_file() and (work / "out" / "checkout.md").is_file()


def test_the_ci_example_pinned_by_commit_runs(pinned, tmp_path: Path) -> None:
    """docs/examples/github-workflow.yml, step by step, with its JMAP_PIP_SPEC
    pinned to the commit: install, validate, build, check, and the diff posted
    on a pull request (``gh`` recorded instead of called)."""
    address, commit, wheels = pinned
    workflow = (ROOT / "docs" / "examples" / "github-workflow.yml").read_text(encoding="utf-8")
    spec = re.search(r'JMAP_PIP_SPEC: "([^"]+)"', workflow)
    assert spec and "@COMMIT" in spec.group(1)
    runner = tmp_path / "runner"
    subprocess.run([sys.executable, "-m", "venv", str(runner)], check=True, timeout=300)
    # actions/setup-python brings a current pip; the venv module's own may be too old
    # to read a file:// address in a requirement (https:// addresses are fine).
    upgraded = subprocess.run(
        [str(runner / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index", "-f", str(wheels), "-U", "pip"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    stub = tmp_path / "stub"
    stub.mkdir()
    (stub / "gh").write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path}/gh-calls"\n', encoding="utf-8")
    (stub / "gh").chmod(0o755)
    env = user_env(tmp_path, wheels, runner / "bin", stub)
    env.update(
        JMAP_PIP_SPEC=filled(spec.group(1), address, commit),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        BASE_REF="main",
        PR_NUMBER="7",
    )
    # A team's repository: maps and their committed renders on main, then a pull request.
    repo = tmp_path / "team"
    (repo / "maps").mkdir(parents=True)
    shutil.copy(EXAMPLES / "service-clinic.yaml", repo / "maps" / "clinic.yaml")
    git(repo, "init", "-q", "-b", "main")
    runs = {step["name"]: step["run"] for step in yaml.safe_load(workflow)["jobs"]["maps"]["steps"] if "run" in step}
    install = runs["Install Graphviz and jmap"].replace("sudo apt-get", ": apt-get")
    done = sh(install, repo, env)
    assert done.returncode == 0, done.stdout + done.stderr
    version = sh("jmap --version", repo, env).stdout.strip()
    assert version == f"jmap {__version__} (commit {commit[:12]})"
    built = sh("jmap build maps/ -o docs/maps", repo, env)
    assert built.returncode == 0, built.stderr
    (repo / ".gitignore").write_text("docs/maps/.jmap-build.lock\nsite/\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "maps")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "fetch", "-q", "origin")
    git(repo, "checkout", "-q", "-b", "change")
    clinic = repo / "maps" / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("title: ", "title: Renamed — ", 1), encoding="utf-8")
    assert sh("jmap build maps/ -o docs/maps", repo, env).returncode == 0
    git(repo, "commit", "-q", "-am", "rename")
    for name in ("Validate (annotations on the changed lines)", "Build every map", "Committed renders are current"):
        done = sh(runs[name], repo, env)
        assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"
    done = sh(runs["Post what changed in the journeys"], repo, env)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "Renamed" in summary
    assert "pr comment 7 --body-file maps-diff.md" in (tmp_path / "gh-calls").read_text(encoding="utf-8")


def test_the_pre_commit_configuration_of_docs_ci_md_pinned_by_commit(pinned, tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    address, commit, wheels = pinned
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    config = re.search(r"```yaml\n(repos:\n.*?)```", ci, re.S)
    assert config and "rev: COMMIT" in config.group(1)
    repo = tmp_path / "team"
    (repo / "maps").mkdir(parents=True)
    shutil.copy(EXAMPLES / "checkout-fr.yaml", repo / "maps" / "checkout.yaml")
    (repo / ".pre-commit-config.yaml").write_text(filled(config.group(1), address, commit), encoding="utf-8")
    env = user_env(tmp_path, wheels, Path(sys.executable).parent)
    env.update(PRE_COMMIT_HOME=str(tmp_path / "cache"), PRE_COMMIT_COLOR="never")
    git(repo, "init", "-q", "-b", "main")
    built = sh(f"{Path(sys.executable).parent / 'jmap'} build maps/ -o docs/maps", repo, env)
    assert built.returncode == 0, built.stderr
    (repo / ".gitignore").write_text("docs/maps/.jmap-build.lock\n", encoding="utf-8")
    git(repo, "add", "-A")
    done = sh(f"{sys.executable} -m pre_commit run --all-files", repo, env, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validate journey maps" in done.stdout and "Passed" in done.stdout

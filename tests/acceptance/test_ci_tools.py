"""With `CI` set, a test that needs a missing program fails instead of
skipping: a CI image that lost Graphviz, Node.js or git must not pass by
checking less. Locally the same test is skipped with the reason.

Each case runs pytest on one real test of the suite with a PATH that holds
none of those programs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

CASES = [
    pytest.param("tests/unit/test_dot_runner.py::test_graphviz_version_is_asked_from_dot", "Graphviz", id="dot"),
    pytest.param("tests/mermaid/test_mermaid_real_parser.py::test_golden_exports_parse", "Node.js", id="node"),
    pytest.param("tests/acceptance/test_diff_cli.py::test_rev_path_reads_from_git", "git", id="git"),
]


def run_without_programs(test: str, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["PATH"] = str(Path(sys.executable).parent)  # python and pytest, no dot, node or git
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsf", test],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(("test", "program"), CASES)
def test_a_missing_program_fails_in_ci_and_skips_locally(test: str, program: str) -> None:
    assert (ROOT / test.split("::")[0]).is_file()
    in_ci = run_without_programs(test, ci=True)
    assert in_ci.returncode == 1, in_ci.stdout
    # Failed in a fixture, pytest counts it as an error: either way the run fails.
    assert re.search(r"\b1 (failed|error)\b", in_ci.stdout) and program in in_ci.stdout
    locally = run_without_programs(test, ci=False)
    assert locally.returncode == 0, locally.stdout
    assert "1 skipped" in locally.stdout and program in locally.stdout


# -- pinning: what the documents pin must exist -------------------------------------------

PINNING_DOCS = (
    "README.md",
    "CONTRIBUTING.md",
    "docs/ci.md",
    "docs/examples/github-workflow.yml",
    "docs/examples/gitlab-ci.yml",
    ".pre-commit-hooks.yaml",
)


def test_documents_pin_a_commit_or_a_tag_that_exists() -> None:
    """`@v0.1.0` and `rev: v0.1.0` failed for every new user: the repository had no
    such tag. A pin is the COMMIT placeholder (explained where it appears) or an
    existing tag."""
    tags = set(subprocess.run(["git", "tag", "-l"], cwd=ROOT, capture_output=True, text=True).stdout.split())
    for name in PINNING_DOCS:
        text = (ROOT / name).read_text(encoding="utf-8")
        pins = re.findall(r"(?:/jmap@|rev: )([\w.]+)", text)
        for pin in pins:
            assert pin in ("COMMIT", "vX.Y.Z") or pin in tags, f"{name} pins {pin!r}, which is no tag"
        if pins:
            assert "COMMIT" in text and re.search(r"full (?:commit )?SHA", text), f"{name}: COMMIT not explained"


def test_owner_is_explained_in_one_sentence_where_it_first_appears() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.index("OWNER")
    sentence = readme[readme.rfind(".", 0, first) + 1 : readme.index(".", first)]
    assert "`OWNER` stands for the GitHub account or organisation" in " ".join(sentence.split())


def test_contributing_documents_the_release_procedure() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "`__version__` in `jmap/__init__.py`" in text
    assert "## Unreleased" in text and "git tag -a vX.Y.Z" in text
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and 'path = "jmap/__init__.py"' in pyproject


def test_version_names_the_commit_pip_installed_from() -> None:
    """`jmap --version` says which commit a team pinned (PEP 610's direct_url.json)."""
    from jmap import __version__, commit_of

    sha = "5166741d899b979b53051b9e2f520d798ee5641f"
    assert (
        commit_of(f'{{"url": "https://github.com/acme/jmap", "vcs_info": {{"vcs": "git", "commit_id": "{sha}"}}}}')
        == sha
    )
    assert commit_of('{"url": "file:///src/jmap", "dir_info": {}}') is None
    assert commit_of(None) is None and commit_of("not json") is None
    proc = subprocess.run([sys.executable, "-m", "jmap", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith(f"jmap {__version__}")

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

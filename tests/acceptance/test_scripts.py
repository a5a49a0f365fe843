"""The contributor scripts: set-up refuses an old Python before installing
anything, and the test command skips a set-up that is already done."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from support import ROOT


def _executable(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_setup_refuses_an_old_python_before_installing_anything(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "calls"
    _executable(fake / "python3.9", 'case "$*" in --version) echo "Python 3.9.2";; *) exit 1;; esac\n')
    for tool in ("apt-get", "apt-cache", "npm"):
        _executable(fake / tool, f'echo "{tool} $*" >> "{calls}"\n')
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "PYTHON": str(fake / "python3.9")},
        timeout=60,
    )
    assert proc.returncode == 1
    assert "needs Python 3.11 or newer; Python 3.9.2 found" in proc.stderr
    assert not calls.exists(), "nothing may be installed on a machine whose Python is too old"


def test_setup_waits_for_the_package_manager_lock() -> None:
    script = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "DPkg::Lock::Timeout=600" in script
    assert "apt-get install" not in script.replace('"${APT[@]}" install', ""), "every apt-get goes through APT"


def _copy_project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copytree(ROOT / "jmap", copy / "jmap", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    (copy / ".venv" / "bin").mkdir(parents=True)
    _executable(copy / ".venv" / "bin" / "jmap", "exit 0\n")
    return copy


def _stamp(copy: Path, action: str) -> int:
    return subprocess.run(["bash", str(copy / "scripts" / "setup-stamp.sh"), action], timeout=30).returncode


def test_a_set_up_already_done_is_recognised_and_a_code_change_only_needs_the_wheel(tmp_path: Path) -> None:
    copy = _copy_project(tmp_path)
    assert _stamp(copy, "check") != 0, "never set up"
    assert _stamp(copy, "write") == 0
    assert _stamp(copy, "check") == 0 and _stamp(copy, "package") == 0
    model = copy / "jmap" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert _stamp(copy, "check") == 0, "a code change does not redo the set-up"
    assert _stamp(copy, "package") != 0, "...but reinstalls the wheel"
    setup = copy / "scripts" / "setup.sh"
    setup.write_text(setup.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert _stamp(copy, "check") != 0, "a change of the set-up redoes it"


def test_the_fixtures_expected_diagnostics_are_those_the_script_writes() -> None:
    """The .expected files of tests/fixtures are regenerated, not kept by hand:
    after a change of a check, run scripts/regen_fixtures.py and review the diff."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "regen_fixtures.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_setup_says_what_it_is_doing_and_how_long_the_slow_steps_take() -> None:
    """Every slow command of the set-up (apt, pip, npm, the first renders) runs
    inside a step that announces it with its usual duration and reports its time."""
    lines = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8").splitlines()
    slow = ('"${APT[@]}" install', '"${APT[@]}" update', "pip install", "npm ci", "jmap render")
    open_step: str | None = None
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("step ") and "(usually" not in stripped:
            assert re.search(r'step "[^"]+" "[^"]*\d[^"]*"', stripped), f"a step without its usual duration: {line}"
            open_step = stripped
        elif stripped == "step_done":
            open_step = None
        elif any(command in stripped for command in slow) and not stripped.startswith("#"):
            assert open_step is not None, f"slow and silent: {line}"
    assert 'echo "setup: done in $((SECONDS - SETUP_START)) s.' in "\n".join(lines)


def test_readme_says_what_the_test_command_runs_and_how_long_it_takes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Contributing") : readme.index("## What the renders look like")]
    paragraph = section[section.index("`bash scripts/test.sh` runs") :].split("\n\n")[0]
    for tool in ("ruff", "mypy", "pytest"):
        assert tool in paragraph
    assert re.search(r"takes about \S+ minutes on a 2-core machine", " ".join(paragraph.split()))
    assert "about 2–3 minutes" in section  # the set-up's time too

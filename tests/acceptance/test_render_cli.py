"""`jmap render` as docs/cli.md describes it, driven through the real command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import EXAMPLES, example_paths, run_jmap
from support.tools import require

CHECKOUT = EXAMPLES / "checkout-fr.yaml"
BROKEN = "jmap: 1\ntitle: Broken\nstages:\n  - id: s\n    name: S\n    duration: 1:30\n"


def test_default_formats_are_svg_html_md(tmp_path) -> None:
    require("dot")
    proc = run_jmap("render", str(CHECKOUT), "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkout-fr.html", "checkout-fr.md", "checkout-fr.svg"]


def test_stem_drops_only_the_final_yaml_suffix(tmp_path) -> None:
    source = tmp_path / "journey.v2.yml"
    shutil.copy(CHECKOUT, source)
    proc = run_jmap("render", str(source), "-f", "dot,md", "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["journey.v2.dot", "journey.v2.md"]


def test_dash_writes_one_format_of_one_map_to_stdout() -> None:
    proc = run_jmap("render", str(CHECKOUT), "-f", "md", "-o", "-")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode("utf-8").startswith("#")


def test_dash_with_two_formats_is_a_usage_error() -> None:
    proc = run_jmap("render", str(CHECKOUT), "-f", "md,dot", "-o", "-")
    assert proc.returncode == 2
    assert b"exactly one map and one format" in proc.stderr


@pytest.mark.parametrize("formats", ["gif", "svg,jpeg", ""])
def test_unsupported_format_is_a_usage_error(tmp_path, formats) -> None:
    proc = run_jmap("render", str(CHECKOUT), "-f", formats, "-o", str(tmp_path))
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())


def test_invalid_map_is_not_rendered_but_its_neighbours_are(tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    out = tmp_path / "out"
    proc = run_jmap("render", str(broken), str(CHECKOUT), "-f", "md", "-o", str(out))
    assert proc.returncode == 1
    stderr = proc.stderr.decode()
    assert f"{broken}:6:15: error:" in stderr
    assert "[invalid-duration]" in stderr
    assert sorted(p.name for p in out.iterdir()) == ["checkout-fr.md"]


def test_failed_run_leaves_earlier_outputs_intact(tmp_path) -> None:
    source = tmp_path / "map.yaml"
    shutil.copy(CHECKOUT, source)
    assert run_jmap("render", str(source), "-f", "md", "-o", str(tmp_path)).returncode == 0
    before = (tmp_path / "map.md").read_bytes()
    source.write_text(BROKEN, encoding="utf-8")
    assert run_jmap("render", str(source), "-f", "md", "-o", str(tmp_path)).returncode == 1
    assert (tmp_path / "map.md").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.md", "map.yaml"], "no temporary file left behind"


def test_same_output_twice_is_byte_identical(tmp_path) -> None:
    for run in ("a", "b"):
        assert run_jmap("render", str(CHECKOUT), "-f", "dot,html,md,mmd", "-o", str(tmp_path / run)).returncode == 0
    for name in os.listdir(tmp_path / "a"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_unknown_persona_fails_that_map_with_a_suggestion(tmp_path) -> None:
    proc = run_jmap("render", str(CHECKOUT), "--persona", "sophei", "-f", "dot", "-o", str(tmp_path))
    assert proc.returncode == 1
    assert b"unknown persona 'sophei'" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_two_maps_with_the_same_stem_are_refused(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(CHECKOUT, tmp_path / "a" / "map.yaml")
    shutil.copy(CHECKOUT, tmp_path / "b" / "map.yaml")
    proc = run_jmap(
        "render",
        str(tmp_path / "a" / "map.yaml"),
        str(tmp_path / "b" / "map.yaml"),
        "-f",
        "md",
        "-o",
        str(tmp_path / "out"),
    )
    assert proc.returncode == 2
    assert not (tmp_path / "out").exists()
    # The build's wording for the same mistake (one message).
    assert b"would both write map.*: rename one of them or render them into different folders" in proc.stderr


def test_a_bad_dot_timeout_setting_is_the_users_mistake(tmp_path) -> None:
    proc = run_jmap("render", str(CHECKOUT), "-f", "svg,md", "-o", str(tmp_path), env={"JMAP_DOT_TIMEOUT": "abc"})
    assert proc.returncode == 1, "a user error, not an internal error (3)"
    stderr = proc.stderr.decode()
    assert "JMAP_DOT_TIMEOUT must be a number of seconds greater than 0, not 'abc'" in stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert (tmp_path / "checkout-fr.md").is_file(), "the other formats are still written"


def test_missing_dot_fails_svg_with_one_clear_line_and_still_writes_dot(tmp_path) -> None:
    env_path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if not (os.path.exists(os.path.join(p, "dot")))
    )
    proc = run_jmap("render", str(CHECKOUT), "-f", "dot,svg", "-o", str(tmp_path), env={"PATH": env_path})
    assert proc.returncode == 1
    stderr = proc.stderr.decode()
    assert "Traceback" not in stderr
    assert "dot" in stderr and "install" in stderr
    assert (tmp_path / "checkout-fr.dot").is_file()
    assert not (tmp_path / "checkout-fr.svg").exists()


def test_version_and_help() -> None:
    version = run_jmap("--version")
    assert version.returncode == 0 and version.stdout.startswith(b"jmap ")
    for verb in ("validate", "render", "build", "diff", "init", "schema", "import", "import mermaid"):
        proc = run_jmap(*verb.split(), "--help")
        assert proc.returncode == 0, verb
        assert b"Example" in proc.stdout, f"{verb} --help has no example"


# -- the machine refuses ---------------------------------------------------------


def test_a_full_disk_is_reported_with_the_file_name(tmp_path: Path) -> None:
    """ENOSPC comes from write(), which knows no file name: the message must
    still say which output could not be written."""
    code = (
        "import errno, os, sys\n"
        "def full(fd):\n    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
        "os.fsync = full\n"
        "from jmap.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    example = example_paths()[0]
    proc = subprocess.run(
        [sys.executable, "-c", code, "render", "-f", "md", "-o", str(tmp_path), str(example)],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 1
    target = tmp_path / f"{example.stem}.md"
    assert proc.stderr.decode().strip().endswith(f"{target}: No space left on device")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_build_takes_upper_case_yaml_as_render_does(tmp_path: Path) -> None:
    src = tmp_path / "maps"
    src.mkdir()
    (src / "LEGACY.YAML").write_bytes(example_paths()[0].read_bytes())
    (src / "other.Yml").write_bytes(example_paths()[1].read_bytes())
    proc = run_jmap("build", str(src), "-o", str(tmp_path / "out"), "-f", "md")
    assert proc.returncode == 0, proc.stderr.decode()
    assert (tmp_path / "out" / "LEGACY.md").is_file()
    assert (tmp_path / "out" / "other.md").is_file()

"""`jmap build` as a CI job runs it: the real command on the example maps."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
from support import EXAMPLES, example_paths, run_jmap

FAST = "html,md,mmd"


@pytest.fixture
def maps(tmp_path: Path) -> Path:
    """The examples, spread over folders as a team would keep them."""
    src = tmp_path / "maps"
    for i, path in enumerate(example_paths()):
        folder = src / ("" if i == 0 else f"team-{i}")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / path.name)
    (src / "team-1" / ".gitlab-ci.yml").write_text("stages: [test]\n", encoding="utf-8")
    return src


def outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_build_then_check_then_no_change(maps, tmp_path) -> None:
    out = tmp_path / "site"
    done = run_jmap("build", str(maps), "-o", str(out), "-f", FAST, env={"CI": "true"})
    assert done.returncode == 0, done.stderr
    assert b"\r" not in done.stderr  # plain log lines in CI, no progress bar
    built = outputs(out)
    for i, path in enumerate(example_paths()):
        stem = path.stem if i == 0 else f"team-{i}/{path.stem}"
        assert {f"{stem}.html", f"{stem}.md", f"{stem}.mmd"} <= set(built)
    page = built["index.html"].decode()
    assert page.count("status-valid") + page.count("status-warnings") >= len(example_paths())

    check = run_jmap("build", str(maps), "-o", str(out), "-f", FAST, "--check")
    assert check.returncode == 0, check.stdout + check.stderr

    again = run_jmap("build", str(maps), "-o", str(out), "-f", FAST, "-j", "2")
    assert again.returncode == 0
    assert f"{len(example_paths())} unchanged, 0 to render".encode() in again.stdout
    assert outputs(out) == built


def test_check_lists_what_is_stale(maps, tmp_path) -> None:
    out = tmp_path / "site"
    assert run_jmap("build", str(maps), "-o", str(out), "-f", FAST).returncode == 0
    first = sorted(maps.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("title: ", "title: New — ", 1), encoding="utf-8")
    done = run_jmap("build", str(maps), "-o", str(out), "-f", FAST, "--check")
    assert done.returncode == 1
    assert f"stale: {out / first.stem}.html (its map changed)\n".encode() in done.stdout
    assert f"stale: {out / 'index.html'} (a map changed, came or went)\n".encode() in done.stdout
    # It ends with the exact command to run, which makes the check pass.
    command = done.stderr.decode().splitlines()[-1].strip()
    assert command == f"jmap build {maps} -o {out} -f {FAST}"
    assert run_jmap(*shlex.split(command)[1:]).returncode == 0
    assert run_jmap("build", str(maps), "-o", str(out), "-f", FAST, "--check").returncode == 0


def test_check_reports_a_map_that_no_longer_validates_with_its_outputs(maps, tmp_path) -> None:
    out = tmp_path / "site"
    assert run_jmap("build", str(maps), "-o", str(out), "-f", FAST).returncode == 0
    first = sorted(maps.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("jmap: 1", "jmap: 1\nbogus: 2", 1), encoding="utf-8")
    done = run_jmap("build", str(maps), "-o", str(out), "-f", FAST, "--check")
    assert done.returncode == 1
    stdout, stderr = done.stdout.decode(), done.stderr.decode()
    assert f"{first}:" in stderr and "error: unknown key 'bogus'" in stderr
    for ext in FAST.split(","):
        assert f"stale: {out / first.stem}.{ext} (its map no longer validates)\n" in stdout
    assert "1 map could not be rendered (fix the errors above)" in stderr


def test_invalid_neighbour_is_reported_and_skipped(maps, tmp_path) -> None:
    out = tmp_path / "site"
    (maps / "broken.yaml").write_text("jmap: 1\ntitle: Broken\nstages: []\ncolor: #fff\n", encoding="utf-8")
    done = run_jmap("build", str(maps), "-o", str(out), "-f", FAST)
    assert done.returncode == 1
    assert f"{maps / 'broken.yaml'}:".encode() in done.stderr and b": error: " in done.stderr
    assert b"Traceback" not in done.stderr
    assert not (out / "broken.html").exists()
    assert len(list(out.rglob("*.html"))) == len(example_paths()) + 1  # the maps + the gallery


def test_usage_errors_exit_2(maps, tmp_path) -> None:
    assert run_jmap("build", str(tmp_path / "absent"), "-o", str(tmp_path / "o")).returncode == 2
    assert run_jmap("build", str(maps), "-o", str(tmp_path / "o"), "-f", "gif").returncode == 2
    assert run_jmap("build", str(maps), "-o", str(tmp_path / "o"), "-j", "0").returncode == 2


@pytest.mark.needs_dot
def test_default_formats_include_the_diagram(maps, tmp_path) -> None:
    out = tmp_path / "site"
    done = run_jmap("build", str(maps), "-o", str(out))
    assert done.returncode == 0, done.stderr
    first = example_paths()[0].stem
    for ext in ("svg", "html", "md", "mmd", "dot"):
        assert (out / f"{first}.{ext}").is_file()
    assert f'href="{first}.svg"'.encode() in (out / "index.html").read_bytes()


# -- no maps, and files that are almost maps ---------------------------------------


@pytest.mark.parametrize("check", [False, True])
def test_build_of_a_folder_without_maps_is_a_usage_error(tmp_path: Path, check: bool) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ci.yaml").write_text("on: push\n", encoding="utf-8")
    proc = run_jmap("build", str(tmp_path / "src"), "-o", str(tmp_path / "out"), *(["--check"] if check else []))
    assert proc.returncode == 2, proc.stderr.decode()
    assert "no journey maps under" in proc.stderr.decode()
    assert not (tmp_path / "out").exists(), "a refused build leaves no empty folder behind"


def _near_maps(src: Path) -> None:
    map_text = (EXAMPLES / "checkout-fr.yaml").read_text(encoding="utf-8")
    src.mkdir()
    (src / "good.yaml").write_text(map_text, encoding="utf-8")
    (src / "typo.yaml").write_text(map_text.replace("jmap: 1", "jamp: 1"), encoding="utf-8")
    (src / "forgot.yaml").write_text(map_text.replace("jmap: 1\n", ""), encoding="utf-8")
    (src / "ci.yaml").write_text("on: push\njobs: {}\n", encoding="utf-8")


@pytest.mark.parametrize("verb", ["validate", "render", "build"])
def test_files_that_are_almost_maps_are_named_with_a_warning(tmp_path: Path, verb: str) -> None:
    src = tmp_path / "maps"
    _near_maps(src)
    args = {"validate": [], "render": ["-f", "md", "-o", str(tmp_path / "r")], "build": ["-o", str(tmp_path / "b")]}
    proc = run_jmap(verb, str(src), *args[verb])
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode() + proc.stderr.decode()
    near = sorted(line for line in text.splitlines() if line.endswith("[near-map]"))
    assert len(near) == 2, text
    assert near[0].startswith(f"{src / 'forgot.yaml'}:") and "no 'jmap: 1' key" in near[0]
    assert near[1].startswith(f"{src / 'typo.yaml'}:") and "'jamp'" in near[1] and "did you mean 'jmap'" in near[1]
    assert "ci.yaml" not in text
    if verb == "validate":
        assert text.splitlines()[-1] == (
            "1 map checked, all valid: 0 errors, 2 warnings; 2 YAML files like a map not checked"
        )

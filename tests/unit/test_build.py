"""`jmap build` as a library call: outputs, gallery, cache, check and robustness."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import ROOT

import jmap.format.validator
import jmap.render.formats
from jmap.commands.build import build_maps
from jmap.errors import UsageError
from jmap.render.gallery import render_gallery
from jmap.repo.build import INDEX_NAME, BuildOptions
from jmap.repo.manifest import MANIFEST_NAME as CACHE_NAME
from jmap.repo.manifest import SCHEMA as CACHE_SCHEMA

FAST = ("html", "md", "mmd")


def map_text(title: str, stages: int = 2, severity: str = "high", extra: str = "") -> str:
    """A small valid map; ``stages`` stages of two touchpoints each."""
    lines = [
        "jmap: 1",
        f"title: {json.dumps(title)}",
        "owner: CX team",
        "tags: [web, checkout]",
        "personas:",
        "  - {id: sophie, name: Sophie}",
        "channels:",
        "  - {id: web, name: Website}",
        "stages:",
    ]
    for s in range(stages):
        lines += [f"  - id: s{s}", f"    name: Stage {s}", "    touchpoints:"]
        for t in range(2):
            lines += [
                f"      - id: t{s}-{t}",
                f"        name: Step {s}.{t}",
                f"        emotion: {(s + t) % 5 - 2}",
                "        channel: web",
            ]
    lines += [
        "        pain_points:",
        f"          - {{id: pp, name: Slow, severity: {severity}}}",
        "opportunities:",
        "  - {id: fix, name: Faster, addresses: [pp], status: idea}",
    ]
    return "\n".join(lines) + "\n" + extra


INVALID = "jmap: 1\ntitle: Broken\nstages:\n  - id: s\n    name: S\n    touchpoints:\n      - {id: a, name: A, channel: emial}\n"


def make_repo(root: Path) -> Path:
    """A folder of maps as users keep them: nested, with unrelated YAML around."""
    src = root / "maps"
    (src / "team-a").mkdir(parents=True)
    (src / "team-b" / "deep").mkdir(parents=True)
    (src / "checkout.yaml").write_text(map_text("Checkout"), encoding="utf-8")
    (src / "team-a" / "onboarding.yml").write_text(map_text("Onboarding", stages=3), encoding="utf-8")
    (src / "team-b" / "deep" / "support.yaml").write_text(map_text("Support — équipe"), encoding="utf-8")
    (src / "team-b" / "ci.yaml").write_text("name: not a map\non: [push]\n", encoding="utf-8")
    return src


class Log:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []

    def text(self) -> str:
        return "\n".join(self.out + self.err)


def build(
    src: Path,
    out: Path,
    *,
    check: bool = False,
    jobs: int | None = 1,
    formats=FAST,
    log: Log | None = None,
    strict: bool = False,
    templates_dir: Path | None = None,
    progress: bool | None = False,
) -> int:
    log = log or Log()
    return build_maps(
        src,
        out,
        jobs=jobs,
        check=check,
        formats=formats,
        strict=strict,
        templates_dir=templates_dir,
        progress=progress,
        echo=log.out.append,
        echo_err=log.err.append,
    )


def snapshot(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in (CACHE_NAME, ".jmap-build.lock")
    }


def patch_renders(monkeypatch, replacement):
    """Make builds (in-process, -j 1) render each map with
    ``replacement(jm, formats, real)``, which returns {format: bytes or RenderError}."""
    real = jmap.render.formats.render_each

    def patched(jm, formats, options=None):
        def real_one(jm, formats):
            return dict(real(jm, formats, options))

        yield from replacement(jm, formats, real_one).items()

    monkeypatch.setattr(jmap.render.formats, "render_each", patched)


@pytest.fixture
def count_renders(monkeypatch):
    """Counts the maps rendered (in-process builds, -j 1)."""
    calls: list[str] = []

    def counting(jm, formats, real):
        calls.append(jm.title)
        return real(jm, formats)

    patch_renders(monkeypatch, counting)
    return calls


def test_build_writes_every_format_keeping_folders(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    assert build(src, out) == 0
    files = set(snapshot(out))
    for stem in ("checkout", "team-a/onboarding", "team-b/deep/support"):
        for fmt in FAST:
            assert f"{stem}.{fmt}" in files
    assert INDEX_NAME in files
    assert not any("ci." in f for f in files)
    assert (out / "checkout.md").read_bytes() == jmap.render.formats.render_map(
        jmap.format.validator.load_file(src / "checkout.yaml").map, ("md",)
    )["md"]


def test_gallery_lists_each_map_with_links_and_counts(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    (src / "broken.yaml").write_text(INVALID, encoding="utf-8")
    build(src, out, formats=("html", "md", "mmd"))
    page = (out / INDEX_NAME).read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert 'href="team-b/deep/support.html"' in page and 'href="team-a/onboarding.md"' in page
    assert "Support — équipe" in page and "CX team" in page and "checkout</li>" in page
    row = page[page.index("team-a/onboarding.yml") - 200 :]
    assert re.search(r'class="num">3</td>\s*<td class="num">1</td>', row)
    assert "status-invalid" in page and "unknown channel" in page
    # The CSP hash really allows the style block (a wrong hash would unstyle the page).
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    import base64
    import hashlib

    expected = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{expected}'" in page


def test_gallery_escapes_user_text() -> None:
    from jmap.render.gallery import GalleryEntry

    hostile = GalleryEntry(
        rel="x/<b>.yaml",
        status="valid",
        title="<script>alert(1)</script>",
        owner='"><img>',
        tags=("<i>",),
        outputs=(("html", "x/<b>.html"),),
    )
    page = render_gallery([hostile]).decode()
    assert "<script>alert" not in page and "<img>" not in page and "<i>" not in page
    assert 'href="x/%3Cb%3E.html"' in page


def test_invalid_map_is_reported_with_position_and_skipped(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    (src / "broken.yaml").write_text(INVALID, encoding="utf-8")
    log = Log()
    assert build(src, out, log=log) == 1
    assert any(re.search(r"broken\.yaml:7:\d+: error: unknown channel 'emial'", line) for line in log.err)
    assert not (out / "broken.html").exists()
    assert (out / "checkout.html").exists() and (out / "team-b/deep/support.html").exists()


def test_strict_makes_warnings_fail(tmp_path) -> None:
    src = tmp_path / "maps"
    src.mkdir()
    # A high-severity pain point that no opportunity addresses is a warning.
    (src / "m.yaml").write_text(map_text("M").replace("addresses: [pp]", "addresses: []"), encoding="utf-8")
    assert build(src, tmp_path / "a") == 0
    assert build(src, tmp_path / "b", strict=True) == 1
    assert not (tmp_path / "b" / "m.html").exists()


def test_unchanged_maps_are_not_rendered_again(tmp_path, count_renders) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    assert len(count_renders) == 3
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    log = Log()
    assert build(src, out, log=log) == 0
    assert len(count_renders) == 3
    assert "3 unchanged, 0 to render" in log.text()
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != CACHE_NAME}
    assert all(before[p] == after[p] for p in after)


def test_a_changed_map_alone_is_rendered_again(tmp_path, count_renders) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    (src / "checkout.yaml").write_text(map_text("Checkout v2"), encoding="utf-8")
    build(src, out)
    assert count_renders[3:] == ["Checkout v2"]
    assert "Checkout v2" in (out / "checkout.md").read_text(encoding="utf-8")
    assert "Checkout v2" in (out / INDEX_NAME).read_text(encoding="utf-8")


def test_a_deleted_or_truncated_output_is_rendered_again(tmp_path, count_renders) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    (out / "checkout.md").unlink()
    (out / "team-a" / "onboarding.html").write_bytes(b"")
    build(src, out)
    assert sorted(count_renders[3:]) == ["Checkout", "Onboarding"]
    assert (out / "checkout.md").exists() and (out / "team-a" / "onboarding.html").stat().st_size > 0


def build_fingerprint(formats, strict, templates_dir):
    return BuildOptions(formats=formats, strict=strict, templates_dir=templates_dir).inputs()


def test_cache_key_follows_templates_and_options(tmp_path) -> None:
    custom = tmp_path / "templates"
    custom.mkdir()
    (custom / "note.txt").write_text("one", encoding="utf-8")
    first = build_fingerprint(FAST, False, custom)
    assert first == build_fingerprint(FAST, False, custom)
    (custom / "note.txt").write_text("two", encoding="utf-8")
    assert build_fingerprint(FAST, False, custom) != first
    assert build_fingerprint(FAST, True, None) != build_fingerprint(FAST, False, None)
    assert build_fingerprint(("md",), False, None) != build_fingerprint(FAST, False, None)


def test_corrupt_cache_means_a_full_build_not_a_crash(tmp_path, count_renders) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    (out / CACHE_NAME).write_text("{not json", encoding="utf-8")
    assert build(src, out) == 0
    assert len(count_renders) == 6
    assert json.loads((out / CACHE_NAME).read_text(encoding="utf-8"))["jmap-manifest"] == CACHE_SCHEMA


def test_outputs_are_identical_whatever_the_jobs(tmp_path) -> None:
    src = make_repo(tmp_path)
    assert build(src, tmp_path / "serial", jobs=1) == 0
    assert build(src, tmp_path / "parallel", jobs=2) == 0
    assert snapshot(tmp_path / "serial") == snapshot(tmp_path / "parallel")
    serial_cache = (tmp_path / "serial" / CACHE_NAME).read_bytes()
    assert serial_cache == (tmp_path / "parallel" / CACHE_NAME).read_bytes()


def test_removed_map_outputs_are_removed(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    (out / "keep-me.md").write_text("the user's own file", encoding="utf-8")
    (src / "checkout.yaml").unlink()
    log = Log()
    assert build(src, out, check=True, log=log) == 1
    assert "orphaned: " in log.text() and "checkout.md" in log.text()
    build(src, out)
    assert not (out / "checkout.md").exists() and not (out / "checkout.html").exists()
    assert (out / "keep-me.md").exists()
    assert "Checkout" not in (out / INDEX_NAME).read_text(encoding="utf-8")


def test_check_passes_on_current_outputs_and_writes_nothing(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    log = Log()
    assert build(src, out, check=True, log=log) == 0
    assert "all outputs" in log.text()
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()} == before


def test_check_lists_stale_and_missing_outputs(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    (src / "checkout.yaml").write_text(map_text("Checkout v2"), encoding="utf-8")
    (out / "team-a" / "onboarding.mmd").unlink()
    log = Log()
    assert build(src, out, check=True, log=log) == 1
    listed = [line for line in log.out if line.startswith(("stale:", "missing:"))]
    assert f"missing: {out / 'team-a/onboarding.mmd'}" in listed
    assert f"stale: {out / 'checkout.md'} (its map changed)" in listed
    assert f"stale: {out / INDEX_NAME} (a map changed, came or went)" in listed
    assert not (out / "checkout.md").read_text(encoding="utf-8").count("v2")


def test_check_on_an_empty_output_folder(tmp_path) -> None:
    src = make_repo(tmp_path)
    log = Log()
    assert build(src, tmp_path / "nothing-yet", check=True, log=log) == 1
    assert not (tmp_path / "nothing-yet").exists()
    assert sum(line.startswith("missing:") for line in log.out) == 10


def test_check_fails_on_an_invalid_map(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    (src / "broken.yaml").write_text(INVALID, encoding="utf-8")
    log = Log()
    assert build(src, out, check=True, log=log) == 1
    assert "unknown channel" in log.text()


def test_a_renderer_bug_in_one_map_spares_the_others(tmp_path, monkeypatch) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"

    def flaky(jm, formats, real):
        if jm.title == "Onboarding":
            raise ZeroDivisionError("boom")
        return real(jm, formats)

    patch_renders(monkeypatch, flaky)
    log = Log()
    assert build(src, out, log=log) == 3
    assert "internal error" in log.text() and "ZeroDivisionError" in log.text() and "Traceback" not in log.text()
    assert (out / "checkout.html").exists() and not (out / "team-a" / "onboarding.html").exists()
    assert "status-failed" in (out / INDEX_NAME).read_text(encoding="utf-8")


def test_a_render_error_fails_the_map_with_its_message(tmp_path, monkeypatch) -> None:
    from jmap.errors import RenderError

    src, out = make_repo(tmp_path), tmp_path / "out"

    def failing(jm, formats, real):
        return dict.fromkeys(formats, RenderError("the Graphviz `dot` program is not installed"))

    patch_renders(monkeypatch, failing)
    log = Log()
    assert build(src, out, log=log) == 1
    assert "dot` program is not installed" in log.text()


def test_a_failing_format_fails_the_map_but_the_others_are_written(tmp_path, monkeypatch) -> None:
    from jmap.errors import RenderError

    src, out = make_repo(tmp_path), tmp_path / "out"

    def no_browser(jm, formats, real):
        rendered = real(jm, tuple(f for f in formats if f != "page-pdf"))
        if "page-pdf" in formats:
            rendered["page-pdf"] = RenderError("no headless browser found")
        return rendered

    patch_renders(monkeypatch, no_browser)
    log = Log()
    assert build(src, out, formats=("html", "page-pdf"), log=log) == 1
    assert "cannot render page-pdf: no headless browser found" in log.text()
    assert (out / "checkout.html").is_file() and not (out / "checkout.page.pdf").exists()


def test_clashing_outputs_are_refused(tmp_path) -> None:
    src = tmp_path / "maps"
    src.mkdir()
    (src / "a.yaml").write_text(map_text("A yaml"), encoding="utf-8")
    (src / "a.yml").write_text(map_text("A yml"), encoding="utf-8")
    (src / "index.yaml").write_text(map_text("Index"), encoding="utf-8")
    log = Log()
    assert build(src, tmp_path / "out", log=log) == 1
    assert "a.yml: error: a.yml and a.yaml would both write a.html: rename one of them" in log.text()
    assert "index.yaml: error: index.yaml and the gallery would both write index.html: rename one of them" in log.text()
    assert "A yaml" in (tmp_path / "out" / "a.md").read_text(encoding="utf-8")


def test_output_inside_source_is_not_scanned(tmp_path) -> None:
    src = make_repo(tmp_path)
    out = src / "renders"
    assert build(src, out) == 0
    (out / "copy.yaml").write_text(map_text("Copy"), encoding="utf-8")
    log = Log()
    assert build(src, out, log=log) == 0
    assert "3 maps" in log.text()


def test_leftover_temporary_files_are_cleaned(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    leftover = out / ".checkout.html.abc123.tmp"
    leftover.write_bytes(b"<html half")
    pid_style = out / "team-a" / ".onboarding.md.4242.7.tmp"
    pid_style.write_bytes(b"# half")
    foreign = out / ".notes.tmp"
    foreign.write_bytes(b"not ours")
    build(src, out)
    assert not leftover.exists() and not pid_style.exists() and foreign.exists()


def test_progress_bar_only_when_asked(tmp_path, capsys, monkeypatch) -> None:
    src = make_repo(tmp_path)
    build(src, tmp_path / "a", progress=True)
    assert "\r[" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    log = Log()
    build(src, tmp_path / "b", progress=None, log=log)
    assert "\r" not in capsys.readouterr().err
    assert "rendered team-a/onboarding.yml" in log.out


def test_usage_errors(tmp_path) -> None:
    with pytest.raises(UsageError):
        build(tmp_path / "missing", tmp_path / "out")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError):
        build(tmp_path, tmp_path / "file")
    with pytest.raises(UsageError):
        build(tmp_path, tmp_path / "out", jobs=0)


@pytest.mark.parametrize("check", [False, True], ids=["build", "check"])
def test_a_folder_without_maps_is_a_usage_error(tmp_path, check) -> None:
    """cli.md: `build DIR` and `build --check` on a folder with no maps exit 2,
    and nothing is written."""
    src = tmp_path / "maps"
    src.mkdir()
    (src / "ci.yaml").write_text("on: push\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no journey maps under"):
        build(src, tmp_path / "out", check=check)
    assert not (tmp_path / "out").exists()


@pytest.mark.needs_dot
def test_diagram_formats_build_and_check(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    assert build(src, out, formats=("svg", "dot", "html")) == 0
    assert (out / "team-a" / "onboarding.svg").read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
    assert 'href="team-a/onboarding.svg"' in (out / INDEX_NAME).read_text(encoding="utf-8")
    assert build(src, out, formats=("svg", "dot", "html"), check=True) == 0


# -- robustness with real processes --------------------------------------------

BUILD_SCRIPT = """
import sys
from pathlib import Path
from jmap.commands.build import build_maps
sys.exit(build_maps(Path(sys.argv[1]), Path(sys.argv[2]), jobs=int(sys.argv[3]), check=False,
                   formats=("html", "md", "mmd"), strict=False, templates_dir=None, progress=False,
                   echo=lambda s: None, echo_err=lambda s: print(s, file=sys.stderr)))
"""


def many_maps(root: Path, count: int) -> Path:
    src = root / "many"
    for i in range(count):
        folder = src / f"group-{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"map-{i:03d}.yaml").write_text(map_text(f"Map {i}", stages=4 + i % 5), encoding="utf-8")
    return src


def start_build(src: Path, out: Path, log: Path, jobs: int = 2) -> subprocess.Popen:
    """A build in its own process group (so a kill reaches its workers), logging
    to a file: a pipe nobody reads would block a chatty build."""
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-c", BUILD_SCRIPT, str(src), str(out), str(jobs)],
            cwd=ROOT,
            stderr=stderr,
            start_new_session=True,
        )


@pytest.mark.slow
def test_killed_build_leaves_no_half_written_output_and_next_build_completes(tmp_path) -> None:
    src = many_maps(tmp_path, 150)
    reference = tmp_path / "reference"
    assert build(src, reference, jobs=2) == 0
    out = tmp_path / "out"
    process = start_build(src, out, tmp_path / "build.log")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.rglob("*.html"))) < 10:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the build finished before it could be killed"
    expected = snapshot(reference)
    for rel, data in snapshot(out).items():
        if rel.endswith(".tmp"):
            continue  # a temporary beside its target: the next build removes it
        assert data == expected[rel], f"{rel} is half-written"
    assert build(src, out, jobs=2) == 0
    assert snapshot(out) == expected


@pytest.mark.slow
def test_two_builds_into_one_folder_at_once(tmp_path) -> None:
    src = many_maps(tmp_path, 40)
    reference = tmp_path / "reference"
    assert build(src, reference, jobs=2) == 0
    out = tmp_path / "out"
    first = start_build(src, out, tmp_path / "first.log")
    second = start_build(src, out, tmp_path / "second.log")
    assert first.wait(timeout=120) == 0, (tmp_path / "first.log").read_text()
    assert second.wait(timeout=120) == 0, (tmp_path / "second.log").read_text()
    assert snapshot(out) == snapshot(reference)
    assert (
        json.loads((out / CACHE_NAME).read_text(encoding="utf-8"))["maps"].keys()
        == json.loads((reference / CACHE_NAME).read_text(encoding="utf-8"))["maps"].keys()
    )
    log = Log()
    assert build(src, out, jobs=2, log=log) == 0
    assert "40 unchanged, 0 to render" in log.text()


def test_gallery_does_not_depend_on_how_src_is_spelled(tmp_path, monkeypatch) -> None:
    src = make_repo(tmp_path)
    (src / "warned.yaml").write_text(map_text("Warned").replace("addresses: [pp]", "addresses: []"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    log = Log()
    assert build(Path("maps"), Path("out"), log=log) == 0
    assert any(line.startswith("maps/warned.yaml:") and ": warning: " in line for line in log.err)
    assert build(src.resolve(), (tmp_path / "out").resolve(), check=True) == 0
    assert build(Path("./maps/"), Path("out"), check=True) == 0
    again = Log()
    build(Path("maps"), Path("out"), log=again)
    assert [line for line in again.err if "warning" in line] == [line for line in log.err if "warning" in line]


def test_progress_bar_is_cleared_before_diagnostics(tmp_path, capsys) -> None:
    src = make_repo(tmp_path)
    (src / "broken.yaml").write_text(INVALID, encoding="utf-8")
    log = Log()
    err_lines: list[str] = []

    def echo_err(line: str) -> None:
        err_lines.append(capsys.readouterr().err)  # what the bar wrote just before this line
        log.err.append(line)

    build_maps(
        src,
        tmp_path / "out",
        jobs=1,
        check=False,
        formats=FAST,
        strict=False,
        templates_dir=None,
        progress=True,
        echo=log.out.append,
        echo_err=echo_err,
    )
    assert err_lines and all(chunk.endswith("\r\x1b[K") for chunk in err_lines if chunk)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_build_stops_cleanly_and_keeps_finished_maps(tmp_path, signum) -> None:
    """Ctrl-C on a terminal reaches the whole process group; a cancelled CI job
    sends SIGTERM. Either way: prompt exit, no temporary file, no stray worker,
    and the maps finished so far are not rendered again."""
    src = many_maps(tmp_path, 150)
    out = tmp_path / "out"
    with (tmp_path / "build.log").open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", BUILD_SCRIPT, str(src), str(out), "2"],
            cwd=ROOT,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.rglob("*.html"))) < 10:
        time.sleep(0.01)
    os.killpg(process.pid, signum)
    assert process.wait(timeout=30) != 0, "the build finished before it could be interrupted"
    assert not list(out.rglob("*.tmp"))
    cached = json.loads((out / CACHE_NAME).read_text(encoding="utf-8"))["maps"]
    assert 0 < len(cached) < 150, (tmp_path / "build.log").read_text()
    log = Log()
    assert build(src, out, jobs=2, log=log) == 0
    assert f"{len(cached)} unchanged, {150 - len(cached)} to render" in log.text()


# -- the manifest: --check judges renders by what made them --------------------------


def test_check_renders_nothing(tmp_path, monkeypatch) -> None:
    """Renders committed from another machine (other fonts, another Graphviz)
    are current as long as their maps, jmap and the options are the same."""
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)

    def no_rendering(*args, **kwargs):
        raise AssertionError("--check must not render")

    monkeypatch.setattr(jmap.render.formats, "render_each", no_rendering)
    manifest = json.loads((out / CACHE_NAME).read_text(encoding="utf-8"))
    manifest["programs"] = "another machine's"
    (out / CACHE_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    log = Log()
    assert build(src, out, check=True, log=log) == 0, log.text()


def test_manifest_records_each_output_by_what_made_it_and_its_bytes(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    manifest = json.loads((out / CACHE_NAME).read_text(encoding="utf-8"))
    record = manifest["maps"]["checkout.yaml"]
    assert set(record["outputs"]) == {"checkout.html", "checkout.md", "checkout.mmd"}
    for rel, output in record["outputs"].items():
        assert output["sha256"] == hashlib.sha256((out / rel).read_bytes()).hexdigest()
        assert output["format"] == rel.rsplit(".", 1)[1]
    # What made them: a mapping of named inputs to hashes, the options in words.
    assert set(record["inputs"]) == {"source", "jmap", "templates", "options"}
    assert record["inputs"]["source"] == hashlib.sha256((src / "checkout.yaml").read_bytes()).hexdigest()
    assert all(len(value) == 64 for value in record["inputs"].values())
    assert manifest["options"] == {"formats": "html,md,mmd", "strict": "false", "review": "false", "paper": "a3"}
    assert manifest["gallery"]["sha256"] == hashlib.sha256((out / INDEX_NAME).read_bytes()).hexdigest()
    assert str(tmp_path) not in (out / CACHE_NAME).read_text(encoding="utf-8"), "no machine-specific path"


def test_check_names_an_output_edited_by_hand(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    page = out / "team-a" / "onboarding.md"
    page.write_text(page.read_text(encoding="utf-8") + "a note\n", encoding="utf-8")
    log = Log()
    assert build(src, out, check=True, log=log) == 1
    assert [line for line in log.out if ":" in line and not line.startswith("jmap")] == [
        f"edited: {page} (its bytes are not those jmap wrote)"
    ]
    # The case at hand, not a glossary of every status; then the command to run.
    assert "orphaned" not in log.text() and "missing" not in log.text()
    assert log.err[-1] == f"  jmap build {src} -o {out} -f html,md,mmd"
    # A build puts it back.
    assert build(src, out) == 0
    assert build(src, out, check=True) == 0


def test_check_names_every_output_of_a_changed_map_and_the_gallery(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    (src / "checkout.yaml").write_text(map_text("Checkout v2"), encoding="utf-8")
    log = Log()
    assert build(src, out, check=True, log=log) == 1
    assert sorted(line for line in log.out if line.startswith("stale:")) == sorted(
        [f"stale: {out / name} (its map changed)" for name in ("checkout.html", "checkout.md", "checkout.mmd")]
        + [f"stale: {out / INDEX_NAME} (a map changed, came or went)"]
    )


def test_check_without_a_manifest_calls_every_output_stale(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    (out / CACHE_NAME).unlink()
    log = Log()
    assert build(src, out, check=True, log=log) == 1
    assert sum(line.startswith("stale:") for line in log.out) == 10


def test_check_with_other_options_is_stale(tmp_path) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    build(src, out)
    log = Log()
    assert build(src, out, check=True, strict=True, log=log) == 1
    assert f"stale: {out / 'checkout.md'} (the options changed: strict)" in log.out
    assert log.err[-1] == f"  jmap build {src} -o {out} -f html,md,mmd --strict"


def test_check_names_each_changed_input() -> None:
    """What made an output is a mapping of named inputs: each one that
    changed is named, a new kind of input (a portfolio's shared entities)
    by its own name."""
    from jmap.repo.manifest import changed_inputs

    then = {"source": "a", "jmap": "b", "templates": "c", "options": "d"}
    assert changed_inputs(then, {**then, "source": "x"}, {}, {}) == "its map changed"
    assert changed_inputs(then, {**then, "jmap": "x", "templates": "y"}, {}, {}) == (
        "jmap changed (its version or rendering code); the templates changed"
    )
    options = changed_inputs(then, {**then, "options": "x"}, {"strict": "false"}, {"strict": "true"})
    assert options == "the options changed: strict"
    assert changed_inputs(then, {**then, "portfolio:persona:sophie": "x"}, {}, {}) == "portfolio:persona:sophie changed"


def test_a_refused_write_names_the_target_not_its_temporary(tmp_path, monkeypatch, capsys) -> None:
    """`render` into a read-only folder said `.m.md.4242.0.tmp: Permission
    denied`; the user asked for m.md. (As root a read-only mode stops
    nothing, so the refusal is made by hand here.)"""
    import jmap.repo.files
    from jmap.cli import run

    real_open = os.open

    def read_only_folder(path, flags, mode=0o777, **kwargs):
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, mode, **kwargs)

    source = tmp_path / "m.yaml"
    source.write_text(map_text("M"), encoding="utf-8")
    monkeypatch.setattr(jmap.repo.files.os, "open", read_only_folder)
    assert run(["render", str(source), "-f", "md", "-o", str(tmp_path / "ro")]) == 1
    assert capsys.readouterr().err == f"jmap: error: {tmp_path / 'ro' / 'm.md'}: Permission denied\n"


def test_a_failed_format_is_reported_alone_and_the_others_render_once(tmp_path, monkeypatch) -> None:
    """A map whose page-pdf fails (no browser) used to be rendered a second
    time, format by format, to find out which one failed."""
    import jmap.render.markdown

    calls: list[str] = []
    real = jmap.render.markdown.render_md

    def counting(jm, persona=None, **kwargs):
        calls.append(jm.title)
        return real(jm, persona=persona, **kwargs)

    monkeypatch.setattr(jmap.render.markdown, "render_md", counting)
    monkeypatch.setenv("JMAP_BROWSER", str(tmp_path / "no-such-browser"))
    src, out = make_repo(tmp_path), tmp_path / "out"
    log = Log()
    assert build(src, out, formats=("md", "page-pdf"), log=log) == 1
    assert sorted(calls) == ["Checkout", "Onboarding", "Support — équipe"]
    failures = [line for line in log.err if ": error: " in line]
    assert len(failures) == 3 and all("cannot render page-pdf: JMAP_BROWSER names" in line for line in failures)
    assert "cannot render md" not in log.text()
    assert (out / "checkout.md").is_file() and not (out / "checkout.page.pdf").exists()

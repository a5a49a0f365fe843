"""`jmap build` keeps to its output folder and never leaves it locked.

Reproductions from a hostile probe: killing only the parent of a build left its
workers alive for ever, holding the folder's lock; a link inside OUT made the
build write outside it; a crafted cache made it delete a file it never wrote;
`--check` needed write access.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support import example_paths, jmap_command, run_jmap

FAST = "html,md,mmd"


def _map(title: str, touchpoints: int = 4) -> str:
    lines = ["jmap: 1", f"title: {title}", "channels:", "  - {id: web, name: Web}", "stages:"]
    lines += ["  - id: s", "    name: S", "    touchpoints:"]
    lines += [f"      - {{id: t{i}, name: Step {i}, channel: web}}" for i in range(touchpoints)]
    return "\n".join(lines) + "\n"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found += [int(p) for p in text.split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_killing_only_the_parent_takes_its_workers_and_frees_the_lock(tmp_path: Path) -> None:
    src = tmp_path / "maps"
    src.mkdir()
    for i in range(120):
        (src / f"map-{i:03d}.yaml").write_text(_map(f"Map {i}", touchpoints=60), encoding="utf-8")
    out = tmp_path / "out"
    with (tmp_path / "build.log").open("wb") as log:
        parent = subprocess.Popen(
            [*jmap_command(), "build", str(src), "-o", str(out), "-j", "2", "-f", FAST],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and (len(workers) < 2 or not list(out.glob("*.html"))):
        workers = _children(parent.pid)
        time.sleep(0.01)
    assert len(workers) >= 2, (tmp_path / "build.log").read_text()
    os.kill(parent.pid, signal.SIGKILL)  # the parent alone, as an OOM killer does
    assert parent.wait(timeout=30) == -signal.SIGKILL, "the build finished before it could be killed"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    survivors = [w for w in workers if _alive(w)]
    for worker in survivors:  # leave no stray process behind a failure
        os.kill(worker, signal.SIGKILL)
    assert not survivors, "pool workers outlived their parent"
    second = run_jmap("build", str(src), "-o", str(out), "-j", "2", "-f", FAST)
    assert second.returncode == 0, second.stderr.decode()
    assert b"waiting for another build" not in second.stderr


def _built(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "maps"
    (src / "team").mkdir(parents=True)
    (src / "team" / "a.yaml").write_text(_map("A"), encoding="utf-8")
    out = tmp_path / "out"
    done = run_jmap("build", str(src), "-o", str(out), "-f", FAST)
    assert done.returncode == 0, done.stderr.decode()
    return src, out


def test_a_folder_link_inside_out_is_not_written_through(tmp_path: Path) -> None:
    src, out = _built(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in (out / "team").iterdir():
        path.unlink()
    (out / "team").rmdir()
    (out / "team").symlink_to(elsewhere, target_is_directory=True)
    proc = run_jmap("build", str(src), "-o", str(out), "-f", FAST)
    assert proc.returncode == 1
    assert list(elsewhere.iterdir()) == []
    assert f"{out / 'team'} is a symbolic link" in proc.stderr.decode()
    assert b"Traceback" not in proc.stderr


def test_a_linked_lock_file_is_refused_and_its_target_not_created(tmp_path: Path) -> None:
    src, out = _built(tmp_path)
    (out / ".jmap-build.lock").unlink()
    target = tmp_path / "planted"
    (out / ".jmap-build.lock").symlink_to(target)
    proc = run_jmap("build", str(src), "-o", str(out), "-f", FAST)
    assert proc.returncode == 1
    assert not target.exists()
    assert "is a symbolic link" in proc.stderr.decode()


def _poison_cache(out: Path, rel: str, digest: str = "0" * 64) -> None:
    cache_path = out / ".jmap-manifest.json"
    cache = json.loads(cache_path.read_text(encoding="utf-8"))
    # Well-formed in every other way, so that it is the deletion that refuses,
    # not the reading of the manifest.
    cache["maps"]["gone.yaml"] = {
        "inputs": {"source": "1" * 64},
        "outputs": {rel: {"format": "md", "sha256": digest}},
        "entry": {"rel": "gone.yaml", "status": "valid"},
    }
    cache_path.write_text(json.dumps(cache), encoding="utf-8")


@pytest.mark.parametrize("rel", ["notes.txt", "../outside.txt", "team/../notes.txt"])
def test_a_crafted_cache_cannot_make_build_delete_a_file(tmp_path: Path, rel: str) -> None:
    src, out = _built(tmp_path)
    victims = [out / "notes.txt", tmp_path / "outside.txt"]
    for victim in victims:
        victim.write_text("mine", encoding="utf-8")
    _poison_cache(out, rel)
    assert run_jmap("build", str(src), "-o", str(out), "-f", FAST).returncode == 0
    assert all(victim.read_text(encoding="utf-8") == "mine" for victim in victims)


def test_with_src_equal_to_out_a_crafted_cache_cannot_delete_the_map(tmp_path: Path) -> None:
    import hashlib

    folder = tmp_path / "maps"
    folder.mkdir()
    source = folder / "a.yaml"
    source.write_text(_map("A"), encoding="utf-8")
    assert run_jmap("build", str(folder), "-o", str(folder), "-f", FAST).returncode == 0
    # Even with the right hash, a map being built is never deleted.
    _poison_cache(folder, "a.yaml", hashlib.sha256(source.read_bytes()).hexdigest())
    assert run_jmap("build", str(folder), "-o", str(folder), "-f", FAST).returncode == 0
    assert source.is_file()


def test_an_output_jmap_wrote_for_a_removed_map_is_deleted(tmp_path: Path) -> None:
    src, out = _built(tmp_path)
    (src / "team" / "b.yaml").write_text(_map("B"), encoding="utf-8")
    assert run_jmap("build", str(src), "-o", str(out), "-f", FAST).returncode == 0
    (src / "team" / "b.yaml").unlink()
    (out / "team" / "b.md").write_text("edited by hand", encoding="utf-8")
    assert run_jmap("build", str(src), "-o", str(out), "-f", FAST).returncode == 0
    assert not (out / "team" / "b.html").exists()  # ours, unchanged: deleted
    assert (out / "team" / "b.md").read_text(encoding="utf-8") == "edited by hand"  # changed: kept


def test_check_writes_nothing_and_takes_no_write_lock(tmp_path: Path) -> None:
    src = tmp_path / "maps"
    src.mkdir()
    for path in example_paths():
        (src / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    assert run_jmap("build", str(src), "-o", str(out), "-f", FAST).returncode == 0
    (out / ".jmap-build.lock").unlink()  # as in a fresh checkout: the lock is not committed
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*")}
    # A checkout the checker may not write to: everything read-only. (As root
    # the mode alone would not stop a write, hence the comparison below too.)
    for path in [out, *out.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        proc = run_jmap("build", str(src), "-o", str(out), "-f", FAST, "--check")
    finally:
        for path in [out, *out.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert proc.returncode == 0, proc.stderr.decode() + proc.stdout.decode()
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*")} == before
    assert not (out / ".jmap-build.lock").exists()


# -- what OUT may hold instead of jmap's files ---------------------------------------


def test_a_crafted_manifest_neither_crashes_nor_poisons_later_builds(tmp_path: Path) -> None:
    src, out = _built(tmp_path)
    for crafted in (b"[" * 100_000, b'{"jmap-manifest": Infinity}'):
        (out / ".jmap-manifest.json").write_bytes(crafted)
        check = run_jmap("build", str(src), "-o", str(out), "-f", FAST, "--check")
        assert check.returncode == 1, check.stderr.decode()
        assert check.stdout.decode().startswith("unverifiable: ") and check.stdout.count(b"\n") == 1
        done = run_jmap("build", str(src), "-o", str(out), "-f", FAST)
        assert done.returncode == 0, done.stderr.decode()
        assert done.stderr.decode().count("warning") == 1 and b"Traceback" not in done.stderr
        assert run_jmap("build", str(src), "-o", str(out), "-f", FAST, "--check").returncode == 0


def _special(path: Path, kind: str) -> None:
    """Put a folder, a named pipe, a socket or a device at ``path``."""
    import socket
    import stat as st

    if path.is_dir():
        path.rmdir()
    else:
        path.unlink(missing_ok=True)
    if kind == "folder":
        path.mkdir()
        (path / "inside").write_text("kept", encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))  # left bound, not listening: a socket file
        server.close()
    elif kind == "device":
        try:
            os.mknod(path, 0o600 | st.S_IFCHR, os.makedev(1, 3))  # /dev/null's numbers
        except PermissionError:
            pytest.skip("creating a device needs CAP_MKNOD")


def _run_bounded(*args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run([*jmap_command(), *args], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"jmap {' '.join(args[:1])} hangs on a special file in OUT")


KINDS = ["folder", "fifo", "socket", "device"]
WORDS = {"folder": "a folder", "fifo": "a named pipe (FIFO)", "socket": "a socket", "device": "a device"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_special_file_where_an_output_goes_is_refused_by_name(tmp_path: Path, kind: str) -> None:
    src, out = _built(tmp_path)
    (src / "team" / "b.yaml").write_text(_map("B"), encoding="utf-8")
    (src / "team" / "a.yaml").write_text(_map("A changed"), encoding="utf-8")
    _special(out / "team" / "a.html", kind)
    proc = _run_bounded("build", str(src), "-o", str(out), "-f", FAST)
    assert proc.returncode == 1
    stderr = proc.stderr.decode()
    assert f"{out / 'team' / 'a.html'} is {WORDS[kind]}" in stderr and "remove it" in stderr
    assert b"Traceback" not in proc.stderr
    # The map's other outputs, and the other maps, are written.
    assert "A changed" in (out / "team" / "a.md").read_text(encoding="utf-8")
    assert (out / "team" / "b.html").is_file() and (out / "index.html").is_file()


@pytest.mark.parametrize("kind", KINDS)
def test_a_special_file_as_the_manifest(tmp_path: Path, kind: str) -> None:
    src, out = _built(tmp_path)
    manifest = out / ".jmap-manifest.json"
    _special(manifest, kind)
    check = _run_bounded("build", str(src), "-o", str(out), "-f", FAST, "--check")
    assert check.returncode == 1
    assert f"{manifest} is not a manifest jmap wrote ({WORDS[kind]} stands there; remove it)" in check.stdout.decode()
    (out / "team" / "a.md").unlink()
    proc = _run_bounded("build", str(src), "-o", str(out), "-f", FAST)
    assert proc.returncode == 1
    stderr = proc.stderr.decode()
    assert f"{manifest}: warning: " in stderr and f"cannot write {manifest}" in stderr, stderr
    assert (out / "team" / "a.md").is_file()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("check", [False, True], ids=["build", "check"])
def test_a_special_file_as_the_lock(tmp_path: Path, kind: str, check: bool) -> None:
    src, out = _built(tmp_path)
    lock = out / ".jmap-build.lock"
    _special(lock, kind)
    proc = _run_bounded("build", str(src), "-o", str(out), "-f", FAST, *(["--check"] if check else []))
    assert proc.returncode == 1
    assert f"{lock} is {WORDS[kind]}: the build lock must be jmap's own file; remove it" in proc.stderr.decode()


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_render_refuses_a_special_file_where_its_output_goes(tmp_path: Path, kind: str) -> None:
    source = tmp_path / "m.yaml"
    source.write_text(_map("M"), encoding="utf-8")
    out = tmp_path / "r"
    out.mkdir()
    _special(out / "m.md", kind)
    proc = _run_bounded("render", str(source), "-f", "md,mmd", "-o", str(out))
    assert proc.returncode == 1
    assert f"{out / 'm.md'}: {WORDS[kind]} is there, where jmap would write a file" in proc.stderr.decode()
    assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize("check", [False, True], ids=["build", "check"])
def test_a_named_pipe_given_as_the_map_is_refused_not_waited_on(tmp_path: Path, check: bool) -> None:
    os.mkfifo(tmp_path / "m.yaml")
    proc = _run_bounded("build", str(tmp_path / "m.yaml"), "-o", str(tmp_path / "out"), *(["--check"] if check else []))
    assert proc.returncode == 1
    assert f"{tmp_path / 'm.yaml'}: error: this is a named pipe (FIFO), not a map file" in proc.stderr.decode()


def test_a_map_that_is_a_link_is_built_and_checked(tmp_path: Path) -> None:
    src = tmp_path / "maps"
    src.mkdir()
    (tmp_path / "real.yaml").write_text(_map("Linked"), encoding="utf-8")
    (src / "linked.yaml").symlink_to(tmp_path / "real.yaml")
    out = tmp_path / "out"
    assert run_jmap("build", str(src), "-o", str(out), "-f", FAST).returncode == 0
    assert "Linked" in (out / "linked.md").read_text(encoding="utf-8")
    assert run_jmap("build", str(src), "-o", str(out), "-f", FAST, "--check").returncode == 0

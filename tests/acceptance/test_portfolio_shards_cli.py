"""A build past one machine: `--shard K/N` on each job of a CI matrix, then
`--index` on the shards put together, gives byte for byte one unsharded build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import EXAMPLES, run_jmap

FORMATS = ("-f", "svg,html,md")
DAY = {"SOURCE_DATE_EPOCH": "1796947200"}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".jmap-build.lock"
    }


def jmap(*args: str) -> str:
    run = run_jmap(*args, env=DAY)
    assert run.returncode == 0, run.stdout.decode() + run.stderr.decode()
    return run.stdout.decode()


@pytest.mark.parametrize("n", [1, 3])
def test_assembled_shards_equal_one_build(tmp_path: Path, n: int) -> None:
    (tmp_path / ".git").mkdir()
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES, src)
    jmap("build", str(src), "-o", str(tmp_path / "whole"), *FORMATS)
    together = tmp_path / "together"
    together.mkdir()
    built = 0
    for k in range(1, n + 1):
        shard_out = tmp_path / f"shard{k}"
        said = jmap("build", str(src), "-o", str(shard_out), *FORMATS, "--shard", f"{k}/{n}")
        built += int(said.rsplit(": ", 1)[1].split(" ")[0])
        assert not (shard_out / "index.html").exists()  # no gallery, no portfolio page in a shard
        shutil.copytree(shard_out, together, dirs_exist_ok=True)
    assert built == 7  # every map in exactly one shard
    jmap("build", str(src), "-o", str(together), *FORMATS, "--index")
    assert tree(together) == tree(tmp_path / "whole")
    assert "all outputs" in jmap("build", str(src), "-o", str(together), *FORMATS, "--check")


def test_index_refuses_missing_shards_and_other_options(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / "portfolio", src)
    out = tmp_path / "out"
    jmap("build", str(src), "-o", str(out), *FORMATS, "--shard", "1/2")
    run = run_jmap("build", str(src), "-o", str(out), *FORMATS, "--index")
    assert run.returncode == 1
    assert "shard 2/2 missing" in run.stderr.decode()
    jmap("build", str(src), "-o", str(out), *FORMATS, "--shard", "2/2")
    other = run_jmap("build", str(src), "-o", str(out), "-f", "html", "--index")
    assert other.returncode == 1 and "other options (formats)" in other.stderr.decode()


@pytest.mark.parametrize("bad", ["0/4", "5/4", "1", "a/b", "1/0"])
def test_a_bad_shard_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    run = run_jmap("build", str(EXAMPLES / "portfolio"), "-o", str(tmp_path / "o"), "--shard", bad)
    assert run.returncode == 2
    assert "--shard" in run.stderr.decode()


def test_the_split_is_stable_by_path() -> None:
    from jmap.repo.sharding import in_shard

    paths = [f"maps/m{i}.yaml" for i in range(400)]
    counts = [sum(in_shard(p, k, 4) for p in paths) for k in (1, 2, 3, 4)]
    assert sum(counts) == 400 and min(counts) > 70  # about a quarter each
    # Each map is in exactly one shard, decided by its path alone: pinned, since
    # a new split would move every map of a CI matrix to another job.
    assert all(sum(in_shard(p, k, 4) for k in (1, 2, 3, 4)) == 1 for p in paths)
    assert [k for k in (1, 2, 3, 4) if in_shard("maps/m7.yaml", k, 4)] == [1]

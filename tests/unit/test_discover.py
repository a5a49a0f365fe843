"""Finding journey maps among the files and folders a command is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from jmap.errors import UsageError
from jmap.repo.discover import collect_maps, find_maps, is_map_file


def test_is_map_file(tmp_path: Path) -> None:
    cases = {
        "map.yaml": "jmap: 1\n",
        "quoted.yaml": "'jmap': 1\n",
        "bom.yaml": "\ufeffjmap: 1\n",
        "later.yaml": "# comment\ntitle: T\njmap: 1\n",
        "ci.yaml": "on: push\n",
        "nested.yaml": "a:\n  jmap: 1\n",
        "prefixed.yaml": "jmapx: 1\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin1.yaml").write_bytes(b"jmap: 1\nt: \xe9\n")
    assert {name for name in [*cases, "latin1.yaml"] if is_map_file(tmp_path / name)} == {
        "map.yaml",
        "quoted.yaml",
        "bom.yaml",
        "later.yaml",
    }
    assert is_map_file(tmp_path / "missing.yaml") is False


def test_find_maps_walks_folders_sorted_and_skips_hidden_ones(tmp_path: Path) -> None:
    for rel in ["b/z.yaml", "a.yml", "b/a.yaml", ".hidden/h.yaml", "node_modules/n.yaml", "b/.dot.yaml"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("jmap: 1\n", encoding="utf-8")
    (tmp_path / "b" / "other.yaml").write_text("on: push\n", encoding="utf-8")
    (tmp_path / "b" / "notes.txt").write_text("jmap: 1\n", encoding="utf-8")
    found_maps = [Path(p).relative_to(tmp_path).as_posix() for p in find_maps([tmp_path])]
    assert found_maps == ["a.yml", "b/a.yaml", "b/z.yaml"]
    # A file named twice, or inside a folder also named, is checked once.
    again = find_maps([tmp_path / "a.yml", tmp_path, str(tmp_path / "a.yml")])
    assert len(again) == 3 and again[0] == str(tmp_path / "a.yml")


def test_a_folder_without_maps_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text("on: push\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no journey maps under"):
        collect_maps((str(tmp_path),))
    (tmp_path / "map.yaml").write_text("jmap: 1\n", encoding="utf-8")
    assert collect_maps((str(tmp_path),)) == [str(tmp_path / "map.yaml")]


def test_a_map_swapped_for_a_named_pipe_is_not_waited_on(tmp_path: Path) -> None:
    """The walk sees a regular file, then someone swaps it for a pipe: the
    head is read without blocking, and the pipe is simply not a map."""
    import os
    import threading

    os.mkfifo(tmp_path / "m.yaml")
    answer: list[bool] = []
    reader = threading.Thread(target=lambda: answer.append(is_map_file(tmp_path / "m.yaml")), daemon=True)
    reader.start()
    reader.join(10)
    assert answer == [False], "reading a named pipe as a map blocked"


def test_a_map_that_is_a_link_is_a_map(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("jmap: 1\n", encoding="utf-8")
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "linked.yaml").symlink_to(tmp_path / "real.yaml")
    assert find_maps([tmp_path / "maps"]) == [str(tmp_path / "maps" / "linked.yaml")]

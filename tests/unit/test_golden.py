"""The renders of every example map match the committed golden files.

When a renderer changes on purpose, regenerate with
`python scripts/regen_golden.py` and review the diff like any other change.
"""

from __future__ import annotations

import pytest
from conftest import GOLDEN, example_paths

from jmap.format.validator import load_file
from jmap.render.formats import render_map

GOLDEN_FORMATS = ("dot", "html", "md", "mmd")
CASES = [(path, fmt) for path in example_paths() for fmt in GOLDEN_FORMATS]


def test_every_example_has_golden_files() -> None:
    assert example_paths(), "examples/ holds no map"
    missing = [f"{fmt}/{p.stem}.{fmt}" for p, fmt in CASES if not (GOLDEN / fmt / f"{p.stem}.{fmt}").is_file()]
    assert not missing, f"run scripts/regen_golden.py: missing {missing}"


@pytest.mark.parametrize(("path", "fmt"), CASES, ids=[f"{p.stem}.{f}" for p, f in CASES])
def test_render_matches_golden(path, fmt) -> None:
    result = load_file(path)
    assert result.map is not None, [d.format() for d in result.errors]
    rendered = render_map(result.map, (fmt,))[fmt].decode("utf-8")
    expected = (GOLDEN / fmt / f"{path.stem}.{fmt}").read_text(encoding="utf-8")
    assert rendered == expected, f"{path.name} {fmt} differs from its golden file (scripts/regen_golden.py)"


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_renders_are_byte_identical_across_runs(path) -> None:
    first = render_map(load_file(path).map, GOLDEN_FORMATS)
    second = render_map(load_file(path).map, GOLDEN_FORMATS)
    assert first == second

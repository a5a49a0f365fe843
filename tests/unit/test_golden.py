"""The renders of every example map match the committed renders in docs/renders.

docs/renders is the one golden set: what readers of the repository open is
what the tests expect. When a renderer changes on purpose, regenerate it with
`python scripts/regen_golden.py` and review the diff like any other change.
(SVG is compared by `jmap build examples -o docs/renders --check` in CI, since
its bytes depend on the Graphviz version.)
"""

from __future__ import annotations

import pytest
from support import RENDERS, example_paths

from jmap.format.validator import load_file
from jmap.render.formats import render_map

GOLDEN_FORMATS = ("dot", "html", "md", "mmd")
CASES = [(path, fmt) for path in example_paths() for fmt in GOLDEN_FORMATS]


def test_every_example_has_golden_files() -> None:
    assert example_paths(), "examples/ holds no map"
    missing = [f"{p.stem}.{fmt}" for p, fmt in CASES if not (RENDERS / f"{p.stem}.{fmt}").is_file()]
    assert not missing, f"run scripts/regen_golden.py: missing {missing}"


@pytest.mark.parametrize(("path", "fmt"), CASES, ids=[f"{p.stem}.{f}" for p, f in CASES])
def test_render_matches_golden(path, fmt) -> None:
    result = load_file(path)
    assert result.map is not None, [d.format() for d in result.errors]
    rendered = render_map(result.map, (fmt,))[fmt].decode("utf-8")
    expected = (RENDERS / f"{path.stem}.{fmt}").read_text(encoding="utf-8")
    assert rendered == expected, f"{path.name} {fmt} differs from docs/renders (scripts/regen_golden.py)"


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_renders_are_byte_identical_across_runs(path) -> None:
    first = render_map(load_file(path).map, GOLDEN_FORMATS)
    second = render_map(load_file(path).map, GOLDEN_FORMATS)
    assert first == second

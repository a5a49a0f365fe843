"""The Markdown summaries pass markdownlint: its table rules for every
summary, hostile names included, and its default rules (minus pure style) for
the example maps."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.node import markdownlint

from jmap.format.validator import load_file
from jmap.render.markdown import render_md

from .test_mermaid_real_parser import EXAMPLES, hostile_map

pytestmark = pytest.mark.mermaid


def test_linter_catches_a_broken_table(tmp_path: Path) -> None:
    broken = tmp_path / "broken.md"
    broken.write_text("# T\n\n| a | b |\n| --- | --- |\n| 1 | 2 | 3 |\n", encoding="utf-8")
    run = markdownlint([broken])
    assert run.returncode == 1
    assert "MD056" in run.stdout


def test_summaries_pass_the_table_rules(tmp_path: Path) -> None:
    files = []
    for path in EXAMPLES:
        jm = load_file(path).map
        assert jm is not None
        for persona in [None, *(p.id for p in jm.personas)]:
            target = tmp_path / f"{path.stem}-{persona or 'all'}.md"
            target.write_text(render_md(jm, persona), encoding="utf-8")
            files.append(target)
    hostile = tmp_path / "hostile.md"
    hostile.write_text(render_md(hostile_map()), encoding="utf-8")
    files.append(hostile)
    run = markdownlint(files)
    assert run.returncode == 0, run.stdout + run.stderr


def test_example_summaries_pass_the_default_rules(tmp_path: Path) -> None:
    files = []
    for path in EXAMPLES:
        jm = load_file(path).map
        assert jm is not None
        target = tmp_path / f"{path.stem}.md"
        target.write_text(render_md(jm), encoding="utf-8")
        files.append(target)
    run = markdownlint(files, all_rules=True)
    assert run.returncode == 0, run.stdout + run.stderr

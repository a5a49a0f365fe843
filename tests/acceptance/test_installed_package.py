"""What users install is what the tests run: the wheel ships its templates
and schema (mingrammer/diagrams' mistake was a data folder left out)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import jmap
from jmap.resources import schema_path, templates_dir


def test_templates_and_schema_are_reachable_from_the_package() -> None:
    shipped = templates_dir()
    for name in ("basic.en.yaml", "basic.fr.yaml", "ecommerce.en.yaml", "ecommerce.fr.yaml"):
        assert (shipped / "init" / name).is_file(), name
    assert list((shipped / "html").glob("*.j2")), "HTML templates missing"
    assert json.loads(schema_path().read_text(encoding="utf-8"))["$schema"].endswith("2020-12/schema")


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI installs the wheel; a developer may use an editable install")
def test_ci_runs_the_installed_wheel_not_the_source_tree() -> None:
    package = Path(jmap.__file__).resolve().parent
    assert "site-packages" in package.parts, package
    assert (package / "templates" / "init" / "basic.en.yaml").is_file()

"""`jmap validate` starts light: it runs in pre-commit hooks and editors on
every save, where start-up is most of its cost, so the heavy modules are
imported only by the commands that need them.

`python -X importtime` lists every module the real command imports.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import EXAMPLES, FIXTURES

#: Never needed to check a map: templating, the Graphviz package, Markdown parsing.
HEAVY = ("jinja2", "markupsafe", "graphviz", "markdown_it")


def imported_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "jmap", *args], capture_output=True, text=True, timeout=120
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "jmap.format.validator" in names, done.stderr[-2000:]
    return names


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(EXAMPLES / "checkout-fr.yaml")],
        ["validate", "--format", "json", str(EXAMPLES)],
        ["validate", str(FIXTURES / "invalid" / "many-errors.yaml")],
    ],
    ids=["valid-map", "folder-json", "invalid-map"],
)
def test_validate_imports_no_renderer(args: list[str]) -> None:
    names = imported_by(*args)
    heavy = sorted(n for n in names if n.split(".")[0] in HEAVY)
    assert heavy == [], f"jmap {' '.join(args[:1])} imported {heavy}"
    renderers = sorted(n for n in names if n.startswith("jmap.render.") and n != "jmap.render.formats")
    assert renderers == [], f"validate imported renderers: {renderers}"


def test_one_entry_point_for_the_script_and_the_module() -> None:
    """`python -m jmap` and the console script are the same command line."""
    from support import jmap_command

    module = subprocess.run([sys.executable, "-m", "jmap", "--version"], capture_output=True, text=True, timeout=60)
    script = subprocess.run([*jmap_command(), "--version"], capture_output=True, text=True, timeout=60)
    assert module.returncode == script.returncode == 0
    assert module.stdout == script.stdout and module.stdout.startswith("jmap ")
    bad = subprocess.run([sys.executable, "-m", "jmap", "render", "x.yaml", "-f=md"], capture_output=True, timeout=60)
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr


def test_the_console_script_is_jmap_cli_main() -> None:
    from importlib.metadata import entry_points

    scripts = [e for e in entry_points(group="console_scripts") if e.name == "jmap"]
    assert [e.value for e in scripts] == ["jmap.cli:main"]

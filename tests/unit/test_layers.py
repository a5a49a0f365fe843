"""The layer contract of docs/architecture.md, checked on every import.

Each module of jmap belongs to one layer, and imports only from its own
layer and the layers below; no group of modules imports itself in a circle.
Every import counts, wherever it is written: at the top, inside a function
(the lazy imports that keep start-up light), under ``TYPE_CHECKING``. A lazy
import is still a dependency, and a cycle made of lazy imports is still a
cycle a reader has to untangle.

The layers are data (LAYERS): a new package is placed there, in the same
change as its first module, and the test fails until it is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import jmap

#: From the bottom up; a module belongs to the layer of its longest matching
#: prefix. Keep in step with docs/architecture.md.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("jmap", "jmap.errors", "jmap.text", "jmap.resources", "jmap.interrupt")),
    ("model", ("jmap.model",)),
    ("format", ("jmap.format",)),
    # The renderers, and the Mermaid package (grammar, export, import) that
    # the summary and `jmap import mermaid` share.
    ("render", ("jmap.render", "jmap.mermaid")),
    ("repo", ("jmap.repo",)),
    ("serve and commands", ("jmap.serve", "jmap.commands")),
    ("cli", ("jmap.cli", "jmap.__main__")),
]

#: Imports that break the contract today, each with who removes it. An entry
#: that no longer matches an import fails the test, so the list only shrinks.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for rank, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if prefix == "jmap" and module != "jmap":
                    continue  # the package root alone is base, not all of jmap
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), rank)
    return None if best is None else best[1]


def modules(package: Path) -> dict[str, Path]:
    found = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the jmap modules it imports, every import statement counted."""
    known = modules(package)

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {resolve(alias.name) for alias in node.names if alias.name.split(".")[0] == "jmap"}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    name = ".".join(base + ([node.module] if node.module else []))
                else:
                    name = node.module or ""
                if name.split(".")[0] != "jmap":
                    continue
                for alias in node.names:
                    full = f"{name}.{alias.name}"
                    targets.add(full if full in known else resolve(name))
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a higher layer, as ``A (layer) imports B (layer)``."""
    found = []
    for module, targets in sorted(graph.items()):
        mine = layer_of(module)
        for target in sorted(targets):
            theirs = layer_of(target)
            if mine is None or theirs is None or theirs <= mine or (module, target) in KNOWN_EXCEPTIONS:
                continue
            found.append(f"{module} ({LAYERS[mine][0]}) imports {target} ({LAYERS[theirs][0]})")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(Path(jmap.__file__).resolve().parent)


def test_every_module_has_a_layer(graph) -> None:
    homeless = sorted(m for m in graph if layer_of(m) is None)
    assert homeless == [], f"place these in LAYERS (tests/unit/test_layers.py) and docs/architecture.md: {homeless}"


def test_no_module_imports_from_a_layer_above_it(graph) -> None:
    assert violations(graph) == []


def test_no_import_cycles(graph) -> None:
    assert cycles(graph) == []


def test_known_exceptions_still_exist(graph) -> None:
    """An exception whose import is gone is removed from the list."""
    stale = [pair for pair in KNOWN_EXCEPTIONS if pair[1] not in graph.get(pair[0], set())]
    assert stale == []


def test_the_checks_fail_when_an_import_breaks_the_contract() -> None:
    """The checks themselves: a model that imports a renderer, and a circle."""
    broken = {
        "jmap.model": {"jmap.render.page"},
        "jmap.render.page": {"jmap.model"},
        "jmap.render.formats": {"jmap.render.graphviz"},
        "jmap.render.graphviz": {"jmap.render.browser"},
        "jmap.render.browser": {"jmap.render.formats"},
    }
    assert violations(broken) == ["jmap.model (model) imports jmap.render.page (render)"]
    assert sorted(cycles(broken)) == [
        ["jmap.model", "jmap.render.page"],
        ["jmap.render.browser", "jmap.render.formats", "jmap.render.graphviz"],
    ]


def test_lazy_and_type_checking_imports_count(tmp_path) -> None:
    package = tmp_path / "jmap"
    (package / "render").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "model.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jmap.render.page import x\n"
        "def f():\n    import jmap.repo.build\n",
        encoding="utf-8",
    )
    (package / "render" / "__init__.py").write_text("", encoding="utf-8")
    (package / "render" / "page.py").write_text("from . import labels\n", encoding="utf-8")
    (package / "render" / "labels.py").write_text("", encoding="utf-8")
    graph = import_graph(package)
    assert graph["jmap.model"] == {"jmap.render.page", "jmap"}
    assert graph["jmap.render.page"] == {"jmap.render.labels"}

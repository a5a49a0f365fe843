"""What a build's outputs were made from, as hashes: jmap's rendering code,
a ``--templates`` folder, and the drawing programs' versions. Kept apart from
the build engine so that the engine's own edits and these rules are read
separately; the manifest (jmap.repo.manifest) stores what they return."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from jmap.render.formats import DOT_FORMATS, PAGE_FORMATS
from jmap.repo import manifest as mf

#: The parts of the package that decide what a build writes: reading and
#: checking maps, the renderers, the templates, the gallery. The command line
#: and the other verbs are left out, so that changing them does not make
#: every committed render stale.
RENDERING_CODE = (
    "__init__.py",
    "errors.py",
    "model.py",
    "resources.py",
    "text.py",
    "format",
    "render",
    "mermaid",
    "templates",
    "repo/build.py",
    "repo/files.py",
)


def _hash_tree(digest: Any, root: Path, label: str) -> None:
    """Feed every file under ``root`` (sorted, by relative path) into ``digest``."""
    if root.is_file():
        digest.update(f"{label}\0".encode())
        digest.update(hashlib.sha256(root.read_bytes()).digest())
        return
    if not root.is_dir():
        digest.update(f"{label}:absent\0".encode())
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f"{label}:{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


@functools.cache
def jmap_code_hash() -> str:
    """jmap's version and rendering code. The code is included, not only the
    version number: a development checkout changes renderers without bumping
    the version, and a stale render that the manifest calls current would be
    committed unnoticed."""
    import jmap

    digest = hashlib.sha256(f"jmap {jmap.__version__}\0manifest {mf.SCHEMA}\0".encode())
    package = Path(jmap.__file__).resolve().parent
    for part in RENDERING_CODE:
        _hash_tree(digest, package / part, f"package:{part}")
    return digest.hexdigest()


def templates_hash(templates_dir: Path | None) -> str:
    """A ``--templates`` folder's files (the shipped ones are jmap's code)."""
    digest = hashlib.sha256(b"templates\0")
    if templates_dir is not None:
        _hash_tree(digest, templates_dir, "custom-templates")
    return digest.hexdigest()


def programs_version(formats: tuple[str, ...]) -> str:
    """Graphviz's version (and the browser's, for page-pdf/page-png) when a
    format needs it, since its layout decides the bytes. Recorded apart from
    the inputs: ``--check`` does not ask, since another Graphviz on the CI
    machine must not make committed diagrams stale."""
    parts = []
    if any(f in DOT_FORMATS for f in formats):
        from jmap.render.graphviz import graphviz_version as dot_version

        parts.append(dot_version())
    if any(f in PAGE_FORMATS for f in formats):
        from jmap.render.browser import browser_version

        parts.append(f"browser {browser_version()}")
    return "; ".join(parts) or "unused"

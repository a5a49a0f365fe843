"""Finding the journey maps among the files a command is given.

A repository holds CI configs, Helm charts and other YAML beside its maps; a
map is a YAML file whose top-level mapping has the key ``jmap``. Folders are
walked in a stable order so every command lists maps the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from jmap.errors import UsageError
from jmap.format.loader import MAX_BYTES, Mapping, Scalar, compose, decode, normalize_newlines


def is_map_file(path: str | os.PathLike[str]) -> bool:
    """Whether a YAML file found in a folder is a journey map (root key ``jmap``).

    Looks only at top-level keys in the text, without parsing, so scanning a
    repository full of unrelated YAML (CI configs…) stays cheap and never
    fails on their syntax.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(MAX_BYTES + 1)
    except OSError:
        return False
    text, _ = decode(head)
    if text is None:
        return False
    if re.search(r"(?m)^(?:\ufeff)?(?:jmap|'jmap'|\"jmap\")[ \t]*:", text):
        return True
    # A root mapping written in flow style ({jmap: 1, …}): parse to be sure.
    if re.match(r"\A(?:\ufeff)?(?:\s*(?:#[^\n]*)?\n)*\s*(?:---\s*)?\{", text) and "jmap" in text:
        root, _ = compose(normalize_newlines(text.lstrip("\ufeff")))
        return isinstance(root, Mapping) and any(
            isinstance(key, Scalar) and key.value == "jmap" for key, _ in root.pairs
        )
    return False


def yaml_files_below(folder: str) -> Iterator[str]:
    """Every ``*.yaml``/``*.yml`` regular file below ``folder`` that may be a
    map, lazily, folder by folder in sorted order; hidden files and folders and
    virtual environments are skipped. Shared by map discovery and the watcher
    of `jmap serve`, so both see the same files.
    """
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in {"node_modules", "__pycache__"})
        for name in sorted(files):
            # Any case, as `render x.YAML` takes it (Windows tools write .YAML).
            if name.lower().endswith((".yaml", ".yml")) and not name.startswith("."):
                candidate = os.path.join(parent, name)
                # Only regular files: a named pipe would block the walk.
                if os.path.isfile(candidate):
                    yield candidate


def _maps_below(folder: str) -> Iterator[str]:
    """The maps below ``folder``, lazily, in the order of :func:`yaml_files_below`."""
    return (candidate for candidate in yaml_files_below(folder) if is_map_file(candidate))


def find_maps(paths: list[str | os.PathLike[str]]) -> list[str]:
    """Files named on the command line, plus every map below the folders named.

    Files named explicitly are always taken. Order is sorted and stable.
    """
    found: list[str] = []
    seen: set[str] = set()
    for raw in paths:
        path = os.fspath(raw)
        candidates = sorted(_maps_below(path)) if os.path.isdir(path) else [path]
        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def no_maps_under(folder: str | os.PathLike[str]) -> UsageError:
    """The usage error of a folder without any map: a CI job pointed at the
    wrong folder must not pass by checking nothing."""
    return UsageError(
        f"no journey maps under {os.fspath(folder)} (YAML files whose top-level mapping has the key 'jmap')"
    )


def has_maps(folder: str | os.PathLike[str]) -> bool:
    """Whether any map lies below ``folder`` (stops at the first one)."""
    return next(_maps_below(os.fspath(folder)), None) is not None


def collect_maps(paths: tuple[str, ...]) -> list[str]:
    """The maps named, plus those found below the folders named.

    A folder without any map is a usage error (:func:`no_maps_under`).
    """
    found = find_maps(list(paths))
    for raw in paths:
        if os.path.isdir(raw):
            folder = os.path.realpath(raw)
            if not any(os.path.realpath(f).startswith(folder + os.sep) for f in found):
                raise no_maps_under(raw)
    return found

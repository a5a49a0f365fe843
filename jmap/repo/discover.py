"""Finding the journey maps among the files a command is given.

A repository holds CI configs, Helm charts and other YAML beside its maps; a
map is a YAML file whose top-level mapping has the key ``jmap``. Folders are
walked in a stable order so every command lists maps the same way.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator

from jmap.errors import JmapError, UsageError
from jmap.format.diagnostics import WARNING, Diagnostic
from jmap.format.loader import MAX_BYTES, Mapping, Scalar, compose, decode, normalize_newlines


def _head_text(path: str | os.PathLike[str]) -> str | None:
    """The text of a file a folder holds, read no further than a map may be
    long; None for a file that cannot be read or is not text, which is then
    simply not a map."""
    from jmap.repo.files import read_regular

    try:
        # Without blocking: a file swapped for a named pipe after the walk
        # saw a regular file must not hang the command.
        head = read_regular(path, MAX_BYTES, follow=True)
    except (OSError, JmapError):
        return None
    if head is None:
        return None
    text, _ = decode(head)
    return text


def is_map_file(path: str | os.PathLike[str]) -> bool:
    """Whether a YAML file found in a folder is a journey map (root key ``jmap``).

    Looks only at top-level keys in the text, without parsing, so scanning a
    repository full of unrelated YAML (CI configs…) stays cheap and never
    fails on their syntax.
    """
    text = _head_text(path)
    return text is not None and _is_map_text(text)


def is_map_bytes(data: bytes) -> bool:
    """:func:`is_map_file` on bytes already read: `jmap serve` reads a map
    itself (regular files only, never blocking on a pipe) before asking."""
    text, _ = decode(data)
    return text is not None and _is_map_text(text)


def _is_map_text(text: str) -> bool:
    if re.search(r"(?m)^(?:\ufeff)?(?:jmap|'jmap'|\"jmap\")[ \t]*:", text):
        return True
    # A root mapping written in flow style ({jmap: 1, …}): parse to be sure.
    if re.match(r"\A(?:\ufeff)?(?:\s*(?:#[^\n]*)?\n)*\s*(?:---\s*)?\{", text) and "jmap" in text:
        root, _ = compose(normalize_newlines(text.lstrip("\ufeff")))
        return isinstance(root, Mapping) and any(
            isinstance(key, Scalar) and key.value == "jmap" for key, _ in root.pairs
        )
    return False


_TOP_KEY = re.compile(
    r"(?m)^(?:\ufeff)?(?:'([^'\n]*)'|\"([^\"\n]*)\"|([^\s#'\"\-?:,\[\]{}][^:\n]*?))[ \t]*:(?:[ \t]|$)"
)


def _one_edit(word: str, target: str) -> bool:
    """Whether ``word`` is one typo away from ``target``: a letter added,
    dropped, replaced, or two neighbours swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and word[i] == target[i + 1] and word[i + 1] == target[i]
    short, long = (word, target) if len(word) < len(target) else (target, word)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def near_map(path: str | os.PathLike[str]) -> Diagnostic | None:
    """A warning for a YAML file that is almost a journey map but is not one.

    Folder mode checks only files whose top-level mapping has the key
    ``jmap``; a typo in that key (``jamp:``) or a map that forgot it
    (``stages:`` and ``personas:`` without ``jmap:``) would otherwise be skipped
    in silence, and "2 maps checked, all valid" would hide the third.
    """
    text = _head_text(path)
    if text is None:
        return None
    text = normalize_newlines(text)
    keys: dict[str, int] = {}
    for match in _TOP_KEY.finditer(text):
        key = next(g for g in match.groups() if g is not None).strip()
        keys.setdefault(key, text.count("\n", 0, match.start()) + 1)
    name = os.fspath(path)
    for key, line in keys.items():
        if _one_edit(key.lower(), "jmap") or key.lower() == "jmap":
            return Diagnostic(
                name,
                line,
                1,
                WARNING,
                f"not checked: the top-level key '{key}' is not 'jmap' (did you mean 'jmap'?), "
                "so this file is not read as a journey map",
                "near-map",
            )
    if "stages" in keys and "personas" in keys and "jmap" not in keys:
        return Diagnostic(
            name,
            min(keys["stages"], keys["personas"]),
            1,
            WARNING,
            "not checked: this file has 'stages' and 'personas' like a journey map but no 'jmap: 1' key, "
            "so it is not read as one (add 'jmap: 1' as its first line)",
            "near-map",
        )
    return None


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


def _maps_below(folder: str, near_maps: list[Diagnostic] | None = None) -> Iterator[str]:
    """The maps below ``folder``, lazily, in the order of :func:`yaml_files_below`.
    YAML files that are almost maps (see :func:`near_map`) go to ``near_maps``
    when it is given."""
    for candidate in yaml_files_below(folder):
        if is_map_file(candidate):
            yield candidate
        elif near_maps is not None and (warning := near_map(candidate)) is not None:
            near_maps.append(warning)


def find_maps(paths: list[str | os.PathLike[str]], near_maps: list[Diagnostic] | None = None) -> list[str]:
    """Files named on the command line, plus every map below the folders named.

    Files named explicitly are always taken. Order is sorted and stable.
    Files below a folder that are almost maps go to ``near_maps``.
    """
    found: list[str] = []
    seen: set[str] = set()
    for raw in paths:
        path = os.fspath(raw)
        candidates = sorted(_maps_below(path, near_maps)) if os.path.isdir(path) else [path]
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


def collect_maps(paths: tuple[str, ...], near_maps: list[Diagnostic] | None = None) -> list[str]:
    """The maps named, plus those found below the folders named.

    A folder without any map is a usage error (:func:`no_maps_under`); the
    files in it that are almost maps are named first, so the user sees why.
    Files below a folder that are almost maps go to ``near_maps`` (a warning
    each). Standard input (``-``) can be named once.
    """
    if paths.count("-") > 1:
        raise UsageError("- (standard input) can be given once")
    found = find_maps(list(paths), near_maps)
    for raw in paths:
        if os.path.isdir(raw):
            folder = os.path.realpath(raw)
            if not any(os.path.realpath(f).startswith(folder + os.sep) for f in found):
                for warning in near_maps or ():
                    sys.stderr.write(warning.format() + "\n")
                raise no_maps_under(raw)
    return found

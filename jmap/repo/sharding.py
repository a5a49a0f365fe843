"""A build past one machine: ``--shard K/N`` and ``--index`` (docs/ci.md).

A CI matrix runs ``jmap build SRC -o OUT --shard K/N`` on N machines: each
renders the maps of its shard (a stable split by map path: a map stays in its
shard when others come and go) and writes, instead of the manifest, its own
``OUT/.jmap-shard-K-of-N.json``: the records of its maps and the roll-up
facts of those in a portfolio. Its OUT holds no gallery and no portfolio page.

The job after the matrix puts the N folders together (their files never
clash) and runs ``jmap build SRC -o OUT --index``: it reads the N shard
manifests, makes the gallery and each portfolio's ``index.html``,
``portfolio.md`` and ``portfolio.json`` from the facts alone (no map is
rendered or read), writes the manifest and removes the shard manifests. OUT
is then byte for byte what one ``jmap build SRC -o OUT`` writes, and
``--check`` judges it the same way.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from jmap.errors import JmapError, UsageError
from jmap.repo import manifest as mf

_SHARD = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)$")
_SHARD_FILE = re.compile(r"^\.jmap-shard-([1-9][0-9]*)-of-([1-9][0-9]*)\.json$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` → ``(2, 4)``; a usage error otherwise."""
    match = _SHARD.match(text.strip())
    if not match:
        raise UsageError(f"--shard takes K/N, such as 1/4 (shard K of N, counted from 1), not '{text}'")
    k, n = int(match.group(1)), int(match.group(2))
    if k > n:
        raise UsageError(f"--shard {text}: K must be between 1 and N")
    if n > 10_000:
        raise UsageError(f"--shard {text}: at most 10,000 shards")
    return k, n


def in_shard(rel: str, k: int, n: int) -> bool:
    """Whether the map at ``rel`` (its path under SRC) is in shard K of N: by a
    hash of the path, so adding or removing a map moves no other."""
    digest = hashlib.sha256(rel.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def shard_manifest_name(k: int, n: int) -> str:
    return f".jmap-shard-{k}-of-{n}.json"


def merge_shards(out: Path) -> tuple[mf.Manifest, dict[str, Any], list[Path]]:
    """The N shard manifests in OUT merged: one manifest, the facts of every
    map, and the shard files (removed once the index is written)."""
    found: dict[tuple[int, int], Path] = {}
    for path in sorted(out.glob(".jmap-shard-*-of-*.json")):
        match = _SHARD_FILE.match(path.name)
        if match:
            found[(int(match.group(1)), int(match.group(2)))] = path
    if not found:
        raise JmapError(f"no shard manifests in {out}: run `jmap build SRC -o OUT --shard K/N` first, for each K")
    totals = {n for _k, n in found}
    if len(totals) != 1:
        raise JmapError(f"{out} holds shards of different splits ({', '.join(f'of {n}' for n in sorted(totals))})")
    (n,) = totals
    missing = [f"{k}/{n}" for k in range(1, n + 1) if (k, n) not in found]
    if missing:
        raise JmapError(f"shard {', '.join(missing)} missing in {out}: put every shard's OUT together first")
    merged = mf.Manifest()
    facts: dict[str, Any] = {}
    for (k, _n), path in sorted(found.items()):
        shard, problem = mf.load(out, path.name)
        if shard is None:
            raise JmapError(f"{path}: {problem or 'cannot be read'}")
        if k > 1 and (shard.options != merged.options or shard.programs != merged.programs):
            raise JmapError(f"{path}: built with other options or programs than shard 1/{n}")
        merged.options, merged.programs = shard.options, shard.programs
        merged.maps.update(shard.maps)
        facts.update(shard.facts)
    merged.maps = dict(sorted(merged.maps.items()))
    return merged, facts, list(found.values())

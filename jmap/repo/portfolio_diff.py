"""`jmap diff A B` on two folders, or on ``REV:DIR``: what changed in a
portfolio (or any folder of maps) between two versions.

First what only a folder can say: maps added, removed and renamed (a map is
followed by its id, so a moved file is a rename, and a changed id on the same
path is one too), the shared personas and channels changed, the ``details``
links and the cross-map ``addresses`` changed; then each changed map, as
`jmap diff` on two files says it (jmap.repo.diff). Pure comparison over what
:func:`read_side` reads; jmap.commands.diff prints.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from jmap.errors import UsageError
from jmap.repo.diff import Change, MapDiff, diff_maps

_GIT_TIMEOUT = 60


@dataclass(slots=True)
class MapVersion:
    path: str
    id: str
    result: Any  # jmap.format.validator.Result


@dataclass(slots=True)
class Side:
    """One version of a folder of maps."""

    name: str
    shared: Any = None  # jmap.format.portfolio.Shared
    maps: dict[str, MapVersion] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def is_folder_spec(spec: str) -> bool:
    """A folder on disk, or ``REV:DIR`` naming a tree (a path with no
    ``.yaml``/``.yml`` suffix, or ending in ``/``)."""
    if os.path.isdir(spec):
        return True
    if os.path.exists(spec) or spec == "-":
        return False
    rev, sep, path = spec.partition(":")
    return bool(sep and rev and path) and (path.endswith("/") or not path.lower().endswith((".yaml", ".yml")))


def read_side(spec: str) -> Side:
    """Every map of the folder ``spec`` (a folder, or ``REV:DIR`` from git),
    checked with the portfolio of that folder, of that version."""
    if os.path.isdir(spec):
        return _read_folder(spec)
    rev, _, path = spec.partition(":")
    return _read_tree(spec, rev, path)


def _load(side: Side, files: dict[str, bytes], portfolio_text: bytes | None, portfolio_name: str) -> Side:
    from jmap.format.crossmap import map_id
    from jmap.format.portfolio import check_portfolio_text
    from jmap.format.validator import load_text

    if portfolio_text is not None:
        report = check_portfolio_text(portfolio_text, portfolio_name)
        side.shared = report.shared
        side.problems += [d.format() for d in report.errors]
    for rel in sorted(files):
        data = files[rel]
        if not is_map_text(data):
            continue
        result = load_text(data, f"{side.name.rstrip('/')}/{rel}", portfolio=side.shared)
        side.problems += [d.format() for d in result.errors]
        ident = map_id(result, rel)
        if ident in side.maps:
            ident = rel
        side.maps[ident] = MapVersion(rel, ident, result)
    return side


def is_map_text(data: bytes) -> bool:
    """A map's root key ``jmap`` at the start of a line (as jmap.repo.discover judges files)."""
    import re

    from jmap.format.loader import decode

    text, _ = decode(data)
    return text is not None and re.search(r"(?m)^(?:\ufeff)?(?:jmap|'jmap'|\"jmap\")[ \t]*:", text) is not None


def _read_folder(folder: str) -> Side:
    from jmap.format.portfolio import PORTFOLIO_NAME
    from jmap.repo.discover import find_maps

    files = {}
    for path in find_maps([folder]):
        files[Path(os.path.relpath(path, folder)).as_posix()] = Path(path).read_bytes()
    portfolio = Path(folder) / PORTFOLIO_NAME
    text = portfolio.read_bytes() if portfolio.is_file() else None
    return _load(Side(folder), files, text, str(portfolio))


def _git(args: list[str], cwd: str, what: str, data: bytes | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise UsageError(f"cannot read {what}: git is not installed")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            [git, *args], cwd=cwd, input=data, capture_output=True, env=env, timeout=_GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"cannot read {what} from git: {exc}") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"cannot read {what} from git: {(reason[-1] if reason else 'failed').removeprefix('fatal: ')}")
    return done.stdout


def _read_tree(spec: str, rev: str, path: str) -> Side:
    from jmap.format.loader import MAX_BYTES
    from jmap.format.portfolio import PORTFOLIO_NAME

    if rev.startswith("-"):
        raise UsageError(f"invalid git revision '{rev}'")
    folder = path.rstrip("/")
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", "-l", rev, "--", folder], os.getcwd(), spec)
    wanted: dict[str, str] = {}
    for line in listing.split(b"\0"):
        if not line:
            continue
        meta, _, name = line.partition(b"\t")
        _mode, kind, sha, blob_size = meta.split()
        rel_name = name.decode("utf-8", "surrogateescape")
        rel = PurePosixPath(rel_name).relative_to(folder).as_posix() if folder not in ("", ".") else rel_name
        if kind != b"blob" or not rel.lower().endswith((".yaml", ".yml")) or int(blob_size) > MAX_BYTES:
            continue
        wanted[rel] = sha.decode()
    if not wanted and not listing:
        raise UsageError(f"no such folder in git: {spec}")
    files: dict[str, bytes] = {}
    if wanted:
        batch = _git(["cat-file", "--batch"], os.getcwd(), spec, "\n".join(wanted.values()).encode() + b"\n")
        pos = 0
        for rel in wanted:
            header_end = batch.index(b"\n", pos)
            length = int(batch[pos:header_end].split()[2])
            files[rel] = batch[header_end + 1 : header_end + 1 + length]
            pos = header_end + 1 + length + 1
    portfolio = files.pop(PORTFOLIO_NAME, None)
    return _load(Side(spec), files, portfolio, f"{spec.rstrip('/')}/{PORTFOLIO_NAME}")


# -- comparing -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortfolioDiff:
    old_name: str
    new_name: str
    #: (kind, id, old path, new path): added, removed, renamed (path or id changed).
    maps: tuple[tuple[str, str, str | None, str | None], ...]
    #: Changes of the shared personas and channels (sections persona, channel, map).
    shared: tuple[Change, ...]
    #: (map id, kind "details"|"addresses", what, added or removed).
    links: tuple[tuple[str, str, str, str], ...]
    changed: tuple[MapDiff, ...]

    @property
    def equal(self) -> bool:
        return not (self.maps or self.shared or self.links or self.changed)


def _links(result: Any) -> set[tuple[str, str]]:
    jm = result.map
    if jm is None:
        return set()
    out = set()
    for stage in jm.stages:
        if stage.details:
            out.add(("details", f"stage {stage.id} → {stage.details}"))
    for tp in jm.all_touchpoints():
        if tp.details:
            out.add(("details", f"touchpoint {tp.id} → {tp.details}"))
    for o in jm.opportunities:
        for ref in o.cross_addresses:
            out.add(("addresses", f"opportunity {o.id} → {ref}"))
    return out


def diff_sides(old: Side, new: Side) -> PortfolioDiff:
    from jmap.model import JourneyMap

    maps: list[tuple[str, str, str | None, str | None]] = []
    pairs: list[tuple[MapVersion, MapVersion]] = []
    old_left = dict(old.maps)
    new_left = dict(new.maps)
    for ident in sorted(set(old_left) & set(new_left)):
        a, b = old_left.pop(ident), new_left.pop(ident)
        if a.path != b.path:
            maps.append(("renamed", ident, a.path, b.path))
        pairs.append((a, b))
    by_path = {v.path: k for k, v in new_left.items()}
    for ident in sorted(old_left):
        a = old_left[ident]
        match = by_path.get(a.path)
        if match is not None:
            b = new_left.pop(match)
            maps.append(("renamed", f"{ident} → {match}", a.path, b.path))
            pairs.append((a, b))
        else:
            maps.append(("removed", ident, a.path, None))
    maps += [("added", ident, None, v.path) for ident, v in sorted(new_left.items())]

    def shared_map(side: Side) -> JourneyMap:
        s = side.shared
        return JourneyMap(
            title="",
            stages=(),
            personas=tuple(s.personas.values()) if s is not None else (),
            channels=tuple(s.channels.values()) if s is not None else (),
        )

    shared = diff_maps(shared_map(old), shared_map(new)).changes
    shared_ids = {
        i for side in (old, new) if side.shared is not None for i in (*side.shared.personas, *side.shared.channels)
    }
    links: list[tuple[str, str, str, str]] = []
    changed: list[MapDiff] = []
    for a, b in pairs:
        before, after = _links(a.result), _links(b.result)
        links += [(b.id, kind, what, "removed") for kind, what in sorted(before - after)]
        links += [(b.id, kind, what, "added") for kind, what in sorted(after - before)]
        if a.result.map is not None and b.result.map is not None:
            d = diff_maps(
                a.result.map, b.result.map, f"{old.name.rstrip('/')}/{a.path}", f"{new.name.rstrip('/')}/{b.path}"
            )
            # A shared persona or channel changed is said once, above, not in every map.
            own = tuple(
                c
                for c in d.changes
                if not (
                    c.section in ("persona", "channel") and c.id in shared_ids and c.kind not in ("added", "removed")
                )
            )
            d = MapDiff(d.old_name, d.new_name, d.old_title, d.new_title, own)
            if not d.equal:
                changed.append(d)
    return PortfolioDiff(old.name, new.name, tuple(maps), tuple(shared), tuple(links), tuple(changed))


# -- writing ---------------------------------------------------------------------------


def _summary(d: PortfolioDiff) -> str:
    if d.equal:
        return "no semantic changes"
    from jmap.text import plural

    counts: dict[str, int] = {}
    for kind, *_ in d.maps:
        counts[kind] = counts.get(kind, 0) + 1
    parts = [f"{plural(n, 'map')} {k}" for k, n in counts.items()]
    if d.shared:
        parts.append(f"{plural(len(d.shared), 'change')} of shared personas and channels")
    if d.links:
        parts.append(f"{plural(len(d.links), 'link')} between maps changed")
    if d.changed:
        parts.append(f"{plural(len(d.changed), 'map')} changed")
    return ", ".join(parts)


def format_portfolio_diff(d: PortfolioDiff, fmt: str) -> str:
    from jmap.repo.diff_report import FORMATTERS, repr_text
    from jmap.repo.diff_report import _plain as plain
    from jmap.text import printable

    if fmt == "json":
        document = {
            "old": d.old_name,
            "new": d.new_name,
            "equal": d.equal,
            "maps": [{"change": k, "id": i, "old": a, "new": b} for k, i, a, b in d.maps],
            "shared": [asdict(c) for c in d.shared],
            "links": [{"map": m, "kind": k, "link": w, "change": c} for m, k, w, c in d.links],
            "changed": [json.loads(FORMATTERS["json"](x)) for x in d.changed],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    md = fmt == "md"
    lines = (
        [f"### Portfolio changes: {printable(d.old_name)} → {printable(d.new_name)}", ""]
        if md
        else [
            f"--- {plain(d.old_name)}",
            f"+++ {plain(d.new_name)}",
        ]
    )
    bullet = "- " if md else "  "

    def code(text: str) -> str:
        from jmap.repo.diff_report import _md_code

        return _md_code(text) if md else plain(text)

    if d.maps:
        lines += ["", "#### Maps", ""] if md else ["Maps:"]
        for kind, ident, a, b in d.maps:
            where = {
                "added": f"{code(b or '')}",
                "removed": f"{code(a or '')}",
                "renamed": f"{code(a or '')} → {code(b or '')}",
            }[kind]
            lines.append(f"{bullet}{kind} {code(ident)} ({where})")
    if d.shared:
        lines += ["", "#### Shared personas and channels", ""] if md else ["Shared personas and channels:"]
        for c in d.shared:
            what = f"{c.section} {code(c.id)}"
            if c.kind in ("added", "removed"):
                lines.append(f"{bullet}{c.kind} {what} {repr_text(c.name)}")
            else:
                lines.append(f"{bullet}{what}: {c.field or c.kind} {repr_text(str(c.old))} → {repr_text(str(c.new))}")
    if d.links:
        lines += ["", "#### Links between maps", ""] if md else ["Links between maps:"]
        lines += [f"{bullet}{m}: {k} {change}: {code(w)}" for m, k, w, change in d.links]
    lines += ["", f"**{_summary(d)}**"] if md else [_summary(d)]
    text = "\n".join(lines) + "\n"
    for x in d.changed:
        text += "\n" + FORMATTERS[fmt](x)
    return text

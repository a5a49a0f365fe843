"""``OUT/.jmap-manifest.json``: what made each output of a build, and its bytes.

The manifest is the build's memory and the ground of ``build --check``. For
every map it records what the map's outputs were made from, as a mapping of
named inputs to hashes, and the sha256 of each output as written:

- ``source``: the map's bytes;
- ``jmap``: jmap's version and rendering code (see jmap.repo.build);
- ``templates``: a ``--templates`` folder, or the shipped templates;
- ``options``: the build options that decide the bytes (``-f``, ``--strict``…),
  whose values are also recorded in plain words so that a check can say which
  one changed;
- any other input a later feature names (a portfolio's shared entities, say):
  nothing here depends on the list, and a changed input is named in the
  reason.

An output is *current* when its map's inputs are those recorded and its bytes
are those written; :func:`check` says, for each output that is not, why.
Graphviz and the browser are recorded apart (``programs``): ``build`` renders
again when they change, but ``--check`` never asks them, so renders committed
from one machine pass the check on another.

OUT is shared with people and other tools, and its manifest is committed:
it is read as untrusted input. A file that is not exactly what jmap writes
(bad JSON, another layout, unexpected types, non-finite numbers, absurd depth
or size, a path that leaves OUT) is *set aside*: :func:`load` says why in one
line and the build proceeds as a first build, never trusting a record of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jmap.errors import JmapError
from jmap.render.gallery import STATUSES, GalleryEntry
from jmap.repo.files import is_inside, read_regular, sha256_of, write_output

MANIFEST_NAME = ".jmap-manifest.json"
#: Bumped when the manifest's layout changes, so an old one is set aside, not
#: misread. 2: each output's inputs and hash; 3: typed records, each map's
#: inputs by name, the options in words.
SCHEMA = 3
#: Larger than any real manifest (about 2 kB a map): beyond, not jmap's.
MAX_BYTES = 64 * 1024 * 1024
#: The statuses of a map whose outputs were written.
BUILT = ("valid", "warnings")

#: What an output was made from: input name → sha256.
Inputs = dict[str, str]

_HASH = re.compile(r"[0-9a-f]{64}")
_MAX_TEXT = 100_000


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """One output as written: its format and the sha256 of its bytes."""

    format: str
    sha256: str


@dataclass(frozen=True, slots=True)
class MapRecord:
    """One map of the last build: what its outputs were made from, what the
    gallery showed of it (so an unchanged map needs no parsing at all), and
    its outputs by path relative to OUT (none for an invalid map)."""

    inputs: Inputs
    entry: GalleryEntry
    outputs: dict[str, OutputRecord] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GalleryRecord:
    """``OUT/index.html`` as written: made from every map and the options."""

    inputs: Inputs
    sha256: str


@dataclass(frozen=True, slots=True)
class PortfolioRecord:
    """A portfolio's outputs as written (jmap.repo.portfolio_build): what made
    them, and the review dates of its maps (rel → date, empty when none) with
    those that were overdue then, so that ``--check`` sees a review fall due
    without reading a map."""

    inputs: Inputs
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    reviews: dict[str, str] = field(default_factory=dict)
    every: str = ""
    stale: tuple[str, ...] = ()


@dataclass(slots=True)
class Manifest:
    maps: dict[str, MapRecord] = field(default_factory=dict)
    #: The options of the build, in words (name → value), for the reasons.
    options: dict[str, str] = field(default_factory=dict)
    #: Graphviz's and the browser's versions: build renders again when they
    #: change, check never asks.
    programs: str = "unused"
    gallery: GalleryRecord | None = None
    #: Portfolios by their folder relative to OUT (``""``: OUT itself).
    portfolios: dict[str, PortfolioRecord] = field(default_factory=dict)
    #: A shard's build (``--shard K/N``): its place, and the roll-up facts of
    #: its maps for ``--index`` (jmap.repo.portfolio_build). Empty otherwise.
    shard: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stale:
    """An output that is not what ``jmap build`` would write now.

    ``kind`` is ``missing``, ``stale``, ``edited`` or ``orphaned``; ``reason``
    says why in a few words (empty when the kind says it all).
    """

    path: str
    kind: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Planned:
    """What the current build would make of one map: its inputs (None when
    the map cannot be read), whether it validates, and its outputs as
    ``(format, path relative to OUT)``."""

    rel: str
    inputs: Inputs | None
    valid: bool
    outputs: tuple[tuple[str, str], ...]


# -- reading and writing -----------------------------------------------------------


class NotAManifest(JmapError):
    """The file in OUT is not a manifest this jmap wrote; the message says why."""


def load(out: Path, name: str = MANIFEST_NAME) -> tuple[Manifest | None, str | None]:
    """The manifest in OUT and, when it is set aside, why (one phrase).

    ``(None, None)``: there is none (a first build). ``(None, reason)``: there
    is a file that is not what jmap writes; nothing of it is trusted.
    """
    path = out / name
    try:
        data = read_regular(path, limit=MAX_BYTES)
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    except JmapError as exc:
        return None, str(exc).removeprefix(f"{path} ")
    if data is None:
        return None, None
    try:
        return parse(data), None
    except NotAManifest as exc:
        return None, str(exc)


def parse(data: bytes) -> Manifest:
    """The manifest in ``data``; NotAManifest unless every part of it has the
    type and shape jmap writes."""
    if len(data) > MAX_BYTES:
        raise NotAManifest(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        document = json.loads(
            data.decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_no_duplicates, parse_float=_no_float
        )
    except RecursionError as exc:
        raise NotAManifest("nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise NotAManifest("not UTF-8 text") from exc
    except ValueError as exc:  # JSONDecodeError, and the hooks' refusals
        raise NotAManifest(_json_problem(exc)) from exc
    root = _object(document, "the manifest")
    version = root.get("jmap-manifest")
    if version != SCHEMA or isinstance(version, bool):
        if isinstance(version, int) and not isinstance(version, bool):
            raise NotAManifest(f"written by another version of jmap (layout {version}, this one reads {SCHEMA})")
        raise NotAManifest("no 'jmap-manifest' layout number")
    maps = {}
    for rel, raw in _object(root.get("maps", {}), "maps").items():
        maps[_inside(rel, "a map path")] = _map_record(raw, rel)
    options = {
        _text(k, "an option name"): _text(v, "an option value")
        for k, v in _object(root.get("options", {}), "options").items()
    }
    gallery = None
    if root.get("gallery") is not None:
        raw = _object(root["gallery"], "gallery")
        gallery = GalleryRecord(inputs=_inputs(raw.get("inputs"), "gallery"), sha256=_hash(raw.get("sha256")))
    portfolios = {}
    for folder, raw in _object(root.get("portfolios", {}), "portfolios").items():
        portfolios[_inside(folder, "a portfolio folder") if folder else ""] = _portfolio_record(raw)
    return Manifest(
        maps=maps,
        options=options,
        programs=_text(root.get("programs", ""), "programs"),
        gallery=gallery,
        portfolios=portfolios,
        shard=_text(root.get("shard", ""), "a shard"),
        facts=_facts(root["facts"]) if "facts" in root else {},
    )


#: The roll-up facts of a build's maps (jmap.repo.portfolio_build), beside the manifest.
FACTS_NAME = ".jmap-facts.json"
#: About 15 kB a map: room for tens of thousands of maps, still a bound.
FACTS_MAX_BYTES = 1024 * 1024 * 1024


def load_facts(out: Path) -> dict[str, Any]:
    """The facts a build recorded in OUT; empty when there are none or they
    are not what jmap writes (then the maps of a portfolio render again)."""
    try:
        data = read_regular(out / FACTS_NAME, limit=FACTS_MAX_BYTES)
    except (OSError, JmapError):
        return {}
    if data is None or len(data) > FACTS_MAX_BYTES:
        return {}
    try:
        return _facts(json.loads(data.decode("utf-8")))
    except (ValueError, RecursionError, NotAManifest):
        return {}


def save_facts(out: Path, facts: dict[str, Any]) -> None:
    """Write (or, with none, remove) OUT's facts: sorted, like the manifest."""
    path = out / FACTS_NAME
    if not facts:
        if path.is_file() and not path.is_symlink():
            path.unlink()
        return
    # Compact: written by the C encoder, several times faster on thousands of maps.
    text = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    write_output(path, text.encode("utf-8"))


def _facts(value: object) -> dict[str, Any]:
    from jmap.repo.portfolio_build import facts_problem

    problem = facts_problem(value)
    if problem is not None:
        raise NotAManifest(problem)
    assert isinstance(value, dict)
    return value


def _portfolio_record(raw: object) -> PortfolioRecord:
    record = _object(raw, "a portfolio record")
    outputs = {}
    for out_rel, raw_output in _object(record.get("outputs", {}), "the outputs of a portfolio").items():
        output = _object(raw_output, "an output")
        outputs[_inside(out_rel, "an output path")] = OutputRecord(
            format=_text(output.get("format"), "a format"), sha256=_hash(output.get("sha256"))
        )
    reviews = {
        _inside(k, "a map path"): _text(v, "a review date")
        for k, v in _object(record.get("reviews", {}), "reviews").items()
    }
    return PortfolioRecord(
        inputs=_inputs(record.get("inputs"), "a portfolio"),
        outputs=outputs,
        reviews=reviews,
        every=_text(record.get("every", ""), "a review period"),
        stale=_texts(record.get("stale", []), "stale maps"),
    )


def save(out: Path, manifest: Manifest, name: str = MANIFEST_NAME) -> None:
    """Write the manifest: sorted, no time stamps, no absolute paths, so that
    committed renders and their manifest change only when the renders do."""
    document: dict[str, Any] = {
        "jmap-manifest": SCHEMA,
        "programs": manifest.programs,
        "options": manifest.options,
        "maps": {
            rel: {
                "inputs": record.inputs,
                "entry": asdict(record.entry),
                "outputs": {o: asdict(r) for o, r in record.outputs.items()},
            }
            for rel, record in manifest.maps.items()
        },
    }
    if manifest.gallery is not None:
        document["gallery"] = asdict(manifest.gallery)
    if manifest.shard:
        # A shard's facts travel in its manifest to --index; a build keeps
        # them apart (FACTS_NAME), so that --check never parses them.
        document["shard"] = manifest.shard
        document["facts"] = manifest.facts
    if manifest.portfolios:
        document["portfolios"] = {
            folder: {**asdict(record), "stale": list(record.stale)} for folder, record in manifest.portfolios.items()
        }
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_output(out / name, text.encode("utf-8"))


def _no_constant(name: str) -> Any:
    raise ValueError(f"holds {name}, which jmap never writes")


def _no_float(text: str) -> Any:
    raise ValueError(f"holds the number {text[:20]}, which jmap never writes")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("holds a key twice")
    return result


def _json_problem(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    return str(exc)


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NotAManifest(f"{what} is not an object")
    return value


def _text(value: object, what: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise NotAManifest(f"{what} is not a text")
    return value


def _count(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**9:
        raise NotAManifest(f"{what} is not a count")
    return value


def _hash(value: object) -> str:
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        raise NotAManifest("a hash is not a sha256")
    return value


def _inside(value: object, what: str) -> str:
    if not is_inside(value):
        raise NotAManifest(f"{what} leaves its folder ({str(value)[:80]!r})")
    assert isinstance(value, str)
    return value


def _inputs(value: object, where: str) -> Inputs:
    return {_text(k, f"an input name of {where}"): _hash(v) for k, v in _object(value, f"inputs of {where}").items()}


def _texts(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise NotAManifest(f"{what} is not a list")
    return tuple(_text(v, what) for v in value)


def _map_record(raw: object, rel: str) -> MapRecord:
    record = _object(raw, f"the record of {rel[:80]}")
    entry = _object(record.get("entry"), f"the entry of {rel[:80]}")
    status = entry.get("status")
    if status not in STATUSES:
        raise NotAManifest(f"the status of {rel[:80]} is not one jmap writes")
    links = []
    for pair in entry.get("outputs") or []:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise NotAManifest(f"an output of {rel[:80]} is not a (format, path) pair")
        links.append((_text(pair[0], "a format"), _inside(pair[1], "an output path")))
    gallery_entry = GalleryEntry(
        rel=_inside(entry.get("rel"), "a map path"),
        status=status,
        title=_text(entry.get("title"), "a title", optional=True),
        owner=_text(entry.get("owner"), "an owner", optional=True),
        tags=_texts(entry.get("tags", []), "tags"),
        stages=_count(entry.get("stages", 0), "stages"),
        pain_points=_count(entry.get("pain_points", 0), "pain points"),
        outputs=tuple(links),
        diagnostics=_texts(entry.get("diagnostics", []), "diagnostics"),
        message=_text(entry.get("message"), "a message", optional=True),
    )
    outputs = {}
    for out_rel, raw_output in _object(record.get("outputs", {}), f"the outputs of {rel[:80]}").items():
        output = _object(raw_output, "an output")
        outputs[_inside(out_rel, "an output path")] = OutputRecord(
            format=_text(output.get("format"), "a format"), sha256=_hash(output.get("sha256"))
        )
    return MapRecord(inputs=_inputs(record.get("inputs"), rel[:80]), entry=gallery_entry, outputs=outputs)


# -- freshness ---------------------------------------------------------------------

#: How a changed input reads in ``--check``; any other input is named as is.
INPUT_REASONS = {
    "source": "its map changed",
    "jmap": "jmap changed (its version or rendering code)",
    "templates": "the templates changed",
    "portfolio": "the ids or lang of its portfolio changed",
    "portfolio file": "its portfolio file changed",
}


def changed_inputs(recorded: Inputs, now: Inputs, options_then: dict[str, str], options_now: dict[str, str]) -> str:
    """Why outputs made from ``recorded`` are not what ``now`` makes: the
    changed inputs, in words."""
    reasons = []
    for name in sorted(set(recorded) | set(now), key=lambda n: (n not in INPUT_REASONS, n)):
        if recorded.get(name) == now.get(name):
            continue
        if name == "options":
            names = sorted(k for k in set(options_then) | set(options_now) if options_then.get(k) != options_now.get(k))
            reasons.append(f"the options changed ({', '.join(names)})" if names else "the options changed")
        else:
            reasons.append(INPUT_REASONS.get(name, f"{name} changed"))
    return "; ".join(reasons)


def is_current(record: MapRecord | None, inputs: Inputs, hash_of: Any) -> bool:
    """Whether a build may keep a map's outputs as they are: built from the
    same inputs, and every output still has the bytes written."""
    return (
        record is not None
        and record.entry.status in BUILT
        and record.inputs == inputs
        and bool(record.outputs)
        and all(hash_of(rel) == output.sha256 for rel, output in record.outputs.items())
    )


def check(
    manifest: Manifest,
    planned: list[Planned],
    options: dict[str, str],
    hash_of: Any,
    *,
    gallery: tuple[str, Inputs] | None = None,
) -> list[Stale]:
    """Every output that is not what a build would write now, with why.

    ``hash_of(rel)`` is the sha256 of ``OUT/rel`` (None when absent);
    ``gallery`` is the gallery's path and current inputs (None when they
    cannot be known: a map could not be read). Nothing is rendered.
    """
    stale: list[Stale] = []
    for plan in planned:
        record = manifest.maps.get(plan.rel)
        for _fmt, rel in plan.outputs:
            on_disk = hash_of(rel)
            mine = record.outputs.get(rel) if record is not None else None
            if not plan.valid:
                reason = "its map no longer validates" if mine is not None else "its map does not validate"
                stale.append(Stale(rel, "missing" if on_disk is None else "stale", reason))
            elif on_disk is None:
                stale.append(Stale(rel, "missing"))
            elif record is None or mine is None:
                stale.append(Stale(rel, "stale", "not in the manifest"))
            elif plan.inputs is not None and record.inputs != plan.inputs:
                reason = changed_inputs(record.inputs, plan.inputs, manifest.options, options)
                stale.append(Stale(rel, "stale", reason))
            elif mine.sha256 != on_disk:
                stale.append(Stale(rel, "edited", "its bytes are not those jmap wrote"))
    if gallery is not None:
        rel, inputs = gallery
        on_disk = hash_of(rel)
        if on_disk is None:
            stale.append(Stale(rel, "missing"))
        elif manifest.gallery is None:
            stale.append(Stale(rel, "stale", "not in the manifest"))
        elif manifest.gallery.inputs != inputs:
            reason = changed_inputs(manifest.gallery.inputs, inputs, manifest.options, options)
            stale.append(Stale(rel, "stale", reason.replace("its map changed", "a map changed, came or went")))
        elif manifest.gallery.sha256 != on_disk:
            stale.append(Stale(rel, "edited", "its bytes are not those jmap wrote"))
    expected = {rel for plan in planned for _f, rel in plan.outputs}
    current = {plan.rel for plan in planned}
    for map_rel, record in manifest.maps.items():
        if map_rel in current:
            continue
        for rel, output in record.outputs.items():
            # Only a file the manifest proves jmap wrote is called orphaned.
            if rel not in expected and hash_of(rel) == output.sha256:
                stale.append(Stale(rel, "orphaned", "its map is gone"))
    unique = {(s.path, s.kind): s for s in stale}
    return [unique[k] for k in sorted(unique)]


def digest(*parts: str) -> str:
    """One sha256 of several texts, each ended by NUL so none runs into the next."""
    return sha256_of("".join(f"{part}\0" for part in parts).encode("utf-8"))

"""Portfolios in a build: which maps each governs, what each map's outputs
were made from (the shared entities it uses), and the portfolio outputs.

- A map of a portfolio is made from its own bytes and from the portfolio
  entities it uses: the shared personas it names and the shared channels its
  touchpoints name, each an input of its own in the manifest
  (``shared persona lea``), plus ``portfolio`` (the shared ids, which a map's
  own ids must not reuse, and the default ``lang``). Editing one shared
  persona therefore rebuilds exactly the maps that name it, and ``--check``
  names that persona as the reason. A map that does not validate depends on
  the whole portfolio file (any change may fix it).
- ``index.html``, ``portfolio.md`` and ``portfolio.json`` of a portfolio are
  written to the portfolio's folder in OUT (``OUT/index.html`` when SRC is the
  portfolio: the portfolio page replaces the gallery). They are made from the
  portfolio file, every map of it, and which maps are past their review date.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from jmap.repo import manifest as mf

#: The outputs of a portfolio, relative to its folder in OUT.
PORTFOLIO_OUTPUTS = (("html", "index.html"), ("md", "portfolio.md"), ("json", "portfolio.json"))


@dataclass(frozen=True, slots=True)
class PortfolioPlan:
    """One portfolio of a build: its file, its folder relative to OUT
    (``""``: OUT itself) and its maps (paths relative to OUT's base)."""

    path: str
    rel_folder: str
    maps: tuple[str, ...]

    def outputs(self) -> tuple[tuple[str, str], ...]:
        return tuple((fmt, _join(self.rel_folder, name)) for fmt, name in PORTFOLIO_OUTPUTS)


def _join(folder: str, name: str) -> str:
    return (PurePosixPath(folder) / name).as_posix() if folder else name


def plan_portfolios(base: Path, jobs: list[Any]) -> list[PortfolioPlan]:
    """The portfolios governing the maps of ``jobs`` whose folder lies in SRC."""
    from jmap.format.portfolio import portfolio_path_for

    groups: dict[str, list[str]] = {}
    for job in jobs:
        found = portfolio_path_for(job.source)
        if found is not None:
            groups.setdefault(os.path.abspath(found), []).append(job.rel)
    plans = []
    base_abs = os.path.abspath(base)
    for path, rels in sorted(groups.items()):
        folder = os.path.relpath(os.path.dirname(path), base_abs)
        if folder.startswith(".."):
            continue  # a portfolio above SRC: its outputs have no place in OUT
        rel_folder = "" if folder == "." else Path(folder).as_posix()
        plans.append(PortfolioPlan(path, rel_folder, tuple(sorted(rels))))
    return plans


# -- a map's inputs ------------------------------------------------------------------

SHARED_PREFIX = "shared "
#: The input of a map that depends on the whole portfolio file (it does not validate).
WHOLE = "portfolio file"


def shared_inputs(map_source: str, used: tuple[str, ...] | None) -> mf.Inputs:
    """The portfolio inputs of the map at ``map_source``: ``used`` are the
    shared entities it used when last built (``persona:lea``), None when not
    known (then the whole portfolio file is its input)."""
    from jmap.format.portfolio import load_portfolio, portfolio_path_for

    path = portfolio_path_for(map_source)
    if path is None:
        return {}
    report = load_portfolio(path)
    shared = report.shared
    if used is None or shared is None or shared.broken:
        return {WHOLE: _file_hash(path)}
    ids = sorted(f"{kind}:{ident}" for ident, (kind, _l, _c) in shared.positions.items())
    inputs = {"portfolio": mf.digest("ids", shared.lang or "", *ids)}
    for item in used:
        kind, _, ident = item.partition(":")
        entity = shared.personas.get(ident) if kind == "persona" else shared.channels.get(ident)
        inputs[f"{SHARED_PREFIX}{kind} {ident}"] = mf.digest(repr(entity))
    return inputs


def used_of(inputs: mf.Inputs) -> tuple[str, ...] | None:
    """The shared entities recorded in a map's inputs (None: the whole file)."""
    if WHOLE in inputs:
        return None
    return tuple(
        sorted(name[len(SHARED_PREFIX) :].replace(" ", ":", 1) for name in inputs if name.startswith(SHARED_PREFIX))
    )


def _file_hash(path: str) -> str:
    from jmap.repo.files import sha256_of

    try:
        return sha256_of(Path(path).read_bytes())
    except OSError:
        return sha256_of(b"")


def alone(source: str, diagnostics: list[Any]) -> list[Any]:
    """What a map's own build reports of it: in a portfolio, a pain point may
    be addressed from another map, so ``unaddressed-pain-point`` is left to
    the portfolio's check (which sees every map) instead."""
    from jmap.format.portfolio import portfolio_path_for

    if portfolio_path_for(source) is None:
        return diagnostics
    return [d for d in diagnostics if d.rule != "unaddressed-pain-point"]


def facts_of(source: str, result: Any) -> dict[str, Any] | None:
    """The roll-up facts of the map read from ``source`` (None outside a
    portfolio): its figures and, for the cross-map checks, its links with
    their positions."""
    from jmap.format.crossmap import map_id
    from jmap.format.portfolio import portfolio_path_for
    from jmap.render.portfolio_rollup import invalid_facts, map_facts

    path = portfolio_path_for(source)
    if path is None:
        return None
    rel = Path(os.path.relpath(os.path.abspath(source), os.path.dirname(os.path.abspath(path)))).as_posix()
    ident = map_id(result, source)
    links = [[lk.kind, lk.value, lk.line, lk.col] for lk in result.links]
    if result.map is None or result.errors:
        return invalid_facts(ident, rel, links)
    return map_facts(result.map, ident, rel, links)


def used_by(jm: Any) -> tuple[str, ...]:
    """``persona:lea``, ``channel:web``: the shared entities a valid map uses."""
    return tuple(sorted([f"persona:{p}" for p in jm.shared_personas] + [f"channel:{c}" for c in jm.shared_channels]))


# -- the portfolio outputs -------------------------------------------------------------


def outputs_inputs(pf: PortfolioPlan, maps: dict[str, mf.Inputs], common: mf.Inputs) -> mf.Inputs:
    """What made a portfolio's outputs (the reviews apart, see PortfolioRecord):
    its file, and every map of it with all that made it."""
    parts = [f"{rel}={mf.digest(*(f'{k}={v}' for k, v in sorted(maps.get(rel, {}).items())))}" for rel in pf.maps]
    return {**common, "portfolio file": _file_hash(pf.path), "source": mf.digest("portfolio", *parts)}


def stale_maps(reviews: dict[str, str], every: str | None) -> tuple[str, ...]:
    """The maps (rel) whose review is overdue today, from their recorded dates."""
    from jmap.format.portfolio import duration_of, is_stale, today

    if not every:
        return ()
    duration = duration_of(every)
    day = today()
    return tuple(rel for rel, date in sorted(reviews.items()) if date and is_stale(date, duration, day))


@dataclass(slots=True)
class PortfolioOutcome:
    record: mf.PortfolioRecord
    #: Cross-map problems, as FILE:LINE:COL lines, and how many maps they invalidate.
    lines: list[str]
    failed: int
    written: bool


def build_portfolio(
    pf: PortfolioPlan,
    out: Path,
    base: Path,
    jobs: dict[str, Any],
    inputs: mf.Inputs,
    templates_dir: Path | None,
    strict: bool = False,
) -> PortfolioOutcome:
    """Check the portfolio across its maps and write its three outputs."""
    from jmap.format.crossmap import MapEntry
    from jmap.render.portfolio_rollup import invalid_facts, map_facts
    from jmap.repo.portfolio import portfolio_entries
    from jmap.text import printable

    report, entries, originals = portfolio_entries(pf.path)
    shared = report.shared
    assert shared is not None
    lines = [printable(d.format()) for d in report.diagnostics if d.severity == "error" or d.rule == "unused-shared"]
    failed = 0
    folder = os.path.dirname(pf.path)
    facts = []
    links: dict[str, dict[str, str]] = {}
    reviews: dict[str, str] = {}
    base_abs = os.path.abspath(base)
    seen: set[str] = set()
    entry: MapEntry
    for entry, original in zip(entries, originals, strict=True):
        rel = Path(os.path.relpath(os.path.abspath(entry.path), base_abs)).as_posix()
        path_in_portfolio = Path(os.path.relpath(os.path.abspath(entry.path), folder)).as_posix()
        own = {(d.line, d.col, d.rule, d.message) for d in alone(entry.path, original.diagnostics)}
        extra = [d for d in entry.result.diagnostics if (d.line, d.col, d.rule, d.message) not in own]
        job = jobs.get(rel)
        source = job.source if job is not None else entry.path
        lines += [printable(f"{source}:{d.line}:{d.col}: {d.severity}: {d.message} [{d.rule}]") for d in extra]
        if any(d.severity == "error" or strict for d in extra) and not original.errors:
            failed += 1
        jm = entry.result.map
        map_id = entry.id if entry.id not in seen else path_in_portfolio  # a duplicate-map-id
        seen.add(map_id)
        if jm is None or entry.result.errors:
            facts.append(invalid_facts(map_id, path_in_portfolio))
        else:
            facts.append(map_facts(jm, map_id, path_in_portfolio))
            reviews[rel] = jm.reviewed or ""
        if job is not None:
            links[map_id] = {
                fmt: os.path.relpath(rel_out, pf.rel_folder or ".").replace(os.sep, "/") for fmt, rel_out in job.outputs
            }
    return _write_outputs(pf, out, shared, facts, links, reviews, inputs, templates_dir, lines, failed)


def _write_outputs(
    pf: PortfolioPlan,
    out: Path,
    shared: Any,
    facts: list[dict[str, Any]],
    links: dict[str, dict[str, str]],
    reviews: dict[str, str],
    inputs: mf.Inputs,
    templates_dir: Path | None,
    lines: list[str],
    failed: int,
) -> PortfolioOutcome:
    from jmap.format.portfolio import today
    from jmap.render.portfolio_md import render_portfolio_md
    from jmap.render.portfolio_page import render_portfolio_json, render_portfolio_page
    from jmap.render.portfolio_rollup import assemble
    from jmap.repo.files import output_path, read_or_none, sha256_of, write_output

    rollup = assemble(shared, facts, today(), links)
    rendered = {
        "html": render_portfolio_page(rollup, templates_dir),
        "md": render_portfolio_md(rollup),
        "json": render_portfolio_json(rollup),
    }
    outputs: dict[str, mf.OutputRecord] = {}
    written = False
    for fmt, rel_out in pf.outputs():
        data = rendered[fmt]
        target = output_path(out, rel_out)
        if read_or_none(target) != data:
            write_output(target, data)
            written = True
        outputs[rel_out] = mf.OutputRecord(fmt, sha256_of(data))
    every = shared.review_every.text if shared.review_every is not None else ""
    record = mf.PortfolioRecord(
        inputs=inputs, outputs=outputs, reviews=reviews, every=every, stale=stale_maps(reviews, every)
    )
    return PortfolioOutcome(record, lines, failed, written)


class _FactsMap:
    """What the cross-map checks read of a valid map, from its facts alone
    (``--index`` renders no map and reads none)."""

    def __init__(self, f: dict[str, Any]) -> None:
        from types import SimpleNamespace

        from jmap.model import SERIOUS_SEVERITIES

        self.reviewed = f.get("reviewed")
        self.shared_personas = tuple(p["id"] for p in f["personas"] if p["shared"])
        self.shared_channels = tuple(c["id"] for c in f["channels"] if c["shared"])
        self.index = SimpleNamespace(pain_points={pp["id"]: pp for pp in f["pain_points"]})
        prefix = f"{f['id']}/"
        own = {a[len(prefix) :] for o in f["opportunities"] for a in o["addresses"] if a.startswith(prefix)}
        self._unaddressed = [
            SimpleNamespace(id=pp["id"])
            for pp in f["pain_points"]
            if pp["severity"] in SERIOUS_SEVERITIES and pp["id"] not in own
        ]

    def unaddressed_pain_points(self) -> list[Any]:
        return self._unaddressed


def build_portfolio_from_facts(
    pf: PortfolioPlan,
    out: Path,
    facts_by_rel: dict[str, dict[str, Any]],
    jobs: dict[str, Any],
    inputs: mf.Inputs,
    templates_dir: Path | None,
) -> PortfolioOutcome:
    """``--index``: the portfolio's outputs from its maps' facts, as the shards
    wrote them: the same bytes as a build that renders the maps."""
    from jmap.format.crossmap import MapEntry, check_portfolio, map_stem
    from jmap.format.diagnostics import Diagnostic
    from jmap.format.portfolio import load_portfolio, today
    from jmap.format.validator import Link, Result
    from jmap.render.portfolio_rollup import invalid_facts
    from jmap.text import printable

    report = load_portfolio(pf.path)
    shared = report.shared
    assert shared is not None
    folder = os.path.dirname(os.path.abspath(pf.path))
    entries = []
    for rel in pf.maps:
        job = jobs[rel]
        f = facts_by_rel.get(rel)
        if f is None:
            path_in = Path(os.path.relpath(os.path.abspath(job.source), folder)).as_posix()
            f = invalid_facts(map_stem(path_in), path_in)
        links = tuple(Link(str(k), str(v), int(line), int(col)) for k, v, line, col in f.get("links", []))
        # An invalid map counts as one with an error, as in a build that reads it.
        errors = [] if f["valid"] else [Diagnostic(job.source, 1, 1, "error", "invalid", "invalid")]
        result = Result(job.source, errors, map=_FactsMap(f) if f["valid"] else None, links=links)  # type: ignore[arg-type]
        entries.append((rel, f, MapEntry(job.source, result, f["id"])))
    checked_report, checked = check_portfolio(report, [e for _r, _f, e in entries], today(), whole=True)
    lines = [
        printable(d.format()) for d in checked_report.diagnostics if d.severity == "error" or d.rule == "unused-shared"
    ]
    failed = 0
    facts: list[dict[str, Any]] = []
    links_by_id: dict[str, dict[str, str]] = {}
    reviews: dict[str, str] = {}
    seen: set[str] = set()
    for (rel, f, _entry), result in zip(entries, checked, strict=True):
        extra = [d for d in result.diagnostics if d.rule not in ("invalid", "unaddressed-pain-point")]
        lines += [printable(d.format()) for d in extra]
        cross_errors = any(d.severity == "error" for d in extra)
        failed += 1 if cross_errors and f["valid"] else 0
        map_id = f["id"] if f["id"] not in seen else f["path"]
        seen.add(map_id)
        if f["valid"] and not cross_errors:
            facts.append({**f, "id": map_id})
            reviews[rel] = f.get("reviewed") or ""
        else:
            facts.append(invalid_facts(map_id, f["path"]))
        job = jobs[rel]
        links_by_id[map_id] = {
            fmt: os.path.relpath(rel_out, pf.rel_folder or ".").replace(os.sep, "/") for fmt, rel_out in job.outputs
        }
    return _write_outputs(pf, out, shared, facts, links_by_id, reviews, inputs, templates_dir, lines, failed)


def check_portfolio_outputs(
    pf: PortfolioPlan, record: mf.PortfolioRecord | None, inputs: mf.Inputs, hash_of: Any
) -> list[mf.Stale]:
    """The portfolio's outputs that a build would write otherwise, with why."""
    stale: list[mf.Stale] = []
    for _fmt, rel in pf.outputs():
        on_disk = hash_of(rel)
        mine = record.outputs.get(rel) if record is not None else None
        if on_disk is None:
            stale.append(mf.Stale(rel, "missing"))
        elif record is None or mine is None:
            stale.append(mf.Stale(rel, "stale", "not in the manifest"))
        elif record.inputs != inputs:
            reason = mf.changed_inputs(record.inputs, inputs, {}, {})
            stale.append(mf.Stale(rel, "stale", reason.replace("its map changed", "a map changed, came or went")))
        elif stale_maps(record.reviews, record.every) != record.stale:
            stale.append(mf.Stale(rel, "stale", "a map's review fell due since it was written"))
        elif mine.sha256 != on_disk:
            stale.append(mf.Stale(rel, "edited", "its bytes are not those jmap wrote"))
    return stale


def is_current(record: mf.PortfolioRecord | None, inputs: mf.Inputs, hash_of: Any) -> bool:
    return (
        record is not None
        and record.inputs == inputs
        and stale_maps(record.reviews, record.every) == record.stale
        and all(hash_of(rel) == o.sha256 for rel, o in record.outputs.items())
    )

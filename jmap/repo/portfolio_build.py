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
    facts = map_facts(result.map, ident, rel, links)
    # The map's own unaddressed-pain-point warnings, with their places: the
    # portfolio's check keeps those no other map's opportunity answers.
    facts["unaddressed"] = [
        [d.line, d.col, d.message] for d in result.diagnostics if d.rule == "unaddressed-pain-point"
    ]
    return facts


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


def build_portfolio(
    pf: PortfolioPlan,
    out: Path,
    facts_by_rel: dict[str, dict[str, Any]],
    jobs: dict[str, Any],
    inputs: mf.Inputs,
    templates_dir: Path | None,
    strict: bool = False,
) -> PortfolioOutcome:
    """Check the portfolio across its maps and write its three outputs, from
    the maps' facts alone (as each map's build, or a shard, recorded them):
    no map is read again, so one shared persona edited costs the maps that
    name it, and ``--index`` writes the same bytes as a build."""
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
        own = [Diagnostic(job.source, 1, 1, "error", "invalid", "invalid")] if not f["valid"] else []
        own += [
            Diagnostic(job.source, int(line), int(col), "warning", str(message), "unaddressed-pain-point")
            for line, col, message in f.get("unaddressed", [])
        ]
        result = Result(job.source, own, map=_FactsMap(f) if f["valid"] else None, links=links)  # type: ignore[arg-type]
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
        extra = [d for d in result.diagnostics if d.rule != "invalid"]
        lines += [printable(d.format()) for d in extra]
        cross_errors = any(d.severity == "error" for d in extra)
        failed += 1 if f["valid"] and (cross_errors or (strict and extra)) else 0
        map_id = f["id"] if f["id"] not in seen else f["path"]
        seen.add(map_id)
        if f["valid"] and not cross_errors:
            facts.append({k: v for k, v in f.items() if k not in ("links", "unaddressed")} | {"id": map_id})
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


def live_portfolio_page(folder: Path, maps: list[Any], templates_dir: Path | None) -> bytes | None:
    """`jmap serve DIR`: the portfolio page of DIR from the maps being served
    (jmap.serve.preview's LiveMap: its model, or none while it is invalid),
    linking to their live pages; None when DIR is not a portfolio's folder."""
    from jmap.format.crossmap import map_stem
    from jmap.format.portfolio import PORTFOLIO_NAME, load_portfolio, today
    from jmap.render.portfolio_page import render_portfolio_page
    from jmap.render.portfolio_rollup import assemble, invalid_facts, map_facts
    from jmap.repo.portfolio import portfolio_of_folder

    path = portfolio_of_folder(folder)
    if path is None or os.path.abspath(os.path.dirname(path)) != os.path.abspath(folder):
        return None
    shared = load_portfolio(path).shared
    if shared is None or shared.broken:
        return None  # its errors are on every map's page; the gallery lists them
    facts = []
    links: dict[str, dict[str, str]] = {}
    for live in sorted(maps, key=lambda m: m.rel):
        if live.rel == PORTFOLIO_NAME:
            continue
        jm = live.model if live.ok else None
        ident = (jm.id if jm is not None and jm.id else None) or map_stem(live.rel)
        facts.append(map_facts(jm, ident, live.rel) if jm is not None else invalid_facts(ident, live.rel))
        links[ident] = {"html": f"{live.key}.html", "svg": f"{live.key}.svg"}
    return render_portfolio_page(assemble(shared, facts, today(), links), templates_dir)


def facts_problem(facts: Any) -> str | None:
    """Why ``facts`` (read from a manifest in OUT, untrusted) is not what
    :func:`facts_of` writes; None when it is."""

    def text(v: Any) -> bool:
        return isinstance(v, str) and len(v) <= 100_000

    def opt(v: Any) -> bool:
        return v is None or text(v)

    def integer(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    def items(v: Any, check: Any) -> bool:
        return isinstance(v, list) and all(check(x) for x in v)

    def obj(v: Any, fields: dict[str, Any]) -> bool:
        return isinstance(v, dict) and all(k in v and check(v[k]) for k, check in fields.items())

    if not isinstance(facts, dict):
        return "facts is not an object"
    step = {"touchpoint": text, "name": text, "stage": text, "score": lambda v: integer(v) and -2 <= v <= 2}

    def link(v: Any) -> bool:
        return isinstance(v, list) and len(v) == 4 and text(v[0]) and text(v[1]) and integer(v[2]) and integer(v[3])

    for rel, f in facts.items():
        if not (text(rel) and obj(f, {"id": text, "path": text, "valid": lambda v: isinstance(v, bool)})):
            return f"the facts of {str(rel)[:80]} are not what jmap writes"
        if not items(f.get("links", []), link):
            return f"the links of {rel[:80]} are not what jmap writes"
        if not f["valid"]:
            continue
        ok = obj(
            f,
            {
                "title": text,
                "owner": opt,
                "lang": text,
                "reviewed": opt,
                "stages": lambda v: items(v, lambda s: obj(s, {"id": text, "name": text})),
                "touchpoints": integer,
                "personas": lambda v: items(
                    v,
                    lambda p: obj(
                        p,
                        {
                            "id": text,
                            "name": text,
                            "color": opt,
                            "shared": lambda b: isinstance(b, bool),
                            "route": lambda r: items(r, lambda x: obj(x, step)),
                        },
                    ),
                ),
                "channels": lambda v: items(
                    v,
                    lambda c: obj(
                        c,
                        {
                            "id": text,
                            "name": text,
                            "type": lambda t: t in ("online", "offline"),
                            "shared": lambda b: isinstance(b, bool),
                            "touchpoints": integer,
                        },
                    ),
                ),
                "details": lambda v: items(
                    v, lambda d: obj(d, {"from": text, "name": text, "kind": text, "map": text})
                ),
                "pain_points": lambda v: items(
                    v,
                    lambda p: obj(
                        p,
                        {
                            "id": text,
                            "name": text,
                            "severity": lambda s: s in ("low", "medium", "high", "critical"),
                            "touchpoint": text,
                            "stage": text,
                        },
                    ),
                ),
                "opportunities": lambda v: items(
                    v,
                    lambda o: obj(
                        o,
                        {
                            "id": text,
                            "name": text,
                            "description": opt,
                            "owner": opt,
                            "impact": lambda x: x in (None, "low", "medium", "high"),
                            "effort": lambda x: x in (None, "low", "medium", "high"),
                            "status": lambda x: x in (None, "idea", "planned", "in-progress", "done"),
                            "addresses": lambda a: items(a, lambda r: text(r) and "/" in r),
                        },
                    ),
                ),
            },
        )
        unaddressed = f.get("unaddressed", [])
        if not ok or not items(
            unaddressed,
            lambda u: isinstance(u, list) and len(u) == 3 and integer(u[0]) and integer(u[1]) and text(u[2]),
        ):
            return f"the facts of {rel[:80]} are not what jmap writes"
    return None

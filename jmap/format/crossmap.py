"""The checks of a portfolio as a whole, once each map is checked alone.

Errors: an unknown map in ``details`` or in ``MAP/PAIN-ID`` (``unknown-map``),
an unknown pain point of another map (``cross-map-reference``), two maps with
one id (``duplicate-map-id``), a cycle in the hierarchy (``hierarchy-cycle``).
Warnings: a shared persona or channel no map uses (``unused-shared``), a map
never reviewed (``missing-review``) or reviewed too long ago (``stale-map``)
when the portfolio sets ``review.every``, and a high or critical pain point
that no opportunity of the whole portfolio addresses: the map's own
``unaddressed-pain-point`` warning is withdrawn when another map's
opportunity addresses it.

Pure: it reads the results of the validator, never a file.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, replace

from jmap.format.diagnostics import ERROR, WARNING, Diagnostic, sort_key
from jmap.format.hints import did_you_mean
from jmap.format.portfolio import PortfolioResult, is_stale
from jmap.format.validator import Link, Result


def map_stem(path: str) -> str:
    """A map's default id: its file name without ``.yaml``/``.yml``."""
    name = os.path.basename(path)
    for suffix in (".yaml", ".yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def map_id(result: Result, path: str) -> str:
    """The map's id in its portfolio: its ``id`` key, else its file's stem."""
    for link in result.links:
        if link.kind == "id":
            return link.value
    return map_stem(path)


@dataclass(frozen=True, slots=True)
class MapEntry:
    """One map of the portfolio as the checks see it: where it is read from
    (``path``), its results, and its id."""

    path: str
    result: Result
    id: str


def entries(results: list[tuple[str, Result]]) -> list[MapEntry]:
    return [MapEntry(path, result, map_id(result, path)) for path, result in results]


def check_portfolio(
    portfolio: PortfolioResult, maps: list[MapEntry], today: datetime.date, *, whole: bool = True
) -> tuple[PortfolioResult, list[Result]]:
    """The portfolio's report and each map's, with the cross-map problems
    added; ``whole``: every map of the portfolio is among ``maps`` (so a
    shared entity no map names is really unused)."""
    extra: dict[int, list[Diagnostic]] = {i: [] for i in range(len(maps))}
    shared = portfolio.shared
    by_id: dict[str, int] = {}

    def first_link(entry: MapEntry, kind: str) -> Link | None:
        return next((link for link in entry.result.links if link.kind == kind), None)

    def at(i: int, line: int, col: int, severity: str, message: str, rule: str) -> None:
        extra[i].append(Diagnostic(maps[i].result.file, line, col, severity, message, rule))

    for i, entry in enumerate(maps):
        other = by_id.get(entry.id)
        if other is None:
            by_id[entry.id] = i
            continue
        link = first_link(entry, "id")
        line, col = (link.line, link.col) if link else (1, 1)
        how = "" if link else " (from its file name; give one of them an 'id')"
        at(
            i,
            line,
            col,
            ERROR,
            f"map id '{entry.id}'{how} is already the id of {maps[other].result.file}: map ids are unique in a portfolio",
            "duplicate-map-id",
        )
    ids = sorted(by_id)

    def unknown_map(i: int, link: Link, name: str) -> None:
        at(
            i,
            link.line,
            link.col,
            ERROR,
            f"unknown map '{name}'{did_you_mean(name, ids)} in the portfolio",
            "unknown-map",
        )

    # The hierarchy: details links, each checked, then cycles.
    children: dict[str, list[tuple[str, int, Link]]] = {}
    for i, entry in enumerate(maps):
        for link in entry.result.links:
            if link.kind != "details":
                continue
            if link.value not in by_id:
                unknown_map(i, link, link.value)
                continue
            children.setdefault(entry.id, []).append((link.value, i, link))
    _report_cycles(children, at)

    # Cross-map addresses.
    addressed: set[str] = set()
    for i, entry in enumerate(maps):
        for link in entry.result.links:
            if link.kind != "address":
                continue
            target_id, _, pain = link.value.partition("/")
            target = by_id.get(target_id)
            if target is None:
                unknown_map(i, link, target_id)
                continue
            target_map = maps[target].result.map
            if target_map is None:
                continue  # that map has errors of its own, reported there
            pain_ids = list(target_map.index.pain_points)
            if pain not in target_map.index.pain_points:
                at(
                    i,
                    link.line,
                    link.col,
                    ERROR,
                    f"map '{target_id}' has no pain point '{pain}'{did_you_mean(pain, pain_ids)}",
                    "cross-map-reference",
                )
                continue
            addressed.add(f"{target_id}/{pain}")

    # Warnings: unaddressed pain points across the portfolio.
    withdrawn: dict[int, set[tuple[int, int]]] = {}
    for i, entry in enumerate(maps):
        jm = entry.result.map
        if jm is None:
            continue
        for pp in jm.unaddressed_pain_points():
            if f"{entry.id}/{pp.id}" in addressed:
                withdrawn.setdefault(i, set()).add(_pain_point_key(entry.result, pp.id))

    # Reviews.
    every = shared.review_every if shared is not None else None
    if every is not None:
        for i, entry in enumerate(maps):
            jm = entry.result.map
            if jm is None:
                continue
            link = first_link(entry, "reviewed")
            if jm.reviewed is None or link is None:
                at(
                    i,
                    1,
                    1,
                    WARNING,
                    f"map '{entry.id}' has no 'reviewed' date, and its portfolio asks for a review every "
                    f"{every.text}: add 'reviewed: YYYY-MM-DD'",
                    "missing-review",
                )
            elif is_stale(jm.reviewed, every, today):
                at(
                    i,
                    link.line,
                    link.col,
                    WARNING,
                    f"map '{entry.id}' was last reviewed on {jm.reviewed}, more than {every.text} before "
                    f"{today.isoformat()}: check it against reality and update 'reviewed'",
                    "stale-map",
                )

    # Shared entities that no map uses (only when every map is known and valid).
    portfolio_extra: list[Diagnostic] = []
    if shared is not None and not shared.broken and whole and all(e.result.map is not None for e in maps):
        used_personas = {p for e in maps if e.result.map for p in e.result.map.shared_personas}
        used_channels = {c for e in maps if e.result.map for c in e.result.map.shared_channels}
        for ident, (kind, line, col) in shared.positions.items():
            used = used_personas if kind == "persona" else used_channels
            if ident not in used:
                how = "lists it in its 'personas'" if kind == "persona" else "has a touchpoint on it"
                portfolio_extra.append(
                    Diagnostic(
                        portfolio.file,
                        line,
                        col,
                        WARNING,
                        f"shared {kind} '{ident}' is used by no map (no map {how})",
                        "unused-shared",
                    )
                )

    results: list[Result] = []
    for i, entry in enumerate(maps):
        r = entry.result
        gone = withdrawn.get(i, set())
        kept = [d for d in r.diagnostics if not (d.rule == "unaddressed-pain-point" and (d.line, d.col) in gone)]
        merged = sorted(kept + extra[i], key=sort_key)
        results.append(replace(r, diagnostics=merged))
    report = replace(portfolio, diagnostics=sorted(portfolio.diagnostics + portfolio_extra, key=sort_key))
    return report, results


def _pain_point_key(result: Result, pain_id: str) -> tuple[int, int]:
    """Where the map's own ``unaddressed-pain-point`` warning of ``pain_id`` stands."""
    for d in result.diagnostics:
        if d.rule == "unaddressed-pain-point" and f"pain point '{pain_id}' is not addressed" in d.message:
            return (d.line, d.col)
    return (-1, -1)


def _report_cycles(children: dict[str, list[tuple[str, int, Link]]], at: object) -> None:
    """Report each cycle of the hierarchy once, at the ``details`` link that closes it."""
    assert callable(at)
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []
    for root in sorted(children):
        if state.get(root):
            continue
        # Iterative depth-first walk: a chain of thousands of maps must not
        # overflow the stack.
        stack: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        path.append(root)
        while stack:
            node, k = stack[-1]
            edges = children.get(node, [])
            if k >= len(edges):
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            stack[-1] = (node, k + 1)
            child, i, link = edges[k]
            if state.get(child) == 1:
                loop = [*path[path.index(child) :], child]
                at(
                    i,
                    link.line,
                    link.col,
                    ERROR,
                    f"the hierarchy of maps has a cycle: {' → '.join(loop)} (a map cannot detail itself, even "
                    "through others)",
                    "hierarchy-cycle",
                )
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, 0))

"""Maps grouped by portfolio, and each portfolio checked as a whole.

`jmap validate` and `jmap build` check each map alone (jmap.format.validator),
then hand the maps of each portfolio here: the portfolio's other maps are
read too (quietly) when only some were named, since a ``details`` link or a
``MAP/PAIN-ID`` can only be judged against every map, and the cross-map
problems (jmap.format.crossmap) are added to the maps' reports. Only the maps
asked for are reported; the portfolio file is reported with them when it has
errors, or when every one of its maps was asked for.
"""

from __future__ import annotations

import os

from jmap.format.crossmap import MapEntry, check_portfolio, entries
from jmap.format.diagnostics import FileReport
from jmap.format.portfolio import PortfolioResult, load_portfolio, portfolio_path_for, today
from jmap.format.validator import Result, load_file
from jmap.repo.discover import find_maps


def maps_of(portfolio_path: str) -> list[str]:
    """Every map governed by the portfolio file: the maps below its folder
    whose nearest portfolio it is."""
    folder = os.path.dirname(portfolio_path)
    here = os.path.realpath(portfolio_path)
    found = find_maps([folder])
    return [p for p in found if (q := portfolio_path_for(p)) is not None and os.path.realpath(q) == here]


def portfolio_of_folder(folder: str | os.PathLike[str]) -> str | None:
    """The portfolio that governs the maps of ``folder`` (None: not a portfolio)."""
    return portfolio_path_for(os.path.join(os.fspath(folder), "x.yaml"))


def across_maps(paths: list[str], results: list[Result]) -> list[FileReport]:
    """``results`` (one per path, in order) with every portfolio checked as a
    whole; a portfolio's own report comes before its maps'."""
    groups: dict[str, list[int]] = {}
    for i, path in enumerate(paths):
        if path == "-":
            continue
        found = portfolio_path_for(path)
        if found is not None:
            groups.setdefault(os.path.realpath(found), []).append(i)
    if not groups:
        return list(results)
    out: list[FileReport] = list(results)
    before: dict[int, list[FileReport]] = {}
    day = today()
    for portfolio_path, indexes in groups.items():
        portfolio = load_portfolio(portfolio_path)
        asked = {os.path.realpath(paths[i]): i for i in indexes}
        members = maps_of(portfolio_path)
        member_keys = {os.path.realpath(p) for p in members}
        whole = member_keys <= set(asked)
        loaded: list[tuple[str, Result]] = []
        positions: list[int | None] = []
        for i in indexes:
            loaded.append((paths[i], results[i]))
            positions.append(i)
        for p in members:
            if os.path.realpath(p) not in asked:
                loaded.append((p, load_file(p)))
                positions.append(None)
        report, checked = check_portfolio(portfolio, entries(loaded), day, whole=whole)
        for pos, result in zip(positions, checked, strict=True):
            if pos is not None:
                out[pos] = result
        if whole or report.errors:
            before.setdefault(min(indexes), []).append(report)
    ordered: list[FileReport] = []
    for i, one in enumerate(out):
        ordered.extend(before.get(i, []))
        ordered.append(one)
    return ordered


def portfolio_entries(portfolio_path: str) -> tuple[PortfolioResult, list[MapEntry], list[Result]]:
    """Every map of a portfolio, loaded and checked as a whole (for builds),
    with each map's results alone (what its own build already reported)."""
    portfolio = load_portfolio(portfolio_path)
    members = maps_of(portfolio_path)
    loaded = [(p, load_file(p)) for p in members]
    found = entries(loaded)
    report, checked = check_portfolio(portfolio, found, today(), whole=True)
    return (
        report,
        [MapEntry(e.path, r, e.id) for e, r in zip(found, checked, strict=True)],
        [r for _p, r in loaded],
    )

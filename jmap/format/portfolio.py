"""The portfolio file, ``jmap-portfolio.yaml``: personas and channels shared
by every map in its folder and below, and how often maps are reviewed.

A map finds its portfolio as tools find ``pyproject.toml``: walking up from
its own folder to the first ``jmap-portfolio.yaml``, stopping at a repository
root (a folder holding ``.git``). ``--portfolio FILE`` names one and
``--no-portfolio`` ignores it; both travel in the ``JMAP_PORTFOLIO``
environment variable, so that build workers (other processes) see the same
choice. The file is checked by the map validator's own machinery (same
positions, same rule ids) and read once per process: a build of a thousand
maps parses it once per worker, not once per map.

Only the shared entities are resolved here; what needs every map (the
hierarchy, cross-map ``addresses``, unused shared entities, reviews) is
jmap.format.crossmap.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field

from jmap import model as m
from jmap.format.diagnostics import ERROR, Diagnostic, FileReport, sort_key
from jmap.format.loader import Mapping, Node, Scalar, compose, decode, normalize_newlines
from jmap.format.validator import _INVALID, MAX_BYTES, _Checker, _describe, _Entity, _TooManyProblems

PORTFOLIO_NAME = "jmap-portfolio.yaml"
#: ``--portfolio FILE`` (a path) or ``--no-portfolio`` (``none``), for this
#: process and its workers.
ENV = "JMAP_PORTFOLIO"
NONE = "none"


@dataclass(frozen=True, slots=True, eq=False)
class Shared:
    """What a map's ids may name in its portfolio, and the portfolio's own facts."""

    #: The portfolio file as named in messages.
    file: str
    path: str
    title: str
    lang: str | None = None
    owner: str | None = None
    description: str | None = None
    personas: dict[str, m.Persona] = field(default_factory=dict)
    channels: dict[str, m.Channel] = field(default_factory=dict)
    #: id → (kind, line, col) in the portfolio file.
    positions: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    review_every: m.Duration | None = None
    #: The file has errors: maps that rely on it cannot be trusted.
    broken: bool = False

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path)

    def where(self, ident: str) -> str | None:
        """``persona 'lea' (jmap-portfolio.yaml:7:7)`` when the portfolio defines ``ident``."""
        found = self.positions.get(ident)
        if found is None:
            return None
        kind, line, col = found
        return f"{kind} '{ident}' ({self.file}:{line}:{col})"


@dataclass(frozen=True, slots=True)
class PortfolioResult(FileReport):
    """What checking a portfolio file found, and the Shared it defines
    (reported beside the maps, but not counted as one)."""

    is_map: bool = False
    shared: Shared | None = None
    is_portfolio = True


# -- finding it ------------------------------------------------------------------


def find_portfolio(start: str | os.PathLike[str]) -> str | None:
    """The first ``jmap-portfolio.yaml`` in ``start`` (a folder) or above it,
    not above a repository root."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, PORTFOLIO_NAME)
        if os.path.isfile(candidate):
            return candidate
        if os.path.exists(os.path.join(folder, ".git")):
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def choose(portfolio: str | None, no_portfolio: bool) -> None:
    """Record ``--portfolio FILE`` / ``--no-portfolio`` for this run."""
    if no_portfolio:
        os.environ[ENV] = NONE
    elif portfolio:
        os.environ[ENV] = os.path.abspath(portfolio)


def portfolio_path_for(map_path: str | os.PathLike[str]) -> str | None:
    """The portfolio file that governs the map at ``map_path`` (``-``: the
    current folder), following the run's choice."""
    chosen = os.environ.get(ENV)
    if chosen == NONE:
        return None
    if chosen:
        return chosen
    path = os.fspath(map_path)
    start = os.getcwd() if path == "-" else os.path.dirname(os.path.abspath(path))
    return find_portfolio(start)


def portfolio_for(map_path: str | os.PathLike[str]) -> Shared | None:
    """The Shared entities the map at ``map_path`` may name (None: no portfolio)."""
    path = portfolio_path_for(map_path)
    if path is None:
        return None
    return load_portfolio(path).shared


_cache: dict[str, tuple[tuple[int, int], PortfolioResult]] = {}


def display_name(path: str) -> str:
    """The portfolio's path as messages show it: relative to the current
    folder when it lies below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def load_portfolio(path: str | os.PathLike[str]) -> PortfolioResult:
    """Check the portfolio file at ``path``; read once per process while unchanged."""
    path = os.path.abspath(path)
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (0, -1)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    result = _load(path, display_name(path))
    _cache[path] = (stamp, result)
    return result


def _load(path: str, name: str) -> PortfolioResult:
    def failed(rule: str, message: str) -> PortfolioResult:
        report = PortfolioResult(name, [Diagnostic(name, 1, 1, ERROR, message, rule)])
        return PortfolioResult(name, report.diagnostics, shared=Shared(name, path, "", broken=True))

    try:
        if os.path.getsize(path) > MAX_BYTES:
            return failed("file-too-large", f"the portfolio file is larger than {MAX_BYTES:,} bytes")
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return failed("io", f"cannot read the portfolio file: {exc.strerror or exc}")
    return check_portfolio_text(data, name, path)


def check_portfolio_text(data: bytes | str, name: str, path: str | None = None) -> PortfolioResult:
    """Check a portfolio file's text: every problem positioned, as for a map."""
    path = path or name
    if isinstance(data, bytes):
        text, problems = decode(data)
        if text is None:
            diagnostics = [p.__class__(name, p.line, p.col, p.severity, p.message, p.rule) for p in problems]
            return PortfolioResult(name, diagnostics, shared=Shared(name, path, "", broken=True))
    else:
        text = data
    text = normalize_newlines(text.removeprefix("\ufeff"))
    root, problems = compose(text)
    checker = _PortfolioChecker(name, text)
    for p in problems:
        checker.report(Diagnostic(name, p.line, p.col, p.severity, p.message, p.rule))
    checker.errors = len(problems)
    shared: Shared | None = None
    if root is None or (isinstance(root, Scalar) and root.value is None):
        if not problems:
            checker.report(
                Diagnostic(
                    name, 1, 1, ERROR, "the portfolio file is empty: it starts with 'jmap-portfolio: 1'", "empty-file"
                )
            )
            checker.errors += 1
    else:
        try:
            shared = checker.check(root, path)
        except _TooManyProblems:
            shared = None
    checker.diagnostics.sort(key=sort_key)
    if shared is None:
        shared = Shared(name, path, "", broken=True)
    return PortfolioResult(name, checker.diagnostics, truncated=checker.truncated, shared=shared)


class _PortfolioChecker(_Checker):
    """The map checker's structure pass, on a portfolio's keys."""

    def check(self, root: Node, path: str) -> Shared | None:
        if not isinstance(root, Mapping):
            self.error(
                root,
                "root-not-mapping",
                f"the top level must be a mapping of keys ('jmap-portfolio: 1', 'title: …'), not {_describe(root)}",
            )
            return None
        doc = self.entity(root, "portfolio", "the portfolio")
        if doc is None:
            return None
        version = doc.values.get("jmap-portfolio")
        if isinstance(version, int) and version != 1:
            from jmap import __version__

            self.error(
                doc.nodes["jmap-portfolio"],
                "unsupported-version",
                f"portfolio format version {version} is not supported by jmap {__version__}, which reads version 1",
            )
        if self.errors:
            return None
        personas: dict[str, m.Persona] = {}
        for e in doc.get("personas", []):
            personas[e.values["id"]] = m.Persona(
                e.values["id"],
                e.values["name"],
                e.get("description"),
                e.get("goals", ()),
                e.get("frustrations", ()),
                e.get("quote"),
                e.get("color"),
            )
        channels = {
            c.values["id"]: m.Channel(c.values["id"], c.values["name"], c.get("type", "online"))
            for c in doc.get("channels", [])
        }
        positions = {ident: (kind, node.line, node.col) for ident, (kind, node) in self.ids.items()}
        review = doc.get("review")
        every = review.get("every") if isinstance(review, _Entity) else None
        return Shared(
            file=self.filename,
            path=path,
            title=doc.values["title"],
            lang=doc.get("lang"),
            owner=doc.get("owner"),
            description=doc.get("description"),
            personas=personas,
            channels=channels,
            positions=positions,
            review_every=every if every is not _INVALID else None,
        )


def today() -> datetime.date:
    """The day reviews are judged on: ``SOURCE_DATE_EPOCH`` when set (the
    reproducible-builds convention, so a CI build of an old commit marks
    the same maps stale as it did then), else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.datetime.now(datetime.UTC).date()


def is_stale(reviewed: str | None, every: m.Duration | None, on: datetime.date) -> bool:
    """Whether a map reviewed on ``reviewed`` is overdue on ``on``."""
    if reviewed is None or every is None:
        return False
    due = datetime.date.fromisoformat(reviewed) + datetime.timedelta(seconds=every.seconds)
    return due < on


def due_date(reviewed: str | None, every: m.Duration | None) -> str | None:
    if reviewed is None or every is None:
        return None
    return (datetime.date.fromisoformat(reviewed) + datetime.timedelta(seconds=every.seconds)).isoformat()


def duration_of(text: str) -> m.Duration | None:
    """A review period as the portfolio file writes it (``6mo``), or None."""
    import re

    from jmap.format.table import DURATION_PATTERN

    if not re.fullmatch(DURATION_PATTERN, text):
        return None
    parts = re.findall(r"([0-9]+(?:\.[0-9]+)?)([a-z]+)", text)
    return m.Duration(text, sum(float(n) * m.DURATION_UNITS[u] for n, u in parts))

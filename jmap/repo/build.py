"""``jmap build``: every map of a folder rendered into another, plus a gallery.

Teams keep dozens of maps in a repository and render them on every commit, so
the build is:

- incremental: ``OUT/.jmap-cache.json`` records, per source map, a key made of
  the map's bytes, the jmap version and code, the templates, the Graphviz
  version and the options. A map whose key is unchanged and whose outputs are
  all present is not rendered again; a no-change rebuild only reads and hashes
  the sources.
- parallel: maps render in a process pool, each worker writing its own outputs;
  every output depends on one map only, so the files are the same whatever ``-j``.
- safe to interrupt and to run twice at once: every file is written atomically
  (temporary file, then rename), the run holds an exclusive lock on
  ``OUT/.jmap-build.lock`` (a second build waits for the first), and temporary
  files left by a killed run are removed by the next one.
- checkable: ``--check`` renders in memory and compares bytes with what is in
  OUT, so a CI job can insist that committed renders are current without
  trusting the cache.

A map that fails validation is reported with positions and skipped; the others
are still built, and the exit code says that something failed.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from jmap.errors import JmapError, UsageError
from jmap.render.formats import PAGE_FORMATS, output_stem, output_suffix

CACHE_NAME = ".jmap-cache.json"
LOCK_NAME = ".jmap-build.lock"
INDEX_NAME = "index.html"
BUILD_FORMATS = ("svg", "html", "md", "mmd", "dot")
#: Bumped when the cache layout changes, so an old cache is ignored, not misread.
CACHE_SCHEMA = 1
_DOT_FORMATS = ("svg", "png", "pdf")

#: How each format is announced in the gallery, in the order links are shown.
FORMAT_LABELS: dict[str, str] = {
    "html": "page",
    "svg": "diagram",
    "png": "diagram (PNG)",
    "pdf": "PDF",
    "md": "summary",
    "mmd": "Mermaid",
    "dot": "DOT",
    "page-pdf": "page (PDF)",
    "page-png": "page (PNG)",
}

Echo = Callable[[str], None]


# -- data passed to and from the workers (picklable, plain) ----------------------


@dataclass(frozen=True, slots=True)
class MapJob:
    """Everything a worker needs to render (or check) one map."""

    source: str
    rel: str
    outputs: tuple[tuple[str, str], ...]  # (format, output path relative to OUT)
    out_dir: str
    formats: tuple[str, ...]
    strict: bool
    templates_dir: str | None
    check: bool


@dataclass(slots=True)
class GalleryEntry:
    """What the gallery shows about one map; cached so an unchanged map needs
    no parsing at all."""

    rel: str
    status: str  # valid | warnings | invalid | failed
    title: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    stages: int = 0
    pain_points: int = 0
    outputs: tuple[tuple[str, str], ...] = ()
    #: ``LINE:COL: severity: message [rule]``, without the file name: the
    #: gallery must not depend on how SRC was spelled on the command line.
    diagnostics: tuple[str, ...] = ()
    message: str | None = None


@dataclass(slots=True)
class MapOutcome:
    entry: GalleryEntry
    #: Output paths whose bytes changed on disk (build) or that are missing or
    #: stale, each with the reason (check).
    written: tuple[str, ...] = ()
    stale: tuple[tuple[str, str], ...] = ()
    internal_error: bool = False
    cached: bool = False
    sizes: dict[str, int] = field(default_factory=dict)


# -- the worker ------------------------------------------------------------------


def build_one(job: MapJob) -> MapOutcome:
    """Validate and render one map; never raises for a problem in the map.

    Runs in a worker process: everything it returns is plain data, and a
    failure here must not stop the neighbours.
    """
    entry = GalleryEntry(rel=job.rel, status="failed")
    try:
        return _build_one(job, entry)
    except JmapError as exc:
        entry.message = str(exc)
        return MapOutcome(entry)
    except Exception as exc:  # a bug in a renderer: report it, keep building the rest
        entry.message = f"internal error while rendering ({type(exc).__name__}: {exc}); please report this bug"
        return MapOutcome(entry, internal_error=True)


def _build_one(job: MapJob, entry: GalleryEntry) -> MapOutcome:
    from jmap.errors import RenderError
    from jmap.format.validator import load_file
    from jmap.render.formats import render_map

    result = load_file(Path(job.source))
    entry.diagnostics = tuple(_located(d) for d in result.diagnostics)
    has_error = any(d.severity == "error" for d in result.diagnostics)
    has_warning = any(d.severity == "warning" for d in result.diagnostics)
    jm = result.map
    if jm is None or has_error or (job.strict and has_warning):
        entry.status = "invalid"
        return MapOutcome(entry)
    entry.title = jm.title
    entry.owner = jm.owner
    entry.tags = tuple(jm.tags)
    entry.stages = len(jm.stages)
    entry.pain_points = sum(1 for _ in jm.all_pain_points())
    templates = Path(job.templates_dir) if job.templates_dir else None
    problems: list[str] = []
    try:
        rendered = render_map(jm, job.formats, templates_dir=templates)
    except RenderError:
        # A format that fails (no browser for page-pdf, no `dot` for svg)
        # fails the map, but the formats that do render are still written.
        rendered = {}
        for fmt in job.formats:
            try:
                rendered.update(render_map(jm, (fmt,), templates_dir=templates))
            except RenderError as exc:
                problems.append(f"cannot render {fmt}: {exc}")
    out_dir = Path(job.out_dir)
    written: list[str] = []
    stale: list[tuple[str, str]] = []
    sizes: dict[str, int] = {}
    for fmt, rel_out in job.outputs:
        if fmt not in rendered:
            continue
        data = rendered[fmt]
        sizes[rel_out] = len(data)
        current = _read_or_none(out_dir / rel_out)
        if current == data:
            continue
        if job.check:
            stale.append((rel_out, "missing" if current is None else "stale"))
        else:
            _write(out_dir / rel_out, data)
            written.append(rel_out)
    if problems:
        entry.status = "failed"
        entry.message = "; ".join(problems)
        entry.outputs = tuple((f, o) for f, o in job.outputs if f in rendered)
        return MapOutcome(entry, written=tuple(written), stale=tuple(stale), sizes=sizes)
    entry.status = "warnings" if has_warning else "valid"
    entry.outputs = job.outputs
    return MapOutcome(entry, written=tuple(written), stale=tuple(stale), sizes=sizes)


def _located(diagnostic: Any) -> str:
    from jmap.format.diagnostics import printable

    d = diagnostic
    return printable(f"{d.line}:{d.col}: {d.severity}: {d.message} [{d.rule}]")


def _console_lines(source: str, entry: GalleryEntry) -> list[str]:
    """The entry's diagnostics as ``FILE:LINE:COL: …`` lines for the terminal,
    with the source path as found under SRC (so editors can open it)."""
    from jmap.format.diagnostics import printable

    lines = [f"{printable(source)}:{line}" for line in entry.diagnostics]
    if entry.message:
        lines.append(printable(f"{source}: error: {entry.message}"))
    return lines


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _write(path: Path, data: bytes) -> None:
    from jmap.repo.files import atomic_write

    try:
        atomic_write(path, data)
    except OSError as exc:
        raise JmapError(f"cannot write {path}: {exc.strerror or exc}") from exc


# -- fingerprints and the cache --------------------------------------------------


def _hash_tree(digest: Any, root: Path, label: str) -> None:
    """Feed every file under ``root`` (sorted, by relative path) into ``digest``."""
    if not root.is_dir():
        digest.update(f"{label}:absent\0".encode())
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f"{label}:{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def _graphviz_version(formats: tuple[str, ...]) -> str:
    """Graphviz's version, since its layout decides the diagram bytes.

    Asked through the ``graphviz`` package, which knows how to find and parse
    ``dot -V``; a build pays its import once, unlike `jmap render`, which must
    start fast and runs ``dot`` itself.
    """
    if not any(f in _DOT_FORMATS for f in formats):
        return "unused"
    import graphviz

    try:
        return ".".join(str(part) for part in graphviz.version())
    except graphviz.ExecutableNotFound:
        return "absent"
    except (OSError, RuntimeError, subprocess.SubprocessError):
        return "unknown"


def build_fingerprint(formats: tuple[str, ...], strict: bool, templates_dir: Path | None) -> str:
    """What, besides a map's own bytes, decides its outputs.

    The package's own source is included, not only its version number: a
    development checkout changes renderers without bumping the version, and a
    stale render that the cache calls current would be committed unnoticed.
    """
    import jmap

    digest = hashlib.sha256()
    digest.update(f"jmap {jmap.__version__}\0cache {CACHE_SCHEMA}\0".encode())
    digest.update(f"formats {','.join(formats)}\0strict {strict}\0".encode())
    # The whole package tree: every subpackage's code, the schema and the
    # shipped templates (jmap/templates) alike.
    _hash_tree(digest, Path(jmap.__file__).resolve().parent, "package")
    if templates_dir is not None:
        _hash_tree(digest, templates_dir, "custom-templates")
    digest.update(f"graphviz {_graphviz_version(formats)}\0".encode())
    if any(f in PAGE_FORMATS for f in formats):
        from jmap.render.browser import browser_version

        digest.update(f"browser {browser_version()}\0".encode())
    return digest.hexdigest()


def map_key(source_bytes: bytes, fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode() + b"\0" + source_bytes).hexdigest()


def load_cache(out: Path) -> dict[str, dict[str, Any]]:
    """The cache's map entries; an unreadable or foreign cache is an empty one
    (the price is a full rebuild, never a wrong skip)."""
    try:
        document = json.loads((out / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("jmap-cache") != CACHE_SCHEMA:
        return {}
    maps = document.get("maps")
    return maps if isinstance(maps, dict) else {}


def save_cache(out: Path, maps: dict[str, dict[str, Any]]) -> None:
    document = {"jmap-cache": CACHE_SCHEMA, "maps": {k: maps[k] for k in sorted(maps)}}
    _write(out / CACHE_NAME, (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())


def _entry_to_json(entry: GalleryEntry) -> dict[str, Any]:
    return asdict(entry)


def _entry_from_json(data: dict[str, Any]) -> GalleryEntry | None:
    try:
        return GalleryEntry(
            rel=str(data["rel"]),
            status=str(data["status"]),
            title=data.get("title"),
            owner=data.get("owner"),
            tags=tuple(data.get("tags") or ()),
            stages=int(data.get("stages") or 0),
            pain_points=int(data.get("pain_points") or 0),
            outputs=tuple((str(f), str(p)) for f, p in data.get("outputs") or ()),
            diagnostics=tuple(data.get("diagnostics") or ()),
            message=data.get("message"),
        )
    except (KeyError, TypeError, ValueError):
        return None


# -- locking ---------------------------------------------------------------------


@contextlib.contextmanager
def _locked(out: Path, exclusive: bool, echo_err: Echo) -> Iterator[None]:
    """Hold ``OUT/.jmap-build.lock`` for the whole run.

    A second build into the same OUT waits for the first instead of
    interleaving with it; ``--check`` takes a shared lock so it never compares
    against a half-finished build. The kernel releases the lock when a killed
    build dies, so no stale lock can block the next run.
    """
    try:
        import fcntl
    except ImportError:  # Windows: atomic writes still protect each file
        yield
        return
    handle: IO[bytes] = open(out / LOCK_NAME, "ab")  # noqa: SIM115 - held for the whole run
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError:
            echo_err(f"jmap build: waiting for another build into {out} to finish")
            fcntl.flock(handle.fileno(), mode)
        yield
    finally:
        handle.close()


def _remove_leftover_temporaries(out: Path, names: set[str]) -> None:
    """Delete temporary files that a killed build left beside its outputs.

    Only names that our atomic writes create for our own outputs are touched
    (``.NAME.<unique part>.tmp``), and only while holding the exclusive lock,
    so no running build can own them.
    """
    by_dir: dict[Path, set[str]] = {}
    for rel in names:
        target = out / rel
        by_dir.setdefault(target.parent, set()).add(target.name)
    for directory, targets in by_dir.items():
        try:
            listing = os.listdir(directory)
        except OSError:
            continue
        for name in listing:
            if not (name.startswith(".") and name.endswith(".tmp")):
                continue
            # ".NAME.<unique part>.tmp": drop dot-separated parts from the end
            # until what is left is one of our outputs (the unique part may
            # itself contain dots).
            candidate = name[1:-4]
            while "." in candidate:
                candidate = candidate.rsplit(".", 1)[0]
                if candidate in targets:
                    with contextlib.suppress(OSError):
                        os.unlink(directory / name)
                    break


# -- progress --------------------------------------------------------------------


class _ProgressBar:
    """One line on stderr redrawn with ``\\r``; cleared when done, so the log
    that follows starts on a clean line."""

    def __init__(self, total: int, stream: IO[str]) -> None:
        self.total = total
        self.done = 0
        self.stream = stream

    def advance(self, label: str) -> None:
        from jmap.format.diagnostics import printable

        self.done += 1
        width = shutil.get_terminal_size((80, 20)).columns
        bar_width = max(10, min(30, width // 3))
        filled = bar_width * self.done // max(1, self.total)
        counter = f"{self.done}/{self.total}"
        head = f"[{'#' * filled}{'-' * (bar_width - filled)}] {counter} "
        room = max(0, width - len(head) - 1)
        text = printable(label)
        if len(text) > room:
            text = "…" + text[-(room - 1) :] if room > 1 else ""
        self.stream.write(f"\r{head}{text}\x1b[K")
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar so a log line can be printed; the next advance redraws it."""
        self.stream.write("\r\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        self.clear()


def _want_progress(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty() and not os.environ.get("CI")


# -- the gallery -----------------------------------------------------------------


def _gallery_number(value: int) -> str:
    """Counts in the gallery, grouped as its (English) text reads: ``1,200``."""
    from jmap.render.locale import format_number

    return format_number(value, "en")


def render_gallery(entries: list[GalleryEntry], templates_dir: Path | None = None) -> bytes:
    """``OUT/index.html``: one row per map, links relative to OUT."""
    from jmap.render.templating import environment, render
    from jmap.resources import templates_dir as shipped_templates

    search = [str(shipped_templates())]
    if templates_dir is not None and (templates_dir / "build" / "index.html.j2").is_file():
        search.insert(0, str(templates_dir))
    env = environment(tuple(search), (("number", _gallery_number),))
    rows = []
    for entry in sorted(entries, key=lambda e: e.rel):
        links = [
            {"label": FORMAT_LABELS[fmt], "format": fmt, "href": quote(path)}
            for fmt in FORMAT_LABELS
            for f, path in entry.outputs
            if f == fmt
        ]
        rows.append({**asdict(entry), "links": links})
    counts = {
        status: sum(1 for e in entries if e.status == status) for status in ("valid", "warnings", "invalid", "failed")
    }
    page = render(env, "build/index.html.j2", maps=rows, counts=counts, total=len(entries))
    return page.encode("utf-8")


# -- the command -----------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def plan_jobs(
    src: Path,
    out: Path,
    *,
    formats: tuple[str, ...],
    strict: bool,
    templates_dir: Path | None,
    check: bool,
) -> tuple[list[MapJob], list[GalleryEntry]]:
    """The maps under ``src`` and where each one's outputs go.

    Maps inside OUT are not sources (OUT may sit inside SRC). Two maps that
    would write the same output (``a.yaml`` and ``a.yml``), or a top-level map
    whose page would overwrite the gallery, cannot be built and are reported.
    """
    from jmap.format.validator import find_maps

    base = src if src.is_dir() else src.parent
    sources = [Path(p) for p in find_maps([src])]
    sources = [p for p in sources if not _is_within(p, out) or _is_within(src, out)]
    jobs: list[MapJob] = []
    conflicts: list[GalleryEntry] = []
    claimed: dict[str, str] = {INDEX_NAME: "the gallery"}
    for path in sources:
        rel_path = Path(os.path.relpath(path, base))
        rel = rel_path.as_posix()
        outputs = tuple(
            (fmt, (rel_path.parent / f"{output_stem(rel_path)}.{output_suffix(fmt)}").as_posix()) for fmt in formats
        )
        clash = next((claimed[o] for _f, o in outputs if o in claimed), None)
        if clash is not None:
            conflicts.append(
                GalleryEntry(
                    rel=rel, status="failed", message=f"its outputs would overwrite those of {clash}; rename it"
                )
            )
            continue
        claimed.update({o: rel for _f, o in outputs})
        jobs.append(
            MapJob(
                source=str(path),
                rel=rel,
                outputs=outputs,
                out_dir=str(out),
                formats=formats,
                strict=strict,
                templates_dir=str(templates_dir) if templates_dir else None,
                check=check,
            )
        )
    return jobs, conflicts


def _run_jobs(
    jobs: list[MapJob],
    workers: int,
    progress: _ProgressBar | None,
    on_done: Callable[[MapJob, MapOutcome], None],
) -> None:
    """Run ``build_one`` over ``jobs``; ``on_done`` sees the results in job order
    (so logs read the same whatever ``-j``)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            outcome = build_one(job)
            if progress:
                progress.advance(job.rel)
            on_done(job, outcome)
        return
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_worker_signals)
    futures: list[concurrent.futures.Future[MapOutcome]] = []
    reported: set[str] = set()
    try:
        futures = [pool.submit(build_one, job) for job in jobs]
        if progress:
            index = {f: job for f, job in zip(futures, jobs, strict=True)}
            for future in concurrent.futures.as_completed(futures):
                progress.advance(index[future].rel)
        for job, future in zip(jobs, futures, strict=True):
            try:
                outcome = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                entry = GalleryEntry(rel=job.rel, status="failed", message="the worker process rendering it died")
                outcome = MapOutcome(entry, internal_error=True)
            reported.add(job.rel)
            on_done(job, outcome)
    except BaseException:
        # Interrupted: drop the maps not started, let the running ones finish
        # their (atomic) writes, report every map that did finish (so the
        # cache keeps it), then let the interruption through.
        pool.shutdown(wait=True, cancel_futures=True)
        for job, future in zip(jobs, futures, strict=False):
            if job.rel not in reported and future.done() and not future.cancelled() and future.exception() is None:
                on_done(job, future.result())
        raise
    pool.shutdown(wait=True)


def _worker_signals() -> None:
    """Workers leave Ctrl-C and SIGTERM (both sent to the whole process group)
    to the parent, which stops handing out maps and waits for the ones in
    progress to finish their writes: a worker interrupted mid-task would leave
    a temporary file behind, or the pool hung."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """A cancelled CI job gets SIGTERM: treat it as Ctrl-C, so the cache of the
    maps finished so far is saved and no temporary file is left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_build(
    src: Path,
    out: Path,
    *,
    jobs: int | None,
    check: bool,
    formats: tuple[str, ...],
    strict: bool,
    templates_dir: Path | None,
    progress: bool | None,
    echo: Echo,
    echo_err: Echo,
) -> int:
    """``jmap build``: 0 when every map is built (or, with ``check``, current);
    1 when a map is invalid or failed, or an output is stale; 3 on a bug."""
    from jmap.format.diagnostics import printable

    if not src.exists():
        raise UsageError(f"no such file or directory: {src}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} exists and is not a directory")
    if jobs is not None and jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    if not formats:
        formats = BUILD_FORMATS
    workers = jobs or os.cpu_count() or 1
    if check:
        return _run_check(src, out, formats, strict, templates_dir, workers, echo, echo_err)

    out.mkdir(parents=True, exist_ok=True)
    with _terminate_as_interrupt(), _locked(out, exclusive=True, echo_err=echo_err):
        all_jobs, conflicts = plan_jobs(
            src, out, formats=formats, strict=strict, templates_dir=templates_dir, check=False
        )
        _remove_leftover_temporaries(out, {o for job in all_jobs for _f, o in job.outputs} | {INDEX_NAME, CACHE_NAME})
        fingerprint = build_fingerprint(formats, strict, templates_dir)
        old_cache = load_cache(out)
        new_cache: dict[str, dict[str, Any]] = {}
        entries: list[GalleryEntry] = list(conflicts)
        to_render: list[MapJob] = []
        keys: dict[str, str] = {}
        for job in all_jobs:
            try:
                key = map_key(Path(job.source).read_bytes(), fingerprint)
            except OSError:
                to_render.append(job)  # the worker reports the read error with the file name
                continue
            keys[job.rel] = key
            cached = old_cache.get(job.rel)
            entry = _entry_from_json(cached.get("entry", {})) if isinstance(cached, dict) else None
            if entry is not None and cached is not None and cached.get("key") == key and _outputs_intact(out, cached):
                entries.append(entry)
                new_cache[job.rel] = cached
            else:
                to_render.append(job)

        unchanged = len(all_jobs) - len(to_render)
        echo(
            f"jmap build: {_plural(len(all_jobs), 'map')} in {printable(str(src))}, {unchanged} unchanged, "
            f"{len(to_render)} to render (-j {workers})"
        )
        for entry in conflicts:
            echo_err(printable(f"{src / entry.rel if src.is_dir() else src}: error: {entry.message}"))
        bar = _ProgressBar(len(to_render), sys.stderr) if to_render and _want_progress(progress) else None
        internal = False
        failed = len(conflicts)

        def done(job: MapJob, outcome: MapOutcome) -> None:
            nonlocal internal, failed
            entry = outcome.entry
            entries.append(entry)
            internal = internal or outcome.internal_error
            if entry.status in ("valid", "warnings"):
                if job.rel in keys:
                    new_cache[job.rel] = {
                        "key": keys[job.rel],
                        "sizes": outcome.sizes,
                        "entry": _entry_to_json(entry),
                    }
                if bar is None:
                    echo(f"rendered {printable(job.rel)}" + (" (no change)" if not outcome.written else ""))
            else:
                failed += 1
                if bar is None:
                    echo(f"skipped {printable(job.rel)} ({entry.status})")
            if bar is not None:
                bar.clear()
            for line in _console_lines(job.source, entry):
                echo_err(line)

        try:
            _run_jobs(to_render, workers, bar, done)
        finally:
            if bar:
                bar.close()
            # Saved even when interrupted, so the maps finished so far are not
            # rendered again by the next run.
            _remove_orphans(out, old_cache, new_cache, {o for job in all_jobs for _f, o in job.outputs})
            current = {job.rel for job in all_jobs}
            for rel, cached in old_cache.items():
                # Maps not reached (interrupted) or now invalid keep their old
                # entry: harmless, since its key and outputs are checked again.
                if rel in current and rel not in new_cache:
                    new_cache[rel] = cached
            save_cache(out, new_cache)

        # Warnings of unchanged maps are shown again: a rebuild must not make
        # them disappear from the log.
        rendered_now = {j.rel for j in to_render}
        sources = {j.rel: j.source for j in all_jobs}
        for entry in sorted(entries, key=lambda e: e.rel):
            if entry.status == "warnings" and entry.rel not in rendered_now:
                for line in _console_lines(sources.get(entry.rel, entry.rel), entry):
                    echo_err(line)
        gallery = render_gallery(entries, templates_dir)
        if _read_or_none(out / INDEX_NAME) != gallery:
            _write(out / INDEX_NAME, gallery)

    built = sum(1 for e in entries if e.status in ("valid", "warnings"))
    echo(
        f"jmap build: {_plural(built, 'map')} built ({unchanged} unchanged), {failed} failed → "
        f"{printable(str(out / INDEX_NAME))}"
    )
    if internal:
        return 3
    return 1 if failed else 0


def _outputs_intact(out: Path, cached: dict[str, Any]) -> bool:
    """The outputs a cache entry recorded still exist with their sizes (a
    deleted or truncated output forces a render)."""
    sizes = cached.get("sizes")
    if not isinstance(sizes, dict) or not sizes:
        return False
    for rel, size in sizes.items():
        try:
            if (out / rel).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


def _remove_orphans(
    out: Path, old_cache: dict[str, dict[str, Any]], new_cache: dict[str, dict[str, Any]], expected: set[str]
) -> None:
    """Delete outputs that an earlier build wrote for a map (or a format) that
    is gone. Only files the cache says we wrote are touched."""
    still_wanted = expected | {rel for entry in new_cache.values() for rel in entry.get("sizes", {})}
    for cached in old_cache.values():
        sizes = cached.get("sizes") if isinstance(cached, dict) else None
        if not isinstance(sizes, dict):
            continue
        for rel in sizes:
            if rel not in still_wanted and _is_within(out / rel, out):
                with contextlib.suppress(OSError):
                    (out / rel).unlink()


def _run_check(
    src: Path,
    out: Path,
    formats: tuple[str, ...],
    strict: bool,
    templates_dir: Path | None,
    workers: int,
    echo: Echo,
    echo_err: Echo,
) -> int:
    """Render everything in memory and compare with OUT; write nothing."""
    from jmap.format.diagnostics import printable

    lock: contextlib.AbstractContextManager[None] = (
        _locked(out, exclusive=False, echo_err=echo_err) if out.is_dir() else contextlib.nullcontext()
    )
    with lock:
        jobs, conflicts = plan_jobs(src, out, formats=formats, strict=strict, templates_dir=templates_dir, check=True)
        entries: list[GalleryEntry] = list(conflicts)
        stale: list[tuple[str, str]] = []
        problems = len(conflicts)
        internal = False
        for entry in conflicts:
            echo_err(printable(f"{src / entry.rel if src.is_dir() else src}: error: {entry.message}"))

        def done(job: MapJob, outcome: MapOutcome) -> None:
            nonlocal problems, internal
            entries.append(outcome.entry)
            stale.extend(outcome.stale)
            internal = internal or outcome.internal_error
            if outcome.entry.status not in ("valid", "warnings"):
                problems += 1
                for line in _console_lines(job.source, outcome.entry):
                    echo_err(line)

        _run_jobs(jobs, workers, None, done)
        gallery = render_gallery(entries, templates_dir)
        current = _read_or_none(out / INDEX_NAME)
        if current != gallery:
            stale.append((INDEX_NAME, "missing" if current is None else "stale"))
        expected = {o for job in jobs for _f, o in job.outputs}
        for cached in load_cache(out).values():
            for rel in cached.get("sizes", {}) if isinstance(cached, dict) else ():
                if rel not in expected and (out / rel).is_file():
                    stale.append((rel, "orphaned"))

    for rel, reason in sorted(stale):
        echo(printable(f"{reason}: {out / rel}"))
    if stale:
        echo_err(
            f"jmap build --check: {_plural(len(stale), 'output')} out of date in {printable(str(out))}; "
            f"run `jmap build {printable(str(src))} -o {printable(str(out))}`"
        )
    if problems:
        echo_err(f"jmap build --check: {_plural(problems, 'map')} could not be rendered")
    if not stale and not problems:
        echo(f"jmap build --check: {_plural(len(jobs), 'map')}, all outputs in {printable(str(out))} are current")
    if internal:
        return 3
    return 1 if stale or problems else 0

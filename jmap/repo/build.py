"""The build engine behind ``jmap build``: every map of a folder rendered into
another, plus a gallery (jmap.commands.build prints and chooses exit codes).

Teams keep dozens of maps in a repository and render them on every commit, so
the build is:

- incremental: ``OUT/.jmap-manifest.json`` records, for every output, the
  hash of what made it (the map's bytes, jmap's version and rendering code,
  the templates and the options) and the hash of its bytes. A map whose inputs
  are unchanged and whose outputs still have the recorded bytes is not
  rendered again (nor when Graphviz, recorded apart, is the same); a no-change
  rebuild only reads and hashes files.
- parallel: maps render in a process pool, each worker writing its own outputs;
  every output depends on one map only, so the files are the same whatever ``-j``.
- safe to interrupt and to run twice at once: every file is written atomically
  (temporary file, then rename), the run holds an exclusive lock on
  ``OUT/.jmap-build.lock`` (a second build waits for the first), and temporary
  files left by a killed run are removed by the next one. The lock is an
  ``flock`` that dies with its holder; pool workers neither keep it nor outlive
  the build (they are killed with it), so a killed build never blocks the next.
- confined to OUT: nothing is written through a symbolic link to a folder, and
  only files the manifest proves jmap wrote (regular files inside OUT whose
  bytes still hash to what was written) are ever deleted.
- checkable: ``--check`` renders nothing. It judges each output by what made
  it: stale when it is missing, when its inputs changed since the manifest was
  written, or when its bytes no longer match the manifest (edited by hand).
  Graphviz and the fonts are not inputs there, so renders committed from one
  machine pass the check on another.

A map that fails validation is reported with positions and skipped; the others
are still built, and the exit code says that something failed.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import errno
import hashlib
import json
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from jmap.errors import JmapError
from jmap.render.formats import DOT_FORMATS, PAGE_FORMATS, output_conflict, output_stem, output_suffix

MANIFEST_NAME = ".jmap-manifest.json"
#: The manifest is also the build's cache.
CACHE_NAME = MANIFEST_NAME
LOCK_NAME = ".jmap-build.lock"
INDEX_NAME = "index.html"
#: Bumped when the manifest's layout changes, so an old one is ignored, not
#: misread. 2: each output's inputs and hash, which --check and deletion use.
CACHE_SCHEMA = 2

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
    #: RenderOptions of the page (``--review``, ``--paper``).
    review: bool = False
    paper: str = "a3"


@dataclass(slots=True)
class GalleryEntry:
    """What the gallery shows about one map; cached so an unchanged map needs
    no parsing at all. Not frozen: the worker fills it in step by step, so a
    map that fails half-way still shows what was learnt about it."""

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


@dataclass(frozen=True, slots=True)
class MapOutcome:
    entry: GalleryEntry
    #: Output paths whose bytes changed on disk (build) or that are missing or
    #: stale, each with the reason (check).
    written: tuple[str, ...] = ()
    stale: tuple[tuple[str, str], ...] = ()
    internal_error: bool = False
    cached: bool = False
    sizes: dict[str, int] = field(default_factory=dict)
    #: sha256 of each output as rendered: what may later be deleted as ours.
    hashes: dict[str, str] = field(default_factory=dict)


# -- the worker ------------------------------------------------------------------


def build_one(job: MapJob) -> MapOutcome:
    """Validate and render one map; never raises for a problem in the map.

    Runs in a worker process: everything it returns is plain data, and a
    failure here must not stop the neighbours.
    """
    if _parent is not None and os.getppid() != _parent:
        os._exit(1)  # the build is gone (where no PR_SET_PDEATHSIG killed us)
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
    from jmap.render.formats import RenderOptions, render_map

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
    options = RenderOptions(templates_dir=templates, review=job.review, paper=job.paper)
    problems: list[str] = []
    try:
        rendered = render_map(jm, job.formats, options)
    except RenderError:
        # A format that fails (no browser for page-pdf, no `dot` for svg)
        # fails the map, but the formats that do render are still written.
        rendered = {}
        for fmt in job.formats:
            try:
                rendered.update(render_map(jm, (fmt,), options))
            except RenderError as exc:
                problems.append(f"cannot render {fmt}: {exc}")
    out_dir = Path(job.out_dir)
    written: list[str] = []
    stale: list[tuple[str, str]] = []
    sizes: dict[str, int] = {}
    hashes: dict[str, str] = {}
    for fmt, rel_out in job.outputs:
        if fmt not in rendered:
            continue
        data = rendered[fmt]
        sizes[rel_out] = len(data)
        hashes[rel_out] = hashlib.sha256(data).hexdigest()
        target = output_path(out_dir, rel_out)
        current = read_or_none(target)
        if current == data:
            continue
        if job.check:
            stale.append((rel_out, "missing" if current is None else "stale"))
        else:
            write_output(target, data)
            written.append(rel_out)
    if problems:
        entry.status = "failed"
        entry.message = "; ".join(problems)
        entry.outputs = tuple((f, o) for f, o in job.outputs if f in rendered)
        return MapOutcome(entry, written=tuple(written), stale=tuple(stale), sizes=sizes, hashes=hashes)
    entry.status = "warnings" if has_warning else "valid"
    entry.outputs = job.outputs
    return MapOutcome(entry, written=tuple(written), stale=tuple(stale), sizes=sizes, hashes=hashes)


def _located(diagnostic: Any) -> str:
    from jmap.text import printable

    d = diagnostic
    return printable(f"{d.line}:{d.col}: {d.severity}: {d.message} [{d.rule}]")


def read_or_none(path: Path) -> bytes | None:
    """The bytes of the regular file at ``path``; None when there is none (a
    symbolic link counts as none: it is replaced, never read through)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0))
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None
        raise
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read()


def write_output(path: Path, data: bytes) -> None:
    from jmap.repo.files import atomic_write

    try:
        atomic_write(path, data)
    except OSError as exc:
        raise JmapError(f"cannot write {path}: {exc.strerror or exc}") from exc


# -- keeping to OUT ----------------------------------------------------------------


def output_path(out: Path, rel: str) -> Path:
    """``OUT/rel``, once it is sure that writing there stays inside OUT.

    ``rel`` must be relative, without ``..``, and no folder between OUT and the
    file may be a symbolic link (``OUT/team -> /etc`` would make the build
    write outside OUT) or something other than a folder. A link at the file
    itself is harmless: the atomic rename replaces the link, not its target.
    """
    pure = PurePosixPath(rel)
    if pure.is_absolute() or not pure.parts or any(part in (".", "..") for part in pure.parts):
        raise JmapError(f"refusing to write {rel!r}: outputs stay inside {out}")
    folder = out
    for part in pure.parts[:-1]:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            break  # created by the write, as a real folder
        if stat.S_ISLNK(mode):
            raise JmapError(f"{folder} is a symbolic link: jmap writes only into real folders inside {out}")
        if not stat.S_ISDIR(mode):
            raise JmapError(f"{folder} is not a folder")
    return out / rel


def _sha256_of_regular_file(path: Path) -> str | None:
    """The file's sha256 when ``path`` is a regular file (links not followed)."""
    data = read_or_none(path)
    return None if data is None else hashlib.sha256(data).hexdigest()


def provably_ours(out: Path, rel: str, recorded: object) -> Path | None:
    """``OUT/rel`` when it is a regular file inside OUT whose bytes hash to what
    a build recorded writing there; None otherwise. A crafted or stale cache
    can then make jmap delete only a file jmap itself wrote."""
    if not isinstance(rel, str) or not isinstance(recorded, str):
        return None
    try:
        path = output_path(out, rel)
    except JmapError:
        return None
    if _sha256_of_regular_file(path) != recorded:
        return None
    return path


# -- fingerprints and the cache --------------------------------------------------


def _hash_tree(digest: Any, root: Path, label: str) -> None:
    """Feed every file under ``root`` (sorted, by relative path) into ``digest``."""
    if root.is_file():
        digest.update(f"{label}\0".encode())
        digest.update(hashlib.sha256(root.read_bytes()).digest())
        return
    if not root.is_dir():
        digest.update(f"{label}:absent\0".encode())
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f"{label}:{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


#: The parts of the package that decide what a build writes: reading and
#: checking maps, the renderers, the templates, the gallery. The command line
#: and the other verbs are left out, so that changing them does not make
#: every committed render stale.
RENDERING_CODE = (
    "__init__.py",
    "errors.py",
    "model.py",
    "resources.py",
    "text.py",
    "format",
    "render",
    "templates",
    "repo/build.py",
    "repo/files.py",
)


def graphviz_version(formats: tuple[str, ...]) -> str:
    """Graphviz's version (and the browser's, for page-pdf/page-png) when a
    format needs it, since its layout decides the diagram bytes. A build records it apart from the inputs: ``--check`` does
    not ask, since another Graphviz on the CI machine must not make committed
    diagrams stale."""
    parts = []
    if any(f in DOT_FORMATS for f in formats):
        from jmap.render.graphviz import graphviz_version as dot_version

        parts.append(dot_version())
    if any(f in PAGE_FORMATS for f in formats):
        # The browser that prints page-pdf/page-png, recorded apart likewise.
        from jmap.render.browser import browser_version

        parts.append(f"browser {browser_version()}")
    return "; ".join(parts) or "unused"


def build_fingerprint(
    formats: tuple[str, ...], strict: bool, templates_dir: Path | None, review: bool = False, paper: str = "a3"
) -> str:
    """What, besides a map's own bytes, decides its outputs: jmap's version
    and rendering code, the templates and the options.

    The code is included, not only the version number: a development
    checkout changes renderers without bumping the version, and a stale
    render that the manifest calls current would be committed unnoticed.
    """
    import jmap

    digest = hashlib.sha256()
    digest.update(f"jmap {jmap.__version__}\0manifest {CACHE_SCHEMA}\0".encode())
    digest.update(f"formats {','.join(formats)}\0strict {strict}\0".encode())
    if review or paper != "a3":  # the defaults add nothing: older manifests stay current
        digest.update(f"review {review}\0paper {paper}\0".encode())
    package = Path(jmap.__file__).resolve().parent
    for part in RENDERING_CODE:
        _hash_tree(digest, package / part, f"package:{part}")
    if templates_dir is not None:
        _hash_tree(digest, templates_dir, "custom-templates")
    return digest.hexdigest()


def map_key(source_bytes: bytes, fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode() + b"\0" + source_bytes).hexdigest()


def output_key(key: str, fmt: str) -> str:
    """The hash of what made one output: its map's key and its format."""
    return hashlib.sha256(f"{key}\0{fmt}".encode()).hexdigest()


def gallery_key(fingerprint: str, maps: list[tuple[str, str]], conflicts: list[GalleryEntry]) -> str:
    """What made the gallery: every map (path and key) and every clash."""
    digest = hashlib.sha256(f"gallery\0{fingerprint}\0".encode())
    for rel, key in sorted(maps):
        digest.update(f"{rel}\0{key}\0".encode())
    for entry in sorted(conflicts, key=lambda e: e.rel):
        digest.update(f"clash\0{entry.rel}\0{entry.message}\0".encode())
    return digest.hexdigest()


def file_hash(out: Path, rel: str) -> str | None:
    """The sha256 of the regular file ``OUT/rel``; None when there is none or
    when the path leaves OUT (a link is never followed)."""
    try:
        return _sha256_of_regular_file(output_path(out, rel))
    except JmapError:
        return None


def load_manifest(out: Path) -> dict[str, Any]:
    """The manifest in OUT; an unreadable or foreign one is an empty one (the
    price is a full rebuild, or a check that calls everything stale, never a
    wrong skip)."""
    data = read_or_none(out / MANIFEST_NAME)
    if data is None:
        return {}
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError:
        return {}
    if not isinstance(document, dict) or document.get("jmap-manifest") != CACHE_SCHEMA:
        return {}
    return document


def load_cache(out: Path) -> dict[str, dict[str, Any]]:
    """The manifest's map records: rel → {inputs, entry, outputs}."""
    maps = load_manifest(out).get("maps")
    return {k: v for k, v in maps.items() if isinstance(v, dict)} if isinstance(maps, dict) else {}


def save_cache(
    out: Path, maps: dict[str, dict[str, Any]], *, graphviz: str = "unused", gallery: dict[str, str] | None = None
) -> None:
    """Write the manifest: sorted, no time stamps, no absolute paths, so that
    committed renders and their manifest change only when the renders do."""
    document: dict[str, Any] = {
        "jmap-manifest": CACHE_SCHEMA,
        "graphviz": graphviz,
        "maps": {k: maps[k] for k in sorted(maps)},
    }
    if gallery is not None:
        document["gallery"] = gallery
    write_output(
        out / MANIFEST_NAME, (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    )


def entry_to_json(entry: GalleryEntry) -> dict[str, Any]:
    return asdict(entry)


def entry_from_json(data: dict[str, Any]) -> GalleryEntry | None:
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


#: File descriptors of the locks this process holds, which pool workers close
#: as they start: a forked worker would otherwise share the lock, and keep it
#: for as long as it lives.
_held_locks: set[int] = set()
#: In a pool worker, the pid of the build that started it.
_parent: int | None = None


@contextlib.contextmanager
def locked(out: Path, exclusive: bool, echo_err: Echo) -> Iterator[None]:
    """Hold ``OUT/.jmap-build.lock`` for the whole run.

    A second build into the same OUT waits for the first instead of
    interleaving with it; ``--check`` takes a shared lock so it never compares
    against a half-finished build. It is an ``flock``, which the kernel
    releases when its holder dies (workers close their inherited copy), so no
    lock left by a killed build can block the next run.

    The lock file is opened without following links (a link planted there
    would make jmap create a file at its target) and must be a regular file.
    ``--check`` only reads: it opens an existing lock file read-only and, when
    there is none or it cannot be opened (a read-only checkout), takes no lock,
    since no build can be writing there.
    """
    try:
        import fcntl
    except ImportError:  # Windows: atomic writes still protect each file
        yield
        return
    path = out / LOCK_NAME
    flags = os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | (os.O_RDWR | os.O_CREAT if exclusive else os.O_RDONLY)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise JmapError(f"{path} is a symbolic link: the build lock must be jmap's own file; remove it") from exc
        if not exclusive:
            yield
            return
        raise JmapError(f"cannot create the build lock {path}: {exc.strerror or exc}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise JmapError(f"{path} is not a regular file: the build lock must be jmap's own file; remove it")
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            echo_err(f"jmap build: waiting for another build into {out} to finish")
            fcntl.flock(fd, mode)
        _held_locks.add(fd)
        yield
    finally:
        _held_locks.discard(fd)
        os.close(fd)


def remove_leftover_temporaries(out: Path, names: set[str]) -> None:
    """Delete temporary files that a killed build left beside its outputs.

    Only names that our atomic writes create for our own outputs are touched
    (``.NAME.<unique part>.tmp``), and only while holding the exclusive lock,
    so no running build can own them.
    """
    by_dir: dict[Path, set[str]] = {}
    for rel in names:
        try:
            target = output_path(out, rel)
        except JmapError:
            continue  # a folder that is a link: never look, nor delete, through it
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
                        if stat.S_ISREG(os.lstat(directory / name).st_mode):
                            os.unlink(directory / name)
                    break


# -- planning and running the jobs ------------------------------------------------


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
    near_maps: list[Any] | None = None,
    review: bool = False,
    paper: str = "a3",
) -> tuple[list[MapJob], list[GalleryEntry]]:
    """The maps under ``src`` and where each one's outputs go.

    Maps inside OUT are not sources (OUT may sit inside SRC). Two maps that
    would write the same output (``a.yaml`` and ``a.yml``), or a top-level map
    whose page would overwrite the gallery, cannot be built and are reported.
    Files below SRC (outside OUT) that are almost maps go to ``near_maps``.
    """
    from jmap.repo.discover import find_maps

    base = src if src.is_dir() else src.parent
    near: list[Any] = []
    sources = [Path(p) for p in find_maps([src], near)]
    if near_maps is not None:
        near_maps.extend(w for w in near if not _is_within(Path(w.file), out) or _is_within(src, out))
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
        clash = next(((claimed[o], o) for _f, o in outputs if o in claimed), None)
        if clash is not None:
            other, output = clash
            message = output_conflict(rel, other, output)
            conflicts.append(GalleryEntry(rel=rel, status="failed", message=message))
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
                review=review,
                paper=paper,
            )
        )
    return jobs, conflicts


def run_jobs(
    jobs: list[MapJob],
    workers: int,
    advance: Callable[[str], None] | None,
    on_done: Callable[[MapJob, MapOutcome], None],
) -> None:
    """Run ``build_one`` over ``jobs``; ``on_done`` sees the results in job order
    (so logs read the same whatever ``-j``)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            outcome = build_one(job)
            if advance:
                advance(job.rel)
            on_done(job, outcome)
        return
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        initializer=_worker_start,
        initargs=(os.getpid(), tuple(sorted(_held_locks))),
    )
    futures: list[concurrent.futures.Future[MapOutcome]] = []
    reported: set[str] = set()
    try:
        futures = [pool.submit(build_one, job) for job in jobs]
        if advance:
            index = {f: job for f, job in zip(futures, jobs, strict=True)}
            for future in concurrent.futures.as_completed(futures):
                advance(index[future].rel)
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


def _worker_start(parent: int, lock_fds: tuple[int, ...]) -> None:
    """Set up a pool worker.

    Workers leave Ctrl-C and SIGTERM (both sent to the whole process group)
    to the parent, which stops handing out maps and waits for the ones in
    progress to finish their writes: a worker interrupted mid-task would leave
    a temporary file behind, or the pool hung.

    But a parent killed alone (SIGKILL from an OOM killer or a CI supervisor)
    must take its workers with it: they would otherwise wait for ever on the
    task pipe, which they hold open themselves. They close their copy of the
    build lock (with ``fork`` they share it, and would keep it held), ask the
    kernel to kill them when the parent dies, and end at once if it already has.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for fd in lock_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held_locks.clear()
    global _parent
    _parent = parent
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(1)


def _die_with_parent() -> None:
    """Linux's ``PR_SET_PDEATHSIG``: SIGKILL this process when its parent dies.
    Elsewhere nothing: the parent-alive check at start is all there is."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    # Without prctl (another libc) the parent-alive checks are all there is.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)


def output_records(cached: object) -> dict[str, dict[str, Any]]:
    """A map record's outputs: rel → {inputs, sha256}."""
    outputs = cached.get("outputs") if isinstance(cached, dict) else None
    if not isinstance(outputs, dict):
        return {}
    return {str(rel): o for rel, o in outputs.items() if isinstance(o, dict)}


def recorded_outputs(cached: object) -> dict[str, object]:
    """A map record's outputs with the sha256 each had when it was written."""
    return {rel: o.get("sha256") for rel, o in output_records(cached).items()}


def outputs_intact(out: Path, cached: dict[str, Any]) -> bool:
    """The outputs a map's record lists still have the bytes it recorded (a
    deleted or edited output forces a render)."""
    outputs = recorded_outputs(cached)
    if not outputs:
        return False
    return all(file_hash(out, rel) == recorded for rel, recorded in outputs.items())


def invalid_entry(job: MapJob) -> GalleryEntry | None:
    """The gallery entry of a map that a build would skip, else None."""
    from jmap.format.validator import load_file

    result = load_file(Path(job.source))
    failed = result.map is None or (job.strict and bool(result.warnings))
    if not failed:
        return None
    return GalleryEntry(rel=job.rel, status="invalid", diagnostics=tuple(_located(d) for d in result.diagnostics))


def remove_orphans(
    out: Path,
    old_cache: dict[str, dict[str, Any]],
    new_cache: dict[str, dict[str, Any]],
    expected: set[str],
    sources: set[str],
) -> None:
    """Delete outputs that an earlier build wrote for a map (or a format) that
    is gone. Only files the cache proves we wrote are touched: inside OUT,
    regular, with the hash recorded when they were written, and never a map
    being built (SRC may be OUT)."""
    still_wanted = expected | {rel for entry in new_cache.values() for rel in recorded_outputs(entry)}
    for cached in old_cache.values():
        for rel, recorded in recorded_outputs(cached).items():
            if rel in still_wanted:
                continue
            path = provably_ours(out, rel, recorded)
            if path is not None and os.path.realpath(path) not in sources:
                with contextlib.suppress(OSError):
                    path.unlink()

"""The build engine behind ``jmap build``: every map of a folder rendered into
another, plus a gallery; jmap.commands.build only prints what it reports.

Teams keep dozens of maps in a repository and render them on every commit, so
the build is:

- incremental: the manifest (jmap.repo.manifest) records what made every
  output and its bytes. A map whose inputs are unchanged and whose outputs
  still have the recorded bytes is not rendered again (nor when Graphviz,
  recorded apart, is the same); a no-change rebuild only reads and hashes files.
- parallel: maps render in a process pool (jmap.repo.workers), each worker
  writing its own outputs; every output depends on one map only, so the files
  are the same whatever ``-j``.
- safe to interrupt and to run twice at once: every file is written atomically
  (jmap.repo.files), the run holds an exclusive lock on ``OUT/.jmap-build.lock``
  (a second build waits for the first), and temporary files left by a killed
  run are removed. The lock is an ``flock`` that dies with its holder; pool
  workers neither keep it nor outlive the build, so a killed build never
  blocks the next.
- confined to OUT: nothing is written through a symbolic link to a folder,
  nothing is read from or written over a folder, pipe, socket or device, and
  only files the manifest proves jmap wrote are ever deleted.
- checkable: ``--check`` renders nothing (:func:`run_check`).

A map that fails validation is reported with positions and skipped; the others
are still built, and the exit code says that something failed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from jmap.errors import JmapError
from jmap.render.formats import BUILD_FORMATS, output_conflict, output_stem, output_suffix
from jmap.render.gallery import GalleryEntry
from jmap.repo import manifest as mf
from jmap.repo.files import (
    SpecialFile,
    file_hash,
    kind_of,
    output_path,
    provably_ours,
    read_or_none,
    read_regular,
    remove_leftover_temporaries,
    sha256_of,
    write_output,
)
from jmap.repo.fingerprint import jmap_code_hash, programs_version, templates_hash
from jmap.repo.lock import held_locks, locked
from jmap.repo.workers import parent_gone, run_pool

if TYPE_CHECKING:
    from jmap.format.diagnostics import Diagnostic

INDEX_NAME = "index.html"
MANIFEST_NAME = mf.MANIFEST_NAME


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What the command line asks of a build. Every field but ``templates_dir``
    is recorded in the manifest as an option (in words, and hashed into every
    map's inputs), so a new render option needs only a field here; its
    ``flag`` metadata is how it is written in the command a check suggests."""

    formats: tuple[str, ...] = field(default=BUILD_FORMATS, metadata={"flag": "-f"})
    strict: bool = field(default=False, metadata={"flag": "--strict"})
    templates_dir: Path | None = field(default=None, metadata={"flag": "--templates", "input": True})
    #: The page's and the diagram's render options (RenderOptions).
    review: bool = field(default=False, metadata={"flag": "--review"})
    paper: str = field(default="a3", metadata={"flag": "--paper"})

    def recorded(self) -> dict[str, str]:
        """The options in words, as the manifest keeps them."""
        words = {}
        for f in fields(self):
            if f.metadata.get("input"):
                continue
            value = getattr(self, f.name)
            words[f.name] = ",".join(value) if isinstance(value, tuple) else str(value).lower()
        return words

    def arguments(self) -> list[str]:
        """The options as command-line arguments, defaults left out."""
        args: list[str] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default or value is None or value is False:
                continue
            flag = f.metadata["flag"]
            if value is True:
                args.append(flag)
            else:
                args += [flag, ",".join(value) if isinstance(value, tuple) else str(value)]
        return args

    def inputs(self) -> mf.Inputs:
        """What, besides a map's own bytes, decides its outputs."""
        return {
            "jmap": jmap_code_hash(),
            "templates": templates_hash(self.templates_dir),
            "options": mf.digest(*(f"{k}={v}" for k, v in sorted(self.recorded().items()))),
        }


# -- one map, in a worker -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapJob:
    """Everything a worker needs to render one map (plain, picklable data)."""

    source: str
    rel: str
    outputs: tuple[tuple[str, str], ...]  # (format, output path relative to OUT)
    out_dir: str
    options: BuildOptions


@dataclass(frozen=True, slots=True)
class MapOutcome:
    entry: GalleryEntry
    #: Output paths whose bytes changed on disk.
    written: tuple[str, ...] = ()
    internal_error: bool = False
    #: sha256 of each output written or found current: what the manifest records.
    hashes: dict[str, str] = field(default_factory=dict)


def build_one(job: MapJob) -> MapOutcome:
    """Validate and render one map; never raises for a problem in the map.

    Runs in a worker process: everything it returns is plain data, and a
    failure here must not stop the neighbours.
    """
    if parent_gone():
        os._exit(1)  # the build is gone
    entry = GalleryEntry(rel=job.rel, status="failed")
    try:
        return _build_one(job, entry)
    except JmapError as exc:
        entry.message = str(exc)
        return MapOutcome(entry)
    except Exception as exc:  # a bug in a renderer: report it, keep building the rest
        entry.message = f"internal error while rendering ({type(exc).__name__}: {exc}); please report this bug"
        return MapOutcome(entry, internal_error=True)


def _load(source: str) -> Any:
    """The validator's result for a map file; a named pipe, socket or device
    named as a map is refused by name before anything waits on it."""
    from jmap.format.validator import load_file

    with contextlib.suppress(OSError):
        mode = os.stat(source).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise JmapError(f"this is {kind_of(mode)}, not a map file")
    return load_file(Path(source))


def _build_one(job: MapJob, entry: GalleryEntry) -> MapOutcome:
    from jmap.errors import RenderError
    from jmap.render.formats import RenderOptions, render_each

    result = _load(job.source)
    entry.diagnostics = tuple(_located(d) for d in result.diagnostics)
    has_error = any(d.severity == "error" for d in result.diagnostics)
    has_warning = any(d.severity == "warning" for d in result.diagnostics)
    jm = result.map
    if jm is None or has_error or (job.options.strict and has_warning):
        entry.status = "invalid"
        return MapOutcome(entry)
    entry.title = jm.title
    entry.owner = jm.owner
    entry.tags = tuple(jm.tags)
    entry.stages = len(jm.stages)
    entry.pain_points = sum(1 for _ in jm.all_pain_points())
    out_dir = Path(job.out_dir)
    where = dict(job.outputs)
    problems: list[str] = []
    written: list[str] = []
    hashes: dict[str, str] = {}
    # Each format once: one that fails (no browser for page-pdf, no `dot` for
    # svg, a folder where its output goes) fails the map, alone; the others
    # are still written.
    for fmt, data in render_each(
        jm,
        job.options.formats,
        RenderOptions(templates_dir=job.options.templates_dir, review=job.options.review, paper=job.options.paper),
    ):
        if isinstance(data, RenderError):
            problems.append(f"cannot render {fmt}: {data}")
            continue
        rel_out = where[fmt]
        try:
            target = output_path(out_dir, rel_out)
            if read_regular(target) != data:
                write_output(target, data)
                written.append(rel_out)
        except JmapError as exc:
            problems.append(str(exc))
            continue
        except OSError as exc:  # the output cannot be read back (no permission)
            problems.append(f"cannot read {out_dir / rel_out}: {exc.strerror or exc}")
            continue
        hashes[rel_out] = sha256_of(data)
    entry.outputs = tuple((f, o) for f, o in job.outputs if o in hashes)
    if problems:
        entry.status = "failed"
        entry.message = "; ".join(problems)
    else:
        entry.status = "warnings" if has_warning else "valid"
    return MapOutcome(entry, written=tuple(written), hashes=hashes)


def _located(d: Diagnostic) -> str:
    from jmap.text import printable

    return printable(f"{d.line}:{d.col}: {d.severity}: {d.message} [{d.rule}]")


def invalid_entry(job: MapJob) -> GalleryEntry | None:
    """The gallery entry of a map that a build would skip, else None."""
    try:
        result = _load(job.source)
    except JmapError as exc:
        return GalleryEntry(rel=job.rel, status="invalid", message=str(exc))
    failed = result.map is None or (job.options.strict and bool(result.warnings))
    if not failed:
        return None
    return GalleryEntry(rel=job.rel, status="invalid", diagnostics=tuple(_located(d) for d in result.diagnostics))


# -- planning ------------------------------------------------------------------------


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


@dataclass(slots=True)
class Plan:
    """The maps under SRC and where each one's outputs go."""

    jobs: list[MapJob]
    #: Maps that cannot be built: two would write the same output.
    conflicts: list[GalleryEntry]
    #: Files below SRC (outside OUT) that are almost maps.
    near_maps: list[Any]


def plan(src: Path, out: Path, options: BuildOptions) -> Plan:
    """Maps inside OUT are not sources (OUT may sit inside SRC). Two maps that
    would write the same output (``a.yaml`` and ``a.yml``), or a top-level map
    whose page would overwrite the gallery, cannot be built and are reported."""
    from jmap.repo.discover import find_maps

    base = src if src.is_dir() else src.parent
    near: list[Any] = []
    sources = [Path(p) for p in find_maps([src], near)]
    inside = _is_within(src, out)
    near = [w for w in near if inside or not _is_within(Path(w.file), out)]
    sources = [p for p in sources if inside or not _is_within(p, out)]
    jobs: list[MapJob] = []
    conflicts: list[GalleryEntry] = []
    claimed: dict[str, str] = {INDEX_NAME: "the gallery"}
    for path in sources:
        rel_path = Path(os.path.relpath(path, base))
        rel = rel_path.as_posix()
        outputs = tuple(
            (fmt, (rel_path.parent / f"{output_stem(rel_path)}.{output_suffix(fmt)}").as_posix())
            for fmt in options.formats
        )
        clash = next(((claimed[o], o) for _f, o in outputs if o in claimed), None)
        if clash is not None:
            conflicts.append(GalleryEntry(rel=rel, status="failed", message=output_conflict(rel, *clash)))
            continue
        claimed.update({o: rel for _f, o in outputs})
        jobs.append(MapJob(str(path), rel, outputs, str(out), options))
    return Plan(jobs, conflicts, near)


def map_inputs(job: MapJob, common: mf.Inputs) -> mf.Inputs | None:
    """A map's inputs: its bytes and what every map shares; None when the
    map cannot be read (the worker, or the check, reports why)."""
    try:
        data = read_regular(job.source, follow=True)
    except (OSError, JmapError):
        return None
    if data is None:
        return None
    return {"source": sha256_of(data), **common}


def gallery_inputs(common: mf.Inputs, maps: dict[str, mf.Inputs], conflicts: list[GalleryEntry]) -> mf.Inputs:
    """What made the gallery: every map (path and inputs), every clash, and
    what every map shares."""
    parts = [f"{rel}={mf.digest(*(f'{k}={v}' for k, v in sorted(maps[rel].items())))}" for rel in sorted(maps)]
    parts += [f"clash {e.rel}: {e.message}" for e in sorted(conflicts, key=lambda e: e.rel)]
    return {**common, "source": mf.digest("gallery", *parts)}


# -- the build -----------------------------------------------------------------------


class BuildLog(Protocol):
    """What the command line shows of a build (jmap.commands.build)."""

    def note(self, line: str) -> None:
        """A line for standard error: a warning, a wait."""

    def planned(self, total: int, unchanged: int, to_render: int) -> None: ...

    def conflict(self, entry: GalleryEntry) -> None: ...

    def advance(self, job: MapJob) -> None:
        """A map is done (in the order they finish): the progress bar."""

    def finished(self, job: MapJob, outcome: MapOutcome) -> None:
        """A map is done, in the order of the jobs: its log lines."""

    def kept(self, job: MapJob, entry: GalleryEntry) -> None:
        """A map left as it was, with what its last build said."""


@dataclass(slots=True)
class BuildResult:
    entries: list[GalleryEntry] = field(default_factory=list)
    unchanged: int = 0
    failed: int = 0
    internal_error: bool = False


def run_build(src: Path, out: Path, options: BuildOptions, workers: int, log: BuildLog) -> BuildResult:
    """Render what changed under ``src`` into ``out``, then the gallery and
    the manifest. The manifest is saved even when the run is interrupted, so
    the maps finished so far are not rendered again."""
    out.mkdir(parents=True, exist_ok=True)
    with locked(out, exclusive=True, on_wait=log.note):
        planned = plan(src, out, options)
        for warning in planned.near_maps:
            log.note(warning.format())
        jobs = planned.jobs
        remove_leftover_temporaries(out, _all_names(jobs))
        old, problem = mf.load(out)
        if problem is not None:
            log.note(
                f"{out / MANIFEST_NAME}: warning: not a manifest jmap wrote ({problem}); set aside, building everything"
            )
        old = old or mf.Manifest()
        common = options.inputs()
        programs = programs_version(options.formats)
        new = mf.Manifest(options=options.recorded(), programs=programs)
        result = BuildResult(entries=list(planned.conflicts), failed=len(planned.conflicts))
        inputs: dict[str, mf.Inputs] = {}
        to_render: list[MapJob] = []
        for job in jobs:
            found = map_inputs(job, common)
            if found is not None:
                inputs[job.rel] = found
            record = old.maps.get(job.rel)
            if found is not None and old.programs == programs and mf.is_current(record, found, _hasher(out)):
                assert record is not None
                result.entries.append(record.entry)
                new.maps[job.rel] = record
                log.kept(job, record.entry)
            else:
                to_render.append(job)
        result.unchanged = len(jobs) - len(to_render)
        log.planned(len(jobs), result.unchanged, len(to_render))
        for entry in planned.conflicts:
            log.conflict(entry)

        def done(job: MapJob, outcome: MapOutcome) -> None:
            result.entries.append(outcome.entry)
            result.internal_error = result.internal_error or outcome.internal_error
            if job.rel in inputs and not outcome.internal_error:
                # Invalid maps are recorded too, so that --check can say so
                # without reading them again.
                outputs = {
                    rel: mf.OutputRecord(fmt, outcome.hashes[rel]) for fmt, rel in job.outputs if rel in outcome.hashes
                }
                new.maps[job.rel] = mf.MapRecord(inputs[job.rel], outcome.entry, outputs)
            if outcome.entry.status not in mf.BUILT:
                result.failed += 1
            log.finished(job, outcome)

        try:
            run_pool(
                build_one,
                to_render,
                workers,
                lock_fds=held_locks(),
                advance=log.advance,
                on_done=done,
                on_lost=_lost,
            )
            gallery = _gallery(result.entries, options.templates_dir)
            if read_or_none(out / INDEX_NAME) != gallery:
                write_output(output_path(out, INDEX_NAME), gallery)
            if len(inputs) == len(jobs):
                new.gallery = mf.GalleryRecord(
                    gallery_inputs(common, inputs, planned.conflicts), hashlib.sha256(gallery).hexdigest()
                )
        finally:
            # Also when interrupted: stopped workers may have left temporary
            # files, and the maps finished so far must be remembered.
            remove_leftover_temporaries(out, _all_names(jobs))
            remove_orphans(out, old, new, jobs)
            for job in jobs:
                # Maps not reached (interrupted) keep their old record:
                # harmless, since its inputs and outputs are checked again.
                if job.rel not in new.maps and job.rel in old.maps:
                    new.maps[job.rel] = old.maps[job.rel]
            new.maps = dict(sorted(new.maps.items()))
            mf.save(out, new)
    return result


def _all_names(jobs: list[MapJob]) -> set[str]:
    return {o for job in jobs for _f, o in job.outputs} | {INDEX_NAME, MANIFEST_NAME}


def _lost(job: MapJob) -> MapOutcome:
    entry = GalleryEntry(rel=job.rel, status="failed", message="the worker process rendering it died")
    return MapOutcome(entry, internal_error=True)


def _hasher(out: Path) -> mf.HashOf:
    return functools.partial(file_hash, out)


def _gallery(entries: list[GalleryEntry], templates_dir: Path | None) -> bytes:
    from jmap.render.gallery import render_gallery

    return render_gallery(entries, templates_dir)


def remove_orphans(out: Path, old: mf.Manifest, new: mf.Manifest, jobs: list[MapJob]) -> None:
    """Delete outputs that an earlier build wrote for a map (or a format) that
    is gone. Only files the manifest proves we wrote are touched: inside OUT,
    regular, with the hash recorded when they were written, and never a map
    being built (SRC may be OUT)."""
    wanted = {o for job in jobs for _f, o in job.outputs}
    wanted |= {rel for record in new.maps.values() for rel in record.outputs}
    sources = {os.path.realpath(job.source) for job in jobs}
    for record in old.maps.values():
        for rel, output in record.outputs.items():
            if rel in wanted:
                continue
            path = provably_ours(out, rel, output.sha256)
            if path is not None and os.path.realpath(path) not in sources:
                with contextlib.suppress(OSError):
                    path.unlink()


# -- the check -----------------------------------------------------------------------


@dataclass(slots=True)
class CheckResult:
    maps: int = 0
    stale: list[mf.Stale] = field(default_factory=list)
    #: Maps that do not validate, with what validation said.
    invalid: list[tuple[MapJob, GalleryEntry]] = field(default_factory=list)
    #: Maps that cannot be read, with why.
    unreadable: list[tuple[MapJob, str]] = field(default_factory=list)
    conflicts: list[GalleryEntry] = field(default_factory=list)
    #: Why the manifest cannot be trusted, when it cannot: nothing is verifiable.
    unverifiable: str | None = None
    #: The outputs that would have been checked.
    outputs: int = 0


def run_check(src: Path, out: Path, options: BuildOptions, log: BuildLog) -> CheckResult:
    """Judge OUT by its manifest; render nothing, write nothing.

    Only the sources and the outputs are read and hashed, so Graphviz and the
    fonts of this machine play no part: renders committed from another
    machine pass. A map whose inputs changed is validated, so that a map a
    build cannot render is reported as such rather than as stale.
    """
    lock: contextlib.AbstractContextManager[None] = (
        locked(out, exclusive=False, on_wait=log.note) if out.is_dir() else contextlib.nullcontext()
    )
    with lock:
        planned = plan(src, out, options)
        for warning in planned.near_maps:
            log.note(warning.format())
        result = CheckResult(maps=len(planned.jobs), conflicts=planned.conflicts)
        result.outputs = sum(len(job.outputs) for job in planned.jobs) + 1
        manifest, problem = mf.load(out)
        if problem is not None:
            result.unverifiable = f"{out / MANIFEST_NAME} is not a manifest jmap wrote ({problem})"
            return result
        manifest = manifest or mf.Manifest()
        common = options.inputs()
        inputs: dict[str, mf.Inputs] = {}
        plans: list[mf.Planned] = []
        for job in planned.jobs:
            found = map_inputs(job, common)
            if found is None:
                result.unreadable.append((job, _unreadable(job.source)))
                continue
            inputs[job.rel] = found
            record = manifest.maps.get(job.rel)
            if record is not None and record.inputs == found:
                invalid = None if record.entry.status in mf.BUILT else record.entry
                if invalid is not None and record.entry.status == "failed":
                    invalid = None  # a render that failed: its outputs speak for it
            else:
                invalid = invalid_entry(job)
            if invalid is not None:
                result.invalid.append((job, invalid))
            plans.append(mf.Planned(job.rel, found, invalid is None, job.outputs))
        gallery = None
        if len(inputs) == len(planned.jobs):
            gallery = (INDEX_NAME, gallery_inputs(common, inputs, planned.conflicts))
        result.stale = mf.check(manifest, plans, options.recorded(), _hasher(out), gallery=gallery)
        if gallery is None:
            result.stale.append(mf.Stale(INDEX_NAME, "stale", "a map cannot be read"))
    return result


def _unreadable(source: str) -> str:
    try:
        read_regular(source, follow=True)
    except SpecialFile as exc:
        return f"this is {exc.kind}, not a map file"
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
    return "cannot read the file: it is gone"

"""`jmap build SRC -o OUT`: the build's log, progress bar and exit codes.

The engine (jobs, workers, cache, lock) is jmap.repo.build and the gallery
page jmap.render.gallery; this module says what happens: one line per map,
the diagnostics of each map as ``FILE:LINE:COL`` lines on standard error, a
progress bar on a terminal, and exit codes 0 (built or current), 1 (a map
invalid or failed, an output stale) or 3 (a bug while rendering a map).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
from pathlib import Path
from typing import IO, Any

from jmap.commands import err, say
from jmap.errors import UsageError
from jmap.interrupt import terminate_as_interrupt
from jmap.render.formats import BUILD_FORMATS
from jmap.render.gallery import render_gallery
from jmap.repo.build import (
    CACHE_NAME,
    INDEX_NAME,
    MANIFEST_NAME,
    Echo,
    GalleryEntry,
    MapJob,
    MapOutcome,
    build_fingerprint,
    entry_from_json,
    entry_to_json,
    file_hash,
    gallery_key,
    graphviz_version,
    invalid_entry,
    load_cache,
    load_manifest,
    locked,
    map_key,
    output_key,
    output_path,
    output_records,
    outputs_intact,
    plan_jobs,
    read_or_none,
    recorded_outputs,
    remove_leftover_temporaries,
    remove_orphans,
    run_jobs,
    save_cache,
    write_output,
)
from jmap.repo.discover import find_maps, has_maps, no_maps_under
from jmap.text import plural, printable


def _console_lines(source: str, entry: GalleryEntry) -> list[str]:
    """The entry's diagnostics as ``FILE:LINE:COL: …`` lines for the terminal,
    with the source path as found under SRC (so editors can open it)."""
    lines = [f"{printable(source)}:{line}" for line in entry.diagnostics]
    if entry.message:
        lines.append(printable(f"{source}: error: {entry.message}"))
    return lines


class _ProgressBar:
    """One line on stderr redrawn with ``\\r``; cleared when done, so the log
    that follows starts on a clean line."""

    def __init__(self, total: int, stream: IO[str]) -> None:
        self.total = total
        self.done = 0
        self.stream = stream

    def advance(self, label: str) -> None:
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


def build_maps(
    src: Path,
    out: Path,
    *,
    jobs: int | None,
    check: bool,
    formats: tuple[str, ...],
    strict: bool,
    templates_dir: Path | None,
    progress: bool | None,
    review: bool = False,
    paper: str = "a3",
    echo: Echo = say,
    echo_err: Echo = err,
) -> int:
    """``jmap build``: 0 when every map is built (or, with ``check``, current);
    1 when a map is invalid or failed, or an output is stale; 3 on a bug."""
    if not src.exists():
        raise UsageError(f"no such file or directory: {src}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} exists and is not a directory")
    if jobs is not None and jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    if not formats:
        formats = BUILD_FORMATS
    if src.is_dir() and not has_maps(src):
        # The files that are almost maps are named first: they are why.
        near: list[Any] = []
        find_maps([src], near)
        for warning in near:
            echo_err(warning.format())
        raise no_maps_under(src)
    workers = jobs or os.cpu_count() or 1
    if check:
        return _check(src, out, formats, strict, templates_dir, workers, echo, echo_err, review=review, paper=paper)

    out.mkdir(parents=True, exist_ok=True)
    with terminate_as_interrupt(), locked(out, exclusive=True, echo_err=echo_err):
        near_maps: list[Any] = []
        all_jobs, conflicts = plan_jobs(
            src,
            out,
            formats=formats,
            strict=strict,
            templates_dir=templates_dir,
            check=False,
            near_maps=near_maps,
            review=review,
            paper=paper,
        )
        for warning in near_maps:
            echo_err(warning.format())
        remove_leftover_temporaries(out, {o for job in all_jobs for _f, o in job.outputs} | {INDEX_NAME, CACHE_NAME})
        fingerprint = build_fingerprint(formats, strict, templates_dir, review, paper)
        graphviz = graphviz_version(formats)
        same_graphviz = load_manifest(out).get("graphviz") == graphviz
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
            entry = entry_from_json(cached.get("entry", {})) if isinstance(cached, dict) else None
            if (
                entry is not None
                and cached is not None
                and same_graphviz
                and entry.status in ("valid", "warnings")
                and cached.get("inputs") == key
                and outputs_intact(out, cached)
            ):
                entries.append(entry)
                new_cache[job.rel] = cached
            else:
                to_render.append(job)

        unchanged = len(all_jobs) - len(to_render)
        echo(
            f"jmap build: {plural(len(all_jobs), 'map')} in {printable(str(src))}, {unchanged} unchanged, "
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
            if job.rel in keys and not outcome.internal_error:
                # Invalid maps are recorded too, so that --check can say so
                # without reading them again.
                new_cache[job.rel] = {
                    "inputs": keys[job.rel],
                    "entry": entry_to_json(entry),
                    "outputs": {
                        rel_out: {"inputs": output_key(keys[job.rel], fmt), "sha256": outcome.hashes[rel_out]}
                        for fmt, rel_out in job.outputs
                        if rel_out in outcome.hashes
                    },
                }
            if entry.status in ("valid", "warnings"):
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

        gallery_record: dict[str, str] | None = None
        try:
            run_jobs(to_render, workers, bar.advance if bar else None, done)
            if bar:
                bar.close()
                bar = None
            gallery = render_gallery(entries, templates_dir)
            if read_or_none(out / INDEX_NAME) != gallery:
                write_output(output_path(out, INDEX_NAME), gallery)
            if len(keys) == len(all_jobs):
                gallery_record = {
                    "inputs": gallery_key(fingerprint, list(keys.items()), conflicts),
                    "sha256": hashlib.sha256(gallery).hexdigest(),
                }
        finally:
            if bar:
                bar.close()
            # Saved even when interrupted, so the maps finished so far are not
            # rendered again by the next run.
            remove_orphans(
                out,
                old_cache,
                new_cache,
                {o for job in all_jobs for _f, o in job.outputs},
                {os.path.realpath(job.source) for job in all_jobs},
            )
            current = {job.rel for job in all_jobs}
            for rel, cached in old_cache.items():
                # Maps not reached (interrupted) keep their old record:
                # harmless, since its inputs and outputs are checked again.
                if rel in current and rel not in new_cache:
                    new_cache[rel] = cached
            save_cache(out, new_cache, graphviz=graphviz, gallery=gallery_record)

        # Warnings of unchanged maps are shown again: a rebuild must not make
        # them disappear from the log.
        rendered_now = {j.rel for j in to_render}
        sources = {j.rel: j.source for j in all_jobs}
        for entry in sorted(entries, key=lambda e: e.rel):
            if entry.status == "warnings" and entry.rel not in rendered_now:
                for line in _console_lines(sources.get(entry.rel, entry.rel), entry):
                    echo_err(line)

    built = sum(1 for e in entries if e.status in ("valid", "warnings"))
    echo(
        f"jmap build: {plural(built, 'map')} built ({unchanged} unchanged), {failed} failed → "
        f"{printable(str(out / INDEX_NAME))}"
    )
    if internal:
        return 3
    return 1 if failed else 0


def _check(
    src: Path,
    out: Path,
    formats: tuple[str, ...],
    strict: bool,
    templates_dir: Path | None,
    workers: int,
    echo: Echo,
    echo_err: Echo,
    review: bool = False,
    paper: str = "a3",
) -> int:
    """Judge OUT by its manifest; render nothing, write nothing.

    An output is stale when it is missing, when what made it changed (the
    map, jmap, the templates, the options) or when its bytes are not those
    the manifest recorded (edited by hand). Only the sources and the outputs
    are read and hashed, so Graphviz and the fonts of this machine play no
    part: renders committed from another machine pass.
    """
    del workers  # hashing is cheap: no pool needed
    lock: contextlib.AbstractContextManager[None] = (
        locked(out, exclusive=False, echo_err=echo_err) if out.is_dir() else contextlib.nullcontext()
    )
    with lock:
        near_maps: list[Any] = []
        jobs, conflicts = plan_jobs(
            src,
            out,
            formats=formats,
            strict=strict,
            templates_dir=templates_dir,
            check=True,
            near_maps=near_maps,
            review=review,
            paper=paper,
        )
        for warning in near_maps:
            echo_err(warning.format())
        fingerprint = build_fingerprint(formats, strict, templates_dir, review, paper)
        manifest = load_manifest(out)
        recorded = load_cache(out)
        stale: list[tuple[str, str]] = []
        problems = len(conflicts)
        for entry in conflicts:
            echo_err(printable(f"{src / entry.rel if src.is_dir() else src}: error: {entry.message}"))
        keys: dict[str, str] = {}
        for job in jobs:
            try:
                key = map_key(Path(job.source).read_bytes(), fingerprint)
            except OSError as exc:
                echo_err(printable(f"{job.source}: error: cannot read the file: {exc.strerror or exc}"))
                problems += 1
                continue
            keys[job.rel] = key
            record = recorded.get(job.rel)
            outputs = output_records(record)
            built = entry_from_json(record.get("entry", {})) if record is not None else None
            if (
                record is not None
                and record.get("inputs") == key
                and built is not None
                and built.status not in ("valid", "warnings")
            ):
                problems += 1
                for line in _console_lines(job.source, built):
                    echo_err(line)
                continue
            if record is None or record.get("inputs") != key:
                # A new or changed map is stale anyway; if it is also invalid,
                # a build cannot fix it: say why instead.
                invalid = invalid_entry(job)
                if invalid is not None:
                    problems += 1
                    for line in _console_lines(job.source, invalid):
                        echo_err(line)
                    continue
            for fmt, rel_out in job.outputs:
                on_disk = file_hash(out, rel_out)
                mine = outputs.get(rel_out)
                if on_disk is None:
                    stale.append((rel_out, "missing"))
                elif mine is None or mine.get("inputs") != output_key(key, fmt):
                    stale.append((rel_out, "stale"))
                elif mine.get("sha256") != on_disk:
                    stale.append((rel_out, "edited"))
        gallery = manifest.get("gallery")
        on_disk = file_hash(out, INDEX_NAME)
        if on_disk is None:
            stale.append((INDEX_NAME, "missing"))
        elif (
            not isinstance(gallery, dict)
            or len(keys) != len(jobs)
            or gallery.get("inputs") != gallery_key(fingerprint, list(keys.items()), conflicts)
        ):
            stale.append((INDEX_NAME, "stale"))
        elif gallery.get("sha256") != on_disk:
            stale.append((INDEX_NAME, "edited"))
        expected = {o for job in jobs for _f, o in job.outputs}
        for rel, record in recorded.items():
            if rel in keys:
                continue
            for rel_out, sha in recorded_outputs(record).items():
                # Only a file the manifest proves jmap wrote is called orphaned.
                if rel_out not in expected and sha is not None and file_hash(out, rel_out) == sha:
                    stale.append((rel_out, "orphaned"))

    for rel, reason in sorted(set(stale)):
        echo(printable(f"{reason}: {out / rel}"))
    if stale:
        echo_err(
            f"jmap build --check: {plural(len(set(stale)), 'output')} out of date in {printable(str(out))} "
            "(missing; stale: its map, jmap, the templates or the options changed; edited: its bytes are not "
            f"those jmap wrote; orphaned: its map is gone); run `jmap build {printable(str(src))} "
            f"-o {printable(str(out))}` and commit OUT with its {MANIFEST_NAME}"
        )
    if problems:
        echo_err(f"jmap build --check: {plural(problems, 'map')} could not be rendered")
    if not stale and not problems:
        echo(f"jmap build --check: {plural(len(jobs), 'map')}, all outputs in {printable(str(out))} are current")
    return 1 if stale or problems else 0

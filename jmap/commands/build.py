"""`jmap build SRC -o OUT`: the build's log, progress bar and exit codes.

The engine (jobs, workers, cache, lock) is jmap.repo.build and the gallery
page jmap.render.gallery; this module says what happens: one line per map,
the diagnostics of each map as ``FILE:LINE:COL`` lines on standard error, a
progress bar on a terminal, and exit codes 0 (built or current), 1 (a map
invalid or failed, an output stale) or 3 (a bug while rendering a map).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path
from typing import IO, Any

from jmap.commands import err, say
from jmap.errors import UsageError
from jmap.render.formats import BUILD_FORMATS
from jmap.render.gallery import render_gallery
from jmap.repo.build import (
    CACHE_NAME,
    INDEX_NAME,
    Echo,
    GalleryEntry,
    MapJob,
    MapOutcome,
    build_fingerprint,
    entry_from_json,
    entry_to_json,
    load_cache,
    locked,
    map_key,
    output_path,
    outputs_intact,
    plan_jobs,
    provably_ours,
    read_or_none,
    recorded_outputs,
    remove_leftover_temporaries,
    remove_orphans,
    run_jobs,
    save_cache,
    terminate_as_interrupt,
    write_output,
)
from jmap.repo.discover import has_maps, no_maps_under
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
        raise no_maps_under(src)
    workers = jobs or os.cpu_count() or 1
    if check:
        return _check(src, out, formats, strict, templates_dir, workers, echo, echo_err)

    out.mkdir(parents=True, exist_ok=True)
    with terminate_as_interrupt(), locked(out, exclusive=True, echo_err=echo_err):
        all_jobs, conflicts = plan_jobs(
            src, out, formats=formats, strict=strict, templates_dir=templates_dir, check=False
        )
        remove_leftover_temporaries(out, {o for job in all_jobs for _f, o in job.outputs} | {INDEX_NAME, CACHE_NAME})
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
            entry = entry_from_json(cached.get("entry", {})) if isinstance(cached, dict) else None
            if entry is not None and cached is not None and cached.get("key") == key and outputs_intact(out, cached):
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
            if entry.status in ("valid", "warnings"):
                if job.rel in keys:
                    new_cache[job.rel] = {
                        "key": keys[job.rel],
                        "sizes": outcome.sizes,
                        "hashes": outcome.hashes,
                        "entry": entry_to_json(entry),
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
            run_jobs(to_render, workers, bar.advance if bar else None, done)
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
        if read_or_none(out / INDEX_NAME) != gallery:
            write_output(output_path(out, INDEX_NAME), gallery)

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
) -> int:
    """Render everything in memory and compare with OUT; write nothing."""
    lock: contextlib.AbstractContextManager[None] = (
        locked(out, exclusive=False, echo_err=echo_err) if out.is_dir() else contextlib.nullcontext()
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

        run_jobs(jobs, workers, None, done)
        gallery = render_gallery(entries, templates_dir)
        current = read_or_none(out / INDEX_NAME)
        if current != gallery:
            stale.append((INDEX_NAME, "missing" if current is None else "stale"))
        expected = {o for job in jobs for _f, o in job.outputs}
        for cached in load_cache(out).values():
            for rel, recorded in recorded_outputs(cached).items():
                if rel not in expected and provably_ours(out, rel, recorded) is not None:
                    stale.append((rel, "orphaned"))

    for rel, reason in sorted(stale):
        echo(printable(f"{reason}: {out / rel}"))
    if stale:
        echo_err(
            f"jmap build --check: {plural(len(stale), 'output')} out of date in {printable(str(out))}; "
            f"run `jmap build {printable(str(src))} -o {printable(str(out))}`"
        )
    if problems:
        echo_err(f"jmap build --check: {plural(problems, 'map')} could not be rendered")
    if not stale and not problems:
        echo(f"jmap build --check: {plural(len(jobs), 'map')}, all outputs in {printable(str(out))} are current")
    if internal:
        return 3
    return 1 if stale or problems else 0

"""`jmap build SRC -o OUT`: the build's log, progress bar and exit codes.

The engine (plan, workers, manifest, lock) is jmap.repo.build; this module
says what happens: one line per map, the diagnostics of each map as
``FILE:LINE:COL`` lines on standard error, a progress bar on a terminal, and
exit codes 0 (built or current), 1 (a map invalid or failed, an output stale)
or 3 (a bug while rendering a map).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from jmap.commands import err, say
from jmap.errors import UsageError
from jmap.interrupt import terminate_as_interrupt
from jmap.render.formats import BUILD_FORMATS
from jmap.repo.build import (
    INDEX_NAME,
    BuildOptions,
    CheckResult,
    GalleryEntry,
    MapJob,
    MapOutcome,
    run_build,
    run_check,
)
from jmap.repo.discover import find_maps, has_maps, no_maps_under
from jmap.text import plural, printable

Echo = Callable[[str], None]


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


def _want_progress(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty() and not os.environ.get("CI")


class _Log:
    """What a build shows as it goes (jmap.repo.build.BuildLog)."""

    def __init__(self, src: Path, workers: int, progress: bool, echo: Echo, echo_err: Echo) -> None:
        self.src, self.workers, self.progress = src, workers, progress
        self.echo, self.echo_err = echo, echo_err
        self.bar: _ProgressBar | None = None
        self.kept_warnings: list[tuple[str, GalleryEntry]] = []

    def note(self, line: str) -> None:
        self.echo_err(printable(line))

    def planned(self, total: int, unchanged: int, to_render: int) -> None:
        self.echo(
            f"jmap build: {plural(total, 'map')} in {printable(str(self.src))}, {unchanged} unchanged, "
            f"{to_render} to render (-j {self.workers})"
        )
        if to_render and self.progress:
            self.bar = _ProgressBar(to_render, sys.stderr)

    def conflict(self, entry: GalleryEntry) -> None:
        where = self.src / entry.rel if self.src.is_dir() else self.src
        self.echo_err(printable(f"{where}: error: {entry.message}"))

    def advance(self, job: MapJob) -> None:
        if self.bar is not None:
            self.bar.advance(job.rel)

    def finished(self, job: MapJob, outcome: MapOutcome) -> None:
        entry = outcome.entry
        if self.bar is None:
            if entry.status in ("valid", "warnings"):
                self.echo(f"rendered {printable(job.rel)}" + (" (no change)" if not outcome.written else ""))
            else:
                self.echo(f"skipped {printable(job.rel)} ({entry.status})")
        else:
            self.bar.clear()
        for line in _console_lines(job.source, entry):
            self.echo_err(line)

    def kept(self, job: MapJob, entry: GalleryEntry) -> None:
        # Warnings of unchanged maps are shown again, at the end: a rebuild
        # must not make them disappear from the log.
        if entry.status == "warnings":
            self.kept_warnings.append((job.source, entry))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.clear()
            self.bar = None


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
    shard: str | None = None,
    index: bool = False,
) -> int:
    """``jmap build``: 0 when every map is built (or, with ``check``, current);
    1 when a map is invalid or failed, or an output is stale; 3 on a bug."""
    if not src.exists():
        raise UsageError(f"no such file or directory: {src}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} exists and is not a directory")
    if jobs is not None and jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    options = BuildOptions(formats=formats or BUILD_FORMATS, strict=strict, templates_dir=templates_dir)
    if src.is_dir() and not has_maps(src):
        # The files that are almost maps are named first: they are why.
        near: list[Any] = []
        find_maps([src], near)
        for warning in near:
            echo_err(warning.format())
        raise no_maps_under(src)
    workers = jobs or os.cpu_count() or 1
    log = _Log(src, workers, _want_progress(progress), echo, echo_err)
    if shard is not None and (index or check):
        raise UsageError("--shard builds one shard; --index and --check work on the shards put together")
    if index and check:
        raise UsageError("--index writes the index; --check judges it: run them one after the other")
    if check:
        return _report_check(src, out, options, run_check(src, out, options, log), echo, echo_err)
    from jmap.repo.build import run_index
    from jmap.repo.sharding import parse_shard

    part = parse_shard(shard) if shard is not None else None
    with terminate_as_interrupt():
        try:
            result = run_index(src, out, options, log) if index else run_build(src, out, options, workers, log, part)
        finally:
            log.close()
    for source, entry in sorted(log.kept_warnings, key=lambda pair: pair[1].rel):
        for line in _console_lines(source, entry):
            echo_err(line)
    built = sum(1 for e in result.entries if e.status in ("valid", "warnings"))
    if part is not None:
        echo(f"jmap build: shard {part[0]}/{part[1]}: {plural(built, 'map')} built, {result.failed} failed")
    elif index:
        echo(
            f"jmap build --index: {plural(built, 'map')} from the shards, {result.failed} failed → {printable(str(out / INDEX_NAME))}"
        )
    else:
        echo(
            f"jmap build: {plural(built, 'map')} built ({result.unchanged} unchanged), {result.failed} failed → "
            f"{printable(str(out / INDEX_NAME))}"
        )
    if result.internal_error:
        return 3
    return 1 if result.failed else 0


def _report_check(src: Path, out: Path, options: BuildOptions, result: CheckResult, echo: Echo, echo_err: Echo) -> int:
    """One line per output that is not current, with its reason; the
    diagnostics of each map a build cannot render; then what to do."""
    command = shlex.join(["jmap", "build", str(src), "-o", str(out), *options.arguments()])
    if result.unverifiable is not None:
        echo(
            printable(
                f"unverifiable: {plural(result.outputs, 'output')} in {out}: the manifest {result.unverifiable}; "
                f"build again to write a new one"
            )
        )
        echo_err("jmap build --check: nothing can be verified. Rebuild, then commit what it writes:")
        echo_err(f"  {printable(command)}")
        return 1
    for entry in result.conflicts:
        echo_err(printable(f"{src / entry.rel if src.is_dir() else src}: error: {entry.message}"))
    for job, problem in result.unreadable:
        echo_err(printable(f"{job.source}: error: {problem}"))
    for job, entry in result.invalid:
        for line in _console_lines(job.source, entry):
            echo_err(line)
    for stale in result.stale:
        reason = f" ({stale.reason})" if stale.reason else ""
        echo(printable(f"{stale.kind}: {out / stale.path}{reason}"))
    problems = len(result.conflicts) + len(result.unreadable) + len(result.invalid)
    if not result.stale and not problems:
        echo(f"jmap build --check: {plural(result.maps, 'map')}, all outputs in {printable(str(out))} are current")
        return 0
    said = []
    if result.stale:
        said.append(f"{plural(len(result.stale), 'output')} out of date in {printable(str(out))}")
    if problems:
        said.append(f"{plural(problems, 'map')} could not be rendered (fix the errors above)")
    echo_err(f"jmap build --check: {'; '.join(said)}. Rebuild, then commit what it writes:")
    echo_err(f"  {printable(command)}")
    return 1

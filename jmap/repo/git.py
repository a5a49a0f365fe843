"""Reading one version of a map: a file on disk, or ``REV:PATH`` from git.

``jmap diff main:maps/checkout.yaml maps/checkout.yaml`` compares what a pull
request changes without checking anything out. A path that exists on disk always
wins over the git reading, so a file literally named ``a:b`` is read as a file.
Git is called with an argument list (never a shell), and a revision that looks
like an option is refused, so a hostile argument cannot become a git flag.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from jmap.errors import JmapError, UsageError

#: As jmap.format.loader.MAX_BYTES (not imported: that pulls in YAML).
MAX_BYTES = 16 * 1024 * 1024

#: Long enough for a slow network file system, short enough that a hung git
#: (waiting on a credential prompt, say) does not hang a CI job for ever.
_GIT_TIMEOUT_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Source:
    """The bytes of one version of a map and the name to show in messages."""

    name: str
    data: bytes


def split_rev_path(spec: str) -> tuple[str, str] | None:
    """``"main:maps/a.yaml"`` → ``("main", "maps/a.yaml")``; ``None`` when ``spec``
    is not of that form. The first colon splits, as in git itself."""
    rev, sep, path = spec.partition(":")
    if not sep or not rev or not path:
        return None
    return rev, path


def read_source(spec: str, cwd: Path | None = None) -> Source:
    """Read a map version named by a path, by ``REV:PATH`` or ``-`` (standard input).

    Raises UsageError (exit 2) when neither names something readable, since a
    mistyped argument is a usage problem, not a difference between maps.
    """
    if spec == "-":
        from jmap.format.validator import STDIN_NAME, read_stdin

        return Source(STDIN_NAME, read_stdin())
    base = cwd or Path.cwd()
    candidate = base / spec
    if candidate.is_file():
        try:
            # One byte past the limit is enough for the validator to refuse
            # the file as too large; more would only cost memory.
            with candidate.open("rb") as handle:
                return Source(spec, handle.read(MAX_BYTES + 1))
        except OSError as exc:
            raise UsageError(f"cannot read {spec}: {exc.strerror or exc}") from exc
    if candidate.exists():
        raise UsageError(f"{spec} is not a file")
    parts = split_rev_path(spec)
    if parts is None:
        raise UsageError(f"no such file: {spec}")
    return Source(spec, git_show(*parts, cwd=base))


def git_show(rev: str, path: str, cwd: Path) -> bytes:
    """The blob at ``rev:path``, exactly as committed (no textconv, no filters)."""
    if rev.startswith("-"):
        raise UsageError(f"invalid git revision '{rev}'")
    git = shutil.which("git")
    if git is None:
        raise UsageError(f"no such file: {rev}:{path} (and git is not installed to read it from a revision)")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}
    # The blob's size first: a huge blob must be refused before it is read.
    size = _run_git([git, "cat-file", "-s", f"{rev}:{path}"], rev, path, cwd, env)
    if size.strip().isdigit() and int(size) > MAX_BYTES:
        raise JmapError(f"{rev}:{path} is {int(size):,} bytes; jmap reads maps of at most {MAX_BYTES:,} bytes")
    return _run_git([git, "show", "--no-textconv", f"{rev}:{path}"], rev, path, cwd, env)


def _run_git(command: list[str], rev: str, path: str, cwd: Path, env: dict[str, str]) -> bytes:
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            env=env,
            timeout=_GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"cannot read {rev}:{path} from git: {exc}") from exc
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = reason[-1] if reason else f"git exited with {completed.returncode}"
        raise UsageError(f"cannot read {rev}:{path} from git: {detail.removeprefix('fatal: ')}")
    return completed.stdout

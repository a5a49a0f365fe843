"""Console entry point: exit codes of cli.md, and a fast path for `validate`.

`jmap validate` runs in pre-commit hooks and editors on every save, and
`jmap render` in CI on every commit, where start-up time is most of the cost. Importing click alone costs about as much
as the whole margin the benchmark allows over bare YAML loading, so the
common forms of `validate` and `render` (paths plus their plain options)
are recognised here and run without click. Anything else, including --help and
every mistake, goes through the click command line, which owns the messages.
"""

from __future__ import annotations

import os
import sys

BUG_REPORT = (
    "jmap: internal error (this is a bug in jmap): please report it with the file that caused it; "
    "run again with --debug to see the details"
)
#: The forms the fast path understands: flags, options taking a value, defaults.
_FAST_VERBS: dict[str, tuple[dict[str, str], dict[str, str], dict[str, object]]] = {
    "validate": (
        {"--strict": "strict", "-q": "quiet", "--quiet": "quiet"},
        {"--format": "fmt"},
        {"strict": False, "fmt": "text", "quiet": False},
    ),
    "render": (
        {"--strict": "strict"},
        {
            "-f": "formats",
            "--formats": "formats",
            "-o": "output",
            "--output": "output",
            "--persona": "persona",
            "--templates": "templates_dir",
        },
        {"strict": False, "formats": "svg,html,md", "output": ".", "persona": None, "templates_dir": None},
    ),
}
_REPORT_FORMATS = ("text", "json", "github")


def fast_options(args: list[str]) -> tuple[str, dict[str, object]] | None:
    """The verb and options of a simple `validate` or `render` call, or None
    when click must parse it (help, mistakes, anything unusual)."""
    if not args or args[0] not in _FAST_VERBS:
        return None
    verb = args[0]
    flags, valued, defaults = _FAST_VERBS[verb]
    options = dict(defaults)
    paths: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        if arg in flags:
            options[flags[arg]] = True
            continue
        name, eq, inline = arg.partition("=")
        if name in valued and (eq or name.startswith("--") or len(name) == 2):
            value = inline if eq else next(rest, None)
            if value is None or (value.startswith("-") and value != "-"):
                return None
            options[valued[name]] = value
        elif arg.startswith("-"):
            return None
        elif os.path.exists(arg):
            paths.append(arg)
        else:
            return None
    if not paths:
        return None
    if verb == "validate" and options["fmt"] not in _REPORT_FORMATS:
        return None
    if verb == "render":
        from jmap.errors import UsageError
        from jmap.render.formats import parse_formats

        try:
            options["formats"] = parse_formats(str(options["formats"]))
        except UsageError:
            return None
        templates = options["templates_dir"]
        if templates is not None:
            if not os.path.isdir(str(templates)):
                return None
            from pathlib import Path

            options["templates_dir"] = Path(str(templates))
    options["paths"] = tuple(paths)
    return verb, options


def fast_validate_options(args: list[str]) -> dict[str, object] | None:
    """The options of a simple `validate` call (kept for tests and tools)."""
    found = fast_options(args)
    return found[1] if found is not None and found[0] == "validate" else None


def main(argv: list[str] | None = None) -> None:
    from jmap.errors import JmapError, UsageError

    args = sys.argv[1:] if argv is None else list(argv)
    # --debug is accepted anywhere (`jmap validate --debug x.yaml` too).
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    # A terminal or pipe that cannot encode a character of a map (ASCII, cp1252)
    # gets an escape, not an internal error.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        fast = fast_options(args)
        if fast is not None and fast[0] == "validate":
            from jmap.commands.validate import validate_paths

            code = validate_paths(**fast[1])  # type: ignore[arg-type]
        elif fast is not None:
            from jmap.commands.render import render_paths

            code = render_paths(**fast[1])  # type: ignore[arg-type]
        else:
            from jmap.cli import run_click

            code = run_click(args)
    except UsageError as exc:
        sys.stderr.write(f"jmap: error: {exc}\n")
        code = 2
    except JmapError as exc:
        sys.stderr.write(f"jmap: error: {exc}\n")
        code = 1
    except KeyboardInterrupt:
        sys.stderr.write("jmap: interrupted\n")
        code = 130
    except BrokenPipeError:
        # The reader went away (`jmap render -o - | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    except OSError as exc:
        # The machine refused (a parent that is a file, a full disk, no
        # permission): the user's to fix, not a bug in jmap.
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"jmap: error: {where}{exc.strerror or exc}\n")
        code = 1
    except Exception:
        if debug:
            import traceback

            traceback.print_exc()
        sys.stderr.write(BUG_REPORT + "\n")
        code = 3
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)

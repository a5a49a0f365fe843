"""Console entry point: exit codes of cli.md, and a fast path for `validate`.

`jmap validate` runs in pre-commit hooks and editors on every save, where
start-up time is most of its cost. Importing click alone costs about as much
as the whole margin the benchmark allows over bare YAML loading, so the
common forms of `validate` (paths plus --strict, --format, --quiet) are
recognised here and run without click. Anything else, including --help and
every mistake, goes through the click command line, which owns the messages.
"""

from __future__ import annotations

import os
import sys

BUG_REPORT = (
    "jmap: internal error (this is a bug in jmap): please report it with the file that caused it; "
    "run again with --debug to see the details"
)
_FORMATS = ("text", "json", "github")


def fast_validate_options(args: list[str]) -> dict[str, object] | None:
    """The options of a simple `validate` call, or None when click must parse it."""
    if not args or args[0] != "validate":
        return None
    paths: list[str] = []
    options: dict[str, object] = {"strict": False, "fmt": "text", "quiet": False}
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--strict":
            options["strict"] = True
        elif arg in ("-q", "--quiet"):
            options["quiet"] = True
        elif arg == "--format" or arg.startswith("--format="):
            value = arg.partition("=")[2] if "=" in arg else next(rest, None)
            if value not in _FORMATS:
                return None
            options["fmt"] = value
        elif arg.startswith("-") and arg != "-":
            return None
        elif os.path.exists(arg):
            paths.append(arg)
        else:
            return None
    if not paths:
        return None
    options["paths"] = tuple(paths)
    return options


def main(argv: list[str] | None = None) -> None:
    from jmap.errors import JmapError, UsageError

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        fast = fast_validate_options(args)
        if fast is not None:
            from jmap.checking import validate_paths

            code = validate_paths(**fast)  # type: ignore[arg-type]
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
    except Exception:
        if "--debug" in args:
            import traceback

            traceback.print_exc()
        sys.stderr.write(BUG_REPORT + "\n")
        code = 3
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)

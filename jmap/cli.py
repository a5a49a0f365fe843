"""The `jmap` command line: click parses every call, and :func:`main` turns
what happens into the exit codes of docs/cli.md.

0 ok, 1 an invalid map or a failed output (and the user's own mistakes the
machine reports: a full disk, a refused write), 2 a usage error, 3 a bug in
jmap: a short "please report" line, the traceback only with ``--debug``.
Each command imports its work when it runs, so `jmap validate` never loads
Jinja2 or the renderers.
"""

from __future__ import annotations

import os
import sys

import click

from jmap import __version__
from jmap.render.formats import BUILD_FORMATS, DEFAULT_FORMATS, FORMATS, parse_formats

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., object])

BUG_REPORT = (
    "jmap: internal error (this is a bug in jmap): please report it with the file that caused it; "
    "run again with --debug to see the details"
)


class _Run:
    """What the options of this call asked of :func:`main` itself."""

    debug = False


def _set_debug(_ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _Run.debug = True


#: ``--debug`` before or after the verb (`jmap validate --debug x.yaml`).
debug_option = click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="Show the Python traceback of an internal error.",
)


def _set_portfolio(_ctx: click.Context, param: click.Parameter, value: object) -> None:
    """``--portfolio FILE`` / ``--no-portfolio``: recorded for the whole run
    (and its build workers) by jmap.format.portfolio.choose."""
    if not value:
        return
    from jmap.format.portfolio import choose

    if param.name == "no_portfolio":
        choose(None, True)
    else:
        choose(str(value), False)


def portfolio_options(f: F) -> F:
    """``--portfolio FILE`` and ``--no-portfolio`` on the verbs that read maps."""
    f = click.option(
        "--no-portfolio",
        is_flag=True,
        expose_value=False,
        callback=_set_portfolio,
        help="Ignore jmap-portfolio.yaml: each map stands alone.",
    )(f)
    return click.option(
        "--portfolio",
        type=click.Path(exists=True, dir_okay=False),
        metavar="FILE",
        expose_value=False,
        callback=_set_portfolio,
        help="The portfolio file of the maps (default: the first jmap-portfolio.yaml in the map's folder or "
        "above, up to the repository root).",
    )(f)


def _existing(paths: tuple[str, ...]) -> None:
    """Every PATH exists; ``-`` (standard input) always does."""
    missing = [p for p in paths if p != "-" and not os.path.exists(p)]
    if missing:
        raise click.BadParameter(f"no such file or directory: {', '.join(missing)}", param_hint="PATH")


def _no_inline_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A short option takes its value after a space (``-o out``); ``-o=out``
    gives click the value ``=out``, almost always a slip, so it is refused
    instead of writing into a folder named ``=out``."""
    if value is not None and value.startswith("="):
        short = next((o for o in param.opts if not o.startswith("--")), param.opts[0])
        long = next((o for o in param.opts if o.startswith("--")), short)
        raise click.BadParameter(
            f"'{value}' starts with '=': write {short} {value[1:]} or {long}={value[1:]}", ctx=ctx, param=param
        )
    return value


def _parse_formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    """``-f svg,md`` → ``("svg", "md")``; an unsupported name is a usage error (exit 2)."""
    from jmap.errors import UsageError

    _no_inline_value(ctx, param, value)
    try:
        return parse_formats(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


def _formats_option(default: tuple[str, ...]) -> Callable[[F], F]:
    return click.option(
        "-f",
        "--formats",
        default=",".join(default),
        show_default=True,
        metavar="FORMATS",
        callback=_parse_formats,
        help=f"Comma list of {', '.join(FORMATS)}.",
    )


def _report_format_option(choices: tuple[str, ...], help: str) -> Callable[[F], F]:
    """``--format``: how a verb prints what it found (text first, the default)."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True, help=help)


templates_option = click.option(
    "--templates",
    "templates_dir",
    type=click.Path(exists=True, file_okay=False),
    metavar="DIR",
    help="A folder of templates that override the shipped ones (an HTML theme: copy page.html.j2 from the "
    "installed package's jmap/templates/html and edit it).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="jmap", message="%(prog)s %(version)s")
@debug_option
def cli() -> None:
    """Customer-journey maps as code: validate YAML journey maps and render
    diagrams, HTML swimlane pages and Markdown summaries.

    \b
    Examples:
      jmap init checkout.yaml --template ecommerce --lang fr
      jmap validate maps/
      jmap render checkout.yaml -f svg,html,md -o out/
      jmap build maps/ -o site/
      jmap serve checkout.yaml                 # live preview in the browser

    Each problem ends with a rule id: `jmap explain RULE-ID` says what it
    means and how to fix it. `jmap schema` prints the format's JSON Schema,
    for editors; `jmap init` writes a commented starter map.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@_report_format_option(
    ("text", "json", "github"), "text: FILE:LINE:COL lines; json: for tools; github: workflow annotations."
)
@click.option("-q", "--quiet", is_flag=True, help="Print only problems, not the summary line (text format).")
@portfolio_options
@debug_option
def validate(paths: tuple[str, ...], strict: bool, fmt: str, quiet: bool) -> int:
    """Check maps: every problem of every file, as FILE:LINE:COL lines.

    A PATH may be a file, a folder or - (standard input, named <stdin> in
    the messages): every *.yaml/*.yml below a folder whose top-level mapping
    has the key `jmap` is checked; other YAML is ignored, except files that
    are almost maps, which get a near-map warning.

    \b
    Examples:
      jmap validate checkout.yaml
      jmap validate --strict maps/
      jmap validate --format github maps/    # annotations in GitHub Actions
      cat checkout.yaml | jmap validate -

    Exit code 0 when every map is valid (warnings allowed unless --strict),
    1 when one is not, 2 on a usage error. `jmap explain RULE-ID` says what
    the rule id at the end of a line means and how to fix it.
    """
    _existing(paths)
    from jmap.commands.validate import validate_paths

    return validate_paths(paths, strict=strict, fmt=fmt, quiet=quiet)


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@_formats_option(DEFAULT_FORMATS)
@click.option(
    "-o",
    "--output",
    "output",
    default=".",
    show_default=True,
    metavar="DIR",
    callback=_no_inline_value,
    help="Folder of the outputs, or - for standard output (one map, one format).",
)
@click.option("--persona", metavar="ID", help="Limit the diagram and the swimlanes to one persona's journey.")
@templates_option
@click.option("--strict", is_flag=True, help="Do not render maps that have warnings.")
@portfolio_options
@debug_option
def render(paths: tuple[str, ...], **options: Any) -> int:
    """Render each map to DIR/STEM.EXT.

    STEM is the file name without .yaml/.yml; for - (a map read from
    standard input) it is `stdin`. A map that fails validation is not
    rendered (its problems are printed); the other maps still are.

    \b
    Examples:
      jmap render checkout.yaml                      # checkout.svg, .html, .md here
      jmap render maps/*.yaml -f svg,png -o out/
      jmap render checkout.yaml -f md -o - | less    # to standard output
      jmap render checkout.yaml --persona sophie -f svg -o out/
      generate-map | jmap render - -f svg -o -       # standard input to standard output
    """
    _existing(paths)
    from jmap.commands.render import render_paths

    return render_paths(paths, **options)


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    metavar="FILE",
    callback=_no_inline_value,
    help="Write to FILE instead of standard output (- is standard output).",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option("--portfolio", is_flag=True, help="The schema of the portfolio file (jmap-portfolio.yaml) instead.")
@click.option("--rollup", is_flag=True, help="The schema of the portfolio.json that `jmap build` writes instead.")
@debug_option
def schema(output: str | None, force: bool, portfolio: bool, rollup: bool) -> int:
    """Print the JSON Schema (draft 2020-12) of the map format.

    It is the file shipped in the package; point your editor at it for
    completion and checks while you type. An existing FILE is never
    overwritten without --force.

    \b
    Examples:
      jmap schema > journey-map.schema.json
      jmap schema -o journey-map.schema.json --force
      jmap schema --portfolio > portfolio.schema.json
      jmap schema --rollup > portfolio-rollup.schema.json
    """
    from jmap.commands.schema import write_schema

    return write_schema(output, force=force, portfolio=portfolio, rollup=rollup)


@cli.command()
@click.argument("file", required=False, default="journey-map.yaml", metavar="[FILE]")
@click.option(
    "-t",
    "--template",
    default="basic",
    show_default=True,
    metavar="NAME",
    help="Starter map: basic or ecommerce (the nine checkout actions).",
)
@click.option(
    "--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True, help="Language of the starter map."
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option(
    "--schema", "schema_ref", metavar="URL|PATH", help="What the editor modeline points at (default: the schema's $id)."
)
@click.option("--list", "list_templates", is_flag=True, help="List the starter templates and exit.")
@click.option(
    "--portfolio",
    is_flag=True,
    help="Write a starter portfolio file instead (default FILE: jmap-portfolio.yaml): shared personas and "
    "channels for every map in its folder and below.",
)
@debug_option
def init(
    file: str, template: str, lang: str, force: bool, schema_ref: str | None, list_templates: bool, portfolio: bool
) -> int:
    """Write a starter map that validates (default FILE: journey-map.yaml).

    The first line is a modeline for the YAML language server, so editors
    such as VS Code complete and check the map while you type. FILE - writes
    to standard output. An existing file is never overwritten without --force.

    \b
    Examples:
      jmap init
      jmap init checkout.yaml --template ecommerce --lang fr
      jmap init --portfolio --lang fr        # jmap-portfolio.yaml
    """
    from jmap.commands.init import init_map, starter_templates

    if list_templates:
        for name in starter_templates():
            click.echo(name)
        return 0
    if portfolio and file == "journey-map.yaml":
        file = "jmap-portfolio.yaml"
    return init_map(file, template=template, lang=lang, force=force, schema_ref=schema_ref, portfolio=portfolio)


@cli.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@_report_format_option(("text", "md", "json"), "md is made to be posted as a pull-request comment.")
@portfolio_options
@debug_option
def diff(old: str, new: str, fmt: str) -> int:
    """Semantic diff of two versions of a map.

    OLD and NEW are files, REV:PATH read from git (main:maps/checkout.yaml),
    or - for standard input (one of them; named <stdin> in the messages).
    Exit code 0 when equal, 1 when different.

    \b
    Examples:
      jmap diff old.yaml new.yaml
      jmap diff main:maps/checkout.yaml maps/checkout.yaml --format md
      generate-map | jmap diff - maps/checkout.yaml
    """
    from jmap.commands.diff import diff_paths

    return diff_paths(old, new, fmt=fmt)


@cli.command()
@click.argument("src", required=False, default=".", type=click.Path(exists=True), metavar="[SRC]")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    metavar="OUT",
    callback=_no_inline_value,
    help="Output folder.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N", help="Parallel workers (default: all cores).")
@_formats_option(BUILD_FORMATS)
@click.option("--check", is_flag=True, help="Render nothing; exit 1 if any output in OUT is missing or stale.")
@click.option("--strict", is_flag=True, help="Maps with warnings count as failed.")
@templates_option
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal, not in CI).")
@click.option(
    "--shard",
    metavar="K/N",
    help="Build only shard K of N (a stable split by map path), for a CI matrix; then --index.",
)
@click.option(
    "--index",
    is_flag=True,
    help="After the shards' OUT folders are put together: write the gallery, the portfolio pages and the "
    "manifest from their facts, rendering no map.",
)
@portfolio_options
@debug_option
def build(
    src: str,
    out: str,
    jobs: int | None,
    formats: tuple[str, ...],
    check: bool,
    strict: bool,
    templates_dir: str | None,
    progress: bool | None,
    shard: str | None,
    index: bool,
) -> int:
    """Render every map under SRC into OUT, with OUT/index.html.

    The folder structure is kept; unchanged maps are not rendered again.

    \b
    Examples:
      jmap build maps/ -o site/
      jmap build maps/ -o docs/renders --check     # in CI: are renders current?
      jmap build maps/ -o site/ --shard 2/4         # one job of a CI matrix
      jmap build maps/ -o site/ --index             # once the 4 shards' site/ are together
    """
    from pathlib import Path

    from jmap.commands.build import build_maps

    return build_maps(
        Path(src),
        Path(out),
        jobs=jobs,
        check=check,
        formats=formats,
        strict=strict,
        templates_dir=Path(templates_dir) if templates_dir else None,
        progress=progress,
        shard=shard,
        index=index,
    )


@cli.command()
@click.argument("rule", required=False, metavar="[RULE-ID]")
@debug_option
def explain(rule: str | None) -> int:
    """Explain a rule id of `jmap validate`: what triggers it, an example and
    how to fix it. Without RULE-ID, list every rule id.

    \b
    Examples:
      jmap explain yaml-tab
      jmap explain                 # every rule id, with its severity
    """
    from jmap.commands.explain import explain_rule

    return explain_rule(rule)


@cli.command()
@click.argument("path", type=click.Path(exists=True), metavar="PATH")
@click.option(
    "-p",
    "--port",
    type=click.IntRange(0, 65535),
    metavar="N",
    help="Port to listen on (default 8765, or the next free one; 0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="H",
    help="Address to listen on; anything but loopback shows the maps to the network (a warning says so).",
)
@click.option(
    "--open/--no-open",
    "open_browser",
    default=None,
    help="Open the page in the default browser (default: when run from a terminal).",
)
@templates_option
@portfolio_options
@debug_option
def serve(path: str, port: int | None, host: str, open_browser: bool | None, templates_dir: str | None) -> int:
    """Live preview: serve the page of a map, or the gallery of a folder, and
    update it in the browser at every save.

    A save that does not validate shows its problems over the last good
    render; the next good save brings the page back. The diagram (SVG) is one
    click away from each page. Only this machine can connect unless --host
    says otherwise. Ctrl-C stops it.

    \b
    Examples:
      jmap serve checkout.yaml              # http://127.0.0.1:8765/
      jmap serve maps/ --port 9000 --no-open
      jmap serve checkout.yaml --templates theme/
    """
    from pathlib import Path

    from jmap.commands.serve import serve as run_serve

    return run_serve(
        path,
        port=port,
        host=host,
        open_browser=open_browser,
        templates_dir=Path(templates_dir) if templates_dir else None,
    )


@cli.group(name="import")
@debug_option
def import_() -> None:
    """Turn diagrams from other tools into jmap maps.

    \b
    Example:
      jmap import mermaid journey.mmd -o journey.yaml
    """


@import_.command(name="mermaid")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True), metavar="FILE")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    metavar="OUT",
    callback=_no_inline_value,
    help="Write the map to OUT (default: standard output).",
)
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@debug_option
def import_mermaid_cmd(file: str, output: str | None, force: bool) -> int:
    """Convert a Mermaid `journey` diagram into a jmap map.

    \b
    Example:
      jmap import mermaid journey.mmd -o journey.yaml
    """
    from jmap.commands.import_mermaid import import_mermaid_file

    return import_mermaid_file(file, output=output, force=force)


def run(args: list[str]) -> int:
    """One call of the command line, as an exit code (never an exception
    a user could cause, never a traceback unless --debug)."""
    _Run.debug = False
    # --portfolio/--no-portfolio last for this call only (tests call run() many times).
    chosen = os.environ.get("JMAP_PORTFOLIO")
    try:
        return _run(args)
    finally:
        if chosen is None:
            os.environ.pop("JMAP_PORTFOLIO", None)
        else:
            os.environ["JMAP_PORTFOLIO"] = chosen


def _run(args: list[str]) -> int:
    from jmap.errors import JmapError, UsageError

    try:
        code = cli.main(args=args, prog_name="jmap", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        sys.stderr.write("jmap: interrupted\n")
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except UsageError as exc:
        sys.stderr.write(f"jmap: error: {exc}\n")
        return 2
    except JmapError as exc:
        sys.stderr.write(f"jmap: error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("jmap: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`jmap render -o - | head`): stop quietly.
        _silence_stdout()
        return 0
    except OSError as exc:
        # The machine refused (a parent that is a file, a full disk, no
        # permission): the user's to fix, not a bug in jmap.
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"jmap: error: {where}{exc.strerror or exc}\n")
        return 1
    except Exception:
        if _Run.debug:
            import traceback

            traceback.print_exc()
        sys.stderr.write(BUG_REPORT + "\n")
        return 3
    return code if isinstance(code, int) else 0


def _silence_stdout() -> None:
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: list[str] | None = None) -> None:
    """The console script `jmap` and `python -m jmap`."""
    # A terminal or pipe that cannot encode a character of a map (ASCII,
    # cp1252) gets an escape, not an internal error.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    code = run(sys.argv[1:] if argv is None else list(argv))
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    sys.exit(code)

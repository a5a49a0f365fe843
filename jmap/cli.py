"""The `jmap` command line: option parsing only.

Each command imports its work when it runs, so `jmap validate` never loads
Jinja2 or the renderers. Every failure a user can cause ends in a message and
an exit code from cli.md (1 invalid/failed, 2 usage); anything else is a bug
and gets a short "please report" message with exit code 3.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jmap import __version__


def _existing(paths: tuple[str, ...]) -> None:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise click.BadParameter(f"no such file or directory: {', '.join(missing)}", param_hint="PATH")


def _parse_formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    """``-f svg,md`` → ``("svg", "md")``; an unsupported name is a usage error (exit 2)."""
    from jmap.errors import UsageError
    from jmap.render.formats import parse_formats

    try:
        return parse_formats(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


templates_option = click.option(
    "--templates",
    "templates_dir",
    type=click.Path(exists=True, file_okay=False),
    metavar="DIR",
    help="A folder of templates that override the shipped ones (an HTML theme; see docs/html.md).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="jmap", message="%(prog)s %(version)s")
@click.option(
    "--debug", is_flag=True, help="Show the Python traceback of an internal error (accepted after the verb too)."
)
def cli(debug: bool) -> None:
    """Customer-journey maps as code: validate YAML journey maps and render
    diagrams, HTML swimlane pages and Markdown summaries.

    \b
    Examples:
      jmap init checkout.yaml --template ecommerce --lang fr
      jmap validate maps/
      jmap render checkout.yaml -f svg,html,md -o out/
      jmap build maps/ -o site/

    The format is documented in docs/format.md; every rule id in docs/rules.md.
    """
    # --debug is read by jmap.entry, which owns the exit codes.


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: FILE:LINE:COL lines; json: for tools; github: workflow annotations.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only problems, not the summary line (text format).")
def validate(paths: tuple[str, ...], strict: bool, fmt: str, quiet: bool) -> int:
    """Check maps: every problem of every file, as FILE:LINE:COL lines.

    A PATH may be a file or a folder: every *.yaml/*.yml below a folder whose
    top-level mapping has the key `jmap` is checked; other YAML is ignored.

    \b
    Examples:
      jmap validate checkout.yaml
      jmap validate --strict maps/
      jmap validate --format github maps/    # annotations in GitHub Actions

    Exit code 0 when every map is valid (warnings allowed unless --strict),
    1 when one is not, 2 on a usage error.
    """
    _existing(paths)
    from jmap.commands.validate import validate_paths

    return validate_paths(paths, strict=strict, fmt=fmt, quiet=quiet)


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "-f",
    "--formats",
    default="svg,html,md",
    show_default=True,
    metavar="FORMATS",
    callback=_parse_formats,
    help="Comma list of svg, png, pdf, dot, html, md, mmd, page-pdf, page-png.",
)
@click.option(
    "-o",
    "--output",
    "output",
    default=".",
    show_default=True,
    metavar="DIR",
    help="Folder of the outputs, or - for standard output (one map, one format).",
)
@click.option("--persona", metavar="ID", help="Limit the diagram and the swimlanes to one persona's journey.")
@templates_option
@click.option("--strict", is_flag=True, help="Do not render maps that have warnings.")
def render(
    paths: tuple[str, ...],
    formats: tuple[str, ...],
    output: str,
    persona: str | None,
    templates_dir: str | None,
    strict: bool,
) -> int:
    """Render each map to DIR/STEM.EXT.

    STEM is the file name without .yaml/.yml. A map that fails validation is
    not rendered (its problems are printed); the other maps still are.

    \b
    Examples:
      jmap render checkout.yaml                      # checkout.svg, .html, .md here
      jmap render maps/*.yaml -f svg,png -o out/
      jmap render checkout.yaml -f md -o - | less    # to standard output
      jmap render checkout.yaml --persona sophie -f svg -o out/
    """
    _existing(paths)
    from jmap.commands.render import render_paths

    return render_paths(
        paths,
        formats=formats,
        output=output,
        persona=persona,
        templates_dir=Path(templates_dir) if templates_dir else None,
        strict=strict,
    )


@cli.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), metavar="FILE", help="Write to FILE instead of standard output."
)
def schema(output: str | None) -> int:
    """Print the JSON Schema (draft 2020-12) of the map format.

    It is the file shipped in the package; point your editor at it for
    completion and checks while you type.

    \b
    Example:
      jmap schema > journey-map.schema.json
    """
    from jmap.resources import schema_path

    data = schema_path().read_bytes()
    if output:
        from jmap.repo.files import atomic_write

        atomic_write(output, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


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
def init(file: str, template: str, lang: str, force: bool, schema_ref: str | None, list_templates: bool) -> int:
    """Write a starter map that validates (default FILE: journey-map.yaml).

    The first line is a modeline for the YAML language server, so editors
    such as VS Code complete and check the map while you type. FILE - writes
    to standard output. An existing file is never overwritten without --force.

    \b
    Examples:
      jmap init
      jmap init checkout.yaml --template ecommerce --lang fr
    """
    from jmap.commands.init import init_map, starter_templates

    if list_templates:
        for name in starter_templates():
            click.echo(name)
        return 0
    return init_map(file, template=template, lang=lang, force=force, schema_ref=schema_ref)


@cli.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json"]),
    default="text",
    show_default=True,
    help="md is made to be posted as a pull-request comment.",
)
def diff(old: str, new: str, fmt: str) -> int:
    """Semantic diff of two versions of a map.

    OLD and NEW are files, or REV:PATH read from git (main:maps/checkout.yaml).
    Exit code 0 when equal, 1 when different.

    \b
    Examples:
      jmap diff old.yaml new.yaml
      jmap diff main:maps/checkout.yaml maps/checkout.yaml --format md
    """
    from jmap.repo.diff import run_diff

    return run_diff(old, new, fmt=fmt, echo=click.echo, echo_err=lambda s: click.echo(s, err=True))


@cli.command()
@click.argument("src", required=False, default=".", type=click.Path(exists=True), metavar="[SRC]")
@click.option(
    "-o", "--output", "out", required=True, type=click.Path(file_okay=False), metavar="OUT", help="Output folder."
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N", help="Parallel workers (default: all cores).")
@click.option(
    "-f",
    "--formats",
    default="svg,html,md,mmd,dot",
    show_default=True,
    metavar="FORMATS",
    callback=_parse_formats,
    help="Comma list of svg, png, pdf, dot, html, md, mmd, page-pdf, page-png.",
)
@click.option("--check", is_flag=True, help="Render nothing; exit 1 if any output in OUT is missing or stale.")
@click.option("--strict", is_flag=True, help="Maps with warnings count as failed.")
@templates_option
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal, not in CI).")
def build(
    src: str,
    out: str,
    jobs: int | None,
    formats: tuple[str, ...],
    check: bool,
    strict: bool,
    templates_dir: str | None,
    progress: bool | None,
) -> int:
    """Render every map under SRC into OUT, with OUT/index.html.

    The folder structure is kept; unchanged maps are not rendered again.

    \b
    Examples:
      jmap build maps/ -o site/
      jmap build maps/ -o docs/renders --check     # in CI: are renders current?
    """
    from jmap.repo.build import run_build

    return run_build(
        Path(src),
        Path(out),
        jobs=jobs,
        check=check,
        formats=formats,
        strict=strict,
        templates_dir=Path(templates_dir) if templates_dir else None,
        progress=progress,
        echo=click.echo,
        echo_err=lambda s: click.echo(s, err=True),
    )


@cli.group(name="import")
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
    help="Write the map to OUT (default: standard output).",
)
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def import_mermaid_cmd(file: str, output: str | None, force: bool) -> int:
    """Convert a Mermaid `journey` diagram into a jmap map.

    \b
    Example:
      jmap import mermaid journey.mmd -o journey.yaml
    """
    from jmap.commands.import_mermaid import import_mermaid_file

    return import_mermaid_file(file, output=output, force=force)


def run_click(args: list[str]) -> int:
    """Run the click command line; click's own errors become exit code 2."""
    try:
        code = cli.main(args=args, prog_name="jmap", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("jmap: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0


def main(argv: list[str] | None = None) -> None:
    """Kept for `python -m jmap.cli`; the console script uses jmap.entry."""
    from jmap.entry import main as entry_main

    entry_main(argv)

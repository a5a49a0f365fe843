"""The one Jinja2 set-up behind every HTML output (the page and the gallery).

Autoescaping is on for every template whatever its name, so that a user's
override cannot opt out by being renamed; undefined names are errors, not
empty strings; the shipped templates stay reachable as ``jmap/NAME`` so that a
user's template can extend the one it replaces instead of copying it. Template
mistakes become a RenderError naming the file and line, never a traceback.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from jmap.errors import RenderError
from jmap.render.locale import french_spacing
from jmap.text import without_controls


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline block.

    Pages are deterministic, so the hash is stable and the policy needs no
    ``'unsafe-inline'``.
    """
    return "sha256-" + base64.b64encode(hashlib.sha256(str(text).encode("utf-8")).digest()).decode("ascii")


#: Jinja2 keys its cache by template source only, but the environment's
#: options (``finalize``) are compiled into the code: bump this when they change,
#: so that code compiled by an older jmap is not reused.
_COMPILED_AS = "2"


def _no_raw_controls(value: Any) -> Any:
    """Every ``{{ … }}`` of text passes here before it is escaped: NUL, ESC,
    BEL, DEL and the like make the HTML invalid and let ``cat page.html``
    drive a terminal, so they are shown as escapes (``\\x1b``), as the other
    formats show them. Markup built by jmap itself (the CSS, the script) is
    left alone."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return without_controls(value)
    return value


_FRENCH_MARKS = frozenset(":;!?%«»")


def _french(value: Any) -> Any:
    """As _no_raw_controls, then French typography's no-break spaces (before
    ``: ; ! ? %``, inside « »), in the map's text as in jmap's labels, as the
    summary has them: the finalizer of a French page's environment."""
    if isinstance(value, str) and not isinstance(value, Markup):
        value = without_controls(value)
        if not _FRENCH_MARKS.isdisjoint(value):
            value = french_spacing(value, "fr")
    return value


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja2's compiled templates kept between runs.

    Compiling the page templates costs more than rendering a typical map, and
    every `jmap render` is a new process. Jinja2's own cache lives in a private
    per-user folder of the temporary directory and is keyed by each template's
    source, so an edited or overriding template is compiled afresh; outputs
    are the same bytes with or without it. Where no such folder can be made,
    templates are simply compiled every time.
    """
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"__jmap_{_COMPILED_AS}_%s.cache")
    except (OSError, RuntimeError):
        return None


@lru_cache(maxsize=8)
def environment(
    search_path: tuple[str, ...], filters: tuple[tuple[str, Callable[..., Any]], ...] = (), typography: str = "en"
) -> jinja2.Environment:
    """An environment over ``search_path``, the last entry being the shipped
    folder; ``typography="fr"`` gives its text French typography."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(list(search_path), encoding="utf-8"),
            jinja2.PrefixLoader({"jmap": jinja2.FileSystemLoader(search_path[-1], encoding="utf-8")}),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_french if typography == "fr" else _no_raw_controls,
    )
    env.filters["csp_hash"] = csp_hash
    env.filters.update(dict(filters))
    return env


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render one template, turning template mistakes into a RenderError."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise RenderError(f"HTML template error in {where}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"HTML template '{exc.name}' not found") from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(f"HTML template error in {name}: {exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise RenderError(f"HTML template error in {name}: {exc}") from exc

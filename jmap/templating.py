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

from jmap.errors import RenderError


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline block.

    Pages are deterministic, so the hash is stable and the policy needs no
    ``'unsafe-inline'``.
    """
    return "sha256-" + base64.b64encode(hashlib.sha256(str(text).encode("utf-8")).digest()).decode("ascii")


@lru_cache(maxsize=8)
def environment(
    search_path: tuple[str, ...], filters: tuple[tuple[str, Callable[..., Any]], ...] = ()
) -> jinja2.Environment:
    """An environment over ``search_path``, the last entry being the shipped folder."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(list(search_path), encoding="utf-8"),
            jinja2.PrefixLoader({"jmap": jinja2.FileSystemLoader(search_path[-1], encoding="utf-8")}),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
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

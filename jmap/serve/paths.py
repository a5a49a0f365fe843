"""From a request path to what `jmap serve` may answer with.

The server never opens a file named by a request: it answers from a table of
rendered outputs kept in memory. A request path is still checked here first,
so that an attempt to climb out (``/../../etc/passwd``, ``%2e%2e%2f``,
backslashes, NUL bytes, overlong or invalid encodings) is refused as such
rather than merely not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

#: Requests for the server itself live under a hidden folder name, which can
#: never be a rendered map's output: map discovery skips hidden folders.
LIVE_PREFIX = ".jmap/"
EVENTS = ".jmap/events"
DIAGRAM_PREFIX = ".jmap/diagram/"
MAX_PATH = 4096


class Refused(ValueError):
    """The request path tries to leave the served outputs, or is malformed."""


@dataclass(frozen=True, slots=True)
class Route:
    """What a request asks for: ``kind`` is index, page, svg, diagram, events
    or favicon;
    ``key`` names the map (its output path without the extension)."""

    kind: str
    key: str = ""


def clean_path(target: str) -> str:
    """The request target's path, decoded, without its leading slash.

    Raises Refused for any path that names a parent or current folder (in
    any encoding), a backslash, a control character, or undecodable bytes.
    """
    if len(target) > MAX_PATH:
        raise Refused("the path is too long")
    raw = urlsplit(target).path
    if not raw.startswith("/"):
        raise Refused("the path must start with /")
    try:
        path = unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise Refused("the path is not valid UTF-8") from exc
    if "\\" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise Refused("the path holds a backslash or a control character")
    segments = path[1:].split("/")
    for segment in segments:
        # A second decoding is no way out either: '%2e%2e' arriving as
        # '%252e%252e' is a climbing attempt too.
        if unquote(segment) in ("..", "."):
            raise Refused("the path climbs out of the served folder")
    return path[1:]


def route(target: str, pages: set[str], folder: bool) -> Route | None:
    """Where ``target`` leads: None when it is no rendered output.

    ``pages`` are the keys of the served maps (``sub/checkout`` for
    ``sub/checkout.yaml``); in folder mode ``/`` is the gallery, otherwise
    the one map's page.
    """
    path = clean_path(target)
    if path == "":
        if folder:
            return Route("index")
        return Route("page", next(iter(pages))) if len(pages) == 1 else None
    if folder and path == "index.html" and "index" not in pages:
        return Route("index")
    if path == EVENTS:
        return Route("events")
    if path == "favicon.ico":
        # Browsers ask for it on their own; an empty answer keeps their
        # consoles free of a 404 that would hide real problems.
        return Route("favicon")
    if path.startswith(DIAGRAM_PREFIX) and path.endswith(".html"):
        key = path[len(DIAGRAM_PREFIX) : -len(".html")]
        return Route("diagram", key) if key in pages else None
    for suffix, kind in ((".html", "page"), (".svg", "svg")):
        if path.endswith(suffix) and path[: -len(suffix)] in pages:
            return Route(kind, path[: -len(suffix)])
    return None

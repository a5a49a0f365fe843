"""The HTTP side of `jmap serve`: the standard library's threading server.

One user previews maps on their own machine, so ``http.server`` is enough:
no framework, nothing to install. Each request is answered from the
preview's memory (never by opening a file the request names), with headers
that keep the pages to themselves: no caching, no sniffing, no framing by
another site. While bound to the loopback interface, a request whose
``Host`` is not a loopback name is refused, so that a web page elsewhere
cannot read the maps through a DNS name pointed at 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from jmap.render.labels import labels
from jmap.serve.inject import head_of, live_page
from jmap.serve.paths import DIAGRAM_PREFIX, Refused, route
from jmap.serve.preview import GALLERY_KEY, Preview

#: Seconds between two keep-alive comments on an idle event stream; also how
#: often a stream notices that the server is stopping.
KEEPALIVE = 0.5
#: Seconds a connection may stay silent (a request never finished, a kept-alive
#: connection no longer used, a page that stopped reading its event stream)
#: before the server closes it and frees its thread.
IDLE_TIMEOUT = 15.0
#: Connections waiting to be accepted: many tabs opened at once (a gallery's
#: maps, a browser restoring its session) must not wait for a retry.
BACKLOG = 128
#: What a client that went away raises: its tab was closed or reloaded, or it
#: reset the connection. Nothing is wrong; nothing is printed.
CLIENT_GONE = (ConnectionError, TimeoutError)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only reaches this machine."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class LiveServer(ThreadingHTTPServer):
    """The server, holding the preview that its handlers answer from."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], preview: Preview, loopback_only: bool) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview = preview
        self.loopback_only = loopback_only
        super().__init__(address, LiveHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away is no error; anything else is one line
        (never the standard library's traceback: the terminal shows the
        maps' problems, and a user would read a traceback as a crash)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, CLIENT_GONE) or self.preview.stopping:
            return  # or the server is closing under the request: nothing to report
        print(
            f"jmap serve: internal error while answering a request ({type(exc).__name__}: {exc}); "
            "please report this bug",
            file=sys.stderr,
            flush=True,
        )


class LiveHandler(BaseHTTPRequestHandler):
    server: LiveServer
    server_version = "jmap-serve"
    sys_version = ""
    #: Applied to each connection's socket (see IDLE_TIMEOUT).
    timeout = IDLE_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the maps' problems, not every request."""

    # -- answers -------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, head_only: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self._common_headers(page=content_type.startswith("text/html"))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def _common_headers(self, page: bool = False) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        # Pages carry their own policy in a <meta> (a header policy would add
        # to it, not replace it); the header says what a <meta> cannot (no
        # framing by another site) and locks down every answer that is not a page.
        policy = "frame-ancestors 'none'" if page else "default-src 'none'; frame-ancestors 'none'"
        self.send_header("Content-Security-Policy", policy)

    def _text(self, status: int, message: str, head_only: bool = False) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", head_only)

    def do_HEAD(self) -> None:
        self._answer(head_only=True)

    def do_GET(self) -> None:
        self._answer(head_only=False)

    def _host_allowed(self) -> bool:
        if not self.server.loopback_only:
            return True
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return is_loopback(name)

    def _answer(self, head_only: bool) -> None:
        preview = self.server.preview
        if not self._host_allowed():
            self._text(403, "jmap serve: refused: the Host header does not name this machine", head_only)
            return
        try:
            with preview.changed:
                target = route(self.path, set(preview.maps), preview.folder)
        except Refused as exc:
            self._text(403, f"jmap serve: refused: {exc}", head_only)
            return
        if target is None:
            self._text(404, "jmap serve: not found: only the rendered maps are served here", head_only)
            return
        if target.kind == "favicon":
            self.send_response(204)
            self._common_headers()
            self.end_headers()
            return
        if target.kind == "events":
            self._stream(head_only)
            return
        if target.kind == "svg":
            svg, error = preview.diagram(target.key)
            if svg is None:
                self._text(503, f"jmap serve: the diagram cannot be drawn: {error}", head_only)
            else:
                self._send(200, svg, "image/svg+xml", head_only)
            return
        page = self._page(target.kind, target.key)
        if page is None:
            self._text(404, "jmap serve: not found: the map is gone", head_only)
            return
        self._send(200, page, "text/html; charset=utf-8", head_only)

    def _page(self, kind: str, key: str) -> bytes | None:
        """The page with the live script, and the links of its live bar, in
        the map's language (English until the map has validated once); None
        when the map went away since the request was routed.

        The state is read under the lock; the page is put together outside
        it (a large page takes a few milliseconds), once per good render.
        """
        preview = self.server.preview
        if kind == "index":
            with preview.changed:
                gallery, shown, fingerprint = preview.gallery, preview.gallery_good, preview.gallery_head
            settings = {"key": GALLERY_KEY, "good": shown, "head": fingerprint, "links": []}
            return live_page(gallery, {**settings, "words": live_words("en")})
        with preview.changed:
            live = preview.maps.get(key)
            if live is None:
                return None
            if kind == "page" and live.served is not None and live.served_for == live.good:
                return live.served
            html, good, head, model, source = live.html, live.good, live.head, live.model, live.source
        lang = model.lang if model is not None else "en"
        words = labels(lang)
        gallery_link = [[words["live_all_maps"], "/"]] if preview.folder else []
        page_href = "/" + quote(f"{key}.html")
        diagram_href = "/" + quote(f"{DIAGRAM_PREFIX}{key}.html")
        if kind == "page":
            if html is None:
                html = _waiting(source)
                head = head_of(html)
            links = [[words["live_diagram"], diagram_href], *gallery_link]
            settings = {"key": key, "good": good, "head": head, "links": links}
            served = live_page(html, {**settings, "words": live_words(lang)})
            if good:
                with preview.changed:
                    if live.good == good:
                        live.served, live.served_for = served, good
            return served
        title = model.title if model is not None else source
        svg, error = preview.diagram(key)
        svg_href = "/" + quote(f"{key}.svg") + f"?v={good}" if svg is not None else None
        from jmap.render.templating import environment, render
        from jmap.resources import templates_dir

        env = environment((str(templates_dir()),))
        page = render(
            env,
            "serve/diagram.html.j2",
            lang=lang,
            title=words["live_diagram_title"].format(title=title),
            heading=title,
            alt=words["live_diagram_alt"].format(title=title),
            svg_href=svg_href,
            message=words["live_no_diagram"].format(message=error),
        ).encode("utf-8")
        # The diagram page's head is its own, not the map page's: no "head".
        links = [[words["live_page"], page_href], *gallery_link]
        return live_page(page, {"key": key, "good": good, "head": None, "links": links, "words": live_words(lang)})

    def _stream(self, head_only: bool) -> None:
        """Server-sent events: every state at first, then each change."""
        preview = self.server.preview
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self._common_headers()
        self.end_headers()
        if head_only:
            return
        seen = 0
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not preview.stopping:
                with preview.changed:
                    now = preview.seq
                    states = preview.states(seen)
                for state in states:
                    self.wfile.write(b"event: state\ndata: " + json.dumps(state).encode("utf-8") + b"\n\n")
                if not states:
                    self.wfile.write(b": idle\n\n")
                self.wfile.flush()
                seen = now
                preview.wait(seen, KEEPALIVE)
        except CLIENT_GONE:
            return  # the page was closed or reloaded


def _waiting(source: str) -> bytes:
    from jmap.render.templating import environment, render
    from jmap.resources import templates_dir

    env = environment((str(templates_dir()),))
    return render(env, "serve/waiting.html.j2", source=source).encode("utf-8")


def live_words(lang: str) -> dict[str, str]:
    """The live bar's and problem panel's words in ``lang`` (the script
    shows them as text, never as markup)."""
    table = labels(lang)
    return {key[len("live_") :]: text for key, text in table.items() if key.startswith("live_")}

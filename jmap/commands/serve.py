"""`jmap serve`: render a map (or a folder of maps), serve the pages on this
machine, and update every open page at each save until Ctrl-C."""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from jmap.commands import err, say
from jmap.errors import JmapError
from jmap.interrupt import stop_children, terminate_as_interrupt
from jmap.serve.server import is_loopback

TYPE_CHECKING = False
if TYPE_CHECKING:
    from jmap.serve.preview import Preview
    from jmap.serve.server import LiveServer
    from jmap.serve.watch import Watcher

#: The documented default port ("jmap" has no port of its own; 8765 is rarely
#: taken by the usual development servers: 8000, 8080, 3000, 5000).
DEFAULT_PORT = 8765
#: How many ports after the default are tried when it is busy.
PORT_TRIES = 10
DEFAULT_HOST = "127.0.0.1"


def bind(host: str, port: int | None, preview: Preview, loopback_only: bool, echo: Callable[[str], None]) -> LiveServer:
    """The listening server. The default port moves on to the next free one
    (and says so); a port given with --port is that port or an error."""
    from jmap.serve.server import LiveServer

    candidates = [port] if port is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES))
    for number in candidates:
        try:
            return LiveServer((host, number), preview, loopback_only)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE and port is None and number != candidates[-1]:
                echo(f"jmap serve: port {number} is in use; trying {number + 1}")
                continue
            raise JmapError(_bind_error(host, number, exc, explicit=port is not None)) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _bind_error(host: str, port: int, exc: OSError, *, explicit: bool) -> str:
    if exc.errno == errno.EADDRINUSE:
        if explicit:
            return f"port {port} on {host} is in use; choose another with --port (--port 0 picks a free one)"
        return (
            f"ports {DEFAULT_PORT}-{port} on {host} are all in use; choose one with --port (--port 0 picks a free one)"
        )
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port} of {host} (ports below 1024 need privileges); choose another with --port"
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}: no such host ({exc.strerror or exc})"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: not an address of this machine"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def url_for(host: str, port: int) -> str:
    """The address to print and open; a wildcard host is reached as loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _follow(preview: Preview, watcher: Watcher, stop: threading.Event) -> None:
    """The watcher thread: look at the files every few tens of milliseconds
    and re-render what changed, printing the problems of each save."""
    while not stop.wait(watcher.interval):
        try:
            changed = watcher.changes()
            if not changed:
                continue
            start = time.perf_counter()
            lines = preview.refresh(changed)
        except Exception as exc:  # a bug: say so, keep serving the last good pages
            err(f"jmap serve: internal error while rendering ({type(exc).__name__}: {exc}); please report this bug")
            continue
        took = (time.perf_counter() - start) * 1000
        names = ", ".join(sorted(os.path.relpath(p) for p in changed))
        err(f"jmap serve: {names} changed; updated in {took:.0f} ms" + ("" if lines else ", no problems"))
        for line in lines:
            err(line)


def _run(
    server: LiveServer, preview: Preview, path: str, host: str, open_browser: bool | None, stop: threading.Event
) -> None:
    """Render everything once, say where, start following saves, and serve."""
    from jmap.serve.watch import Watcher

    bound_port = server.server_address[1]
    url = url_for(host, bound_port)
    # The files' stamps are taken before the first render, so that a save
    # made while it runs (or just after) is seen as a change.
    watcher = Watcher(preview.watched_files)
    for line in preview.start():
        err(line)
    if preview.folder and not preview.maps:
        err(f"jmap serve: no maps under {path} yet; the gallery lists them as they are saved")
    if not is_loopback(host):
        err(
            f"jmap serve: warning: listening on {host}, not only on this machine: anyone who can reach "
            f"port {bound_port} can read these maps"
        )
    what = f"the maps under {path}" if preview.folder else path
    # The address is the command's output (standard output, for scripts);
    # everything else is a log (standard error).
    say(f"jmap serve: serving {what} at {url} (Ctrl-C to stop)")
    threading.Thread(target=_follow, args=(preview, watcher, stop), name="jmap-serve-watcher", daemon=True).start()
    if open_browser is None:
        open_browser = sys.stdout.isatty() and not os.environ.get("CI")
    if open_browser:
        import webbrowser

        threading.Thread(target=webbrowser.open, args=(url,), name="jmap-serve-browser", daemon=True).start()
    server.serve_forever(poll_interval=0.2)


def serve(
    path: str,
    *,
    port: int | None,
    host: str,
    open_browser: bool | None,
    templates_dir: Path | None,
) -> int:
    """Serve until interrupted; 0 after Ctrl-C (the normal way to stop), 1
    when the server cannot start."""
    from jmap.serve.preview import Preview

    if path == "-":
        from jmap.errors import UsageError

        raise UsageError("jmap serve follows a file or a folder on disk, not standard input")
    preview = Preview(Path(path), templates_dir)
    server = bind(host, port, preview, is_loopback(host), err)
    stop = threading.Event()
    # From here on, Ctrl-C or SIGTERM at any moment (even during the first
    # render) ends the same quiet way.
    try:
        with contextlib.suppress(KeyboardInterrupt), terminate_as_interrupt():
            _run(server, preview, path, host, open_browser, stop)
    finally:
        stop.set()
        preview.stop()
        server.server_close()
        # A diagram still being drawn must not outlive the server (dot, neato).
        stop_children()
        # The watcher may be halfway through a large map: millions of young
        # objects, which the interpreter's last garbage collection would walk
        # (a second at 10,000 touchpoints) before the process could end.
        # Nothing needs collecting at exit: freezing them keeps Ctrl-C quick.
        gc.freeze()
    err("jmap serve: stopped")
    return 0

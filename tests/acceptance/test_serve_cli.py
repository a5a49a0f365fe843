"""`jmap serve` as a consultant runs it beside an editor: the real command on
a free port of 127.0.0.1, asked over HTTP and its event stream while the map
is saved, broken, fixed, and finally stopped with Ctrl-C."""

from __future__ import annotations

import html
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import EXAMPLES, ROOT, example_paths, jmap_command, run_jmap
from support.generated import generated_map_yaml
from support.serving import TRICKY, Served, tricky_map_yaml

from jmap.serve.inject import live_assets

EXAMPLE = EXAMPLES / "checkout-fr.yaml"
TITLE = "Maison Loriot"


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    target = tmp_path / "checkout.yaml"
    shutil.copy(EXAMPLE, target)
    return target


def _retitle(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1), encoding="utf-8")


def test_the_page_is_the_rendered_page_plus_the_live_script(map_file: Path) -> None:
    # serve shows the team's review flags, as `render --review` does.
    rendered = run_jmap("render", str(map_file), "-f", "html", "--review", "-o", "-")
    assert rendered.returncode == 0
    with Served(map_file) as served:
        status, headers, body = served.get("/")
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert headers["cache-control"] == "no-store"
        page = body.decode()
        assert TITLE in page
        script, _style = live_assets()
        own_scripts = rendered.stdout.decode().count("<script")
        assert page.count("<script") == own_scripts + 1 and script in page
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
        assert policy and "connect-src 'self'" in policy.group(1) and "script-src 'sha256-" in policy.group(1)
        assert "unsafe-inline" not in policy.group(1)
        # Everything of the rendered page is there, in order, untouched.
        kept = [line for line in rendered.stdout.decode().splitlines() if "Content-Security-Policy" not in line]
        served_lines = iter(page.splitlines())
        assert all(any(line == s for s in served_lines) for line in kept)
        assert served.get("/checkout.html")[2] == body
    # Rendering is not serving: the file `jmap render` writes has no live script.
    script, _style = live_assets()
    assert script.encode() not in rendered.stdout and b"EventSource" not in rendered.stdout


def test_a_save_is_an_event_and_the_page_follows(map_file: Path) -> None:
    with Served(map_file) as served:
        stream = served.events()
        first = stream.wait_state("checkout", lambda s: s["ok"])
        _retitle(map_file, "Edited while serving")
        second = stream.wait_state("checkout", lambda s: s["good"] > first["good"])
        assert second["ok"] and second["problems"] == []
        assert b"Edited while serving" in served.get("/")[2]
        served.wait_line(r"checkout\.yaml changed; updated in \d+ ms")
        stream.close()


def test_a_broken_save_shows_its_lines_over_the_last_good_page_until_fixed(map_file: Path) -> None:
    good_text = map_file.read_text(encoding="utf-8")
    with Served(map_file) as served:
        stream = served.events()
        first = stream.wait_state("checkout", lambda s: s["ok"])
        map_file.write_text(good_text.replace("    color:", "    colour:", 1), encoding="utf-8")
        broken = stream.wait_state("checkout", lambda s: not s["ok"])
        assert broken["good"] == first["good"], "the last good render stays"
        assert broken["problems"], broken
        for line in broken["problems"]:
            assert re.fullmatch(rf"{re.escape(str(map_file))}:\d+:\d+: (error|warning): .+ \[[a-z0-9-]+\]", line), line
        assert any("did you mean 'color'" in line for line in broken["problems"])
        # The server keeps serving the last good page, and says what is wrong.
        status, _, body = served.get("/")
        assert status == 200 and TITLE in body.decode()
        served.wait_line(re.escape(str(map_file)) + r":\d+:\d+: error: ")
        _retitle(map_file, "Fixed")
        map_file.write_text(good_text.replace(TITLE, "Fixed again"), encoding="utf-8")
        fixed = stream.wait_state("checkout", lambda s: s["ok"])
        assert fixed["good"] > first["good"] and fixed["problems"] == []
        assert b"Fixed again" in served.get("/")[2]
        stream.close()


@pytest.mark.parametrize(
    "target",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/..%2f..%2fetc%2fpasswd",
        "/%252e%252e%252fetc%252fpasswd",
        "/..\\..\\etc\\passwd",
        "/etc/passwd",
        "/checkout.yaml",
        "/.jmap/../checkout.yaml",
    ],
)
def test_only_rendered_outputs_are_served(map_file: Path, target: str) -> None:
    (map_file.parent / "secret.txt").write_text("root:x:0:0\n")
    with Served(map_file) as served:
        status, headers, body = served.get(target)
        assert status in (403, 404), (target, status)
        assert headers["content-type"].startswith("text/plain")
        assert b"root:" not in body and b"jmap: 1" not in body


def test_a_foreign_host_name_is_refused(map_file: Path) -> None:
    """A web page that points its own DNS name at 127.0.0.1 cannot read the maps."""
    with Served(map_file) as served:
        assert served.get("/", host="attacker.example")[0] == 403
        assert served.get("/", host=f"localhost:{served.port}")[0] == 200
        assert served.get("/", host=f"127.0.0.1:{served.port}")[0] == 200


def test_a_folder_gallery_links_every_map(tmp_path: Path) -> None:
    for i, path in enumerate(example_paths()):
        folder = tmp_path / ("" if i == 0 else f"team {i}")
        folder.mkdir(exist_ok=True)
        shutil.copy(path, folder / path.name)
    (tmp_path / "ci.yml").write_text("stages: [test]\n")
    with Served(tmp_path) as served:
        status, _, body = served.get("/")
        gallery = body.decode()
        assert status == 200 and "Journey maps" in gallery
        links = re.findall(r'<a href="([^"]+\.html)"', gallery)
        expected = {
            (path.stem if i == 0 else f"team%20{i}/{path.stem}") + ".html" for i, path in enumerate(example_paths())
        }
        assert set(links) == expected
        for link in links:
            page_status, _, page = served.get("/" + link)
            assert page_status == 200 and b"jmap-live-script" in page


@pytest.mark.needs_dot
def test_the_diagram_is_one_click_from_the_page(map_file: Path, tmp_path: Path) -> None:
    with Served(map_file) as served:
        page = served.get("/")[2].decode()
        assert '["Diagramme", "/.jmap/diagram/checkout.html"]' in page.replace("&quot;", '"')
        status, _, diagram = served.get("/.jmap/diagram/checkout.html")
        assert status == 200
        img = re.search(r'<img src="(/checkout\.svg\?v=\d+)"', diagram.decode())
        assert img, diagram
        svg_status, headers, svg = served.get(img.group(1))
        assert svg_status == 200 and headers["content-type"] == "image/svg+xml" and b"<svg" in svg
    # The very diagram `jmap render -f svg` writes (faces drawn as shapes too).
    assert run_jmap("render", str(map_file), "-f", "svg", "--review", "-o", str(tmp_path / "out")).returncode == 0
    assert svg == (tmp_path / "out" / "checkout.svg").read_bytes()


@pytest.mark.parametrize(
    ("example", "lang", "words"),
    [
        (
            "checkout-fr.yaml",
            "fr",
            [
                "Diagramme",
                "en direct",
                "Masquer les avertissements",
                "La page est à jour.",
                # What a French client reads, not "Cet enregistrement ne se rend pas".
                "Cette version de la carte ne peut pas être affichée",
                "La dernière version valide reste affichée jusqu’au prochain enregistrement correct.",
            ],
        ),
        (
            "service-clinic.yaml",
            "en",
            [
                "Diagram",
                "live",
                "Hide the warnings",
                "The page is up to date.",
                "This save does not render",
                "Showing the last good render until the next good save.",
            ],
        ),
    ],
)
def test_the_live_parts_speak_the_maps_language(tmp_path: Path, example: str, lang: str, words: list[str]) -> None:
    target = tmp_path / example
    shutil.copy(EXAMPLES / example, target)
    with Served(target) as served:
        settings = re.search(r'<meta name="jmap-live" content="([^"]*)"', served.get("/")[2].decode())
        assert settings
        text = html.unescape(settings.group(1))
        live = json.loads(text)
        shown = [
            live["links"][0][0],
            *(live["words"][k] for k in ("on", "hide", "up_to_date", "broken", "broken_note")),
        ]
        assert shown == words
        diagram = served.get(f"/.jmap/diagram/{target.stem}.html")[2].decode()
        assert f'<html lang="{lang}">' in diagram


def test_without_graphviz_the_diagram_page_says_so(map_file: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    with Served(map_file, env={"PATH": str(bare)}) as served:
        status, _, diagram = served.get("/.jmap/diagram/checkout.html")
        assert status == 200
        assert "Le diagramme ne peut pas être dessiné" in diagram.decode() and "graphviz" in diagram.decode().lower()
        assert served.get("/checkout.svg")[0] == 503
        assert served.get("/")[0] == 200  # the page itself needs no Graphviz


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_quickly_and_quietly(map_file: Path, sig: int) -> None:
    served = Served(map_file)
    stream = served.events()  # an open page must not keep the server alive
    stream.wait_state("checkout", lambda s: s["ok"])
    code, took = served.stop(sig)
    stream.close()
    assert code == 0
    assert took < 1.0, f"took {took:.2f} s to stop"
    assert served.lines[-1] == "jmap serve: stopped"
    assert not any("Traceback" in line for line in served.lines)


def test_a_busy_port_given_with_port_is_a_clear_error(map_file: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_jmap("serve", str(map_file), "--port", str(port), "--no-open")
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use".encode() in done.stderr
    assert b"Traceback" not in done.stderr


def test_a_network_host_is_served_with_a_warning(map_file: Path) -> None:
    with Served(map_file, "--host", "0.0.0.0") as served:
        warning = served.wait_line("warning")
        assert "anyone who can reach" in warning
        # Reachable from here, from any host name: the check of Host is off.
        assert served.get("/", host="my-laptop.local")[0] == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], b"does not exist"),
        (["-"], b"does not exist"),
        (["{map}", "--port", "70000"], b"70000"),
        (["{map}", "--bogus"], b"No such option"),
    ],
)
def test_usage_errors_exit_2(map_file: Path, args: list[str], message: bytes) -> None:
    done = run_jmap("serve", *[a.replace("{map}", str(map_file)) for a in args], "--no-open", cwd=map_file.parent)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr


def test_the_address_is_printed_on_standard_output(map_file: Path) -> None:
    """Scripts read the address from standard output; logs go to standard error."""
    proc = subprocess.Popen(
        [*jmap_command(), "serve", str(map_file), "--port", "0", "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "no address within 30 s"
        line = proc.stdout.readline()
        assert re.fullmatch(
            rf"jmap serve: serving {re.escape(str(map_file))} at http://127\.0\.0\.1:\d+/ \(Ctrl-C to stop\)\n", line
        )
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert out == "" and "serving" not in err and err.endswith("jmap serve: stopped\n")


def test_serve_help_has_an_example() -> None:
    done = run_jmap("serve", "--help")
    assert done.returncode == 0
    assert b"jmap serve checkout.yaml" in done.stdout and b"8765" in done.stdout


def test_open_starts_the_default_browser_on_the_page(map_file: Path, tmp_path: Path) -> None:
    """``--open`` goes through Python's webbrowser, which honours $BROWSER."""
    opened = tmp_path / "opened.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n')
    fake.chmod(0o755)
    with Served(map_file, "--open", env={"BROWSER": str(fake)}) as served:
        deadline = time.monotonic() + 10
        while not (opened.exists() and opened.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text() == served.url


def test_no_browser_is_started_outside_a_terminal(map_file: Path, tmp_path: Path) -> None:
    """Without --open or --no-open, a script or CI job (no terminal) never gets a browser."""
    opened = tmp_path / "opened.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f"#!/bin/sh\ntouch {opened}\n")
    fake.chmod(0o755)
    with Served(map_file, env={"BROWSER": str(fake)}, no_open=False) as served:
        assert served.get("/")[0] == 200
        time.sleep(0.5)
    assert not opened.exists()


# -- text, special files, clients that go away, large maps (issue 24) ----------------


class _LiveParts(HTMLParser):
    """The elements a browser would build from the page: for each, its id,
    whether it is in the head, and the text of a script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_head = False
        self.elements: list[tuple[str, str | None, bool]] = []
        self.scripts: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_head = self.in_head or tag == "head"
        self.elements.append((tag, dict(attrs).get("id"), self.in_head))
        if tag == "script":
            self._script = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)


def test_no_text_of_the_map_can_shift_the_live_script(tmp_path: Path) -> None:
    """İ, ß, ﬁ, combining marks and right-to-left text in every field: the
    page has the live script as a script at the end of its body, not as text."""
    target = tmp_path / "iade.yaml"
    target.write_text(tricky_map_yaml(EXAMPLE), encoding="utf-8")
    assert run_jmap("validate", "--strict", str(target)).returncode == 0
    with Served(target) as served:
        status, _, body = served.get("/")
        assert status == 200
        page = body.decode()
        assert TRICKY in html.unescape(page)
        parts = _LiveParts()
        parts.feed(page)
        script, _style = live_assets()
        assert parts.scripts[-1] == script and parts.scripts.count(script) == 1
        assert parts.elements[-1] == ("script", "jmap-live-script", False)
        assert ("style", "jmap-live-style", True) in parts.elements
        assert script not in html.unescape(re.sub(r"<script.*?</script>", "", page, flags=re.S))


def _make_special(path: Path, kind: str) -> socket.socket | None:
    """Put a ``kind`` of file where the map ``path`` was; the socket to close
    afterwards, if one was made."""
    path.unlink()
    if kind == "named pipe":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        path.symlink_to("/dev/zero")  # endless: only a bounded read survives it
    elif kind == "socket":
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listening.bind(str(path))
        return listening
    return None


@pytest.mark.parametrize("kind", ["named pipe", "folder", "device", "socket"])
@pytest.mark.parametrize("folder", [False, True], ids=["map", "folder"])
def test_a_special_file_where_the_map_was_gets_the_error_panel(tmp_path: Path, kind: str, folder: bool) -> None:
    target = tmp_path / "checkout.yaml"
    shutil.copy(EXAMPLE, target)
    with Served(tmp_path if folder else target) as served:
        stream = served.events()
        first = stream.wait_state("checkout", lambda s: s["ok"])
        made = _make_special(target, kind)
        try:
            broken = stream.wait_state("checkout", lambda s: not s["ok"])
            assert broken["good"] == first["good"] and not broken.get("removed")
            said = "named pipe (FIFO)" if kind == "named pipe" else kind
            assert broken["problems"] == [
                f"{target}:1:1: error: this is a {said}, not a file: jmap serve reads maps from regular files only [io]"
            ]
            # The server keeps answering, with the last good page.
            start = time.monotonic()
            status, _, body = served.get("/checkout.html")
            assert status == 200 and TITLE in body.decode()
            assert time.monotonic() - start < 1.0
            served.wait_line(re.escape(f"{target}:1:1: error: this is a {kind}"))
            code, took = served.stop()
        finally:
            stream.close()
            if made is not None:
                made.close()
    assert code == 0 and took < 1.0, f"exit {code} after {took:.2f} s"
    assert not any("Traceback" in line for line in served.lines)


def test_the_map_comes_back_after_a_named_pipe(map_file: Path) -> None:
    good = map_file.read_text(encoding="utf-8")
    with Served(map_file) as served:
        stream = served.events()
        first = stream.wait_state("checkout", lambda s: s["ok"])
        _make_special(map_file, "named pipe")
        stream.wait_state("checkout", lambda s: not s["ok"])
        map_file.unlink()
        map_file.write_text(good.replace(TITLE, "Back from the pipe"), encoding="utf-8")
        back = stream.wait_state("checkout", lambda s: s["ok"])
        assert back["good"] > first["good"] and back["problems"] == []
        assert b"Back from the pipe" in served.get("/")[2]
        stream.close()


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset (RST) rather than a polite FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _client(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def test_clients_that_reset_or_half_close_are_not_a_crash(map_file: Path) -> None:
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    events = b"GET /.jmap/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with Served(map_file) as served:
        for _ in range(10):
            # A request, then a reset before reading the answer.
            sock = _client(served.port)
            sock.sendall(request)
            _reset(sock)
            # A reset in the middle of a request.
            sock = _client(served.port)
            sock.sendall(request[:10])
            _reset(sock)
            # A kept-alive connection answered once, then reset.
            sock = _client(served.port)
            sock.sendall(request)
            sock.recv(1024)
            time.sleep(0.01)
            _reset(sock)
            # An event stream reset while it streams.
            sock = _client(served.port)
            sock.sendall(events)
            sock.recv(1024)
            _reset(sock)
            # Half-closed: part of a request, then no more writing.
            sock = _client(served.port)
            sock.sendall(request[:20])
            sock.shutdown(socket.SHUT_WR)
            sock.close()
        time.sleep(0.5)
        assert served.get("/")[0] == 200
        code, _ = served.stop()
    assert code == 0
    assert not any("Traceback" in line or "Exception" in line for line in served.lines), served.lines
    # Nothing but the usual: the address, and "stopped".
    assert [line for line in served.lines if "serving" not in line] == ["jmap serve: stopped"], served.lines


@pytest.mark.slow
def test_a_large_map_rendering_stalls_neither_other_pages_nor_ctrl_c(tmp_path: Path) -> None:
    """A folder with a 10,000-touchpoint map and a small one: while the large
    one renders again (seconds), the small one's page and the gallery answer
    at once, and Ctrl-C stops the server within a second."""
    big = tmp_path / "big.yaml"
    big.write_text(generated_map_yaml(10_000), encoding="utf-8")
    shutil.copy(EXAMPLE, tmp_path / "checkout.yaml")
    with Served(tmp_path) as served:
        stream = served.events()
        first = stream.wait_state("big", lambda s: s["ok"], timeout=60)
        assert served.get("/checkout.html")[0] == 200  # the page of the small map, made once
        big.write_text(big.read_text(encoding="utf-8").replace("Generated journey", "Edited journey"), encoding="utf-8")
        time.sleep(0.3)  # the watcher notices the save (50 ms) and starts rendering
        slowest = 0.0
        for path in ["/checkout.html", "/", "/checkout.html", "/.jmap/diagram/nope.html"] * 3:
            start = time.monotonic()
            assert served.get(path)[0] in (200, 404)
            slowest = max(slowest, time.monotonic() - start)
        assert slowest < 0.5, f"a page took {slowest:.2f} s while the large map rendered"
        # Still rendering: Ctrl-C now.
        assert not any("big.yaml changed" in line for line in served.lines), "the render ended too soon to tell"
        code, took = served.stop()
        stream.close()
        assert first["good"] > 0
    assert code == 0 and took < 1.0, f"exit {code} after {took:.2f} s"
    assert not any("Traceback" in line for line in served.lines)


class _Pages:
    """``count`` open pages' event streams, read by one thread (as many
    browsers would read them) so that the server never waits on a full socket."""

    def __init__(self, port: int, count: int) -> None:
        import selectors

        self.selector = selectors.DefaultSelector()
        self.states = [0] * count
        #: Whether each page was told that the map became a named pipe.
        self.piped = [False] * count
        self.ended = 0
        self._stop = False
        request = f"GET /.jmap/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        for index in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(request)
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ, index)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop:
            for key, _ in self.selector.select(0.1):
                try:
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.selector.unregister(key.fileobj)
                    self.ended += 1
                    continue
                self.states[key.data] += data.count(b"event: state")
                self.piped[key.data] |= b"this is a named pipe" in data

    def close(self) -> None:
        self._stop = True
        self._thread.join(5)
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self.selector.close()


@pytest.mark.slow
def test_soak_200_pages_50_saves_a_second_resets_and_a_pipe(map_file: Path) -> None:
    """Bounded and on the loopback only: 200 open pages, a save every 20 ms
    for 10 s (in place and renamed over), a client resetting its connection
    every 100 ms, and the map replaced by a named pipe for a second and a half
    (a pipe that stays longer than a save takes: a truncated file is waited
    for up to half a second).
    The server answers throughout, every page hears of the saves and of the
    pipe, and Ctrl-C stops it within a second, without a traceback."""
    good = map_file.read_text(encoding="utf-8")
    with Served(map_file) as served:
        pages = _Pages(served.port, 200)
        try:
            start = time.monotonic()
            saves = 0
            slowest = 0.0
            piped = False
            while (now := time.monotonic() - start) < 10.0:
                if 5.0 <= now < 6.5:
                    if not piped:
                        map_file.unlink()
                        os.mkfifo(map_file)
                        piped = True
                    time.sleep(0.02)
                    continue
                if piped and map_file.is_fifo():
                    map_file.unlink()
                title = f"Soak {saves}"
                text = good.replace(TITLE, title)
                if saves % 2:
                    map_file.write_text(text, encoding="utf-8")  # in place
                else:
                    temporary = map_file.with_name(".checkout.yaml.tmp")
                    temporary.write_text(text, encoding="utf-8")
                    os.replace(temporary, map_file)  # renamed over, as editors save
                saves += 1
                if saves % 5 == 0:
                    sock = _client(served.port)
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    _reset(sock)
                if saves % 25 == 0:
                    asked = time.monotonic()
                    assert served.get("/")[0] == 200
                    slowest = max(slowest, time.monotonic() - asked)
                time.sleep(max(0.0, start + saves * 0.02 + (1.5 if piped else 0) - time.monotonic()))
            # The last save shows, at once.
            last = f"Soak {saves - 1}".encode()
            deadline = time.monotonic() + 5
            while last not in served.get("/")[2] and time.monotonic() < deadline:
                time.sleep(0.05)
            asked = time.monotonic()
            status, _, body = served.get("/")
            slowest = max(slowest, time.monotonic() - asked)
            assert status == 200 and last in body
            assert slowest < 1.0, f"a page took {slowest:.2f} s during the soak"
            time.sleep(0.6)  # a keep-alive round: every page has read what was sent
            assert pages.ended == 0, f"{pages.ended} of 200 event streams ended"
            assert min(pages.states) >= 10, f"a page heard of only {min(pages.states)} states"
            assert all(pages.piped), f"{pages.piped.count(False)} of 200 pages were not told of the pipe"
            assert any(re.search(r"checkout\.yaml:1:1: error: this is a named pipe", line) for line in served.lines)
            assert saves >= 350, f"only {saves} saves in 8.5 s"
        finally:
            pages.close()
        code, took = served.stop()
    assert code == 0 and took < 1.0, f"exit {code} after {took:.2f} s"
    assert not any("Traceback" in line or "internal error" in line for line in served.lines), served.lines[-5:]


@pytest.mark.slow
def test_ctrl_c_stops_within_a_second_every_time(tmp_path: Path) -> None:
    """Fifteen stops at moments spread over a busy server's life (pages asked
    without pause, an open event stream, saves): a race that strikes one
    stop in fifteen shows here."""
    target = tmp_path / "checkout.yaml"
    shutil.copy(EXAMPLE, target)
    good = target.read_text(encoding="utf-8")
    for attempt in range(15):
        served = Served(target)
        stream = served.events()
        busy = threading.Event()
        busy.set()

        def ask(port: int = served.port, busy: threading.Event = busy) -> None:
            while busy.is_set():
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        while sock.recv(65536):
                            pass
                except OSError:
                    return  # the server is gone: stopped

        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        target.write_text(good.replace(TITLE, f"Attempt {attempt}"), encoding="utf-8")
        time.sleep(0.013 * attempt)  # from at once to while the save renders
        code, took = served.stop(signal.SIGINT if attempt % 3 else signal.SIGTERM)
        busy.clear()
        asking.join(5)
        stream.close()
        assert code == 0 and took < 1.0, f"attempt {attempt}: exit {code} after {took:.2f} s"
        assert served.lines[-1] == "jmap serve: stopped"
        assert not any("Traceback" in line for line in served.lines), served.lines


def test_a_named_pipe_among_the_templates_is_an_error_not_a_wait(map_file: Path, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    style = theme / "style.css.j2"
    shutil.copy(ROOT / "jmap" / "templates" / "html" / "style.css.j2", style)
    with Served(map_file, "--templates", str(theme)) as served:
        stream = served.events()
        stream.wait_state("checkout", lambda s: s["ok"])
        style.unlink()
        os.mkfifo(style)
        broken = stream.wait_state("checkout", lambda s: not s["ok"])
        assert broken["problems"][-1].endswith(f"error: the template {style} is a named pipe (FIFO), not a file")
        style.unlink()
        shutil.copy(ROOT / "jmap" / "templates" / "html" / "style.css.j2", style)
        stream.wait_state("checkout", lambda s: s["ok"])  # and it follows saves again
        stream.close()
        code, took = served.stop()
    assert code == 0 and took < 1.0

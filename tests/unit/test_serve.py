"""`jmap serve`'s parts alone: which request paths lead where, how the live
script gets into a page under its policy, how saves are noticed, and what
the preview keeps when a save is broken."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from support import EXAMPLES
from support.factories import sample_map

from jmap.serve.inject import head_of, live_assets, live_page, widen_policy
from jmap.serve.paths import Refused, Route, clean_path, route
from jmap.serve.preview import GALLERY_KEY, Preview
from jmap.serve.reading import Unreadable
from jmap.serve.watch import Watcher

EXAMPLE = EXAMPLES / "checkout-fr.yaml"

# -- request paths ---------------------------------------------------------------

CLIMBING = [
    "/../../etc/passwd",
    "/..",
    "/./checkout.html",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2Fetc%2Fpasswd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/..%2f..%2fetc%2fpasswd",
    "/%252e%252e/etc/passwd",
    "/sub/../../etc/passwd",
    "/..\\..\\etc\\passwd",
    "/%5c..%5cetc%5cpasswd",
    "/checkout.html%00.svg",
    "/%c0%ae%c0%ae/etc/passwd",
    "//etc/passwd/..",
    "/a/" + "x" * 5000,
]


@pytest.mark.parametrize("target", CLIMBING)
def test_a_path_that_climbs_out_is_refused(target: str) -> None:
    with pytest.raises(Refused):
        route(target, {"checkout", "sub/checkout"}, folder=True)


@pytest.mark.parametrize("target", ["etc/passwd", "http://127.0.0.1/../x", "*"])
def test_a_target_that_is_not_an_absolute_path_is_refused(target: str) -> None:
    with pytest.raises(Refused):
        clean_path(target)


def test_a_map_served_alone_is_its_page_at_the_root() -> None:
    pages = {"checkout"}
    assert route("/", pages, folder=False) == Route("page", "checkout")
    assert route("/checkout.html", pages, folder=False) == Route("page", "checkout")
    assert route("/checkout.html?v=3#tp-2", pages, folder=False) == Route("page", "checkout")
    assert route("/checkout.svg", pages, folder=False) == Route("svg", "checkout")
    assert route("/.jmap/diagram/checkout.html", pages, folder=False) == Route("diagram", "checkout")
    assert route("/.jmap/events", pages, folder=False) == Route("events")
    assert route("/favicon.ico", pages, folder=False) == Route("favicon")
    assert route("/index.html", pages, folder=False) is None


def test_a_folder_serves_its_gallery_and_each_map_by_its_output_path() -> None:
    pages = {"checkout", "team a/clinic"}
    assert route("/", pages, folder=True) == Route("index")
    assert route("/index.html", pages, folder=True) == Route("index")
    assert route("/team%20a/clinic.html", pages, folder=True) == Route("page", "team a/clinic")
    assert route("/team%20a/clinic.svg", pages, folder=True) == Route("svg", "team a/clinic")
    assert route("/caf%C3%A9.html", {"café"}, folder=True) == Route("page", "café")
    # A top-level map called index keeps its page; the gallery stays at /.
    assert route("/index.html", {"index"}, folder=True) == Route("page", "index")


@pytest.mark.parametrize(
    "target",
    ["/checkout.yaml", "/checkout.md", "/checkout", "/clinic.html", "/.jmap/diagram/nope.html", "/etc/passwd"],
)
def test_anything_but_a_rendered_output_is_not_found(target: str) -> None:
    assert route(target, {"checkout"}, folder=True) is None


# -- the live script in the page ----------------------------------------------------


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def test_the_policy_allows_the_script_and_the_stream_and_nothing_more() -> None:
    script, style = live_assets()
    policy = "default-src 'none'; style-src 'sha256-abc'; img-src 'none'; base-uri 'none'"
    widened = widen_policy(policy, script, style)
    directives = {d.split()[0]: d.split()[1:] for d in widened.split("; ")}
    assert directives["default-src"] == ["'none'"]
    assert directives["img-src"] == ["'none'"]
    assert directives["script-src"] == [f"'{_sha256(script)}'"]
    assert directives["style-src"] == ["'sha256-abc'", f"'{_sha256(style)}'"]
    assert directives["connect-src"] == ["'self'"]
    assert "unsafe" not in widened


def test_a_none_source_is_replaced_not_combined() -> None:
    script, style = live_assets()
    widened = widen_policy("default-src 'none'; script-src 'none'; connect-src 'none'", script, style)
    assert "script-src 'sha256-" in widened
    assert "connect-src 'self'" in widened
    assert "'none' 'sha256" not in widened


def test_the_served_page_is_the_rendered_page_plus_the_live_parts() -> None:
    from jmap.format.validator import load_file
    from jmap.render.page import render_html

    jm = load_file(EXAMPLE).map
    assert jm is not None
    rendered = render_html(jm)
    served = live_page(rendered.encode(), {"key": "x</script><b>", "good": 3, "links": [["Diagram", "/d"]]}).decode()
    script, style = live_assets()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', served)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).replace("&#x27;", "'").split(";"))
    # The page's own script (fit to width) stays allowed beside the live one.
    assert f"'{_sha256(script)}'" in directives["script-src"].split()
    assert len(directives["script-src"].split()) == 2
    assert f'<script id="jmap-live-script">{script}</script>' in served
    assert f'<style id="jmap-live-style">{style}</style>' in served
    # The settings are an escaped attribute: a key cannot close the element.
    assert "x</script><b>" not in served
    # Take the live parts out again: what is left is the rendered page.
    assert _without_live_parts(served, rendered) == rendered


def _without_live_parts(served: str, rendered: str) -> str:
    """``served`` without what serving added: the live parts, and the policy
    widened back to the rendered page's."""
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', served)
    original_policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', rendered)
    assert policy is not None and original_policy is not None
    back = re.sub(
        r'<meta name="jmap-live" content="[^"]*">\n<style id="jmap-live-style">.*?</style>\n', "", served, flags=re.S
    )
    back = re.sub(r'<script id="jmap-live-script">.*?</script>\n', "", back, flags=re.S)
    return back.replace(policy.group(1), original_policy.group(1))


class _Elements(HTMLParser):
    """Where a browser's parser puts the live parts: each element's tag, id,
    text, and whether it is in the head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict[str, object]] = []
        self._in_head = False
        self._open: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True
        named = dict(attrs)
        element: dict[str, object] = {
            "tag": tag,
            "id": named.get("id") or named.get("name"),
            "text": "",
            "head": self._in_head,
        }
        self.found.append(element)
        if tag in ("script", "style", "title"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if self._open and self._open[-1]["tag"] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1]["text"] = str(self._open[-1]["text"]) + data


def _elements(page: str) -> list[dict[str, object]]:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser.found


#: Text whose lower or upper case has another length (İ, ß, ﬁ), that combines
#: (accents as separate marks) or runs right to left.
SHIFTING = [
    "İade — İstanbul",
    "Straße, STRASSE",
    "ﬁnance ﬂow ﬀ",
    "Noe\u0308l e\u0301te\u0301 a\u030a\u0323",
    "עברית · العربية",
    "İİİİİİİİ" * 50,
]


@pytest.mark.parametrize("tricky", SHIFTING)
def test_no_text_of_the_map_can_shift_the_live_parts(tricky: str) -> None:
    """The live script must land in the body as a script, whatever the map's
    text: with the old offsets (found in a lower-cased copy) a title of İ
    put the script inside the page's text, shown as source."""
    from jmap.render.page import render_html

    jm = sample_map(lambda field: f"{tricky} {field} {tricky}")
    rendered = render_html(jm)
    served = live_page(rendered.encode(), {"key": "k", "good": 1, "links": []}).decode()
    script, style = live_assets()
    found = _elements(served)
    [live_script] = [e for e in found if e["id"] == "jmap-live-script"]
    [live_style] = [e for e in found if e["id"] == "jmap-live-style"]
    [settings] = [e for e in found if e["id"] == "jmap-live"]
    assert live_script == {"tag": "script", "id": "jmap-live-script", "text": script, "head": False}
    assert live_style == {"tag": "style", "id": "jmap-live-style", "text": style, "head": True}
    assert settings["tag"] == "meta" and settings["head"]
    # The script is the body's last element, and the map's text is all there, untouched.
    assert served.endswith(f'<script id="jmap-live-script">{script}</script>\n</body>\n</html>\n')
    assert _without_live_parts(served, rendered) == rendered


def test_the_rendered_page_itself_has_no_live_script() -> None:
    from jmap.format.validator import load_file
    from jmap.render.page import render_html

    jm = load_file(EXAMPLE).map
    assert jm is not None
    page = render_html(jm)
    # Only its own fit-to-width control: the live script is the server's.
    assert page.count("<script") == 1 and "jmap-live" not in page


# -- noticing saves ------------------------------------------------------------------


def test_the_watcher_sees_edits_new_files_renames_and_deletions(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("jmap: 1\n")
    watcher = Watcher(lambda: [str(p) for p in sorted(tmp_path.glob("*.yaml"))])
    assert watcher.poll() == set()
    a.write_text("jmap: 1\ntitle: longer\n")
    assert watcher.poll() == {str(a)}
    assert watcher.poll() == set()
    b.write_text("jmap: 1\n")
    assert watcher.poll() == {str(b)}
    # An editor's atomic save: a new file renamed over the old one.
    (tmp_path / ".a.tmp").write_text("jmap: 1\ntitle: longer\n")
    os.replace(tmp_path / ".a.tmp", a)
    assert watcher.poll() == {str(a)}
    b.unlink()
    assert watcher.poll() == {str(b)}


def test_an_edit_of_the_same_size_is_seen_by_its_time(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("title: one\n")
    watcher = Watcher(lambda: [str(a)])
    a.write_text("title: two\n")
    os.utime(a, ns=(time.time_ns(), a.stat().st_mtime_ns + 1_000_000))
    assert watcher.poll() == {str(a)}


def test_an_empty_file_is_waited_for_as_a_save_in_progress(tmp_path: Path) -> None:
    import threading

    a = tmp_path / "a.yaml"
    a.write_text("jmap: 1\n")
    watcher = Watcher(lambda: [str(a)])
    a.write_text("")  # an editor truncates, then writes a moment later
    timer = threading.Timer(0.15, lambda: a.write_text("jmap: 1\ntitle: saved\n"))
    timer.start()
    try:
        assert watcher.changes(settle=0.01, max_wait=2) == {str(a)}
    finally:
        timer.join()
    assert a.stat().st_size > 0
    assert watcher.poll() == set(), "the change was seen whole, not in two steps"


def test_changes_wait_for_a_file_to_settle(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("x")
    watcher = Watcher(lambda: [str(a)])
    a.write_text("xy")
    assert watcher.changes(settle=0.01) == {str(a)}
    assert watcher.changes(settle=0.01) == set()


# -- the preview --------------------------------------------------------------------


def _copy(tmp_path: Path, name: str = "checkout.yaml") -> Path:
    target = tmp_path / name
    shutil.copy(EXAMPLE, target)
    return target


def test_a_broken_save_keeps_the_last_good_page_and_reports_its_lines(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    preview = Preview(path, None)
    assert preview.start() == []
    live = preview.maps["checkout"]
    good_page, good = live.html, live.good
    assert live.ok and good > 0 and good_page is not None
    path.write_text(path.read_text(encoding="utf-8").replace("jmap: 1", "jmap: 1\nbogus_key: 1", 1), encoding="utf-8")
    lines = preview.refresh({str(path)})
    assert lines and all(
        re.match(rf"{re.escape(str(path))}:\d+:\d+: (error|warning): .* \[[a-z-]+\]$", x) for x in lines
    )
    assert not live.ok and live.html == good_page and live.good == good
    [state] = preview.states(good)
    assert state == {
        "key": "checkout",
        "good": good,
        "head": head_of(good_page),
        "ok": False,
        "problems": lines,
        "removed": False,
    }
    shutil.copy(EXAMPLE, path)
    preview.refresh({str(path)})
    assert live.ok and live.problems == ()


def test_an_unchanged_render_is_not_a_new_page(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    preview = Preview(path, None)
    preview.start()
    good = preview.maps["checkout"].good
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    preview.refresh({str(path)})
    assert preview.maps["checkout"].good == good


def test_a_folder_gallery_follows_maps_added_and_removed(tmp_path: Path) -> None:
    _copy(tmp_path, "a.yaml")
    (tmp_path / "team").mkdir()
    second = _copy(tmp_path / "team", "b.yml")
    (tmp_path / "ci.yaml").write_text("stages: [test]\n")
    preview = Preview(tmp_path, None)
    preview.start()
    assert set(preview.maps) == {"a", "team/b"}
    assert b'href="a.html"' in preview.gallery and b'href="team/b.html"' in preview.gallery
    first_gallery = preview.gallery_good
    second.unlink()
    preview.refresh({str(second)})
    assert set(preview.maps) == {"a"}
    assert b"team/b.html" not in preview.gallery and preview.gallery_good > first_gallery
    gone = [s for s in preview.states(first_gallery) if s["key"] == "team/b"]
    assert gone and gone[0]["removed"]
    assert any(s["key"] == GALLERY_KEY for s in preview.states(first_gallery))


def test_a_template_change_renders_every_map_again(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    theme = tmp_path / "theme"
    (theme / "html").mkdir(parents=True)
    page = theme / "html" / "page.html.j2"
    page.write_text('{% extends "jmap/page.html.j2" %}{% block title %}Theme one{% endblock %}')
    preview = Preview(path, theme)
    preview.start()
    assert str(page) in preview.watched_files()
    assert b"<title>Theme one</title>" in (preview.maps["checkout"].html or b"")
    page.write_text('{% extends "jmap/page.html.j2" %}{% block title %}Theme two{% endblock %}')
    preview.refresh({str(page)})
    assert b"<title>Theme two</title>" in (preview.maps["checkout"].html or b"")
    page.write_text("{% block %}")
    preview.refresh({str(page)})
    live = preview.maps["checkout"]
    assert not live.ok and "HTML template error" in live.problems[-1]
    assert b"<title>Theme two</title>" in (live.html or b"")


# -- binding -----------------------------------------------------------------------


def test_a_busy_default_port_moves_on_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from jmap.commands import serve as command

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        monkeypatch.setattr(command, "DEFAULT_PORT", busy)
        said: list[str] = []
        try:
            server = command.bind("127.0.0.1", None, Preview(_copy(tmp_path), None), True, said.append)
        except Exception as exc:  # the next port happened to be taken too: rare, not this test's point
            pytest.skip(f"port {busy + 1} is busy as well: {exc}")
        try:
            assert server.server_address[1] == busy + 1
            assert said == [f"jmap serve: port {busy} is in use; trying {busy + 1}"]
        finally:
            server.server_close()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_which_hosts_stay_on_this_machine(host: str, loopback: bool) -> None:
    from jmap.serve.server import is_loopback

    assert is_loopback(host) is loopback


def test_the_printed_address_of_a_wildcard_host_is_reachable() -> None:
    from jmap.commands.serve import url_for

    assert url_for("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert url_for("0.0.0.0", 8765) == "http://127.0.0.1:8765/"
    assert url_for("::", 9000) == "http://[::1]:9000/"


def test_a_new_title_keeps_the_head_but_a_new_style_does_not() -> None:
    from jmap.serve.inject import head_of

    page = (
        b'<html><head><meta http-equiv="Content-Security-Policy" content="a"><title>One</title><style>x</style></head>'
    )
    assert head_of(page) == head_of(page.replace(b"One", b"Two"))
    assert head_of(page) != head_of(page.replace(b"<style>x", b"<style>y"))
    assert head_of(page) != head_of(page.replace(b'content="a"', b'content="b"'))


def test_a_costly_look_makes_the_watcher_look_less_often(tmp_path: Path) -> None:
    from jmap.serve.watch import POLL_INTERVAL

    watcher = Watcher(lambda: [])
    assert watcher.interval == POLL_INTERVAL

    def slow_listing() -> list[str]:
        time.sleep(0.02)
        return []

    slow = Watcher(slow_listing)
    assert slow.interval >= 0.2


# -- reading a map: regular files only, boundedly --------------------------------


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    from jmap.serve.reading import read_regular

    path = tmp_path / "m.yaml"
    path.write_bytes(b"jmap: 1\n" * 1000)
    assert read_regular(str(path), limit=8000) == b"jmap: 1\n" * 1000
    with pytest.raises(Unreadable, match="at most 7,999 bytes") as refused:
        read_regular(str(path), limit=7999)
    assert refused.value.rule == "file-too-large"


@pytest.mark.parametrize("kind", ["a named pipe", "a folder", "a device", "a socket"])
def test_anything_but_a_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    import socket
    import threading

    from jmap.serve.reading import read_regular

    path = tmp_path / "m.yaml"
    made = None
    if kind == "a named pipe":
        os.mkfifo(path)
    elif kind == "a folder":
        path.mkdir()
    elif kind == "a device":
        path.symlink_to("/dev/zero")
    else:
        made = socket.socket(socket.AF_UNIX)
        made.bind(str(path))
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_regular(str(path), limit=1000)
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(2)
    if made is not None:
        made.close()
    assert not reader.is_alive(), f"reading {kind} blocked"
    [refused] = outcome
    assert isinstance(refused, Unreadable)
    said = "a named pipe (FIFO)" if kind == "a named pipe" else kind
    assert refused.message == f"this is {said}, not a file: jmap serve reads maps from regular files only"


def test_a_missing_file_is_said_to_be_gone(tmp_path: Path) -> None:
    from jmap.serve.reading import read_regular

    with pytest.raises(Unreadable, match="the file is gone"):
        read_regular(str(tmp_path / "nope.yaml"), limit=10)


def test_a_read_that_outlasts_its_time_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jmap.serve import reading

    path = tmp_path / "m.yaml"
    path.write_bytes(b"x" * (3 * reading.CHUNK))
    monkeypatch.setattr(reading, "CHUNK", 1024)
    with pytest.raises(Unreadable, match="took more than 0 s"):
        reading.read_regular(str(path), limit=10 * 1024 * 1024, seconds=0)


# -- connections -----------------------------------------------------------------


def _server(tmp_path: Path) -> Any:
    from jmap.serve.server import LiveServer

    preview = Preview(_copy(tmp_path), None)
    preview.start()
    return LiveServer(("127.0.0.1", 0), preview, loopback_only=True)


def test_many_tabs_connecting_at_once_wait_for_no_retry(tmp_path: Path) -> None:
    """Connections queue up while the server is busy: with the standard
    library's backlog of 5, the sixth waited a second for a retry."""
    import select
    import socket

    server = _server(tmp_path)  # listening, not accepting: the queue alone holds them
    clients = []
    try:
        for _ in range(100):
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(server.server_address)
            clients.append(client)
        deadline = time.monotonic() + 0.5
        pending = list(clients)
        while pending and time.monotonic() < deadline:
            _, writable, _ = select.select([], pending, [], 0.05)
            pending = [c for c in pending if c not in writable]
        assert not pending, f"{len(pending)} of 100 connections still waiting after 0.5 s"
    finally:
        for client in clients:
            client.close()
        server.server_close()


def test_a_silent_connection_is_closed_after_the_idle_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import threading

    from jmap.serve import server as serving

    monkeypatch.setattr(serving.LiveHandler, "timeout", 0.3)
    server = _server(tmp_path)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        with socket.create_connection(server.server_address, timeout=5) as half_open:
            half_open.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            start = time.monotonic()
            assert half_open.recv(1024) == b"", "the server closes the connection"
            assert time.monotonic() - start < 2
    finally:
        server.shutdown()
        server.server_close()


def test_a_client_gone_prints_nothing_and_a_bug_prints_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = _server(tmp_path)
    try:
        for gone in (ConnectionResetError(104, "reset"), BrokenPipeError(32, "pipe"), TimeoutError("timed out")):
            try:
                raise gone
            except OSError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == ""
        try:
            raise RuntimeError("unexpected")
        except RuntimeError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == (
            "jmap serve: internal error while answering a request (RuntimeError: unexpected); please report this bug\n"
        )
    finally:
        server.server_close()

"""A `jmap serve` process for the tests and the benchmark: started on a free
port of 127.0.0.1, asked over HTTP and its event stream, stopped by Ctrl-C.

Every wait is bounded, so a server that hangs fails the test instead of
blocking the suite.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

START_TIMEOUT = 30.0

#: Text whose case mapping changes its length or whose characters combine
#: or run right to left: a Turkish dotted capital I ("İ".lower() is two
#: characters), ß (upper case SS), the ﬁ ligature (upper case FI), combining
#: diaeresis and acute accents, Hebrew and Arabic.
TRICKY = "İade — İstanbul · Straße ﬁnance · Noe\u0308l e\u0301te\u0301 · עברית · العربية"

#: The keys of a map that hold free text (the others are ids, references,
#: numbers, colours and enumerations).
FREE_TEXT = frozenset(
    {
        "title", "description", "owner", "scenario", "name", "goal", "goals", "frustrations", "quote",
        "tags", "doing", "thinking", "feeling", "backstage", "source", "unit",
    }
)  # fmt: skip


def tricky_map_yaml(source: Path, tricky: str = TRICKY) -> str:
    """The map of ``source`` with ``tricky`` put before every free text,
    metric names included; still a valid map."""
    import yaml

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            if key == "metrics":  # metric names are the keys
                return {f"{tricky} {name}": walk(value) for name, value in node.items()}
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if isinstance(node, str) and key in FREE_TEXT:
            return f"{tricky} {node}"
        return node

    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return yaml.safe_dump(walk(data), allow_unicode=True, sort_keys=False)


class Served:
    """``jmap serve PATH --port 0 --no-open`` running in the background."""

    def __init__(
        self,
        path: Path,
        *extra: str,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        command: list[str] | None = None,
        no_open: bool = True,
    ) -> None:
        if command is None:
            from . import jmap_command

            command = jmap_command()
        self.proc = subprocess.Popen(
            [*command, "serve", str(path), "--port", "0", *(["--no-open"] if no_open else []), *extra],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.proc.stdout, self.proc.stderr)
        ]
        for reader in self._readers:
            reader.start()
        line = self.wait_line(r"serving .* at http://", START_TIMEOUT)
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        self.port = int(found.group(1))
        self.url = f"http://127.0.0.1:{self.port}/"

    def _read(self, stream: IO[str] | None) -> None:
        """Collect the lines of one output stream (both are read, so that
        neither pipe can fill up and block the server)."""
        assert stream is not None
        for line in stream:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()

    def wait_line(self, pattern: str, timeout: float = 10.0) -> str:
        """The first line of the server's terminal output matching ``pattern``."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while True:
                for line in self.lines:
                    if re.search(pattern, line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no line matching {pattern!r} in {self.lines}")
                self._seen.wait(min(remaining, 0.2))

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """A raw GET: the path is sent exactly as given (no normalising)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_host=host is not None, skip_accept_encoding=True)
            if host is not None:
                conn.putheader("Host", host)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def events(self) -> EventStream:
        return EventStream(self.port)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10.0) -> tuple[int, float]:
        """Send ``sig``; the exit code and the seconds it took to stop."""
        start = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"jmap serve did not stop within {timeout} s") from None
        took = time.monotonic() - start
        for reader in self._readers:
            reader.join(5)
        return code, took

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.stop()


class EventStream:
    """The server-sent events of ``/.jmap/events``, parsed as they come."""

    def __init__(self, port: int) -> None:
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self._conn.request("GET", "/.jmap/events")
        self.response = self._conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next_event(self, timeout: float = 10.0) -> tuple[str, dict[str, Any]]:
        """The next event's name and data (comments and retry lines skipped)."""
        deadline = time.monotonic() + timeout
        name, data = "message", []
        while True:
            if time.monotonic() > deadline:
                raise AssertionError(f"no event within {timeout} s")
            raw = self.response.readline()
            if not raw:
                raise AssertionError("the event stream ended")
            line = raw.decode("utf-8").rstrip("\n")
            if line == "":
                if data:
                    return name, json.loads("\n".join(data))
                name = "message"
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)

    def wait_state(self, key: str, accept: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        """The first state of map ``key`` that ``accept`` takes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            name, state = self.next_event(max(deadline - time.monotonic(), 0.01))
            if name == "state" and state["key"] == key and accept(state):
                return state
        raise AssertionError(f"no accepted state for {key!r} within {timeout} s")

    def close(self) -> None:
        self._conn.close()

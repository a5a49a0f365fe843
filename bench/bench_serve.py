"""Benchmark of `jmap serve`: from a save to the open page showing it.

    .venv/bin/python bench/bench_serve.py             # examples and a 50-touchpoint map
    .venv/bin/python bench/bench_serve.py 50 500      # chosen generated sizes

For each map the real `jmap serve` runs on a free port of 127.0.0.1 and the
map is saved several times with a new title. Two latencies are measured from
the moment the file is written:

- *event*: a client of ``/.jmap/events`` receives the map's new state;
- *page*: in a headless Chromium (when there is one), the open page's ``<h1>``
  shows the new title: the live script has fetched the page and swapped it
  in, keeping the scroll position.

The floor, measured in the same run, is the work no preview can skip:
validating the map and rendering its page in process (``load_file`` plus
``render_html``, templates already compiled). The rest is the watcher's
polling (every 50 ms, so 25 ms on average), the event, the fetch and the swap.
Targets: the page within 300 ms for 50 touchpoints, within 1 s for any map.
Figures are medians and worsts of the saves; the target is judged on the
median (a busy machine makes the worst noisy). It is a benchmark, not a test:
it prints figures and exits 0.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maps import best, generated_map_yaml, jmap_command  # noqa: E402
from jmap.format.validator import load_file  # noqa: E402
from jmap.render.page import render_html  # noqa: E402
from tests.support.browser import Browser, chromium_path  # noqa: E402
from tests.support.serving import Served  # noqa: E402

SAVES = 12


def _browser(profile: Path) -> Browser | None:
    """The tests' Chromium driver (DevTools over a pipe), or None without Chromium."""
    executable = chromium_path()
    return Browser(executable, profile) if executable else None


def _retitled(text: str, title: str) -> str:
    return re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1)


def measure(path: Path, browser: Browser | None) -> tuple[list[float], list[float]]:
    """Seconds from each save to the event, and to the page showing it."""
    original = path.read_text(encoding="utf-8")
    events: list[float] = []
    pages: list[float] = []
    with Served(path, command=jmap_command()) as served:
        stream = served.events()
        state = stream.wait_state(served_key(path), lambda s: s["ok"])
        if browser is not None:
            browser.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            )
            browser.events.clear()
            browser.send("Page.navigate", {"url": served.url})
            browser.wait_for("Page.loadEventFired")
            deadline = time.monotonic() + 10
            while browser.evaluate("document.getElementById('jmap-live-bar')?.className") != "jmap-live-on":
                assert time.monotonic() < deadline, "the live script did not connect"
                time.sleep(0.02)
            browser.evaluate("window.scrollTo(0, 400)")
        for i in range(SAVES):
            title = f"Benchmark save {i}"
            seen: dict[str, float] = {}
            previous = state["good"]

            def listen(previous: int = previous, seen: dict[str, float] = seen) -> None:
                found = stream.wait_state(served_key(path), lambda s, p=previous: s["good"] > p, timeout=10)
                seen["at"] = time.perf_counter()
                seen["state"] = found  # type: ignore[assignment]

            listener = threading.Thread(target=listen)
            listener.start()
            time.sleep(0.13 * (i % 3) / 3)  # spread the saves over the polling phase
            start = time.perf_counter()
            path.write_text(_retitled(original, title), encoding="utf-8")
            if browser is not None:
                browser.evaluate(
                    "new Promise(done => { const look = () => document.querySelector('h1')?.textContent"
                    f".includes({title!r}) ? done(true) : requestAnimationFrame(look); look(); }})",
                    await_promise=True,
                )
                pages.append(time.perf_counter() - start)
            listener.join(15)
            events.append(seen["at"] - start)
            state = seen["state"]  # type: ignore[assignment]
            time.sleep(0.15)  # a typist's pause: the next save is a new one
        stream.close()
    path.write_text(original, encoding="utf-8")
    return events, pages


def served_key(path: Path) -> str:
    from jmap.render.formats import output_stem

    return output_stem(path)


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [50]
    with tempfile.TemporaryDirectory(prefix="jmap-bench-serve-") as tmp:
        workdir = Path(tmp)
        cases = []
        for example in sorted((ROOT / "examples").glob("*.yaml")):
            target = workdir / example.name
            target.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
            cases.append(target)
        for size in sizes:
            target = workdir / f"generated-{size}.yaml"
            target.write_text(generated_map_yaml(size), encoding="utf-8")
            cases.append(target)
        browser = _browser(workdir / "chromium-profile")
        if browser is None:
            print("(no Chromium: the page column is left out)")
        print(
            f"{'map':<22} {'tps':>4} {'floor ms':>9} {'event ms':>9} {'worst':>6} {'ratio':>6}"
            f" {'page ms':>8} {'worst':>6} {'ratio':>6} {'target':>7}"
        )
        try:
            render_html(load_file(cases[0]).map)  # templates compiled once, as in a running server
            for path in cases:
                jm = load_file(path).map
                assert jm is not None, path
                touchpoints = sum(1 for _ in jm.all_touchpoints())
                floor = best(5, lambda path=path: render_html(load_file(path).map))
                events, pages = measure(path, browser)
                target = 0.3 if touchpoints <= 50 else 1.0
                event_ms = 1000 * statistics.median(events)
                line = (
                    f"{path.stem:<22} {touchpoints:>4} {1000 * floor:>9.1f} {event_ms:>9.0f}"
                    f" {1000 * max(events):>6.0f} {event_ms / (1000 * floor):>6.1f}"
                )
                if pages:
                    page_ms = 1000 * statistics.median(pages)
                    met = "met" if statistics.median(pages) <= target else "MISSED"
                    line += (
                        f" {page_ms:>8.0f} {1000 * max(pages):>6.0f} {page_ms / (1000 * floor):>6.1f}"
                        f" {f'{met} {1000 * target:.0f}':>7}"
                    )
                print(line, flush=True)
        finally:
            if browser is not None:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

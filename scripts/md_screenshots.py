"""Draw the example maps' Markdown summaries the way GitHub shows them, for a
person to look at (docs/img/md-*.png).

GitHub renders GFM (tables, strikethrough, autolinks of bare URLs, raw HTML
through a sanitiser) and draws ```mermaid blocks with Mermaid in the browser.
This script does the same with markdown-it-py (``gfm-like``: tables,
strikethrough, linkify) and the Mermaid bundle of tools/mermaid (``npm ci``)
in headless Chromium, loaded from a file:// URL: nothing from the network.

    .venv/bin/pip install linkify-it-py     # once: GitHub's autolinks
    .venv/bin/python scripts/md_screenshots.py [OUT_DIR]   # default docs/img

One PNG per example and part of the summary (its top, the first two stages
with their pictures, the rest), each as tall as its content.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jmap.format.validator import load_file  # noqa: E402
from jmap.render.markdown import render_md  # noqa: E402

MERMAID = ROOT / "tools" / "mermaid" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
WIDTH = 1012  # GitHub's file view

STYLE = """
body { font: 16px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", sans-serif, "Noto Color Emoji";
       color: #1f2328; background: #fff; margin: 0; padding: 24px 32px; max-width: 948px; }
h1, h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
h1 { font-size: 2em; } h2 { font-size: 1.5em; } h3 { font-size: 1.25em; }
table { border-collapse: collapse; display: block; overflow: auto; width: max-content; max-width: 100%; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; vertical-align: top; }
th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
a { color: #0969da; }
pre.mermaid { background: #fff; text-align: center; }
"""


def page(markdown: str) -> str:
    md = MarkdownIt("gfm-like", {"html": True, "linkify": True})
    body = md.render(markdown)
    # markdown-it writes a fenced block as <pre><code class="language-mermaid">;
    # GitHub swaps it for the drawing, as this does.
    body = re.sub(
        r'<pre><code class="language-mermaid">(.*?)</code></pre>',
        lambda m: f'<pre class="mermaid">{m.group(1)}</pre>',
        body,
        flags=re.S,
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>{STYLE}</style>
<script src="{MERMAID.as_uri()}"></script></head><body>{body}
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
mermaid.run().then(() => {{
  document.body.setAttribute("data-height", document.documentElement.scrollHeight);
}});
</script></body></html>"""


def chromium(*args: str) -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--allow-file-access-from-files", "--virtual-time-budget=8000", *args],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout


def shoot(markdown: str, target: Path, work: Path) -> None:
    source = work / (target.stem + ".html")
    source.write_text(page(markdown), encoding="utf-8")
    dom = chromium(f"--window-size={WIDTH},900", "--dump-dom", source.as_uri())
    found = re.search(r'data-height="(\d+)"', dom)
    height = int(found.group(1)) if found else 3000
    chromium(f"--window-size={WIDTH},{height}", f"--screenshot={target}", source.as_uri())
    print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} ({WIDTH}x{height})")


def parts(summary: str) -> dict[str, str]:
    """The summary cut in three: its top (title, personas), the journey's
    first two stages with their pictures, and the rest from the third stage."""
    journey = summary.index("\n## ", summary.index("\n## ") + 1) if summary.count("\n## ") > 1 else 0
    stages = [m.start() for m in re.finditer(r"(?m)^### ", summary)]
    cut = stages[2] if len(stages) > 2 else len(summary)
    return {"top": summary[:journey], "journey": summary[journey:cut], "rest": summary[cut:]}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    if not MERMAID.is_file():
        print("md_screenshots: run `cd tools/mermaid && npm ci` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((ROOT / "examples").glob("*.yaml")):
            jm = load_file(path).map
            assert jm is not None, path
            summary = render_md(jm)
            (Path(tmp) / f"{path.stem}.md").write_text(summary, encoding="utf-8")
            for name, markdown in parts(summary).items():
                shoot(markdown, out / f"md-{path.stem}-{name}.png", Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

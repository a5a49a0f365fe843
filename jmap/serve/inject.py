"""The served page: the rendered page plus the small live-update script.

Injection happens only when serving, on the bytes `jmap render -f html`
would write, so a rendered file never carries the script. The page's own
Content-Security-Policy stays strict: the script and its style block are
allowed by their SHA-256 hashes, the event stream by ``connect-src 'self'``,
and nothing else is opened up.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from functools import lru_cache

from jmap.render.templating import csp_hash
from jmap.resources import templates_dir

_CSP_META = re.compile(
    r"""<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(["'])(.*?)\1\s*/?>""",
    re.IGNORECASE | re.DOTALL,
)

_TITLE = re.compile(rb"<title>.*?</title>", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=1)
def live_assets() -> tuple[str, str]:
    """The update script and its style sheet, as shipped in the package."""
    folder = templates_dir() / "serve"
    return (folder / "live.js").read_text(encoding="utf-8"), (folder / "live.css").read_text(encoding="utf-8")


def widen_policy(policy: str, script: str, style: str) -> str:
    """``policy`` plus exactly what the live script needs: the script and its
    style block by hash, and a connection to this server."""
    directives: list[list[str]] = [d.split() for d in policy.split(";") if d.strip()]
    additions = {
        "script-src": [f"'{csp_hash(script)}'"],
        "style-src": [f"'{csp_hash(style)}'"],
        "connect-src": ["'self'"],
    }
    for name, sources in additions.items():
        existing = next((d for d in directives if d[0].lower() == name), None)
        if existing is None:
            directives.append([name, *sources])
        else:
            # 'none' cannot be combined with a source: the addition replaces it.
            kept = [s for s in existing[1:] if s.lower() != "'none'"]
            existing[1:] = kept + [s for s in sources if s not in kept]
    return "; ".join(" ".join(d) for d in directives)


def head_of(page: bytes) -> str:
    """A fingerprint of the page's head but its title (the policy, the
    styles): when it changes, an open page must load afresh, as its policy
    would refuse the new styles; otherwise it swaps its body (and title) in
    place, which is quicker and keeps the scroll position for free."""
    end = page.lower().find(b"</head>")
    head = page if end < 0 else page[:end]
    return hashlib.sha256(_TITLE.sub(b"", head)).hexdigest()[:16]


def live_page(page: bytes, settings: dict[str, object]) -> bytes:
    """``page`` with the live script, its style and its settings added.

    ``settings`` (the map's key, the version shown, the links of the live
    bar) go into a ``<meta>`` element's escaped attribute: data, never code.
    """
    script, style = live_assets()
    text = page.decode("utf-8")
    found = _CSP_META.search(text)
    if found is not None:
        widened = html.escape(widen_policy(html.unescape(found.group(2)), script, style), quote=False)
        widened = widened.replace('"', "&quot;")
        meta = f'<meta http-equiv="Content-Security-Policy" content="{widened}">'
        text = text[: found.start()] + meta + text[found.end() :]
    head = (
        f'<meta name="jmap-live" content="{html.escape(json.dumps(settings, ensure_ascii=True), quote=True)}">\n'
        f'<style id="jmap-live-style">{style}</style>\n'
    )
    body = f'<script id="jmap-live-script">{script}</script>\n'
    text = _insert_before(text, "</head>", head, first=True)
    text = _insert_before(text, "</body>", body, first=False)
    return text.encode("utf-8")


def _insert_before(text: str, tag: str, addition: str, *, first: bool) -> str:
    lowered = text.lower()
    at = lowered.find(tag) if first else lowered.rfind(tag)
    if at < 0:
        # A template without that tag: the browser's parser puts it right anyway.
        return text + addition
    return text[:at] + addition + text[at:]

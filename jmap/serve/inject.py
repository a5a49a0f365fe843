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
    rb"""<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(["'])(.*?)\1\s*/?>""",
    re.IGNORECASE | re.DOTALL,
)

_TITLE = re.compile(rb"<title>.*?</title>", re.IGNORECASE | re.DOTALL)
#: The tags the live parts go before, found in the page's bytes (ASCII case
#: folding only): the offsets are those of the page itself, so no text of the
#: map (a Turkish İ, whose lower case is two characters; ß; a ligature) can
#: shift them.
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


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
    end = _HEAD_END.search(page)
    head = page if end is None else page[: end.start()]
    return hashlib.sha256(_TITLE.sub(b"", head)).hexdigest()[:16]


def live_page(page: bytes, settings: dict[str, object]) -> bytes:
    """``page`` with the live script, its style and its settings added.

    ``settings`` (the map's key, the version shown, the links of the live
    bar) go into a ``<meta>`` element's escaped attribute: data, never code.
    Everything is found and spliced in the page's bytes: the policy in the
    head, the style before the first ``</head>``, the script before the last
    ``</body>``.
    """
    script, style = live_assets()
    head_end = _HEAD_END.search(page)
    body_ends = list(_BODY_END.finditer(page, head_end.end() if head_end else 0))
    head_at = head_end.start() if head_end is not None else None
    body_at = body_ends[-1].start() if body_ends else len(page)
    # The policy is looked for in the head only (a map's text, escaped
    # anyway, is not in the head but for the title).
    found = _CSP_META.search(page, 0, head_at if head_at is not None else len(page))
    head_part = (
        f'<meta name="jmap-live" content="{html.escape(json.dumps(settings, ensure_ascii=True), quote=True)}">\n'
        f'<style id="jmap-live-style">{style}</style>\n'
    ).encode()
    body_part = f'<script id="jmap-live-script">{script}</script>\n'.encode()
    if head_at is None:
        # A template without a head: the browser's parser puts them right anyway.
        return page[:body_at] + head_part + body_part + page[body_at:]
    pieces: list[bytes] = []
    done = 0
    if found is not None:
        policy = html.unescape(found.group(2).decode("utf-8"))
        widened = html.escape(widen_policy(policy, script, style), quote=False)
        widened = widened.replace('"', "&quot;")
        meta = f'<meta http-equiv="Content-Security-Policy" content="{widened}">'.encode()
        pieces += [page[: found.start()], meta]
        done = found.end()
    pieces += [page[done:head_at], head_part, page[head_at:body_at], body_part, page[body_at:]]
    return b"".join(pieces)

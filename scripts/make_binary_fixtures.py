"""Write the test fixtures whose bytes an editor would mangle.

UTF-16, stray Latin-1 bytes, byte-order marks, control characters and
thirty thousand brackets cannot be kept reliably as hand-edited text: editors
and git filters "fix" them. So they are generated here and the output is
committed next to the hand-written fixtures; run this script again after
changing it:

    .venv/bin/python scripts/make_binary_fixtures.py
"""

from __future__ import annotations

import codecs
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INVALID = ROOT / "tests" / "fixtures" / "invalid"
VALID = ROOT / "tests" / "fixtures" / "valid"

#: A valid map to which each fixture adds one problem; strict-clean.
STAGES = "stages:\n  - id: visit\n    name: Visite\n    touchpoints:\n      - id: home\n        name: Accueil\n        channel: web\n"
CHANNELS = "channels:\n  - id: web\n    name: Site web\n"


def fixtures() -> dict[Path, bytes]:
    """Every generated file and its exact bytes."""
    out: dict[Path, bytes] = {}

    # UTF-16 with a BOM, as Windows editors save it: an error on line 3 must
    # still be reported at line 3, column 1.
    utf16 = "jmap: 1\ntitle: Téléphone et café\nprioritée: haute\n" + CHANNELS + STAGES
    out[INVALID / "utf16-bom.yaml"] = codecs.BOM_UTF16_LE + utf16.encode("utf-16-le")
    # The same without a BOM: recognised by its zero bytes.
    out[INVALID / "utf16-no-bom.yaml"] = utf16.encode("utf-16-le")
    # A BOM promising UTF-16 followed by an odd number of bytes.
    out[INVALID / "utf16-truncated.yaml"] = codecs.BOM_UTF16_LE + "jmap: 1\n".encode("utf-16-le") + b"\x00"

    # Latin-1 bytes from an old export, on lines 2 and 4.
    out[INVALID / "invalid-utf8.yaml"] = (
        b"jmap: 1\ntitle: T\xe9l\xe9phone\n" + CHANNELS.encode() + b"owner: \xc9quipe caf\xe9\n" + STAGES.encode()
    )

    # A UTF-8 BOM must not shift columns: the unknown key is at 3:1.
    out[INVALID / "utf8-bom-unknown-key.yaml"] = (
        codecs.BOM_UTF8 + ("jmap: 1\ntitle: Avec BOM\ncolour: red\n" + CHANNELS + STAGES).encode()
    )

    # An ANSI escape sequence and a bell: never echoed raw to a terminal.
    out[INVALID / "control-chars.yaml"] = (
        "jmap: 1\ntitle: \x1b[2J\x1b[31mrouge\nowner: ding\x07\n" + CHANNELS + STAGES
    ).encode()
    # A PNG screenshot saved under a map's name: one line, not one per byte.
    out[INVALID / "binary-png.yaml"] = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
        + bytes(range(256))
    )
    out[INVALID / "nul-byte.yaml"] = ("jmap: 1\ntitle: nul\x00byte\n" + CHANNELS + STAGES).encode()

    # YAML allows bidi overrides; the message quoting this key must escape it.
    out[INVALID / "bidi-override-key.yaml"] = ("jmap: 1\ntitle: Bidi\nx\u202egnp.exe: 1\n" + CHANNELS + STAGES).encode()

    # NEL (U+0085) is a line break for libyaml but not for editors, git or
    # grep: the unknown key is on line 3 as users count lines.
    out[INVALID / "nel-in-title.yaml"] = (
        'jmap: 1\ntitle: "avant\u0085après"\ncolour: red\n' + CHANNELS + STAGES
    ).encode()

    # U+2028 LINE SEPARATOR, pasted from a word processor: the same trap.
    out[INVALID / "line-separator-in-title.yaml"] = (
        'jmap: 1\ntitle: "avant\u2028après"\ncolour: red\n' + CHANNELS + STAGES
    ).encode()

    # Classic Mac line endings (CR only): every position counts CR as a line break.
    out[INVALID / "cr-only-control-char.yaml"] = (
        ("jmap: 1\ntitle: T\nowner: a\x07b\n" + CHANNELS + STAGES).replace("\n", "\r").encode()
    )
    out[INVALID / "cr-only-tab.yaml"] = (
        ("jmap: 1\ntitle: T\n" + CHANNELS + STAGES.replace("    name: Visite", "\tname: Visite"))
        .replace("\n", "\r")
        .encode()
    )

    # Thirty thousand brackets: libyaml's C composer recurses once per level
    # and crashes the interpreter at about 26,000.
    out[INVALID / "deep-nesting.yaml"] = (
        "jmap: 1\ntitle: Deep\nx-deep: " + "[" * 30_000 + "]" * 30_000 + "\n" + CHANNELS + STAGES
    ).encode()

    # Python refuses to convert integers of more than 4,300 digits.
    out[INVALID / "huge-int.yaml"] = (
        "jmap: 1\ntitle: Huge\nx-count: " + "9" * 5_000 + "\n" + CHANNELS + STAGES
    ).encode()

    # Valid maps with the bytes of other editors.
    out[VALID / "utf8-bom.yaml"] = (
        codecs.BOM_UTF8 + ("jmap: 1\ntitle: Carte enregistrée avec un BOM\nlang: fr\n" + CHANNELS + STAGES).encode()
    )
    out[VALID / "crlf-line-endings.yaml"] = (
        ("jmap: 1\ntitle: Windows line endings\n" + CHANNELS + STAGES).replace("\n", "\r\n").encode()
    )
    out[VALID / "utf16-bom.yaml"] = codecs.BOM_UTF16_LE + (
        "jmap: 1\ntitle: Carte en UTF-16 — été\nlang: fr\n" + CHANNELS + STAGES
    ).encode("utf-16-le")
    return out


def main() -> None:
    for path, data in fixtures().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()

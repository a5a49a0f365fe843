"""From a file's bytes to text that the YAML parser can read.

Byte-level problems (encoding, binary files, control characters, tabs in the
indentation, size) are found here, before parsing, so that each gets its own
explanation instead of one of libyaml's terse messages.
"""

from __future__ import annotations

import codecs
import re

from jmap.format.diagnostics import Diagnostic
from jmap.format.nodes import error_at
from jmap.format.rule_ids import Rule

MAX_BYTES = 16 * 1024 * 1024
# YAML 1.1 printable characters: everything else must not appear in a stream.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
LEADING_TAB = re.compile(r"^[ ]*\t", re.MULTILINE)


def decode(data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text: UTF-8 (with or without BOM) or UTF-16/32 with a BOM.

    UTF-16 without a BOM is recognised by its zero bytes, since editors on
    Windows write it. Invalid UTF-8 is reported at each bad line (capped), so
    the user can find the stray byte, typically Latin-1 from an old export.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _decode_with(data[len(bom) :], codec)
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        return _decode_with(data, "utf-16-le")
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        return _decode_with(data, "utf-16-be")
    text, problems = _decode_with(data, "utf-8")
    binary = _binary_kind(data, text is not None)
    if binary is not None:
        return None, [error_at(1, 1, Rule.BINARY_FILE, f"this is a binary file ({binary}), not a YAML text file")]
    return text, problems


#: File signatures of what is most often saved or renamed to .yaml by mistake.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive, or an Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
)


def _binary_kind(data: bytes, utf8: bool) -> str | None:
    """What a binary file is, or None for text.

    A signature names the usual suspects; otherwise bytes that are not UTF-8
    and hold a NUL near the start are binary data (a stray NUL in UTF-8 text
    is a control character, reported where it is).
    """
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if not utf8 and b"\x00" in data[:8192]:
        return "it holds NUL bytes"
    return None


def _decode_with(data: bytes, codec: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        return data.decode(codec), []
    except UnicodeDecodeError:
        if codec != "utf-8":
            name = codec.upper()
            return None, [error_at(1, 1, Rule.ENCODING, f"the file starts like {name} but is not valid {name}")]
    # Invalid UTF-8: find each bad byte, so the user can fix them all at once.
    problems: list[Diagnostic] = []
    seen_lines: set[int] = set()
    start = 0
    while start < len(data) and len(problems) < 20:
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            bad = start + exc.start
            line = data.count(b"\n", 0, bad) + 1
            line_start = data.rfind(b"\n", 0, bad) + 1
            col = len(data[line_start:bad].decode("utf-8", errors="replace")) + 1
            if line not in seen_lines:
                seen_lines.add(line)
                problems.append(
                    error_at(
                        line,
                        col,
                        Rule.ENCODING,
                        f"byte 0x{data[bad]:02X} is not valid UTF-8: save the file as UTF-8 "
                        "(it may be Latin-1 or Windows-1252)",
                    )
                )
            start = bad + max(1, exc.end - exc.start)
    return None, problems


def position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def precheck(text: str) -> list[Diagnostic]:
    """Problems libyaml would report badly or only one at a time."""
    problems: list[Diagnostic] = []
    for match in FORBIDDEN.finditer(text):
        line, col = position(text, match.start())
        problems.append(
            error_at(
                line,
                col,
                Rule.CONTROL_CHARACTER,
                f"control character U+{ord(match.group()):04X} is not allowed in YAML",
            )
        )
        if len(problems) >= 20:
            return problems
    for match in LEADING_TAB.finditer(text):
        line, col = position(text, match.end() - 1)
        problems.append(
            error_at(
                line,
                col,
                Rule.YAML_TAB,
                "tab character in indentation: YAML indents with spaces only (replace the tab with spaces)",
            )
        )
        if len(problems) >= 40:
            break
    return problems


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR (old Mac files) become LF, so that every position,
    ours and libyaml's, counts lines as editors do."""
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text

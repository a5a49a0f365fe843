"""Validation results and the reporters that print them.

Results are plain data; reporters are chosen by name (``text``, ``json``,
``github``) so that CI systems and editors can consume the same results
without scraping human text.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

ERROR = "error"
WARNING = "warning"
#: Problems reported per file before jmap stops looking (the summary says so):
#: a file with a million bad keys must not print a million lines.
MAX_PROBLEMS = 100

# C0/C1 controls, DEL, bidi overrides and the like: never echo them raw, a
# hostile file must not be able to drive the user's terminal.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
# What json.dumps leaves raw with ensure_ascii=False (it escapes C0 itself).
_UNPRINTABLE_IN_JSON = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


# What HTML may not hold as text: C0 controls but tab and line ends, DEL, C1.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _shown(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x07``)."""
    return _UNPRINTABLE.sub(_shown, text)


def without_controls(text: str) -> str:
    """``text`` with the control characters that markup may not hold shown as
    escapes, as ``printable`` shows them; line breaks, tabs and the invisible
    characters that scripts and emoji need (joiners, direction marks) are kept."""
    return _CONTROLS.sub(_shown, text)


class Diagnostic:
    """One problem at one place: ``FILE:LINE:COL: SEVERITY: MESSAGE [RULE]``."""

    __slots__ = ("col", "file", "line", "message", "rule", "severity")

    def __init__(self, file: str, line: int, col: int, severity: str, message: str, rule: str) -> None:
        self.file = file
        self.line = line
        self.col = col
        self.severity = severity
        self.message = message
        self.rule = rule

    def _key(self) -> tuple[str, int, int, str, str, str]:
        return (self.file, self.line, self.col, self.severity, self.message, self.rule)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Diagnostic) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Diagnostic({self.format()!r})"

    def format(self) -> str:
        return printable(f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.rule}]")

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "rule": self.rule,
        }


def sort_key(d: Diagnostic) -> tuple[int, int, int, str, str]:
    return (d.line, d.col, 0 if d.severity == ERROR else 1, d.rule, d.message)


class FileReport:
    """What validation found in one file."""

    __slots__ = ("diagnostics", "file", "truncated")

    def __init__(self, file: str, diagnostics: list[Diagnostic], truncated: bool = False) -> None:
        self.file = file
        self.diagnostics = diagnostics
        #: The checks stopped at MAX_PROBLEMS: the file may hold more problems.
        self.truncated = truncated

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    def failed(self, strict: bool) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(reports: list[FileReport], strict: bool) -> str:
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    failed = sum(1 for r in reports if r.failed(strict))
    truncated = sum(1 for r in reports if r.truncated)
    checked = _plural(len(reports), "map")
    outcome = "all valid" if not failed else f"{failed} invalid"
    return (
        f"{checked} checked, {outcome}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        + (" (--strict: warnings fail)" if strict and warnings else "")
        + (
            f"; stopped after {MAX_PROBLEMS} problems in {_plural(truncated, 'map')}, "
            "fix those and run again to see the rest"
            if truncated
            else ""
        )
    )


def report_text(reports: list[FileReport], strict: bool) -> Iterable[str]:
    for report in reports:
        for d in report.diagnostics:
            yield d.format()
    yield summary(reports, strict)


def report_json(reports: list[FileReport], strict: bool) -> Iterable[str]:
    import json

    payload = {
        "files": [
            {
                "file": r.file,
                "valid": not r.failed(strict),
                "errors": len(r.errors),
                "warnings": len(r.warnings),
                "truncated": r.truncated,
                "diagnostics": [d.as_dict() for d in r.diagnostics],
            }
            for r in reports
        ],
        "summary": {
            "maps": len(reports),
            "invalid": sum(1 for r in reports if r.failed(strict)),
            "errors": sum(len(r.errors) for r in reports),
            "warnings": sum(len(r.warnings) for r in reports),
            "strict": strict,
        },
    }
    # ensure_ascii=False keeps accents readable but writes C1 controls and
    # bidi overrides raw: escape those as JSON \u sequences.
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    yield _UNPRINTABLE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _gh_escape_data(text: str) -> str:
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_github(reports: list[FileReport], strict: bool) -> Iterable[str]:
    """GitHub Actions workflow commands: annotations on the pull request diff."""
    for report in reports:
        for d in report.diagnostics:
            level = "error" if d.severity == ERROR or strict else "warning"
            yield (
                f"::{level} file={_gh_escape_property(d.file)},line={d.line},col={d.col},"
                f"title={_gh_escape_property('jmap ' + d.rule)}::{_gh_escape_data(d.message)} [{d.rule}]"
            )
    yield summary(reports, strict)


REPORTERS = {"text": report_text, "json": report_json, "github": report_github}

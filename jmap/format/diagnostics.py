"""Validation results: one diagnostic at one place, and what one file got.

Results are plain data; jmap.format.reporters prints them.
"""

from __future__ import annotations

from jmap.text import printable

ERROR = "error"
WARNING = "warning"


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

    __slots__ = ("diagnostics", "file")

    def __init__(self, file: str, diagnostics: list[Diagnostic]) -> None:
        self.file = file
        self.diagnostics = diagnostics

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    def failed(self, strict: bool) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

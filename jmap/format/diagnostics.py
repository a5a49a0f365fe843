"""Validation results: one diagnostic at one place, and what one file got.

Results are plain data; jmap.format.reporters prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

from jmap.text import printable

ERROR = "error"
WARNING = "warning"
#: Problems reported per file before jmap stops looking (the summary says so):
#: a file with a million bad keys must not print a million lines.
MAX_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem at one place: ``FILE:LINE:COL: SEVERITY: MESSAGE [RULE]``."""

    file: str
    line: int
    col: int
    severity: str
    message: str
    rule: str

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


@dataclass(frozen=True, slots=True)
class FileReport:
    """What validation found in one file."""

    file: str
    diagnostics: list[Diagnostic]
    #: The checks stopped at MAX_PROBLEMS: the file may hold more problems.
    truncated: bool = False
    #: False for a YAML file that is almost a map and was not checked:
    #: it carries its ``near-map`` warning but is not counted as a map.
    is_map: bool = True

    #: A portfolio file's report (jmap.format.portfolio), counted apart from maps.
    is_portfolio = False

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    def failed(self, strict: bool) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

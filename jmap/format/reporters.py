"""The reporters that print validation results, chosen by name.

``text`` is for people (``FILE:LINE:COL: …`` lines and a summary), ``json``
for tools and editors, ``github`` for workflow annotations: CI systems and
editors consume the same results without scraping human text.
"""

from __future__ import annotations

import re

from jmap.format.diagnostics import ERROR, MAX_PROBLEMS, FileReport
from jmap.text import plural, printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

# What json.dumps leaves raw with ensure_ascii=False (it escapes C0 itself).
_UNPRINTABLE_IN_JSON = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def summary(reports: Sequence[FileReport], strict: bool) -> str:
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    failed = sum(1 for r in reports if r.failed(strict) and r.is_map)
    truncated = sum(1 for r in reports if r.truncated)
    checked = plural(sum(1 for r in reports if r.is_map), "map")
    portfolios = sum(1 for r in reports if r.is_portfolio)
    if portfolios:
        checked += f" and {plural(portfolios, 'portfolio')}"
    skipped = sum(1 for r in reports if not r.is_map and not r.is_portfolio)
    outcome = "all valid" if not failed else f"{failed} invalid"
    return (
        f"{checked} checked, {outcome}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
        + (f"; {plural(skipped, 'YAML file')} like a map not checked" if skipped else "")
        + (" (--strict: warnings fail)" if strict and warnings else "")
        + (
            f"; stopped after {MAX_PROBLEMS} problems in {plural(truncated, 'map')}, "
            "fix those and run again to see the rest"
            if truncated
            else ""
        )
    )


def report_text(reports: Sequence[FileReport], strict: bool) -> Iterable[str]:
    for report in reports:
        for d in report.diagnostics:
            yield d.format()
    yield summary(reports, strict)


def report_json(reports: Sequence[FileReport], strict: bool) -> Iterable[str]:
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
            "maps": sum(1 for r in reports if r.is_map),
            "not_checked": sum(1 for r in reports if not r.is_map and not r.is_portfolio),
            "portfolios": sum(1 for r in reports if r.is_portfolio),
            "invalid": sum(1 for r in reports if r.failed(strict) and r.is_map),
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


def report_github(reports: Sequence[FileReport], strict: bool) -> Iterable[str]:
    """GitHub Actions workflow commands: annotations on the pull request diff."""
    for report in reports:
        for d in report.diagnostics:
            level = "error" if d.severity == ERROR or strict else "warning"
            yield (
                f"::{level} file={_gh_escape_property(d.file)},line={d.line},col={d.col},"
                f"title={_gh_escape_property('jmap ' + d.rule)}::{_gh_escape_data(d.message)} [{d.rule}]"
            )
    yield summary(reports, strict)


REPORTERS: dict[str, Callable[[Sequence[FileReport], bool], Iterable[str]]] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
}

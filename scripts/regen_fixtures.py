"""Regenerate the ``.expected`` files of the validation fixtures from what
jmap reports (tests/fixtures/invalid and tests/fixtures/warnings).

Each ``.expected`` lists a fixture's diagnostics, one ``LINE:COL SEVERITY
RULE`` line each, followed by ``~ TEXT`` lines that the message must
contain. Run this after an intended change of a check or a message, then
review the diff like any other change, as for the golden renders:

    .venv/bin/python scripts/regen_fixtures.py            # rewrite what changed
    .venv/bin/python scripts/regen_fixtures.py --check    # exit 1 if a file would change

A ``~`` line written by hand is kept while the message at that position still
contains it (it says which words matter); a diagnostic left with none gets
its whole message, so that every change of wording shows in the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jmap.format.validator import load_file  # noqa: E402
from jmap.text import printable  # noqa: E402

FOLDERS = (ROOT / "tests" / "fixtures" / "invalid", ROOT / "tests" / "fixtures" / "warnings")

Key = tuple[str, str, str]


def _previous(path: Path) -> list[tuple[Key, list[str]]]:
    """The diagnostics of an existing ``.expected`` file with their ``~`` lines."""
    items: list[tuple[Key, list[str]]] = []
    if not path.exists():
        return items
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("~ ") and items:
            items[-1][1].append(raw[2:])
        elif raw.strip():
            position, severity, rule = raw.split()
            items.append(((position, severity, rule), []))
    return items


def expected_text(fixture: Path) -> str:
    """What the ``.expected`` file of ``fixture`` should hold."""
    previous = _previous(fixture.with_suffix(".expected"))
    lines: list[str] = []
    for diagnostic in load_file(fixture).diagnostics:
        key = (f"{diagnostic.line}:{diagnostic.col}", diagnostic.severity, diagnostic.rule)
        message = printable(diagnostic.message)
        kept: list[str] = []
        for index, (old_key, contains) in enumerate(previous):
            if old_key == key:
                kept = [part for part in contains if part in message]
                del previous[index]
                break
        lines.append(" ".join(key))
        lines.extend(f"~ {part}" for part in kept or [message])
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv not in ([], ["--check"]):
        print("usage: regen_fixtures.py [--check]", file=sys.stderr)
        return 2
    changed: list[Path] = []
    for folder in FOLDERS:
        for fixture in sorted(folder.glob("*.yaml")):
            target = fixture.with_suffix(".expected")
            text = expected_text(fixture)
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                changed.append(target)
                if not argv:
                    target.write_text(text, encoding="utf-8")
    for path in changed:
        print(f"{'stale' if argv else 'wrote'}: {path.relative_to(ROOT)}")
    if argv and changed:
        print("run: .venv/bin/python scripts/regen_fixtures.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

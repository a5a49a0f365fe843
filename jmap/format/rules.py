"""The documentation of every rule id, shipped in the package for `jmap explain`.

A user who installed jmap with pip has the command, not the repository's
``docs/`` folder: ``jmap explain yaml-tab`` prints what ``docs/rules.md`` says
about the rule. ``rules.json`` next to this module is generated from
docs/rules.md by ``scripts/gen_rules.py`` (``rules_from_markdown`` below), and
a test keeps the two in sync.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

RULES_FILE = Path(__file__).with_name("rules.json")
_ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (error|warning) \| (.*) \|\s*$")
_COLUMNS = ("triggered by", "example", "how to fix")


def rules_from_markdown(text: str) -> dict[str, dict[str, str]]:
    """Rule id → its section, severity and the table's cells, from docs/rules.md.

    A row is ``| `rule` | severity | triggered by | example | how to fix |``;
    cells are split on `` | `` (the page writes no such sequence inside a cell,
    which the test of the generated file checks).
    """
    rules: dict[str, dict[str, str]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("#"):
            section = line.lstrip("#").strip()
            continue
        match = _ROW.match(line)
        if not match:
            continue
        rule, severity, rest = match.groups()
        cells = rest.split(" | ")
        if len(cells) != len(_COLUMNS):
            raise ValueError(f"rule {rule}: expected {len(_COLUMNS)} cells after the severity, found {len(cells)}")
        rules[rule] = {"section": section, "severity": severity, **dict(zip(_COLUMNS, cells, strict=True))}
    return rules


def rules_json(text: str) -> str:
    """The content of rules.json for the docs/rules.md ``text``."""
    return json.dumps(rules_from_markdown(text), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def load_rules() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return data


def _plain(cell: str) -> str:
    """A table cell for a terminal: the table's ``\\|`` escapes undone.

    Code spans keep their backticks, as the page shows them: without them,
    "a value containing `: `" would read "a value containing :  " and the
    code that matters (a colon and a space, a backtick) would vanish.
    """
    return cell.replace("\\|", "|")


def explain(rule: str) -> str:
    """What ``rule`` means, as text for a terminal. Raises KeyError."""
    info = load_rules()[rule]
    lines = [
        f"{rule} ({info['severity']}) — {info['section']}",
        "",
        f"Triggered by: {_plain(info['triggered by'])}",
        "",
        f"Example: {_plain(info['example'])}",
        "",
        f"How to fix: {_plain(info['how to fix'])}",
    ]
    return "\n".join(lines) + "\n"

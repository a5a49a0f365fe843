"""`jmap explain RULE-ID`: what a rule of `jmap validate` means and how to fix
it, from the documentation shipped in the package (as `ruff rule` does)."""

from __future__ import annotations

import sys

from jmap.errors import UsageError


def explain_rule(rule: str | None) -> int:
    from jmap.format.hints import did_you_mean
    from jmap.format.rules import explain, load_rules

    rules = load_rules()
    if rule is None:
        width = max(len(r) for r in rules)
        for name, info in sorted(rules.items(), key=lambda item: (item[1]["section"], item[0])):
            sys.stdout.write(f"{name:<{width}}  {info['severity']:<7}  {info['section']}\n")
        return 0
    rule = rule.strip().strip("[]")
    if rule not in rules:
        raise UsageError(
            f"unknown rule id '{rule}'{did_you_mean(rule, rules)}; `jmap explain` without an id lists them all"
        )
    sys.stdout.write(explain(rule))
    return 0

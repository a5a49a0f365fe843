"""`jmap explain RULE-ID`: the rule documentation travels with the package."""

from __future__ import annotations

from pathlib import Path

from support import run_jmap

from jmap.format.rules import RULES_FILE, rules_from_markdown, rules_json

ROOT = Path(__file__).resolve().parents[2]
RULES_DOC = ROOT / "docs" / "rules.md"


def test_the_shipped_rules_are_those_of_docs_rules_md() -> None:
    """Regenerate with scripts/gen_rules.py after editing docs/rules.md."""
    assert RULES_FILE.read_text(encoding="utf-8") == rules_json(RULES_DOC.read_text(encoding="utf-8"))


def test_every_documented_rule_is_shipped() -> None:
    import re

    ids = set(re.findall(r"(?m)^\| `([a-z0-9-]+)` \| (?:error|warning) \|", RULES_DOC.read_text(encoding="utf-8")))
    assert set(rules_from_markdown(RULES_DOC.read_text(encoding="utf-8"))) == ids
    assert {"yaml-tab", "near-map", "mermaid-score", "unknown-key"} <= ids


def test_explain_prints_a_rule_from_the_installed_package(tmp_path: Path) -> None:
    proc = run_jmap("explain", "yaml-unclosed-quote", cwd=tmp_path)  # no docs/ folder around
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert out.startswith("yaml-unclosed-quote (error) — YAML traps\n")
    assert "Triggered by: " in out and "Example: " in out and "How to fix: Close the quote" in out


def test_explain_accepts_the_rule_as_printed_in_brackets() -> None:
    assert run_jmap("explain", "[unknown-key]").returncode == 0


def test_an_unknown_rule_is_a_usage_error_with_a_suggestion() -> None:
    proc = run_jmap("explain", "yaml-tabs")
    assert proc.returncode == 2
    assert "did you mean 'yaml-tab'?" in proc.stderr.decode()


def test_explain_without_an_id_lists_every_rule() -> None:
    proc = run_jmap("explain")
    assert proc.returncode == 0
    listed = {line.split()[0] for line in proc.stdout.decode().splitlines()}
    assert listed == set(rules_from_markdown(RULES_DOC.read_text(encoding="utf-8")))


def test_explain_prints_the_code_spans_of_the_documentation() -> None:
    """`: ` and `` ` `` are the point of the sentence: they must survive."""
    out = run_jmap("explain", "yaml-syntax").stdout.decode()
    assert "a value containing `: ` must be quoted" in out
    assert "`@` and `` ` `` cannot start a plain value" in out
    assert ":  must" not in out


def test_explain_yaml_syntax_covers_indentation() -> None:
    out = run_jmap("explain", "yaml-syntax").stdout.decode()
    assert "indent" in out.lower() and "yaml-indentation" in out


# -- rules as data, tied to their documentation -------------------------------------------


def test_every_rule_the_code_knows_is_documented_and_every_documented_rule_is_known() -> None:
    """A member of Rule without its row in docs/rules.md (or the reverse)
    fails here: add the row, then run scripts/gen_rules.py."""
    from jmap.format.rule_ids import ALL_RULES

    documented = set(rules_from_markdown(RULES_DOC.read_text(encoding="utf-8")))
    assert set(ALL_RULES) - documented == set(), "rules the code can report that docs/rules.md does not describe"
    assert documented - set(ALL_RULES) == set(), "rules docs/rules.md describes that the code does not know"


def _literal_rules_in_the_code() -> dict[str, str]:
    """Rule ids written as text where a diagnostic is made (``Diagnostic(…,
    "near-map")``, ``RULE_SCORE = "mermaid-score"``), rather than as members
    of Rule: id → where."""
    import ast

    found: dict[str, str] = {}
    for path in sorted((ROOT / "jmap").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "Diagnostic":
                    values += node.args[5:6] + [k.value for k in node.keywords if k.arg == "rule"]
                elif name == "error_at":
                    values += node.args[2:3]
                elif name in ("error", "warn"):  # positional rules are typed Rule (mypy checks them)
                    values += [k.value for k in node.keywords if k.arg == "rule"]
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.startswith("RULE") for t in node.targets
            ):
                values.append(node.value)
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found[value.value] = f"{path.relative_to(ROOT)}:{value.lineno}"
    return found


def test_no_rule_id_the_code_emits_is_undocumented() -> None:
    from jmap.format.rule_ids import ALL_RULES

    literal = _literal_rules_in_the_code()
    assert "near-map" in literal and "mermaid-score" in literal  # the scan sees the rules written as text
    undocumented = {rule: where for rule, where in literal.items() if rule not in set(ALL_RULES)}
    assert undocumented == {}, "rule ids emitted by the code, missing from Rule and docs/rules.md"

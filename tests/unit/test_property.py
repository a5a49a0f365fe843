"""Property tests: whatever a file holds, validation answers with diagnostics.

Hand-written fixtures cover the traps we know; these tests look for the ones
we do not. Three sources of input: random bytes, random text assembled from
YAML's own tokens (so that the parser gets deep into its states), and the
example maps with the edits a hurried user or a bad merge makes. Whatever
comes in, ``load_text`` must return, every diagnostic must be positioned
(line and column from 1) and carry a rule id documented in docs/rules.md,
and a map may only be built when there is no error.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import FIXTURES, ROOT, example_paths

from jmap.format.diagnostics import ERROR, WARNING
from jmap.format.validator import load_text

RULES_DOC = ROOT / "docs" / "rules.md"
SOURCES = [
    ROOT / "jmap" / "format" / "validator.py",
    ROOT / "jmap" / "format" / "loader.py",
    ROOT / "jmap" / "repo" / "discover.py",
    ROOT / "jmap" / "format" / "portfolio.py",
    ROOT / "jmap" / "format" / "crossmap.py",
]
#: The importer names its rule ids in RULE_… constants.
MERMAID_IMPORT = ROOT / "jmap" / "format" / "mermaid_import.py"

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def documented_rules() -> set[str]:
    """Rule ids in the first column of the tables of docs/rules.md."""
    return set(re.findall(r"(?m)^\| `([a-z0-9-]+)` \|", RULES_DOC.read_text(encoding="utf-8")))


#: Where the rule id sits among the positional arguments of each reporting call.
RULE_ARGUMENT = {"error": 1, "warn": 1, "_failed": 1, "error_at": 2, "Diagnostic": 5, "at": 5, "failed": 0}


def rules_in_code() -> set[str]:
    """Rule ids passed as string literals to the reporting calls of the sources."""
    found: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            index = RULE_ARGUMENT.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    for node in ast.parse(MERMAID_IMPORT.read_text(encoding="utf-8")).body:
        named_rule = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.startswith("RULE_") for t in node.targets
        )
        if named_rule and isinstance(node.value, ast.Constant):
            found.add(str(node.value.value))
    return found


DOCUMENTED = documented_rules()

TEXTS = [
    p.read_text(encoding="utf-8-sig")
    for p in [*example_paths(), *sorted((FIXTURES / "valid").glob("*.yaml"))]
    if p.read_bytes()[:2] not in (b"\xff\xfe", b"\xfe\xff")
]


def check_result(data: str | bytes) -> None:
    result = load_text(data, "prop.yaml")
    for d in result.diagnostics:
        assert d.line >= 1 and d.col >= 1, d.format()
        assert d.rule in DOCUMENTED, f"undocumented rule id: {d.format()}"
        assert d.severity in (ERROR, WARNING)
        assert d.file == "prop.yaml"
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", d.format()), d.format()
    if result.map is not None:
        assert result.errors == []
    else:
        assert result.errors != []


# -- the documentation covers the code ----------------------------------------------------------


def test_every_rule_id_the_code_can_emit_is_documented() -> None:
    in_code = rules_in_code()
    assert len(in_code) >= 35, "the scan of the sources found too few rule ids"
    assert in_code - DOCUMENTED == set()


def test_docs_list_no_rule_the_code_does_not_emit() -> None:
    assert DOCUMENTED - rules_in_code() == set()


# -- random bytes ----------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    check_result(data)


@PROPERTY_SETTINGS
@given(st.binary(max_size=200).map(lambda b: b"jmap: 1\ntitle: T\n" + b))
def test_random_bytes_after_a_valid_start_never_raise(data: bytes) -> None:
    check_result(data)


# -- random YAML-ish text ----------------------------------------------------------------------------

# fmt: off
TOKENS = [
    "jmap", "title", "stages", "touchpoints", "personas", "channels", "id", "name", "emotion", "next",
    "duration", "color", "metrics", "pain_points", "opportunities", "addresses", "severity", "x-a",
    ": ", ":", "- ", "-", "\n", "\n  ", "\n    ", "  ", " ", "\t", "[", "]", "{", "}", ",", "&a", "*a",
    "&b ", "*b", "!!str ", "!!int ", "!!python/object:os.system ", "!x ", "? ", "|", ">-", "'", '"', "#",
    "---", "...", "%YAML 1.1", "yes", "no", "on", "~", "null", "1", "-2", "3", "1:30", "0755", "1.0",
    ".inf", "2024-02-30", "2024-01-01", "#ff0000", "'#abc'", "45s", "1h30min", "5m", "23%", "<<",
    "é", "🎉", "\u202e", "\u0085", "\u2028", "\r\n", "\ufeff", "\x00", "\x1b",
]
# fmt: on


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_random_yaml_token_soup_never_raises(text: str) -> None:
    check_result(text)
    check_result(text.encode("utf-8", errors="surrogatepass"))


@PROPERTY_SETTINGS
@given(st.text(max_size=300))
def test_random_unicode_text_never_raises(text: str) -> None:
    check_result(text)


# -- mutated example maps -------------------------------------------------------------------------------

INSERTS = ["\t", ":", ": ", "[", "]", "{", "}", "&", "*", "!!", "#", "- ", "'", '"', "\n", "  ", "&x ", "*x", "\x07"]


@st.composite
def mutated_map(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(TEXTS)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "replace", "swap", "insert", "indent"]))
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "replace":
            lines[i] = lines[draw(st.integers(0, len(lines) - 1))]
        elif op == "swap" and len(line) >= 2:
            j = draw(st.integers(0, len(line) - 2))
            lines[i] = line[:j] + line[j + 1] + line[j] + line[j + 2 :]
        elif op == "insert":
            j = draw(st.integers(0, len(line)))
            lines[i] = line[:j] + draw(st.sampled_from(INSERTS)) + line[j:]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "  ", "\t"])) + line.lstrip(" ")
    return "\n".join(lines)


@PROPERTY_SETTINGS
@given(mutated_map())
def test_mutated_example_maps_never_raise(text: str) -> None:
    check_result(text)


def test_unmutated_sources_are_valid() -> None:
    """The mutation sources themselves validate, so mutations start from a real map."""
    assert TEXTS
    for text in TEXTS:
        assert load_text(text, "prop.yaml").errors == []


def test_the_sources_exist() -> None:
    assert RULES_DOC.is_file()
    assert all(Path(p).is_file() for p in SOURCES)

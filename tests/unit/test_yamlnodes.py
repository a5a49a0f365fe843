"""The positioned YAML loader: bytes to text, text to nodes, and YAML's traps.

Every check here is one way a real file has gone wrong: an editor's encoding,
a stray tab, implicit typing that changes a value, an alias bomb. The loader
must turn each into a positioned problem and never raise.
"""

from __future__ import annotations

import codecs

import pytest

from jmap.format import loader as yn
from jmap.format.diagnostics import Diagnostic
from jmap.format.loader import Mapping, Scalar, Sequence, compose, decode, error_at, precheck


def rules(problems: list[Diagnostic]) -> list[tuple[int, int, str]]:
    return [(p.line, p.col, p.rule) for p in problems]


def root_of(text: str) -> Mapping:
    root, problems = compose(text)
    assert problems == []
    assert isinstance(root, Mapping)
    return root


def value_of(text: str, key: str = "a") -> Scalar:
    for k, v in root_of(text).pairs:
        assert isinstance(k, Scalar)
        if k.value == key:
            assert isinstance(v, Scalar)
            return v
    raise AssertionError(f"no key {key!r}")


# -- decoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"a: \xc3\xa9", "a: é"),
        (codecs.BOM_UTF8 + b"a: 1", "a: 1"),
        ("a: é".encode("utf-16"), "a: é"),
        (codecs.BOM_UTF16_BE + "a: é".encode("utf-16-be"), "a: é"),
        ("a: é".encode("utf-16-le"), "a: é"),
        ("a: é".encode("utf-16-be"), "a: é"),
        ("a: é".encode("utf-32"), "a: é"),
        (b"", ""),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16le-no-bom", "utf16be-no-bom", "utf32", "empty"],
)
def test_decode_reads_the_encodings_editors_write(data: bytes, text: str) -> None:
    assert decode(data) == (text, [])


def test_decode_reports_each_line_with_invalid_utf8_at_the_bad_byte() -> None:
    text, problems = decode(b"jmap: 1\ntitle: caf\xe9\nok: yes\nowner: \xc9quipe \xe9t\xe9\n")
    assert text is None
    assert rules(problems) == [(2, 11, "encoding"), (4, 8, "encoding")]
    assert "0xE9" in problems[0].message and "Latin-1" in problems[0].message


def test_decode_counts_columns_in_characters_before_the_bad_byte() -> None:
    _, problems = decode("title: ééé".encode() + b"\xff")
    assert rules(problems) == [(1, 11, "encoding")]


def test_decode_caps_the_number_of_encoding_problems() -> None:
    _, problems = decode(b"\xe9\n" * 1000)
    assert len(problems) == 20
    assert [p.line for p in problems] == list(range(1, 21))


def test_decode_refuses_a_truncated_utf16_file() -> None:
    text, problems = decode(codecs.BOM_UTF16_LE + b"a\x00:")
    assert text is None
    assert rules(problems) == [(1, 1, "encoding")]
    assert "UTF-16-LE" in problems[0].message


# -- byte-level checks before parsing ------------------------------------------------------------


def test_precheck_finds_every_control_character_with_its_position() -> None:
    problems = precheck("a: x\x1b[31m\nb: \x07\nc: \x00")
    assert rules(problems) == [(1, 5, "control-character"), (2, 4, "control-character"), (3, 4, "control-character")]
    assert "U+001B" in problems[0].message


def test_precheck_allows_tab_newline_and_carriage_return_inside_values() -> None:
    assert precheck("a: one\ttwo\r\nb: 'x\ty'\n") == []


def test_precheck_caps_control_character_reports() -> None:
    assert len(precheck("\x01" * 500)) == 20


def test_precheck_reports_tabs_in_indentation_at_the_tab() -> None:
    problems = precheck("a:\n\tb: 1\nc:\n  \td: 2\n")
    assert rules(problems) == [(2, 1, "yaml-tab"), (4, 3, "yaml-tab")]
    assert "spaces" in problems[0].message


def test_compose_reads_on_past_a_tab_with_positions_of_the_original() -> None:
    root, problems = compose("a: 1\n\tb: 2\n")
    assert rules(problems) == [(2, 1, "yaml-tab")]
    assert isinstance(root, Mapping)
    key = root.pairs[1][0]
    assert isinstance(key, Scalar) and (key.value, key.line, key.col) == ("b", 2, 2)


# -- nodes and positions --------------------------------------------------------------------------


def test_nodes_carry_one_based_positions() -> None:
    root = root_of("jmap: 1\nstages:\n  - id: s\n    name: S\n")
    assert (root.line, root.col) == (1, 1)
    (k1, v1), (_, v2) = root.pairs
    assert (k1.line, k1.col, v1.line, v1.col) == (1, 1, 1, 7)
    assert isinstance(v2, Sequence) and (v2.line, v2.col) == (3, 3)
    item = v2.items[0]
    assert isinstance(item, Mapping) and (item.line, item.col) == (3, 5)
    name_value = item.pairs[1][1]
    assert (name_value.line, name_value.col) == (4, 11)


def test_positions_count_characters_not_bytes() -> None:
    root = root_of("title: Été — ☕ 🎉\nnext: 1\n")
    assert (root.pairs[1][0].line, root.pairs[1][0].col) == (2, 1)
    root = root_of("a: [é, 🎉, x]\n")
    seq = root.pairs[0][1]
    assert isinstance(seq, Sequence)
    assert [n.col for n in seq.items] == [5, 8, 11]


def test_size_counts_nodes_below() -> None:
    root = root_of("a: [1, 2, [3, 4]]\n")
    # the mapping, its key, the outer list, 1, 2, the inner list, 3, 4
    assert root.size == 8


def test_empty_text_has_no_root_and_no_problem() -> None:
    assert compose("") == (None, [])
    assert compose("# only a comment\n") == (None, [])


# -- YAML 1.1 implicit typing, remembered ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "tag", "value"),
    [
        ("yes", yn.BOOL, True),
        ("no", yn.BOOL, False),
        ("on", yn.BOOL, True),
        ("Off", yn.BOOL, False),
        ("0755", yn.INT, 493),
        ("1:30", yn.INT, 90),
        ("0x1F", yn.INT, 31),
        ("1_000", yn.INT, 1000),
        ("1.5", yn.FLOAT, 1.5),
        ("~", yn.NULL, None),
        ("", yn.NULL, None),
        ("hello", yn.STR, "hello"),
        ("'yes'", yn.STR, "yes"),
        ('"0755"', yn.STR, "0755"),
        ("!!str 12", yn.STR, "12"),
        ("! 12", yn.STR, "12"),
    ],
)
def test_scalars_are_typed_like_safe_load(raw: str, tag: str, value: object) -> None:
    node = value_of(f"a: {raw}\n")
    assert node.tag == tag
    assert node.value == value and type(node.value) is type(value)


def test_scalars_remember_how_they_were_written() -> None:
    node = value_of("a: 1:30\n")
    assert (node.raw, node.plain, node.value) == ("1:30", True, 90)
    quoted = value_of("a: '1:30'\n")
    assert (quoted.raw, quoted.plain) == ("1:30", False)


def test_dates_are_timestamps() -> None:
    node = value_of("a: 2024-05-01\n")
    assert node.tag == yn.TIMESTAMP
    assert str(node.value) == "2024-05-01"


# -- values PyYAML cannot build ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a: 2024-02-30\n", (1, 4)),
        ("a: " + "9" * 5000 + "\n", (1, 4)),
        ("a: !!int abc\n", (1, 4)),
        ("a: !!float nope\n", (1, 4)),
        ("a: !!binary '*not base64*'\n", (1, 4)),
        ("a: !!timestamp yesterday\n", (1, 4)),
    ],
    ids=["impossible-date", "5000-digit-int", "bad-int-tag", "bad-float-tag", "bad-binary", "bad-timestamp"],
)
def test_unbuildable_values_become_positioned_problems(text: str, position: tuple[int, int]) -> None:
    root, problems = compose(text)
    assert isinstance(root, Mapping)
    assert rules(problems) == [(*position, "yaml-value")]
    value = root.pairs[0][1]
    assert isinstance(value, Scalar) and value.value is None


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system x\n",
        "a: !!python/object/apply:os.system [ls]\n",
        "a: !!python/name:os.system\n",
        "a: !custom x\n",
        "a: !!set {x}\n",
        "a: !!omap [x: 1]\n",
        "? !!python/tuple [1, 2]\n: x\n",
        "a: !<tag:evil.example,2000:x> y\n",
    ],
)
def test_unsupported_tags_are_refused(text: str) -> None:
    _, problems = compose(text)
    assert [p.rule for p in problems] == ["yaml-tag"]
    assert (problems[0].line, problems[0].col) >= (1, 1)


def test_merge_keys_are_refused() -> None:
    _, problems = compose("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert rules(problems) == [(3, 3, "yaml-merge-key")]


# -- duplicate keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "phrase"),
    [
        ("a: 1\nb: 2\na: 3\n", (3, 1), "first at line 1"),
        ("yes: 1\non: 2\n", (2, 1), "the same as 'yes' at line 1"),
        ("no: 1\noff: 2\n", (2, 1), "False"),
        ("1: a\n1.0: b\n", (2, 1), "the same as '1' at line 1"),
        ("0x10: a\n16: b\n", (2, 1), "16"),
        ("~: a\nnull: b\n", (2, 1), "None"),
        ("x:\n  - {k: 1, k: 2}\n", (2, 12), "first at line 2"),
    ],
    ids=["same-text", "yes-on", "no-off", "int-float", "hex-decimal", "null-forms", "flow-mapping"],
)
def test_duplicate_keys_are_found_after_implicit_typing(text: str, where: tuple[int, int], phrase: str) -> None:
    _, problems = compose(text)
    assert rules(problems) == [(*where, "yaml-duplicate-key")]
    assert phrase in problems[0].message


def test_quoted_keys_do_not_collide_with_typed_ones() -> None:
    root_of('"yes": 1\nyes: 2\n')
    root_of('"1": a\n1: b\n')


def test_booleans_and_integers_collide_as_in_a_python_dict() -> None:
    """safe_load would keep one of ``1`` and ``yes``: True == 1 in Python."""
    _, problems = compose("1: a\nyes: b\n")
    assert rules(problems) == [(2, 1, "yaml-duplicate-key")]


def test_every_duplicate_is_reported() -> None:
    _, problems = compose("a: 1\na: 2\na: 3\nb: 1\nb: 2\n")
    assert rules(problems) == [(2, 1, "yaml-duplicate-key"), (3, 1, "yaml-duplicate-key"), (5, 1, "yaml-duplicate-key")]


def test_unhashable_keys_are_left_to_the_validator() -> None:
    root, problems = compose("? [a]\n: 1\n? [a]\n: 2\n")
    assert problems == [] and isinstance(root, Mapping)


# -- anchors and aliases ---------------------------------------------------------------------------


def test_alias_shares_the_anchored_node() -> None:
    root = root_of("a: &x [1, 2]\nb: *x\n")
    assert root.pairs[0][1] is root.pairs[1][1]


def test_undefined_alias_is_explained() -> None:
    _, problems = compose("a: *star\n")
    assert rules(problems) == [(1, 4, "yaml-alias")]
    assert "put it in quotes" in problems[0].message


def test_recursive_alias_is_refused() -> None:
    _, problems = compose("a: &x\n  b: *x\n")
    assert rules(problems) == [(2, 6, "yaml-alias")]
    assert "recursive" in problems[0].message


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    _, problems = compose("\n".join(lines) + "\n")
    assert [p.rule for p in problems] == ["yaml-alias", "yaml-anchor"]
    bomb = problems[0]
    assert "alias bomb" in bomb.message
    assert 4 <= bomb.line <= 6


def test_aliases_within_budget_are_fine() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 4)]
    lines.append("last: [*a3]")
    root_of("\n".join(lines) + "\n")


def test_alias_budget_grows_with_the_file() -> None:
    """A big file may repeat a big anchor: the budget is relative to its size."""
    items = ", ".join(["x"] * 60_000)
    root_of(f"a: &big [{items}]\nb: *big\nc: *big\n")
    _, problems = compose(f"a: &big [{items}]\nb: *big\nc: *big\nd: *big\n")
    assert rules(problems) == [(4, 4, "yaml-alias")]


def test_unused_anchor_on_an_empty_value_is_explained() -> None:
    _, problems = compose("owner: &Co\n")
    assert rules(problems) == [(1, 8, "yaml-anchor")]
    assert "named 'Co'" in problems[0].message


@pytest.mark.parametrize("text", ["title: & Co\n", "title: * starred\n", "title: &amp; more\n"])
def test_values_starting_with_anchor_or_alias_characters_are_explained(text: str) -> None:
    _, problems = compose(text)
    assert [p.rule for p in problems] == ["yaml-syntax"]
    assert "in quotes" in problems[0].message
    assert "YAML anchor" in problems[0].message or "YAML alias" in problems[0].message


# -- nesting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 100 + "]" * 100 + "\n",
        "a: " + "{b: " * 100 + "}" * 100 + "\n",
        "".join("  " * i + "-\n" for i in range(100)),
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_nesting_depth_is_bounded(text: str) -> None:
    root, problems = compose(text)
    assert root is None
    assert [p.rule for p in problems] == ["yaml-too-deep"]
    assert str(yn.MAX_DEPTH) in problems[0].message


def test_nesting_at_the_limit_is_fine() -> None:
    depth = yn.MAX_DEPTH - 1
    root_of("a: " + "[" * depth + "]" * depth + "\n")


@pytest.mark.parametrize("count", [1_500, 30_000, 200_000])
def test_very_deep_nesting_never_crashes(count: int) -> None:
    root, problems = compose("[" * count + "]" * count)
    assert root is None
    assert rules(problems) == [(1, yn.MAX_DEPTH + 1, "yaml-too-deep")]


def test_very_deep_nesting_is_reported_as_too_deep_where_it_starts() -> None:
    _, problems = compose("[" * 30_000 + "]" * 30_000)
    assert rules(problems) == [(1, yn.MAX_DEPTH + 1, "yaml-too-deep")]


def test_deep_nesting_is_reported_at_the_same_place_below_and_beyond_libyaml_limit() -> None:
    _, shallow = compose("jmap: 1\ntitle: T\nx-deep: " + "[" * 100 + "]" * 100 + "\n")
    _, deep = compose("jmap: 1\ntitle: T\nx-deep: " + "[" * 30_000 + "]" * 30_000 + "\n")
    assert rules(shallow) == rules(deep) == [(3, 72, "yaml-too-deep")]


# -- syntax errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "hint"),
    [
        ("title: Paiement: refusé\n", (1, 16), "in quotes"),
        ("a: @mention\n", (1, 4), "in quotes"),
        ("a: `cmd`\n", (1, 4), "in quotes"),
        ("a: [1, 2\nb: 3\n", (2, 2), "expected ',' or ']'"),
        ("- a\nb: c\n", (2, 1), ""),
    ],
    ids=["colon-space", "at-sign", "backtick", "unclosed-bracket", "list-then-map"],
)
def test_syntax_errors_are_positioned(text: str, position: tuple[int, int], hint: str) -> None:
    root, problems = compose(text)
    assert root is None
    assert rules(problems) == [(*position, "yaml-syntax")]
    assert hint in problems[0].message


def test_second_document_is_refused() -> None:
    root, problems = compose("a: 1\n---\nb: 2\n")
    assert isinstance(root, Mapping)
    assert rules(problems) == [(2, 1, "yaml-multiple-documents")]


def test_explicit_single_document_is_fine() -> None:
    root_of("---\na: 1\n...\n")


def test_problems_are_sorted_by_position() -> None:
    _, problems = compose("b: *nope\na: 1\na: 2\nc: !!int x\n")
    assert [(p.line, p.col) for p in problems] == sorted((p.line, p.col) for p in problems)
    assert [p.rule for p in problems] == ["yaml-alias", "yaml-duplicate-key", "yaml-value"]


def test_a_reading_error_names_position_and_rule_and_awaits_its_file() -> None:
    found = error_at(3, 4, "yaml-tab", "tab")
    assert (found.file, found.line, found.col, found.severity, found.rule) == ("", 3, 4, "error", "yaml-tab")
    assert repr(found) == "Diagnostic(':3:4: error: tab [yaml-tab]')"


def test_positions_stay_right_with_a_tab_a_control_character_and_a_nel() -> None:
    """Repairs (tab, control character) and libyaml's extra line breaks (NEL)
    together: every position is still the editor's."""
    root, problems = compose('a: "x\x85y"\nb: \x07\nc:\n\td: 1\n')
    assert rules(problems) == [(2, 4, "control-character"), (4, 1, "yaml-tab")]
    assert isinstance(root, Mapping)
    assert [(k.value, k.line, k.col) for k, _ in root.pairs] == [("a", 1, 1), ("b", 2, 1), ("c", 3, 1)]
    inner = root.pairs[2][1]
    assert isinstance(inner, Mapping)
    assert [(k.value, k.line, k.col) for k, _ in inner.pairs] == [("d", 4, 2)]


# -- slips repaired in memory: the rest of the file is read in the same run -----------


def test_an_unclosed_quote_is_reported_and_closed_in_memory() -> None:
    composed = yn.compose_repairing('a: "open\nb: 2\n')
    assert rules(composed.problems) == [(1, 4, "yaml-syntax")]
    assert "quoted value never ends" in composed.problems[0].message
    assert composed.repaired == (1,)
    assert isinstance(composed.root, Mapping)
    # Closed at the end of its line: the next line is read as the key it is.
    assert [(k.value, v.value) for k, v in composed.root.pairs] == [("a", "open"), ("b", 2)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "slip", "rule"),
    [
        ("a:\n  b: 1\n   c: x\nd: 1\n", (3, 4), "yaml-indentation"),
        ("- a: 1\n  b: 2\n c: 3\n", (3, 2), "yaml-indentation"),
        ("- a: 1\n  b: 2\n   c: 3\n", (3, 4), "yaml-indentation"),
        ("- a: 1\n  b 2\n  c: 3\n", (2, 3), "yaml-missing-colon"),
        ("a:\n\tb: 1\nc: 2\n", (2, 1), "yaml-tab"),
    ],
    ids=["one-too-many", "one-too-few", "too-deep-in-a-list", "missing-colon", "tab"],
)
def test_a_known_slip_is_reported_then_repaired(text: str, slip: tuple[int, int], rule: str) -> None:
    composed = yn.compose_repairing(text)
    assert rules(composed.problems) == [(*slip, rule)]
    assert composed.root is not None
    assert composed.repaired == (slip[0],)


def test_a_line_too_shallow_gets_the_indentation_hint_not_the_parser_message() -> None:
    composed = yn.compose_repairing("stages:\n  - id: s\n    name: S\n   goal: G\n")
    (problem,) = composed.problems
    assert (problem.line, problem.col, problem.rule) == (4, 4, "yaml-indentation")
    assert "indented 1 space less than 'name' on line 3" in problem.message
    assert "indent it by 4 spaces" in problem.message
    assert "did not find expected" not in problem.message
    assert composed.root is not None


def test_every_slip_of_a_block_is_reported_with_positions_of_the_file() -> None:
    text = "a:\n  b: 1\n c: 2\n d: 3\ne 4\nf: 5\n"
    composed = yn.compose_repairing(text)
    assert rules(composed.problems)[:2] == [(3, 2, "yaml-indentation"), (4, 2, "yaml-indentation")]
    assert composed.repaired[:2] == (3, 4)
    assert isinstance(composed.root, Mapping)
    inner = composed.root.pairs[0][1]
    assert isinstance(inner, Mapping)
    # 'c' stands where it is written, column 2, not where the repair put it.
    assert [(k.value, k.line, k.col) for k, _ in inner.pairs] == [("b", 2, 3), ("c", 3, 2), ("d", 4, 2)]


def test_repairs_are_bounded() -> None:
    text = "a:\n  b: 1\n" + " c: 2\n" * (yn.MAX_REPAIRS + 5)
    composed = yn.compose_repairing(text)
    assert len(composed.repaired) == yn.MAX_REPAIRS
    assert composed.root is None


def test_a_quote_that_swallows_the_next_key_is_closed_in_memory_and_the_key_read() -> None:
    text = 'a:\n  name: "I want\n  color: "#e76f51"\n  b: 1\n'
    composed = yn.compose_repairing(text)
    assert rules(composed.problems) == [(3, 3, "yaml-unclosed-quote")]
    assert composed.repaired == (2,)
    assert isinstance(composed.root, Mapping)
    inner = composed.root.pairs[0][1]
    assert isinstance(inner, Mapping)
    assert [(k.value, v.value) for k, v in inner.pairs] == [  # type: ignore[attr-defined]
        ("name", "I want"),
        ("color", "#e76f51"),
        ("b", 1),
    ]

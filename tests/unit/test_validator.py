"""The validator rule by rule, on small inline maps.

Each test writes the smallest map that shows one problem and checks the
position, the rule id and the words a user needs to fix it (the "did you
mean", the YAML trap explained). Valid maps are checked for what the
validator builds from them, since renderers trust that model blindly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jmap import model as m
from jmap.format import validator as v
from jmap.format.table import slugify
from jmap.format.validator import Result, load_file, load_text

HEAD = "jmap: 1\ntitle: T\n"
PERSONAS = "personas:\n  - id: sophie\n    name: Sophie\n  - id: marc\n    name: Marc\n"
CHANNELS = "channels:\n  - id: email\n    name: E-mail\n  - id: web\n    name: Web\n"


def stage_with(touchpoint_lines: str = "", stage_lines: str = "") -> str:
    """A map whose one stage holds one touchpoint ``a`` with extra lines.

    Extra stage lines start at line 16 (column 5); without them, extra touchpoint
    lines start at line 19 (column 9). Persona sophie is at line 4, channel web at line 11.
    """
    text = HEAD + PERSONAS + CHANNELS + "stages:\n  - id: s\n    name: S\n"
    text += "".join(f"    {line}\n" for line in stage_lines.splitlines())
    text += "    touchpoints:\n      - id: a\n        name: A\n"
    text += "".join(f"        {line}\n" for line in touchpoint_lines.splitlines())
    return text


def found(text: str) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.col, d.severity, d.rule) for d in load_text(text, "m.yaml").diagnostics]


def only(text: str) -> v.Diagnostic:
    """The single error of ``text`` (its quality warnings, which come in the
    same run, are checked by the tests about warnings)."""
    diagnostics = load_text(text, "m.yaml").errors
    assert len(diagnostics) == 1, [d.format() for d in diagnostics]
    return diagnostics[0]


def check(text: str, line: int, col: int, rule: str, *phrases: str) -> None:
    d = only(text)
    assert (d.line, d.col, d.severity, d.rule) == (line, col, "error", rule), d.format()
    for phrase in phrases:
        assert phrase in d.message, d.format()


def test_the_base_map_is_valid() -> None:
    result = load_text(stage_with("channel: web"), "m.yaml")
    assert result.ok and result.errors == []
    assert [d.rule for d in result.warnings] == []


# -- reading the file --------------------------------------------------------------------


def test_empty_file() -> None:
    check("", 1, 1, "empty-file", "jmap: 1")
    check("# nothing yet\n", 1, 1, "empty-file")
    check("~\n", 1, 1, "empty-file")


def test_encoding_problems_stop_before_parsing() -> None:
    result = load_text(b"jmap: 1\ntitle: caf\xe9\n", "m.yaml")
    assert result.map is None
    assert [(d.line, d.col, d.rule) for d in result.diagnostics] == [(2, 11, "encoding")]


def test_bytes_and_text_give_the_same_result() -> None:
    text = stage_with("chanel: web")
    assert load_text(text, "m.yaml").diagnostics == load_text(text.encode("utf-16"), "m.yaml").diagnostics


def test_utf8_bom_does_not_shift_columns() -> None:
    assert found("\ufeff" + HEAD + "colour: red\nstages: [{id: s, name: S}]\n") == [
        (3, 1, "error", "unknown-key"),
        (4, 10, "warning", "empty-stage"),
    ]


def test_file_too_large(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(v, "MAX_BYTES", 100)
    check(b"#" * 101, 1, 1, "file-too-large", "100")  # type: ignore[arg-type]
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 101)
    d = load_file(big).diagnostics
    assert [(x.line, x.col, x.rule) for x in d] == [(1, 1, "file-too-large")]
    assert "101 bytes" in d[0].message


def test_io_errors_are_diagnostics(tmp_path: Path) -> None:
    missing = load_file(tmp_path / "missing.yaml")
    folder = load_file(tmp_path)
    assert [(d.line, d.col, d.rule) for d in missing.diagnostics] == [(1, 1, "io")]
    assert "cannot read" in missing.diagnostics[0].message
    assert [d.rule for d in folder.diagnostics] == ["io"] and "folder" in folder.diagnostics[0].message


def test_display_name_is_used_in_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("", encoding="utf-8")
    assert load_file(path, display="maps/x.yaml").diagnostics[0].file == "maps/x.yaml"
    assert load_file(path).diagnostics[0].file == str(path)


def test_control_characters() -> None:
    check(HEAD.replace("T", "a\x1bb") + "stages: [{id: s, name: S}]\n", 2, 9, "control-character", "U+001B")


def test_a_control_character_does_not_hide_the_rest_of_the_file() -> None:
    text = HEAD.replace("T", "a\x1bb") + "colour: red\nstages: [{id: s, name: S}]\n"
    assert found(text) == [
        (2, 9, "error", "control-character"),
        (3, 1, "error", "unknown-key"),
        (4, 10, "warning", "empty-stage"),
    ]


# -- YAML traps, explained --------------------------------------------------------------------


def test_unquoted_colour_is_a_comment() -> None:
    text = HEAD + "personas:\n  - id: p\n    name: P\n    color: #ff0000\nstages: [{id: s, name: S}]\n"
    check(text, 6, 11, "invalid-color", "unquoted '#' starts a YAML comment", '"#ff0000"')


def test_sexagesimal_duration() -> None:
    check(stage_with("duration: 1:30"), 19, 19, "invalid-duration", "1:30", "sexagesimal number 90", "1h30min")


def test_sexagesimal_metric() -> None:
    check(stage_with("metrics: {wait: 1:30}"), 19, 25, "invalid-metric", "sexagesimal number 90")


@pytest.mark.parametrize(("raw", "value"), [("no", "false"), ("yes", "true"), ("on", "true"), ("off", "false")])
def test_booleans_from_words(raw: str, value: str) -> None:
    check(stage_with(f"owner: {raw}"), 19, 16, "type", f"YAML reads {raw} as the boolean {value}", f'"{raw}"')


def test_octal_number() -> None:
    check(stage_with("owner: 0755"), 19, 16, "type", "octal number 493", '"0755"')


def test_date_where_text_is_expected() -> None:
    check(stage_with("owner: 2024-01-31"), 19, 16, "type", "as a date", '"2024-01-31"')


def test_number_where_text_is_expected() -> None:
    check(stage_with("owner: 42"), 19, 16, "type", 'write "42" in quotes')


def test_value_starting_with_ampersand_is_an_anchor() -> None:
    diagnostics = load_text(stage_with("owner: &R"), "m.yaml").diagnostics
    assert [(d.line, d.col, d.rule) for d in diagnostics] == [(19, 16, "empty-value"), (19, 16, "yaml-anchor")]
    assert "anchor named 'R'" in diagnostics[1].message


def test_value_starting_with_star_is_an_alias() -> None:
    diagnostics = load_text(stage_with("owner: *bold"), "m.yaml").diagnostics
    assert ("yaml-alias", 19, 16) in [(d.rule, d.line, d.col) for d in diagnostics]
    assert any("'*' is a YAML alias" in d.message for d in diagnostics)


def test_tab_indentation() -> None:
    check(HEAD + "stages:\n\t- id: s\n    name: S\n", 4, 1, "yaml-tab")


def test_a_tab_does_not_hide_the_rest_of_the_file() -> None:
    """Tab, misspelt key and emotion of 3: the three in one run, each where it is."""
    text = stage_with("\tchanel: web\nemotion: 3")
    text = text.replace("        \tchanel", "\tchanel")
    assert found(text) == [
        (19, 1, "error", "yaml-tab"),
        (19, 2, "error", "unknown-key"),
        (20, 18, "error", "emotion-range"),
    ]


def test_duplicate_keys_yes_and_on() -> None:
    check(HEAD + "x-flags: {yes: 1, on: 2}\nstages: [{id: s, name: S}]\n", 3, 19, "yaml-duplicate-key", "'yes'")


def test_syntax_error() -> None:
    check(HEAD + "description: Paiement: refusé\n", 3, 22, "yaml-syntax", "in quotes")


# -- structure ---------------------------------------------------------------------------------


def test_root_must_be_a_mapping() -> None:
    check("- a\n", 1, 1, "root-not-mapping", "not a list")
    check("hello\n", 1, 1, "root-not-mapping", "not text")
    check("42\n", 1, 1, "root-not-mapping", "number 42")


def test_missing_jmap_key_says_what_a_map_is() -> None:
    check("title: T\nstages: [{id: s, name: S}]\n", 1, 1, "missing-key", "'jmap: 1'")


def test_missing_required_keys_name_the_entity() -> None:
    check(HEAD + "stages: [{id: s}]\n", 3, 10, "missing-key", "stage 's'", "'name'")
    check(HEAD + "stages: [{name: S}]\n", 3, 10, "missing-key", "stage is missing the required key 'id'")
    check("jmap: 1\nstages: [{id: s, name: S}]\n", 1, 1, "missing-key", "'title'")
    check(HEAD, 1, 1, "missing-key", "'stages'")


def test_no_stages() -> None:
    check(HEAD + "stages: []\n", 3, 9, "no-stages")


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("chanel: web", "(did you mean 'channel'?)"),
        ("Name2: x", "(did you mean 'name'?)"),
        ("severity: high", "('severity' belongs to a pain point)"),
        ("goal: g", "('goal' belongs to a stage)"),
        ("zzz: 1", "keys starting with 'x-' are yours"),
    ],
)
def test_unknown_keys_with_suggestions(line: str, hint: str) -> None:
    check(stage_with(line), 19, 9, "unknown-key", hint)


def test_unknown_top_level_key() -> None:
    check(HEAD + "stage: []\nstages: [{id: s, name: S}]\n", 3, 1, "unknown-key", "did you mean 'stages'")


def test_x_keys_are_allowed_anywhere() -> None:
    text = stage_with("x-a: 1\nemotion: {sophie: 1, x-why: mixed}\nmetrics: {x-note: n, m: 1}\nchannel: web")
    assert load_text(HEAD + "x-top: {any: [thing]}\n" + text[len(HEAD) :], "m.yaml").ok


def test_keys_must_be_text() -> None:
    check(stage_with("1: one"), 19, 9, "key-not-text", 'write "1" in quotes')
    check(stage_with("? [a]\n: one"), 19, 11, "key-not-text", "not a list")
    check(stage_with("~: nothing"), 19, 9, "key-not-text", "empty")


def test_null_key_is_explained() -> None:
    check(stage_with("null: nothing"), 19, 9, "key-not-text", "null", "quotes")


@pytest.mark.parametrize(
    ("line", "col", "expected"),
    [
        ("owner: [A]", 16, "must be text, not a list"),
        ("doing: {a: 1}", 16, "text or a list of texts, not a mapping"),
        ("personas: sophie", 19, "(write [sophie])"),
        ("next: a", 15, "(write [a])"),
        ("next:", 14, "next: []"),
        ("touchpoints: {}", 22, "each item starts with '- '"),
        ("pain_points: [p]", 23, "a mapping with id, name"),
        ("metrics: [1]", 18, "a mapping of metric names to values"),
        ("emotion: happy", 18, "an integer from -2 to +2"),
        ("emotion: 1.5", 18, "the number 1.5"),
        ("emotion: true", 18, "the boolean true"),
        ("emotion: {sophie: x}", 27, "the emotion of 'sophie' must be an integer"),
        ("duration: [1h]", 19, "a duration such as"),
        ("channel: [web]", 18, "an id (text)"),
    ],
)
def test_wrong_types(line: str, col: int, expected: str) -> None:
    check(stage_with(line), 19, col, "type", expected)


def test_version_must_be_the_integer_one() -> None:
    check("jmap: '1'\ntitle: T\nstages: [{id: s, name: S}]\n", 1, 7, "type", "the integer 1")
    check("jmap: 1.5\ntitle: T\nstages: [{id: s, name: S}]\n", 1, 7, "type", "the integer 1")


def test_integral_floats_are_integers_as_in_json_schema() -> None:
    result = load_text(
        "jmap: 1.0\ntitle: T\nstages: [{id: s, name: S, touchpoints: [{id: t, name: T, emotion: 2.0}]}]\n"
    )
    assert result.errors == []
    assert result.map is not None
    assert result.map.version == 1
    assert result.map.touchpoint("t").emotion.everyone == 2


@pytest.mark.parametrize("version", [0, 2, 10])
def test_unsupported_versions(version: int) -> None:
    check(
        f"jmap: {version}\ntitle: T\nstages: [{{id: s, name: S}}]\n", 1, 7, "unsupported-version", f"version {version}"
    )


@pytest.mark.parametrize(("line", "col"), [("description:", 21), ("owner: ~", 16), ("channel:", 17)])
def test_empty_values(line: str, col: int) -> None:
    check(stage_with(line), 19, col, "empty-value", "is empty")


def test_an_empty_quoted_optional_text_is_allowed() -> None:
    jm = load_text(stage_with("owner: ''\nchannel: web"), "m.yaml").map
    assert jm is not None and jm.touchpoint("a").owner == ""


def test_names_must_not_be_blank() -> None:
    check(HEAD.replace("title: T", "title: '  '") + "stages: [{id: s, name: S}]\n", 2, 8, "empty-value", "'title'")
    check(stage_with().replace("name: A", "name: ''"), 18, 15, "empty-value", "'name' must not be empty")


@pytest.mark.parametrize(
    ("ident", "suggestion"),
    [
        ("Home", "home"),
        ("page d'accueil", "page-d-accueil"),
        ("Étape 1", "etape-1"),
        ("-start", "start"),
        ("a b", "a-b"),
    ],
)
def test_bad_ids_suggest_a_slug(ident: str, suggestion: str) -> None:
    check(stage_with().replace("id: a\n", f'id: "{ident}"\n'), 17, 13, "id-format", f"did you mean '{suggestion}'?")


def test_bad_id_without_a_possible_slug() -> None:
    d = only(stage_with().replace("id: a\n", 'id: "日本"\n'))
    assert d.rule == "id-format" and "did you mean" not in d.message


@pytest.mark.parametrize(
    "text",
    [
        stage_with('channel: web\ntouchpoints: [{id: "b\\n", name: B}]'),
        stage_with('channel: web\nduration: "1h\\n"'),
        stage_with("channel: web").replace("name: Sophie\n", 'name: Sophie\n    color: "#fff\\n"\n'),
    ],
    ids=["id", "duration", "color"],
)
def test_a_trailing_newline_is_not_part_of_a_valid_value(text: str) -> None:
    assert load_text(text, "m.yaml").errors != []


@pytest.mark.parametrize(
    ("line", "col", "phrase"),
    [
        ("severity: hihg", 23, "did you mean 'high'?"),
        ("severity: High", 23, "did you mean 'high'?"),
        ("severity: urgent", 23, "one of low, medium, high, critical"),
    ],
)
def test_enum_values(line: str, col: int, phrase: str) -> None:
    text = stage_with(f"pain_points:\n  - id: p\n    name: P\n    {line}")
    check(text, 22, 23, "invalid-value", phrase)


def test_enum_with_a_boolean_is_a_type_error_with_the_trap() -> None:
    check(HEAD + "lang: no\nstages: [{id: s, name: S}]\n", 3, 7, "type", "boolean false")
    # "no" in quotes is no language either: no advice to quote it.
    assert "in quotes" not in only(HEAD + "lang: no\nstages: [{id: s, name: S}]\n").message


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ('"#12345"', "'#12345'"),
        ('"red"', "'red'"),
        ('"#ggg"', "'#ggg'"),
        ("", "is empty"),
    ],
)
def test_bad_colours(value: str, phrase: str) -> None:
    text = HEAD + f"personas:\n  - id: p\n    name: P\n    color: {value}\nstages: [{{id: s, name: S}}]\n"
    d = only(text)
    assert (d.line, d.rule) == (6, "invalid-color") and phrase in d.message


def test_colour_of_wrong_type() -> None:
    text = HEAD + "personas:\n  - id: p\n    name: P\n    color: 123\nstages: [{id: s, name: S}]\n"
    check(text, 6, 12, "type", "a colour")


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("30", "a bare number is ambiguous, add a unit such as 30min or 30s"),
        ("1.5", "a bare number is ambiguous"),
        ("5m", "'m' is ambiguous"),
        ("1h 30min", "without spaces: '1h30min'"),
        ("3days", "(unknown unit 'days': write '3d')"),
        ("2 semaines", "(unknown unit 'semaines': write '2w')"),
        ("2 jours", "(unknown unit 'jours': write '2d')"),
        ("3 blorps", "(unknown unit 'blorps'; units: s, min, h, d, w, mo, y)"),
        ("30min1h", "largest unit first"),
        ("1h1h", "each unit may appear once"),
        ("h", "number-unit pairs"),
        ("", "is empty"),
    ],
)
def test_bad_durations(value: str, phrase: str) -> None:
    check(stage_with(f"duration: {value}"), 19, 19 if value else 18, "invalid-duration", phrase)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("45s", 45), ("10min", 600), ("1h30min", 5400), ("2w", 1209600), ("6mo", 6 * 30 * 86400), ("1.5h", 5400)],
)
def test_good_durations_become_seconds(value: str, seconds: float) -> None:
    jm = load_text(stage_with(f"duration: {value}\nchannel: web"), "m.yaml").map
    assert jm is not None
    assert jm.touchpoint("a").duration == m.Duration(value, seconds)


@pytest.mark.parametrize(
    ("value", "col", "phrase"),
    [
        ("'68 %'", 22, "(write '68%')"),
        ("high", 22, "not 'high'"),
        (".inf", 22, "finite"),
        ("true", 22, "a number, a percentage"),
    ],
)
def test_bad_metrics(value: str, col: int, phrase: str) -> None:
    check(stage_with(f"metrics: {{m: {value}}}"), 19, col, "invalid-metric" if value != "true" else "type", phrase)


def test_metric_mapping_needs_a_value() -> None:
    check(stage_with("metrics: {m: {target: 3}}"), 19, 22, "missing-key", "'value'")
    check(stage_with("metrics: {m: {value: 3, goal: 4}}"), 19, 33, "unknown-key", "in a metric")


def test_metrics_are_built() -> None:
    text = stage_with(
        "channel: web\nmetrics: {n: 12, p: '23.5%', full: {value: 22%, target: 25%, unit: pts, source: CRM}}"
    )
    jm = load_text(text, "m.yaml").map
    assert jm is not None
    assert jm.touchpoint("a").metrics == (
        m.Metric("n", m.MetricValue(12.0, False, "12")),
        m.Metric("p", m.MetricValue(23.5, True, "23.5%")),
        m.Metric("full", m.MetricValue(22.0, True, "22%"), m.MetricValue(25.0, True, "25%"), "pts", "CRM"),
    )


def test_sub_touchpoints_nest_two_levels_at_most() -> None:
    deep = "touchpoints:\n  - id: b\n    name: B\n    touchpoints:\n      - id: c\n        name: C"
    assert load_text(stage_with(deep + "\nchannel: web"), "m.yaml").errors == []
    deeper = deep + "\n        touchpoints: []"
    check(stage_with(deeper), 25, 17, "nesting-too-deep", "at most 2 levels")


# -- references ----------------------------------------------------------------------------------


def test_duplicate_ids_across_kinds() -> None:
    check(stage_with().replace("id: a\n", "id: sophie\n"), 17, 13, "duplicate-id", "persona at line 4")


def test_duplicate_ids_of_the_same_kind() -> None:
    text = stage_with("channel: web").replace("stages:\n", "stages:\n  - id: a\n    name: First\n")
    check(text, 19, 13, "duplicate-id", "the stage at line 14")


def test_duplicate_id_is_reported_at_the_later_occurrence() -> None:
    text = stage_with("touchpoints:\n  - id: a\n    name: Again")
    check(text, 20, 17, "duplicate-id", "the touchpoint at line 17")


@pytest.mark.parametrize(
    ("line", "col", "phrase"),
    [
        ("channel: emial", 18, "unknown channel 'emial' (did you mean 'email'?)"),
        ("channel: fax", 18, "unknown channel 'fax'"),
        ("personas: [sophei]", 20, "unknown persona 'sophei' (did you mean 'sophie'?)"),
        ("next: [b]", 16, "unknown touchpoint 'b'"),
        ("emotion: {sophy: 1}", 19, "unknown persona 'sophy' in 'emotion' (did you mean 'sophie'?)"),
    ],
)
def test_unknown_references(line: str, col: int, phrase: str) -> None:
    check(stage_with(line), 19, col, "unknown-reference", phrase)


def test_unknown_pain_point_in_addresses() -> None:
    text = (
        stage_with("pain_points: [{id: slow, name: Slow}]")
        + "opportunities:\n  - id: o\n    name: O\n    addresses: [slo]\n"
    )
    check(text, 23, 17, "unknown-reference", "unknown pain point 'slo' (did you mean 'slow'?)")


@pytest.mark.parametrize(
    ("line", "col", "phrase"),
    [
        ("next: [s]", 16, "'s' is a stage (line 14), not a touchpoint"),
        ("channel: sophie", 18, "'sophie' is a persona (line 4), not a channel"),
        ("personas: [web]", 20, "'web' is a channel (line 11), not a persona"),
    ],
)
def test_references_to_the_wrong_kind(line: str, col: int, phrase: str) -> None:
    check(stage_with(line), 19, col, "wrong-reference", phrase)


def test_duplicate_reference() -> None:
    check(stage_with("personas: [sophie, sophie]"), 19, 28, "duplicate-reference", "listed twice")


def test_next_may_point_at_any_depth_and_stage() -> None:
    text = stage_with(
        "channel: web\nnext: [c]\ntouchpoints:\n  - id: b\n    name: B\n    touchpoints:\n      - id: c\n        name: C"
    )
    jm = load_text(text, "m.yaml").map
    assert jm is not None and jm.touchpoint("a").next == ("c",)


def test_emotion_for_a_persona_who_does_not_pass() -> None:
    check(
        stage_with("personas: [marc]\nemotion: {sophie: 1, marc: 0}"),
        20,
        19,
        "emotion-persona",
        "persona 'sophie' does not pass touchpoint 'a' (its personas: marc)",
    )


def test_sub_touchpoints_inherit_personas_for_emotions() -> None:
    inherited = "personas: [marc]\nchannel: web\ntouchpoints:\n  - id: b\n    name: B\n    emotion: {marc: 1}"
    assert load_text(stage_with(inherited), "m.yaml").errors == []
    wrong = inherited.replace("{marc: 1}", "{sophie: 1}")
    check(stage_with(wrong), 24, 23, "emotion-persona", "touchpoint 'b'")


def test_emotion_range() -> None:
    check(stage_with("emotion: 3"), 19, 18, "emotion-range", "is 3, outside the scale -2")
    check(stage_with("emotion: -5"), 19, 18, "emotion-range")
    check(stage_with("emotion: {sophie: 9}"), 19, 27, "emotion-range", "the emotion of 'sophie' is 9")


def test_every_problem_of_a_per_persona_emotion_is_reported() -> None:
    rules = {d.rule for d in load_text(stage_with("emotion: {sophie: 1, nobody: 2, 3: 1}"), "m.yaml").errors}
    assert rules == {"key-not-text", "unknown-reference"}


# -- every problem in one run --------------------------------------------------------------------


def test_all_problems_of_a_file_in_one_run_sorted_by_position() -> None:
    text = (
        HEAD.replace("jmap: 1", "jmap: 2")
        + "lang: de\n"
        + stage_with("chanel: web\nemotion: 4\nduration: 1:30")[len(HEAD) :]
    )
    result = load_text(text, "m.yaml")
    assert [(d.line, d.rule) for d in result.diagnostics] == [
        (1, "unsupported-version"),
        (3, "invalid-value"),
        (20, "unknown-key"),
        (21, "emotion-range"),
        (22, "invalid-duration"),
    ]
    assert result.map is None and not result.ok


def test_structural_and_reference_errors_together() -> None:
    rules = [d.rule for d in load_text(stage_with("channel: nope\nemotion: 9"), "m.yaml").diagnostics]
    assert rules == ["unknown-reference", "emotion-range"]


# -- quality warnings -----------------------------------------------------------------------------


def test_warnings_come_with_errors_but_not_about_a_broken_entity() -> None:
    result = load_text(HEAD + "stages:\n  - id: s\n    name: S\n  - id: t\n    name: T\n    owner: 1\n", "m.yaml")
    # Stage s is empty (a warning); stage t is empty too, but its own error says enough.
    assert [(d.line, d.rule) for d in result.diagnostics] == [(4, "empty-stage"), (8, "unknown-key")]
    assert result.map is None


def test_each_quality_warning() -> None:
    text = (
        HEAD
        + PERSONAS
        + "stages:\n  - id: empty\n    name: E\n  - id: s\n    name: S\n    touchpoints:\n"
        + "      - id: a\n        name: A\n        personas: [sophie]\n"
        + "        pain_points:\n          - {id: crit, name: C, severity: critical}\n"
        + "          - {id: hi, name: H, severity: high}\n          - {id: med, name: M}\n"
        + "opportunities:\n  - {id: o, name: O, addresses: [hi]}\n"
    )
    result = load_text(text, "m.yaml")
    assert result.ok, "warnings do not make a map invalid"
    assert [(d.line, d.col, d.severity, d.rule) for d in result.diagnostics] == [
        (6, 5, "warning", "unused-persona"),
        (9, 5, "warning", "empty-stage"),
        (14, 9, "warning", "missing-channel"),
        (18, 13, "warning", "unaddressed-pain-point"),
    ]
    assert "critical pain point 'crit'" in result.diagnostics[3].message


def test_sub_touchpoints_need_no_channel() -> None:
    text = stage_with("channel: web\ntouchpoints:\n  - id: b\n    name: B")
    assert load_text(text, "m.yaml").diagnostics == []


# -- results and the model built ------------------------------------------------------------------


def test_result_properties() -> None:
    result = load_text(stage_with("chanel: web"), "x.yaml")
    assert isinstance(result, Result)
    assert result.file == "x.yaml"
    assert [d.rule for d in result.errors] == ["unknown-key"] and result.warnings == []
    assert result.map is None and result.ok is False


def test_valid_map_becomes_a_model_with_defaults() -> None:
    text = (
        HEAD
        + "personas: [{id: p, name: P, goals: Be fast}]\n"
        + "channels: [{id: shop, name: Shop}]\n"
        + "stages:\n  - id: s\n    name: S\n    touchpoints:\n"
        + "      - {id: a, name: A, channel: shop, doing: Walks, emotion: {p: -2}, pain_points: [{id: pp, name: PP}]}\n"
    )
    jm = load_text(text, "m.yaml").map
    assert jm is not None
    assert (jm.version, jm.lang, jm.title) == (1, "en", "T")
    assert jm.personas == (m.Persona("p", "P", goals=("Be fast",)),)
    assert jm.channel("shop").type == "online"
    tp = jm.touchpoint("a")
    assert tp.doing == ("Walks",)
    assert tp.emotion == m.Emotion(per_persona={"p": -2})
    assert tp.personas is None and tp.next is None
    assert jm.pain_point("pp").severity == "medium"


def test_same_input_same_diagnostics() -> None:
    text = stage_with("chanel: x\nemotion: 7\nduration: 5m")
    assert load_text(text, "m.yaml").diagnostics == load_text(text, "m.yaml").diagnostics


def test_slugify() -> None:
    assert slugify("Prise de Conscience") == "prise-de-conscience"
    assert slugify("  Ça va ?  ") == "ca-va"
    assert slugify("日本") == ""


def test_an_invisible_character_in_an_id_is_shown() -> None:
    """``id: "start\\n"`` was reported as "id 'start' is not valid (did you
    mean 'start'?)": the message must show what differs."""
    from jmap.format.validator import load_text as _load

    result = _load('jmap: 1\ntitle: T\nstages:\n  - id: "start\\n"\n    name: S\n', "m.yaml")
    [diagnostic] = result.errors
    assert diagnostic.rule == "id-format"
    assert "id 'start\\n' is not a valid id" in diagnostic.format()
    assert "(did you mean 'start'?)" in diagnostic.message


def test_a_metric_may_carry_a_label() -> None:
    result = load_text(stage_with("metrics:\n  note_moyenne: 4.3\n  abandon: {value: 69%, label: Abandon du panier}\n"))
    assert result.map is not None, result.diagnostics
    metrics = result.map.all_touchpoints().__next__().metrics
    assert [(mt.name, mt.label) for mt in metrics] == [("note_moyenne", None), ("abandon", "Abandon du panier")]


# -- advice that works: every hint, applied, makes the value valid ---------------------

_HINTS = (
    # (pattern in the message, how to apply what it captured to the value at the position)
    (r'\(write "([^"]+)" in quotes(?: if it is text)?\)', lambda found: f'"{found}"'),
    (r"did you mean '([^']+)'\?", lambda found: found),
    (r"write(?: it without spaces:)? '([^']+)'\)", lambda found: found),
    (r"write '([a-z_]+: [^']+)'$", lambda found: found),
)


def apply_hint(text: str, diagnostic: v.Diagnostic) -> str | None:
    """``text`` with the advice of ``diagnostic`` followed, or None when it gives none.

    The value at the diagnostic's position runs to the end of its line, or to
    the next ',', ']' or '}' inside brackets, or to a comment.
    """
    import re

    lines = text.split("\n")
    line = lines[diagnostic.line - 1]
    start = diagnostic.col - 1
    for pattern, replacement in _HINTS:
        match = re.search(pattern, diagnostic.message)
        if match is None:
            continue
        rest = line[start:]
        if "[" in line[:start] or "{" in line[:start]:
            end = start + len(re.split(r"[,\]}]", rest)[0].rstrip())
        elif rest.startswith("#"):
            end = len(line)
        else:
            end = start + len(rest.split(" #")[0].rstrip())
        if match.group(1).startswith(line[start:end].split(" ")[0] + ":"):
            end = len(line)  # a missing colon: the whole key and value
        lines[diagnostic.line - 1] = line[:start] + replacement(match.group(1)) + line[end:]
        return "\n".join(lines)
    return None


ADVISED = [
    stage_with("emotion: 1.5"),
    stage_with("channel: web\nmetrics:\n  opened: 2024-03-01"),
    stage_with("channel: web\nmetrics:\n  satisfied: yes"),
    stage_with("channel: web\nduration: 2 jours"),
    stage_with("channel: web\nduration: 3days"),
    stage_with("channel: web\nduration: 1 h"),
    stage_with("channel: web\nduration: 1h30"),
    stage_with("channel: web\nduration: 1,5h"),
    stage_with("channel: web\nduration: 3 semaines"),
    stage_with("channel: web\nmetrics:\n  satisfaction: 12,5 %"),
    stage_with("channel: webb"),
    stage_with("chanel: web"),
    stage_with("channel: web\ndoing: yes"),
    stage_with("channel: web\nowner: 0755"),
    stage_with("channel: web\nmetrics:\n  nps: '23 %'"),
    HEAD + "lang: no\nstages: [{id: s, name: S, touchpoints: [{id: a, name: A}]}]\n",
    HEAD + "lang: fre\nstages: [{id: s, name: S, touchpoints: [{id: a, name: A}]}]\n",
    HEAD
    + "personas:\n  - id: p\n    name: P\n    color: #2a9d8\nstages: [{id: s, name: S, touchpoints: [{id: a, name: A}]}]\n",
    HEAD
    + "personas:\n  - id: p\n    name: P\n    color: #2a9d8f\nstages: [{id: s, name: S, touchpoints: [{id: a, name: A}]}]\n",
    HEAD + "stages:\n  - id: s\n    name: S\n    touchpoints:\n      - id a\n        name: A\n",
]


@pytest.mark.parametrize("text", ADVISED)
def test_every_hint_followed_makes_the_value_valid(text: str) -> None:
    """A hint is given only when following it fixes that value: the advice is
    applied to the text as a user would, and the value re-validated."""
    for diagnostic in load_text(text, "m.yaml").errors:
        fixed = apply_hint(text, diagnostic)
        if fixed is None:
            continue
        again = [(d.line, d.rule, d.message) for d in load_text(fixed, "m.yaml").errors]
        assert not [d for d in again if d[0] == diagnostic.line], (diagnostic.format(), fixed, again)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("emotion: 1.5", "not the number 1.5"),
        ("channel: web\nmetrics:\n  opened: 2024-03-01", "YAML reads 2024-03-01 as a date"),
        ("channel: web\nmetrics:\n  satisfied: yes", "YAML reads yes as the boolean true"),
    ],
)
def test_no_advice_to_quote_a_value_that_quotes_would_not_make_valid(value: str, words: str) -> None:
    (diagnostic,) = load_text(stage_with(value), "m.yaml").errors
    assert words in diagnostic.message
    assert "in quotes" not in diagnostic.message


def test_hints_that_work_are_still_given() -> None:
    messages = [d.message for text in ADVISED for d in load_text(text, "m.yaml").errors]
    advised = [message for message in messages if any(__import__("re").search(p, message) for p, _ in _HINTS)]
    assert len(advised) >= 10, messages

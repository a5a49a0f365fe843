"""`jmap init` and `jmap schema` through the real console script.

The schema and the validator are two statements of the same format: editors
check maps with the first, CI with the second. So beyond "the schema is valid
JSON Schema" these tests make them judge the same files: every valid map
passes both, every structurally invalid fixture fails both, and fixtures whose
only problems need the whole map (ids, references) pass the schema, which
cannot see them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from support import FIXTURES, ROOT, example_paths, run_jmap

from jmap.format.loader import decode
from jmap.format.schema import SCHEMA_ID, schema_text

SHIPPED = ROOT / "jmap" / "format" / "journey-map.schema.json"
INIT_TEMPLATES = ROOT / "jmap" / "templates" / "init"
TEMPLATES = ("basic", "ecommerce")
LANGS = ("en", "fr")
MODELINE = f"# yaml-language-server: $schema={SCHEMA_ID}"

#: Rules that need the whole map: beyond what JSON Schema can express.
SEMANTIC_RULES = {"duplicate-id", "unknown-reference", "wrong-reference", "emotion-persona"}
#: Rules about bytes and YAML itself: the data a schema would see does not exist
#: or is not what the file says (duplicate keys collapsed, aliases expanded).
#: The libyaml parser, as jmap uses: the pure-Python one disagrees on corner
#: cases such as ``[Nice, Cheap?]``.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Fixtures whose data has no JSON form (JSON object keys are strings).
NOT_JSON = {"complex-key", "non-string-key"}
YAML_LEVEL_PREFIXES = ("yaml-", "encoding", "control-character", "empty-file", "binary-file", "file-too-large", "io")


def yaml_data(path: Path) -> Any:
    text, problems = decode(path.read_bytes())
    assert text is not None and not problems
    return yaml.load(text.removeprefix("\ufeff"), Loader=LOADER)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    proc = run_jmap("schema")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def schema_errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


# -- jmap schema -----------------------------------------------------------------------------


def test_schema_command_prints_the_shipped_file_byte_for_byte() -> None:
    proc = run_jmap("schema")
    assert proc.returncode == 0
    assert proc.stdout == SHIPPED.read_bytes()


def test_shipped_schema_is_in_sync_with_the_format_definition() -> None:
    """Fails when jmap/format/table.py changes without `python scripts/gen_schema.py`."""
    assert SHIPPED.read_text(encoding="utf-8") == schema_text()


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_describes_each_entity_and_each_key_where_it_stands(schema: dict[str, Any]) -> None:
    """Editors show these descriptions: ``personas`` at the top level is a list
    of persona objects, on a touchpoint a list of persona ids."""
    top = schema["properties"]
    assert "persona objects" in top["personas"]["description"]
    assert "ids" not in top["personas"]["description"]
    touchpoint = schema["$defs"]["touchpoint"]["properties"]
    assert touchpoint["personas"]["description"].startswith("Ids of the personas")
    assert "objects" in schema["$defs"]["stage"]["properties"]["touchpoints"]["description"]
    for name, entity in [("map", schema), *schema["$defs"].items()]:
        assert entity.get("description"), f"{name} has no description"
        undocumented = [key for key, value in entity["properties"].items() if not value.get("description")]
        assert undocumented == [], f"{name}: keys without a description: {undocumented}"


def test_schema_output_option_writes_the_same_file(tmp_path: Path) -> None:
    target = tmp_path / "journey-map.schema.json"
    proc = run_jmap("schema", "-o", str(target))
    assert proc.returncode == 0
    assert target.read_bytes() == SHIPPED.read_bytes()


def test_schema_is_deterministic() -> None:
    assert run_jmap("schema").stdout == run_jmap("schema").stdout


# -- the schema agrees with the validator ------------------------------------------------------


def valid_maps() -> list[Path]:
    return [
        *sorted((FIXTURES / "valid").glob("*.yaml")),
        *sorted((FIXTURES / "warnings").glob("*.yaml")),
        *example_paths(),
        *sorted(INIT_TEMPLATES.glob("*.yaml")),
    ]


@pytest.mark.parametrize("path", valid_maps(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_valid_map_passes_the_schema(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    assert schema_errors(validator, yaml_data(path)) == []


def _expected_rules(stem: str) -> set[str]:
    lines = (FIXTURES / "invalid" / f"{stem}.expected").read_text(encoding="utf-8").splitlines()
    # Warnings come in the same run as errors; only the errors tell the kind.
    return {line.split()[2] for line in lines if line and not line.startswith("~") and line.split()[1] == "error"}


def _classify() -> tuple[list[str], list[str]]:
    semantic, structural = [], []
    for path in sorted((FIXTURES / "invalid").glob("*.yaml")):
        rules = _expected_rules(path.stem)
        if path.stem in NOT_JSON or any(rule.startswith(YAML_LEVEL_PREFIXES) for rule in rules):
            continue
        (semantic if rules <= SEMANTIC_RULES else structural).append(path.stem)
    return semantic, structural


SEMANTIC_FIXTURES, STRUCTURAL_FIXTURES = _classify()


def test_fixtures_cover_both_kinds() -> None:
    assert len(SEMANTIC_FIXTURES) >= 6
    assert len(STRUCTURAL_FIXTURES) >= 25


@pytest.mark.parametrize("stem", SEMANTIC_FIXTURES)
def test_schema_passes_maps_whose_errors_need_the_whole_map(
    validator: jsonschema.Draft202012Validator, stem: str
) -> None:
    assert schema_errors(validator, yaml_data(FIXTURES / "invalid" / f"{stem}.yaml")) == []


@pytest.mark.parametrize("stem", STRUCTURAL_FIXTURES)
def test_schema_rejects_structurally_invalid_fixtures(validator: jsonschema.Draft202012Validator, stem: str) -> None:
    assert schema_errors(validator, yaml_data(FIXTURES / "invalid" / f"{stem}.yaml")) != []


def _structural_problems(text: str) -> list[str]:
    from jmap.format.validator import load_text

    return [d.rule for d in load_text(text, "m.yaml").errors if d.rule not in SEMANTIC_RULES]


BASE = """\
jmap: 1
title: T
personas:
  - id: sophie
    name: Sophie
channels:
  - id: web
    name: Web
stages:
  - id: s
    name: S
    touchpoints:
      - id: a
        name: A
        channel: web
        {line}
"""

#: One touchpoint line each, judged the same way by the schema and the validator.
AGREEMENT_CASES = [
    ("emotion: 2", True),
    ("emotion: -3", False),
    ("emotion: {sophie: -2, x-note: ok}", True),
    ("emotion: {Sophie: 1}", False),
    ("emotion: '1'", False),
    ("duration: 1h30min", True),
    ("duration: 30min1h", False),
    ("duration: 1.5h", True),
    ("duration: '1 h'", False),
    ("metrics: {a: 12, b: '23%', c: -1.5, d: {value: 3, target: '4%', unit: u, source: s}}", True),
    ("metrics: {a: '23 %'}", False),
    ("metrics: {a: {target: 3}}", False),
    ("metrics: {a: true}", False),
    ("next: []", True),
    ("next: [a, a]", False),
    ("next: [Bad]", False),
    ("doing: [one, two]", True),
    ("doing: [one, 2]", False),
    ("personas: []", True),
    ("pain_points: [{id: p, name: P, severity: extreme}]", False),
    ("pain_points: [{id: p, name: P, severity: critical, owner: o}]", True),
    ("name2: x", False),
    ("x-anything: [1, {2: 3}]", True),
    ("touchpoints: [{id: b, name: B, touchpoints: [{id: c, name: C}]}]", True),
    ("touchpoints: [{id: b, name: B, touchpoints: [{id: c, name: C, touchpoints: []}]}]", False),
    ("owner: ''", True),
    ("description: null", False),
]


@pytest.mark.parametrize(("line", "valid"), AGREEMENT_CASES, ids=[c[0] for c in AGREEMENT_CASES])
def test_schema_and_validator_agree_on_each_field(
    validator: jsonschema.Draft202012Validator, line: str, valid: bool
) -> None:
    text = BASE.format(line=line)
    assert (_structural_problems(text) == []) is valid
    assert (schema_errors(validator, yaml.load(text, Loader=LOADER)) == []) is valid


@pytest.mark.parametrize(
    "text", ["jmap: 1.0\ntitle: T\nstages: [{id: s, name: S}]\n", BASE.format(line="emotion: 1.0")]
)
def test_schema_and_validator_agree_on_integral_floats(validator: jsonschema.Draft202012Validator, text: str) -> None:
    assert (_structural_problems(text) == []) is (schema_errors(validator, yaml.load(text, Loader=LOADER)) == [])


def test_schema_and_validator_agree_on_padded_percentages(validator: jsonschema.Draft202012Validator) -> None:
    text = BASE.format(line="metrics: {a: ' 23%'}")
    assert (_structural_problems(text) == []) is (schema_errors(validator, yaml.load(text, Loader=LOADER)) == [])


# -- jmap init --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_init_writes_a_map_that_validates_strictly_and_passes_the_schema(
    tmp_path: Path, validator: jsonschema.Draft202012Validator, template: str, lang: str
) -> None:
    target = tmp_path / "journey.yaml"
    proc = run_jmap("init", str(target), "--template", template, "--lang", lang)
    assert proc.returncode == 0, proc.stderr.decode()
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == MODELINE
    loaded = yaml.load(text, Loader=LOADER)
    assert loaded["jmap"] == 1
    assert loaded.get("lang", "en") == lang
    assert schema_errors(validator, loaded) == []
    check = run_jmap("validate", "--strict", str(target))
    assert check.returncode == 0, check.stdout.decode()


def test_init_lists_the_templates() -> None:
    proc = run_jmap("init", "--list")
    assert proc.returncode == 0
    assert proc.stdout.decode().split() == list(TEMPLATES)


def test_init_default_file_name(tmp_path: Path) -> None:
    proc = run_jmap("init", cwd=tmp_path)
    assert proc.returncode == 0
    assert (tmp_path / "journey-map.yaml").read_text(encoding="utf-8").startswith(MODELINE)


def test_init_to_standard_output() -> None:
    proc = run_jmap("init", "-", "--template", "ecommerce", "--lang", "fr")
    assert proc.returncode == 0
    assert proc.stdout == (INIT_TEMPLATES / "ecommerce.fr.yaml").read_bytes()


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    target.write_text("my precious map\n", encoding="utf-8")
    proc = run_jmap("init", str(target))
    assert proc.returncode == 2
    assert "--force" in proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    assert target.read_text(encoding="utf-8") == "my precious map\n"
    forced = run_jmap("init", str(target), "--force", "--template", "ecommerce")
    assert forced.returncode == 0
    assert target.read_bytes() == (INIT_TEMPLATES / "ecommerce.en.yaml").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"], "no temporary file left behind"


def test_init_schema_option_changes_the_modeline(tmp_path: Path) -> None:
    target = tmp_path / "journey.yaml"
    proc = run_jmap("init", str(target), "--schema", "./schemas/journey-map.schema.json")
    assert proc.returncode == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=./schemas/journey-map.schema.json"
    assert SCHEMA_ID not in "\n".join(lines)
    assert run_jmap("validate", "--strict", str(target)).returncode == 0


def test_init_unknown_template_exits_2_with_a_suggestion(tmp_path: Path) -> None:
    proc = run_jmap("init", str(tmp_path / "x.yaml"), "--template", "ecomerce")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "did you mean 'ecommerce'?" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.yaml").exists()


def test_init_unknown_language_exits_2(tmp_path: Path) -> None:
    proc = run_jmap("init", str(tmp_path / "x.yaml"), "--lang", "de")
    assert proc.returncode == 2
    assert "--lang" in proc.stderr.decode()
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("init", "{blocker}/map.yaml"),
        ("init", "{folder}", "--force"),
        ("schema", "-o", "{blocker}/schema.json"),
    ],
    ids=["init-under-a-file", "init-over-a-folder", "schema-under-a-file"],
)
def test_unwritable_targets_get_a_clear_error_not_an_internal_one(tmp_path: Path, args: tuple[str, ...]) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder is expected\n", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    filled = [a.format(blocker=blocker, folder=folder) for a in args]
    proc = run_jmap(*filled)
    err = proc.stderr.decode()
    assert proc.returncode in (1, 2), err
    assert "internal error" not in err
    assert str(tmp_path) in err

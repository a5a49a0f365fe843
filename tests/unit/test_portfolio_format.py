"""The portfolio file and the map keys it brings (docs/portfolio.md): a team's
maps share personas and channels, and a map rendered alone still resolves them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import EXAMPLES, ROOT, run_jmap

from jmap.format.portfolio import PORTFOLIO_NAME, check_portfolio_text, find_portfolio, load_portfolio
from jmap.format.rules import load_rules
from jmap.format.schema import portfolio_schema_text, schema_text
from jmap.format.validator import load_file

PORTFOLIO = """\
jmap-portfolio: 1
title: Maison Loriot
lang: fr
personas:
  - {id: lea, name: "Léa, 29 ans", color: "#2a9d8f"}
  - {id: max, name: Max}
channels:
  - {id: web, name: Site web}
  - {id: shop, name: Magasin, type: offline}
review:
  every: 6mo
"""

MAP = """\
jmap: 1
title: Commande
personas: [lea, {id: own, name: Own}]
stages:
  - id: buy
    name: Acheter
    touchpoints:
      - {id: cart, name: Panier, channel: web, emotion: {lea: -1, own: 1}}
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / ".git").mkdir(exist_ok=True)  # the repository root: the walk stops here
    return folder


def test_a_map_names_shared_personas_and_channels_by_id(tmp_path: Path) -> None:
    write(tmp_path, {PORTFOLIO_NAME: PORTFOLIO, "maps/commande.yaml": MAP})
    result = load_file(tmp_path / "maps" / "commande.yaml")
    assert result.diagnostics == []
    jm = result.map
    assert jm is not None
    # Its personas are the listed shared one and its own, in its order.
    assert [p.id for p in jm.personas] == ["lea", "own"]
    assert jm.persona("lea").name == "Léa, 29 ans"
    assert jm.shared_personas == ("lea",)
    # Shared channels need no listing; only those used become the map's.
    assert [c.id for c in jm.channels] == ["web"]
    assert jm.shared_channels == ("web",)
    # The portfolio's lang is the default of its maps.
    assert jm.lang == "fr"


def test_a_map_alone_never_reads_the_other_maps(tmp_path: Path) -> None:
    broken_neighbour = "jmap: 1\ntitle: [\n"
    write(tmp_path, {PORTFOLIO_NAME: PORTFOLIO, "a.yaml": MAP, "b.yaml": broken_neighbour})
    assert load_file(tmp_path / "a.yaml").ok


def test_the_walk_up_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / PORTFOLIO_NAME).write_text(PORTFOLIO, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "maps").mkdir()
    assert find_portfolio(repo / "maps") is None
    assert find_portfolio(tmp_path) == str(tmp_path / PORTFOLIO_NAME)


def test_without_a_portfolio_a_shared_id_is_an_unknown_reference(tmp_path: Path) -> None:
    write(tmp_path, {"commande.yaml": MAP})
    result = load_file(tmp_path / "commande.yaml")
    lines = [d.format() for d in result.diagnostics]
    assert any(":3:12: error: 'lea' names a shared persona, but the map has no portfolio" in x for x in lines)
    assert any("unknown channel 'web'" in x for x in lines)


def test_redefining_a_shared_id_is_a_duplicate_id_naming_the_portfolio_line(tmp_path: Path) -> None:
    text = MAP.replace("{id: own, name: Own}", "{id: max, name: Max}").replace("own: 1", "max: 1")
    write(tmp_path, {PORTFOLIO_NAME: PORTFOLIO, "m.yaml": text + "channels: [{id: shop, name: Boutique}]\n"})
    result = load_file(tmp_path / "m.yaml")
    found = {(d.line, d.col, d.rule): d.message for d in result.diagnostics}
    assert "shared persona 'max'" in found[(3, 22, "duplicate-id")]
    assert f"{PORTFOLIO_NAME}:6:10" in found[(3, 22, "duplicate-id")]
    assert "shared channel 'shop'" in found[(9, 17, "duplicate-id")]


def test_an_unknown_shared_persona_gets_a_suggestion(tmp_path: Path) -> None:
    write(tmp_path, {PORTFOLIO_NAME: PORTFOLIO, "m.yaml": MAP.replace("[lea,", "[lae,").replace("lea: -1, ", "")})
    (d,) = load_file(tmp_path / "m.yaml").diagnostics
    assert (d.line, d.col, d.rule) == (3, 12, "unknown-reference")
    assert "did you mean 'lea'?" in d.message


def test_no_portfolio_option_and_explicit_portfolio(tmp_path: Path) -> None:
    write(tmp_path, {"elsewhere/" + PORTFOLIO_NAME: PORTFOLIO, "maps/m.yaml": MAP})
    alone = run_jmap("validate", str(tmp_path / "maps"))
    assert alone.returncode == 1
    named = run_jmap("validate", "--portfolio", str(tmp_path / "elsewhere" / PORTFOLIO_NAME), str(tmp_path / "maps"))
    assert named.returncode == 0, named.stdout.decode()
    (tmp_path / "maps" / PORTFOLIO_NAME).write_text(PORTFOLIO, encoding="utf-8")
    ignored = run_jmap("validate", "--no-portfolio", str(tmp_path / "maps"))
    assert ignored.returncode == 1
    assert b"has no portfolio" in ignored.stdout


def test_the_portfolio_file_gets_positioned_errors_and_its_maps_are_not_trusted(tmp_path: Path) -> None:
    bad = PORTFOLIO.replace("title: Maison Loriot\n", "").replace("every: 6mo", "every: 6 mois")
    bad += "colour: red\n"
    write(tmp_path, {PORTFOLIO_NAME: bad, "m.yaml": MAP})
    report = load_portfolio(tmp_path / PORTFOLIO_NAME)
    rules = [(d.line, d.col, d.rule) for d in report.diagnostics]
    assert (1, 1, "missing-key") in rules
    assert (10, 10, "invalid-duration") in rules
    assert (11, 1, "unknown-key") in rules
    run = run_jmap("validate", str(tmp_path))
    out = run.stdout.decode()
    assert run.returncode == 1
    assert "m.yaml:1:1: error: its portfolio" in out and "[invalid-portfolio]" in out
    assert f"{PORTFOLIO_NAME}:1:1: error: portfolio is missing the required key 'title'" in out


def test_yaml_traps_in_the_portfolio_are_explained() -> None:
    report = check_portfolio_text("jmap-portfolio: 1\ntitle: T\nreview: {every: 30}\n", "p.yaml")
    (d,) = report.diagnostics
    assert d.rule == "invalid-duration" and "bare number" in d.message


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-11-02", True),
        ('"2026-11-02"', True),
        ("2026-02-30", False),
        ('"02/11/2026"', False),
        ("2026-11-02 10:00", False),
    ],
)
def test_reviewed_is_a_date_quoted_or_not(value: str, ok: bool) -> None:
    from jmap.format.validator import load_text

    result = load_text(f"jmap: 1\ntitle: T\nreviewed: {value}\nstages: [{{id: s, name: S}}]\n")
    assert (result.map is not None) is ok
    if ok:
        assert result.map is not None and result.map.reviewed == "2026-11-02"


def test_map_keys_id_details_and_cross_addresses_reach_the_model() -> None:
    from jmap.format.validator import load_text

    text = """\
jmap: 1
id: master
title: T
stages:
  - id: s
    name: S
    details: checkout
    touchpoints:
      - {id: t, name: T, details: delivery, pain_points: [{id: p, name: P}]}
opportunities:
  - {id: o, name: O, addresses: [p, delivery/late]}
"""
    result = load_text(text)
    jm = result.map
    assert jm is not None
    assert jm.id == "master" and jm.stages[0].details == "checkout"
    assert jm.touchpoint("t").details == "delivery"
    assert jm.opportunities[0].addresses == ("p",)
    assert jm.opportunities[0].cross_addresses == ("delivery/late",)
    assert [(lk.kind, lk.value, lk.line, lk.col) for lk in result.links] == [
        ("id", "master", 2, 5),
        ("details", "checkout", 7, 14),
        ("details", "delivery", 9, 35),
        ("address", "delivery/late", 11, 37),
    ]


def test_a_malformed_cross_address_is_an_id_format_error() -> None:
    from jmap.format.validator import load_text

    result = load_text(
        "jmap: 1\ntitle: T\nstages: [{id: s, name: S}]\nopportunities: [{id: o, name: O, addresses: [a/B, a/b/c]}]\n"
    )
    assert [(d.col, d.rule) for d in result.errors] == [(46, "id-format"), (51, "id-format")]


def test_the_shipped_schemas_are_generated_from_the_table() -> None:
    shipped = ROOT / "jmap" / "format"
    assert (shipped / "journey-map.schema.json").read_text(encoding="utf-8") == schema_text()
    assert (shipped / "portfolio.schema.json").read_text(encoding="utf-8") == portfolio_schema_text()


def test_schema_portfolio_prints_the_shipped_file_and_validates_the_example() -> None:
    import jsonschema
    import yaml

    run = run_jmap("schema", "--portfolio")
    assert run.returncode == 0
    schema = json.loads(run.stdout)
    assert schema["$id"] == "https://jmap.dev/schema/portfolio-1.json"
    example = yaml.safe_load((EXAMPLES / "portfolio" / PORTFOLIO_NAME).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(example)
    map_schema = json.loads(run_jmap("schema").stdout)
    for name in ("parcours", "commande", "livraison", "retours"):
        data = yaml.safe_load((EXAMPLES / "portfolio" / f"{name}.yaml").read_text(encoding="utf-8"))
        data["reviewed"] = str(data["reviewed"])  # what an editor's YAML 1.2 reader sees
        jsonschema.Draft202012Validator(map_schema).validate(data)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_init_portfolio_writes_a_starter_that_validates_with_a_map(tmp_path: Path, lang: str) -> None:
    (tmp_path / ".git").mkdir()
    run = run_jmap("init", "--portfolio", "--lang", lang, cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()
    text = (tmp_path / PORTFOLIO_NAME).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=https://jmap.dev/schema/portfolio-1.json")
    assert run_jmap("init", "--portfolio", cwd=tmp_path).returncode == 2  # never overwrites
    (tmp_path / "m.yaml").write_text(
        "jmap: 1\ntitle: T\nreviewed: 2026-12-01\npersonas: [sophie]\n"
        "stages: [{id: s, name: S, touchpoints: [{id: t, name: T, channel: web}]}]\n",
        encoding="utf-8",
    )
    check = run_jmap("validate", str(tmp_path), env={"SOURCE_DATE_EPOCH": "1796947200"})
    out = check.stdout.decode()
    assert check.returncode == 0, out
    assert "1 map and 1 portfolio checked, all valid" in out


def test_every_portfolio_rule_is_documented_and_explained() -> None:
    rules = load_rules()
    for rule in (
        "invalid-portfolio",
        "invalid-date",
        "unknown-map",
        "cross-map-reference",
        "duplicate-map-id",
        "hierarchy-cycle",
        "unused-shared",
        "missing-review",
        "stale-map",
    ):
        assert rules[rule]["section"] == "Portfolios"
        run = run_jmap("explain", rule)
        assert run.returncode == 0 and rule.encode() in run.stdout

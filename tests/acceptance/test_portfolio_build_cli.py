"""`jmap build` on a portfolio: the portfolio page, its summary and its JSON
beside each map's outputs; one shared persona edited rebuilds exactly the
maps that name it, and `--check` says which."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from support import EXAMPLES, FIXTURES, run_jmap

EXAMPLE = EXAMPLES / "portfolio"
FORMATS = ("-f", "html,md")
#: 2026-12-11, the day reviews are judged on in these tests.
DAY = {"SOURCE_DATE_EPOCH": "1796947200"}


def copy_example(tmp_path: Path) -> Path:
    src = tmp_path / "maps"
    shutil.copytree(EXAMPLE, src)
    (tmp_path / ".git").mkdir()
    return src


def build(src: Path, out: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    run = run_jmap("build", str(src), "-o", str(out), *FORMATS, *args, env=env or DAY)
    return run.returncode, run.stdout.decode(), run.stderr.decode()


def test_the_portfolio_outputs_replace_the_gallery(tmp_path: Path) -> None:
    src = copy_example(tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = build(src, out)
    assert code == 0, stdout + stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "<h1>Maison Loriot — parcours clients</h1>" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    # The hierarchy: the master journey, then the maps under it, linked.
    assert page.index('id="map-parcours"') < page.index('id="map-commande"') < page.index('id="map-retours"')
    assert 'href="commande.html"' in page
    summary = (out / "portfolio.md").read_text(encoding="utf-8")
    assert summary.startswith("# Maison Loriot — parcours clients\n")
    assert "| Afficher le prix livré dès la fiche produit |" in summary
    data = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    schema = json.loads(run_jmap("schema", "--rollup").stdout)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert [m["id"] for m in data["maps"]] == ["parcours", "commande", "livraison", "retours"]
    assert data["hierarchy"] == ["parcours"]
    assert [m["level"] for m in data["maps"]] == [0, 1, 1, 1]
    unified = next(o for o in data["backlog"] if o["id"] == "suivi-unifie")
    assert {(a["map"], a["id"]) for a in unified["addresses"]} == {
        ("parcours", "parcours-retour-fragmente"),
        ("livraison", "suivi-opaque"),
        ("retours", "remboursement-lent"),
    }
    ines = next(p for p in data["personas"] if p["id"] == "ines")
    assert [a["map"] for a in ines["maps"]] == ["parcours", "commande"]
    assert ines["maps"][1]["lowest"]["name"] == "Saisie du code promo"
    web = next(c for c in data["channels"] if c["id"] == "site-web")
    assert web["maps"] == {"parcours": 3, "commande": 4, "livraison": 1, "retours": 1}


def test_same_input_same_bytes(tmp_path: Path) -> None:
    src = copy_example(tmp_path)
    build(src, tmp_path / "a")
    build(src, tmp_path / "b", "-j", "1")
    for name in ("index.html", "portfolio.md", "portfolio.json", "commande.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_editing_one_shared_persona_rebuilds_exactly_the_maps_that_name_it(tmp_path: Path) -> None:
    src = copy_example(tmp_path)
    out = tmp_path / "out"
    assert build(src, out)[0] == 0
    code, stdout, _ = build(src, out)
    assert "4 unchanged, 0 to render" in stdout
    portfolio = src / "jmap-portfolio.yaml"
    portfolio.write_text(
        portfolio.read_text(encoding="utf-8").replace("Inès, 41 ans", "Inès, 42 ans"), encoding="utf-8"
    )
    # --check names exactly the outputs of the maps that follow Inès, and the portfolio's.
    run = run_jmap("build", str(src), "-o", str(out), *FORMATS, "--check", env=DAY)
    lines = run.stdout.decode().splitlines()
    assert run.returncode == 1
    stale = sorted(line.split(": ", 1)[1].split(" ", 1)[0].rsplit("/", 1)[1] for line in lines)
    assert stale == [
        "commande.html",
        "commande.md",
        "index.html",
        "parcours.html",
        "parcours.md",
        "portfolio.json",
        "portfolio.md",
    ]
    assert any("commande.html (shared persona ines changed)" in line for line in lines)
    code, stdout, _ = build(src, out)
    assert code == 0
    assert "2 unchanged, 2 to render" in stdout
    assert "rendered commande.yaml" in stdout and "rendered parcours.yaml" in stdout
    assert "Inès, 42 ans" in (out / "index.html").read_text(encoding="utf-8")
    assert build(src, out, "--check")[0] == 0


def test_a_new_shared_id_rechecks_every_map(tmp_path: Path) -> None:
    """A new shared id may clash with any map's own id: every map is looked at again."""
    src = copy_example(tmp_path)
    out = tmp_path / "out"
    build(src, out)
    portfolio = src / "jmap-portfolio.yaml"
    portfolio.write_text(portfolio.read_text(encoding="utf-8") + "  # a comment changes nothing\n", encoding="utf-8")
    assert "4 unchanged" in build(src, out)[1]
    text = portfolio.read_text(encoding="utf-8").replace(
        "  - {id: domicile,", "  - {id: panier, name: Panier, type: online}\n  - {id: domicile,"
    )
    portfolio.write_text(text, encoding="utf-8")
    code, _, stderr = build(src, out)
    assert code == 1
    assert "commande.yaml:15:9: error: id 'panier' is already defined by the portfolio" in stderr


def test_a_review_falling_due_makes_the_page_stale_for_check(tmp_path: Path) -> None:
    src = copy_example(tmp_path)
    out = tmp_path / "out"
    build(src, out)
    later = {"SOURCE_DATE_EPOCH": "1830000000"}  # 2027-12-28: every review is more than a year old
    run = run_jmap("build", str(src), "-o", str(out), *FORMATS, "--check", env=later)
    assert run.returncode == 1
    assert "a map's review fell due since it was written" in run.stdout.decode()
    code, _, stderr = build(src, out, env=later)
    assert code == 0
    assert "[stale-map]" in stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('<span class="stale">') == 4


def test_cross_map_errors_fail_the_build_with_positions(tmp_path: Path) -> None:
    src = tmp_path / "broken"
    shutil.copytree(FIXTURES / "portfolio" / "broken", src)
    (tmp_path / ".git").mkdir()
    code, _, stderr = build(src, tmp_path / "out")
    assert code == 1
    assert f"{src}/master.yaml:9:14: error: unknown map 'chekout' in the portfolio [unknown-map]" in stderr
    assert "[hierarchy-cycle]" in stderr and "[cross-map-reference]" in stderr
    data = json.loads((tmp_path / "out" / "portfolio.json").read_text(encoding="utf-8"))
    assert {m["id"]: m["valid"] for m in data["maps"]} == {
        "delivery": True,
        "master": False,
        "sub/delivery.yaml": False,
    }


@pytest.mark.parametrize("folder", ["", "sub/"])
def test_a_portfolio_below_src_gets_its_outputs_in_its_folder(tmp_path: Path, folder: str) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(EXAMPLE, root / "maps" / folder / "p")
    out = tmp_path / "out"
    code, stdout, stderr = build(root / "maps", out)
    assert code == 0, stdout + stderr
    assert (out / folder / "p" / "index.html").is_file()
    assert (out / "index.html").read_text(encoding="utf-8").count('<tr id="map-') == 4  # the gallery
    assert build(root / "maps", out, "--check")[0] == 0


def test_the_committed_renders_of_the_example_are_current() -> None:
    run = run_jmap("build", str(EXAMPLES), "-o", str(EXAMPLES.parent / "docs" / "renders"), "--check")
    assert run.returncode == 0, run.stdout.decode() + run.stderr.decode()

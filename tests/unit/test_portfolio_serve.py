"""`jmap serve DIR` on a portfolio: the folder's page is the portfolio page,
and a save of the portfolio file renders every map again (its shared personas
and channels may appear on any of them)."""

from __future__ import annotations

import shutil
from pathlib import Path

from support import EXAMPLES

from jmap.serve.preview import Preview


def test_the_portfolio_page_is_served_and_follows_the_portfolio_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "maps"
    shutil.copytree(EXAMPLES / "portfolio", folder)
    preview = Preview(folder, None)
    preview.start()
    page = preview.gallery.decode("utf-8")
    assert "<h1>Maison Loriot — parcours clients</h1>" in page
    assert 'href="commande.html"' in page  # the live page of each map
    assert "Inès, 41 ans" in preview.maps["commande"].html.decode("utf-8")
    portfolio = folder / "jmap-portfolio.yaml"
    portfolio.write_text(
        portfolio.read_text(encoding="utf-8").replace("Inès, 41 ans", "Inès, 42 ans"), encoding="utf-8"
    )
    before = preview.gallery_good
    preview.refresh({str(portfolio)})
    assert preview.gallery_good > before
    assert "Inès, 42 ans" in preview.gallery.decode("utf-8")
    assert "Inès, 42 ans" in preview.maps["commande"].html.decode("utf-8")
    assert "jmap-portfolio" not in preview.maps  # the portfolio file is not served as a map


def test_a_folder_that_is_not_a_portfolio_keeps_its_gallery(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copy(EXAMPLES / "checkout-fr.yaml", tmp_path / "checkout-fr.yaml")
    preview = Preview(tmp_path, None)
    preview.start()
    assert "<h1>Journey maps</h1>" in preview.gallery.decode("utf-8")

"""`jmap render -f page-pdf,page-png` and `jmap build -f …`: the page printed
by a real headless Chromium, as a consultant sends it (A3 PDF) or projects it
(PNG for slides); and the one clear line a user gets without a browser."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys

import pytest
from support import EXAMPLES, jmap_command, run_jmap

from jmap.errors import RenderError
from jmap.render.browser import find_browser, reproducible_pdf


def _has_browser() -> bool:
    """As the product finds it: JMAP_BROWSER, else Chromium or Chrome on PATH."""
    try:
        find_browser()
    except RenderError:
        return False
    return True


HAS_BROWSER = _has_browser()
needs_browser = pytest.mark.skipif(not HAS_BROWSER, reason="no Chromium or Chrome installed")
CHECKOUT = EXAMPLES / "checkout-fr.yaml"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_browser
@pytest.mark.browser
def test_render_writes_an_a3_pdf_and_a_2x_png_of_the_page(tmp_path):
    result = run_jmap("render", "-f", "md,page-pdf,page-png", "-o", str(tmp_path), str(CHECKOUT))
    assert result.returncode == 0, result.stderr.decode()
    pdf = tmp_path / "checkout-fr.page.pdf"
    png = tmp_path / "checkout-fr.page.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkout-fr.md",
        "checkout-fr.page.pdf",
        "checkout-fr.page.png",
    ]
    assert pdf.read_bytes().startswith(b"%PDF")
    # A slide: landscape, at least 2400 px wide at 2x.
    width, height = _png_size(png.read_bytes())
    assert width >= 2400 and width > height
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Page size:\s+1191\.\d+ x 841\.\d+ pts", info), info  # A3 landscape
        assert re.search(r"CreationDate:\s+Thu Jan  1 00:00:00 1970", info), info  # SOURCE_DATE_EPOCH
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        text = " ".join(text.split())  # a name may wrap inside its column
        # Vector text, searchable: the title and a touchpoint are found as words.
        assert "Maison Loriot" in text and "Recherche produit" in text
    # Same input, same bytes.
    again = tmp_path / "again"
    assert run_jmap("render", "-f", "page-pdf,page-png", "-o", str(again), str(CHECKOUT)).returncode == 0
    assert (again / "checkout-fr.page.pdf").read_bytes() == pdf.read_bytes()
    assert (again / "checkout-fr.page.png").read_bytes() == png.read_bytes()


@needs_browser
@pytest.mark.browser
def test_four_renders_of_the_same_map_at_once_write_the_same_png(tmp_path):
    # A build or CI job runs several renders side by side on a busy machine:
    # the PNG must still be the same bytes, not one of two rasterisations.
    env = {**os.environ, "NO_COLOR": "1"}
    renders = [
        subprocess.Popen(
            [*jmap_command(), "render", "-f", "page-png", "-o", str(tmp_path / str(n)), str(CHECKOUT)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for n in range(4)
    ]
    try:
        for render in renders:
            _, stderr = render.communicate(timeout=240)
            assert render.returncode == 0, stderr.decode()
    finally:
        for render in renders:
            if render.poll() is None:
                render.kill()
                render.wait()
    images = {(tmp_path / str(n) / "checkout-fr.page.png").read_bytes() for n in range(4)}
    assert len(images) == 1


def test_without_a_browser_the_format_fails_with_one_line_and_the_others_are_written(tmp_path):
    # A PATH holding only the Python that runs jmap: no chromium, no chrome.
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python3").symlink_to(sys.executable)
    env = {"PATH": str(bare), "JMAP_BROWSER": ""}
    result = run_jmap("render", "-f", "md,page-pdf,html", "-o", str(tmp_path / "out"), str(CHECKOUT), env=env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.decode().splitlines() if "error" in line]
    assert len(errors) == 1
    assert "page-pdf" in errors[0] and "Chromium" in errors[0] and "JMAP_BROWSER" in errors[0]
    assert "Traceback" not in result.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["checkout-fr.html", "checkout-fr.md"]


def test_jmap_browser_naming_a_missing_program_is_one_clear_line(tmp_path):
    result = run_jmap(
        "render", "-f", "page-png", "-o", str(tmp_path), str(CHECKOUT), env={"JMAP_BROWSER": "/nowhere/chrome"}
    )
    assert result.returncode == 1
    assert "JMAP_BROWSER names '/nowhere/chrome'" in result.stderr.decode()


@needs_browser
@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="pdfinfo (poppler-utils) is not installed")
def test_paper_prints_the_poster_on_a_larger_sheet(tmp_path):
    result = run_jmap("render", "-f", "page-pdf", "--paper", "a2", "-o", str(tmp_path), str(CHECKOUT))
    assert result.returncode == 0, result.stderr.decode()
    info = subprocess.run(["pdfinfo", str(tmp_path / "checkout-fr.page.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+168[34]\.\d+ x 119[01]\.\d+ pts", info), info  # A2 landscape


def test_the_page_formats_are_in_the_one_format_list_and_named_page_pdf():
    result = run_jmap("render", "-f", "page-jpg", str(CHECKOUT))
    assert result.returncode == 2
    assert "page-pdf" in result.stderr.decode() and "page-png" in result.stderr.decode()


@needs_browser
@pytest.mark.browser
def test_build_accepts_the_page_formats_and_checks_them(tmp_path):
    src = tmp_path / "maps"
    src.mkdir()
    shutil.copy(CHECKOUT, src / "checkout.yaml")
    out = tmp_path / "site"
    result = run_jmap("build", str(src), "-o", str(out), "-f", "html,page-pdf,page-png")
    assert result.returncode == 0, result.stderr.decode()
    assert (out / "checkout.page.pdf").is_file() and (out / "checkout.page.png").is_file()
    gallery = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="checkout.page.pdf"' in gallery and "page (PDF)" in gallery
    check = run_jmap("build", str(src), "-o", str(out), "-f", "html,page-pdf,page-png", "--check")
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()


def test_pdf_dates_and_structure_ids_are_fixed_without_moving_bytes():
    pdf = b"%PDF-1.4\n/CreationDate (D:20261130215751+00'00')\n/ID (node00002528) /ID (node00002530)\n"
    fixed = reproducible_pdf(pdf)
    assert len(fixed) == len(pdf)
    assert b"(D:19700101000000+00'00')" in fixed
    assert b"(node00000001)" in fixed and b"(node00000002)" in fixed
    # The DOM's counts leave other gaps from run to run (one more node made
    # by a script): the ids are ranks, so the bytes are the same.
    shifted = pdf.replace(b"(node00002530)", b"(node00002531)").replace(b"(node00002528)", b"(node00002529)")
    assert reproducible_pdf(shifted) == fixed
    gapped = pdf.replace(b"(node00002530)", b"(node00002534)")
    assert reproducible_pdf(gapped) == fixed


@pytest.mark.parametrize("command", ["render", "build"])
def test_cli_help_lists_the_page_formats(command):
    result = run_jmap(command, "--help")
    assert result.returncode == 0
    assert b"page-pdf" in result.stdout and b"page-png" in result.stdout


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_bad_browser_timeout_fails_the_page_format_with_one_line_and_the_others_are_written(tmp_path, value):
    # Read when the browser runs, not at import: the other formats are still written.
    out = tmp_path / "out"
    env = {"JMAP_BROWSER_TIMEOUT": value}
    result = run_jmap("render", "-f", "md,page-pdf,html", "-o", str(out), str(CHECKOUT), env=env)
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    errors = [line for line in stderr.splitlines() if "error" in line]
    assert len(errors) == 1, stderr
    assert "page-pdf" in errors[0]
    assert f"JMAP_BROWSER_TIMEOUT must be a number of seconds greater than 0, not '{value}'" in errors[0]
    assert sorted(p.name for p in out.iterdir()) == ["checkout-fr.html", "checkout-fr.md"]


def test_a_bad_browser_timeout_does_not_break_the_other_commands(tmp_path):
    result = run_jmap("validate", str(CHECKOUT), env={"JMAP_BROWSER_TIMEOUT": "abc"})
    assert result.returncode == 0, result.stderr.decode()

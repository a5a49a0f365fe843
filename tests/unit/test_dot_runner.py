"""Spawning `dot`: arguments, errors a user can act on, never a traceback.

Most tests put a stand-in `dot` script first on PATH, so they run (and check
the failure paths) without Graphviz; the last ones use the real program.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jmap.errors import RenderError
from jmap.render import graphviz as dot_runner
from jmap.render.graphviz import MISSING_DOT, start_dot


def run_dot(dot_source: str, fmt: str) -> bytes:
    """``dot`` run on ``dot_source`` to ``fmt``, as a render runs it."""
    return start_dot(dot_source, fmt).result()


def fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """A `dot` on an otherwise empty PATH, running ``script`` (sh)."""
    program = tmp_path / "dot"
    program.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    return program


def test_missing_dot_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError) as caught:
        run_dot("digraph { a }", "svg")
    message = str(caught.value)
    assert message == MISSING_DOT
    assert "\n" not in message
    assert "`dot`" in message and "apt-get install graphviz" in message and "brew install graphviz" in message


def test_source_goes_to_stdin_as_utf8_and_format_as_argument(tmp_path, monkeypatch):
    log = tmp_path / "args"
    fake_dot(tmp_path, monkeypatch, f'echo "$@" > "{log}"\nexec /bin/cat\n')
    source = 'digraph { a [label=<é 😀 "];evil>] }'
    assert run_dot(source, "svg") == source.encode("utf-8")
    assert log.read_text().strip() == "-Tsvg"
    run_dot(source, "png")
    assert log.read_text().strip() == "-Tpng:cairo"
    run_dot(source, "pdf")
    assert log.read_text().strip() == "-Tpdf:cairo"


def test_failure_reports_dots_error_line(tmp_path, monkeypatch):
    fake_dot(
        tmp_path, monkeypatch, 'echo "Warning: something minor" >&2\necho "Error: syntax error in line 3" >&2\nexit 1\n'
    )
    with pytest.raises(RenderError, match=r"^Graphviz `dot` failed: Error: syntax error in line 3$"):
        run_dot("digraph {", "svg")


def test_failure_without_error_prefix_reports_first_line(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, 'echo "" >&2\necho "out of memory" >&2\necho "more" >&2\nexit 3\n')
    with pytest.raises(RenderError, match=r"^Graphviz `dot` failed: out of memory$"):
        run_dot("digraph {}", "svg")


def test_silent_failure_still_explains(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "exit 2\n")
    with pytest.raises(RenderError, match="no error message"):
        run_dot("digraph {}", "svg")


def test_slow_layout_is_stopped(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "exec /bin/sleep 5\n")
    monkeypatch.setenv("JMAP_DOT_TIMEOUT", "0.2")
    with pytest.raises(RenderError, match=r"took longer than 0\.2 seconds"):
        run_dot("digraph {}", "svg")


@pytest.mark.parametrize("setting", ["abc", "0", "-5", "nan", "inf"])
def test_a_bad_timeout_setting_is_the_users_mistake(monkeypatch, setting):
    monkeypatch.setenv("JMAP_DOT_TIMEOUT", setting)
    with pytest.raises(
        RenderError, match=f"JMAP_DOT_TIMEOUT must be a number of seconds greater than 0, not '{setting}'"
    ):
        run_dot("digraph {}", "svg")


def test_no_timeout_setting_means_the_default(monkeypatch):
    monkeypatch.delenv("JMAP_DOT_TIMEOUT", raising=False)
    assert dot_runner.dot_timeout() == dot_runner.DEFAULT_DOT_TIMEOUT
    monkeypatch.setenv("JMAP_DOT_TIMEOUT", " 12.5 ")
    assert dot_runner.dot_timeout() == 12.5


@pytest.mark.needs_dot
def test_graphviz_version_is_asked_from_dot():
    import re

    assert re.fullmatch(r"\d+(\.\d+)+", dot_runner.graphviz_version())


def test_graphviz_version_without_dot(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert dot_runner.graphviz_version() == "absent"


def test_unsupported_format_is_refused():
    with pytest.raises(RenderError, match="cannot render format 'gif'"):
        run_dot("digraph {}", "gif")


def test_no_shell_is_involved(tmp_path, monkeypatch):
    """The format is checked against a fixed table, and arguments are a list:
    nothing of the source or the format reaches a shell."""
    with pytest.raises(RenderError):
        run_dot("digraph {}", "svg; touch pwned")
    assert not Path("pwned").exists()


@pytest.mark.needs_dot
def test_real_dot_renders_svg():
    svg = run_dot('digraph { a [label="é"] }', "svg")
    assert svg.lstrip().startswith(b"<?xml")
    assert "é".encode() in svg


@pytest.mark.needs_dot
def test_real_dot_syntax_error_is_a_render_error():
    with pytest.raises(RenderError, match=r"^Graphviz `dot` failed: Error: .*syntax error"):
        run_dot("digraph { a -> }", "svg")


@pytest.mark.needs_dot
@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_real_dot_binary_formats(fmt, magic):
    assert run_dot("digraph { a -> b }", fmt).startswith(magic)


def test_pdf_dates_are_fixed_keeping_every_offset() -> None:
    from jmap.render.graphviz import fixed_pdf_dates

    pdf = b"<< /Producer (cairo) /CreationDate (D:20261130212905+01'00) /ModDate (D:20261130212905Z) >>"
    fixed = fixed_pdf_dates(pdf)
    assert fixed == b"<< /Producer (cairo) /CreationDate (D:19700101000000+00'00) /ModDate (D:19700101000000Z) >>"
    assert len(fixed) == len(pdf)


@pytest.mark.needs_dot
def test_the_same_map_gives_byte_identical_pdfs() -> None:
    """cairo writes the clock into each PDF: two renders a second apart differ
    unless jmap fixes the date."""
    import time

    source = 'digraph { a [label="Checkout"]; a -> b; }'
    first = run_dot(source, "pdf")
    time.sleep(1.1)
    second = run_dot(source, "pdf")
    assert first.startswith(b"%PDF")
    assert first == second
    assert b"D:19700101000000" in first


def test_a_drawing_program_fails_with_one_line_whatever_goes_wrong(tmp_path: Path) -> None:
    """Not installed, too slow, or failing: each is one RenderError line."""
    from jmap.render.programs import run_program

    def attempt(command: list[str], timeout: float = 10) -> str:
        with pytest.raises(RenderError) as caught:
            run_program(
                command,
                name="the tool",
                timeout=timeout,
                missing="the tool is not installed",
                too_long="the tool was too slow",
                why=lambda stderr, status: f"{stderr.decode().strip()} (status {status})",
            )
        return str(caught.value)

    assert attempt([str(tmp_path / "no-such-program")]) == "the tool is not installed"
    assert attempt(["sleep", "5"], timeout=0.2) == "the tool was too slow"
    assert attempt(["sh", "-c", "echo broken >&2; exit 3"]) == "the tool failed: broken (status 3)"
    assert (
        run_program(["echo", "drawn"], name="x", timeout=5, missing="", too_long="", why=lambda e, s: "") == b"drawn\n"
    )


def test_png_is_drawn_at_192_dpi_unless_it_would_be_huge():
    from jmap.render.graphviz import MAX_PNG_PIXELS, PNG_DPI, png_dpi

    slide = b'digraph journey {\n\tgraph [bb="0,0,1786,1022",\n'
    assert png_dpi(slide) == PNG_DPI == 192
    huge = b'digraph journey {\n\tgraph [bb="0,0,5014,3859",\n'
    dpi = png_dpi(huge)
    assert 72 < dpi < PNG_DPI
    assert (5014 * dpi / 72) * (3859 * dpi / 72) <= MAX_PNG_PIXELS
    assert png_dpi(b"no box") == PNG_DPI

"""`-` everywhere: maps piped into validate, render and diff, the schema to
standard output, and no file overwritten by surprise."""

from __future__ import annotations

from pathlib import Path

from support import EXAMPLES, FIXTURES, run_jmap

CHECKOUT = EXAMPLES / "checkout-fr.yaml"
TAB_AND_MORE = FIXTURES / "invalid" / "tab-and-more.yaml"


def test_validate_reads_standard_input_and_names_it_stdin() -> None:
    proc = run_jmap("validate", "-", input=TAB_AND_MORE.read_bytes())
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert [line.split(": ")[0] for line in lines[:-1]] == ["<stdin>:11:1", "<stdin>:12:9", "<stdin>:13:18"]
    assert lines[-1] == "1 map checked, 1 invalid: 3 errors, 0 warnings"


def test_validate_standard_input_with_files() -> None:
    proc = run_jmap("validate", str(CHECKOUT), "-", input=CHECKOUT.read_bytes())
    assert proc.returncode == 0, proc.stdout.decode()
    assert proc.stdout.decode().splitlines()[-1].startswith("2 maps checked, all valid")


def test_standard_input_can_be_read_once() -> None:
    proc = run_jmap("validate", "-", "-", input=b"")
    assert proc.returncode == 2
    assert "once" in proc.stderr.decode()


def test_render_standard_input_to_standard_output() -> None:
    from_file = run_jmap("render", str(CHECKOUT), "-f", "md", "-o", "-")
    piped = run_jmap("render", "-", "-f", "md", "-o", "-", input=CHECKOUT.read_bytes())
    assert piped.returncode == 0, piped.stderr.decode()
    assert piped.stdout == from_file.stdout and piped.stdout.startswith(b"# ")


def test_render_standard_input_into_a_folder_names_the_outputs_stdin(tmp_path: Path) -> None:
    proc = run_jmap("render", "-", "-f", "md,html", "-o", str(tmp_path), input=CHECKOUT.read_bytes())
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stdin.html", "stdin.md"]


def test_render_an_invalid_map_from_standard_input() -> None:
    proc = run_jmap("render", "-", "-f", "md", "-o", "-", input=TAB_AND_MORE.read_bytes())
    assert proc.returncode == 1 and proc.stdout == b""
    assert "<stdin>:11:1: error:" in proc.stderr.decode()
    assert "<stdin>: not rendered" in proc.stderr.decode()


def test_diff_against_standard_input() -> None:
    changed = CHECKOUT.read_text(encoding="utf-8").replace("name: Panier", "name: Caddie", 1)
    proc = run_jmap("diff", str(CHECKOUT), "-", input=changed.encode())
    assert proc.returncode == 1, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "+++ <stdin>" in out and "“Panier” → “Caddie”" in out


def test_diff_of_an_invalid_map_on_standard_input_names_stdin() -> None:
    proc = run_jmap("diff", "-", str(CHECKOUT), input=TAB_AND_MORE.read_bytes())
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("<stdin>:11:1: error:")


def test_diff_cannot_read_standard_input_twice() -> None:
    assert run_jmap("diff", "-", "-", input=b"").returncode == 2


def test_schema_dash_is_standard_output(tmp_path: Path) -> None:
    proc = run_jmap("schema", "-o", "-", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == run_jmap("schema").stdout
    assert list(tmp_path.iterdir()) == [], "no file named '-'"


def test_schema_does_not_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "journey-map.schema.json"
    target.write_text("mine", encoding="utf-8")
    proc = run_jmap("schema", "-o", str(target))
    assert proc.returncode == 2
    assert "--force" in proc.stderr.decode()
    assert target.read_text(encoding="utf-8") == "mine"
    assert run_jmap("schema", "-o", str(target), "--force").returncode == 0
    assert target.read_bytes() == run_jmap("schema").stdout


def test_import_mermaid_reports_every_error_and_reads_standard_input(tmp_path: Path) -> None:
    bad = "journey\n  section A\n    Seven: 7: Me\n    Zero: 0\n"
    proc = run_jmap("import", "mermaid", "-", input=bad.encode())
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines() == [
        "<stdin>:3:12: error: task 'Seven' has score '7'; expected a whole number from 1 to 5 [mermaid-score]",
        "<stdin>:4:11: error: task 'Zero' has score '0'; expected a whole number from 1 to 5 [mermaid-score]",
    ]
    good = (FIXTURES / "mermaid" / "docs-working-day.mmd").read_bytes()
    out = tmp_path / "day.yaml"
    assert run_jmap("import", "mermaid", "-", "-o", str(out), input=good).returncode == 0
    strict = run_jmap("validate", "--strict", str(out))
    assert strict.returncode == 0, strict.stdout.decode()

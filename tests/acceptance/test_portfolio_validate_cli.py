"""`jmap validate` on a portfolio: every map checked alone, then the portfolio
as a whole, every problem of every map in one run at FILE:LINE:COL."""

from __future__ import annotations

import json
from pathlib import Path

from support import EXAMPLES, FIXTURES, run_jmap

BROKEN = FIXTURES / "portfolio" / "broken"
#: 2026-12-11: the day the fixtures' reviews are judged on.
DAY = {"SOURCE_DATE_EPOCH": "1796947200"}


def lines_of(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    run = run_jmap("validate", *args, env=env or DAY)
    return run.returncode, run.stdout.decode().splitlines()


def test_every_cross_map_problem_of_every_map_in_one_run() -> None:
    code, lines = lines_of(str(BROKEN))
    assert code == 1
    where = str(BROKEN)
    expected = [
        f"{where}/master.yaml:9:14: error: unknown map 'chekout' in the portfolio [unknown-map]",
        f"{where}/master.yaml:15:32: error: map 'delivery' has no pain point 'lost' [cross-map-reference]",
        f"{where}/master.yaml:15:47: error: unknown map 'nowhere' in the portfolio [unknown-map]",
    ]
    for line in expected:
        assert line in lines
    assert any(
        x.startswith(
            f"{where}/master.yaml:11:57: error: the hierarchy of maps has a cycle: delivery → master → delivery"
        )
        for x in lines
    )
    assert any(
        x.startswith(f"{where}/sub/delivery.yaml:1:1: error: map id 'delivery' (from its file name")
        and x.endswith("[duplicate-map-id]")
        for x in lines
    )
    assert any(
        x.startswith(f"{where}/sub/delivery.yaml:3:22: error: id 'max' is already defined by the portfolio")
        for x in lines
    )
    assert any(
        x.startswith(f"{where}/master.yaml:4:11: warning: map 'master' was last reviewed on 2020-01-01") for x in lines
    )
    # 'late' is addressed from the master map: no warning; 'broken' is addressed nowhere.
    assert not any("pain point 'late'" in x for x in lines)
    assert any("critical pain point 'broken' is not addressed" in x for x in lines)
    assert lines[-1] == "3 maps and 1 portfolio checked, 2 invalid: 7 errors, 2 warnings"


def test_github_and_json_reports_carry_the_cross_map_problems() -> None:
    run = run_jmap("validate", "--format", "json", str(BROKEN), env=DAY)
    payload = json.loads(run.stdout)
    rules = {d["rule"] for f in payload["files"] for d in f["diagnostics"]}
    assert {"unknown-map", "cross-map-reference", "hierarchy-cycle", "duplicate-map-id", "stale-map"} <= rules
    assert payload["summary"]["portfolios"] == 1 and payload["summary"]["maps"] == 3
    gh = run_jmap("validate", "--format", "github", str(BROKEN), env=DAY).stdout.decode()
    assert "::error file=" in gh and "hierarchy-cycle" in gh


def test_validating_one_map_checks_its_cross_map_references_against_the_others() -> None:
    code, lines = lines_of(str(BROKEN / "master.yaml"))
    assert code == 1
    assert any("[cross-map-reference]" in x for x in lines)
    # Only the map asked for is reported.
    assert not any("delivery.yaml" in x.split(":")[0] for x in lines[:-1])
    assert lines[-1].startswith("1 map checked")


def make_portfolio(tmp_path: Path, maps: dict[str, str], shared: str = "") -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "jmap-portfolio.yaml").write_text(
        "jmap-portfolio: 1\ntitle: P\npersonas:\n  - {id: lea, name: Léa}\n  - {id: max, name: Max}\n"
        "channels:\n  - {id: web, name: Web}\n  - {id: fax, name: Fax}\n" + shared,
        encoding="utf-8",
    )
    for name, text in maps.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def one_map(ident: str, extra: str = "") -> str:
    return (
        f"jmap: 1\ntitle: {ident}\npersonas: [lea]\n"
        f"stages:\n  - id: s\n    name: S\n    touchpoints: [{{id: t, name: T, channel: web}}]\n{extra}"
    )


def test_unused_shared_personas_and_channels_are_warned_at_the_portfolio_line(tmp_path: Path) -> None:
    folder = make_portfolio(tmp_path, {"a.yaml": one_map("a")})
    code, lines = lines_of(str(folder))
    assert code == 0
    assert (
        f"{folder}/jmap-portfolio.yaml:5:10: warning: shared persona 'max' is used by no map (no map lists it in its 'personas') [unused-shared]"
        in lines
    )
    assert any(x.startswith(f"{folder}/jmap-portfolio.yaml:8:10: warning: shared channel 'fax'") for x in lines)
    assert run_jmap("validate", "--strict", str(folder)).returncode == 1


def test_reviews_missing_and_stale_when_review_every_is_set(tmp_path: Path) -> None:
    folder = make_portfolio(
        tmp_path,
        {"a.yaml": one_map("a"), "b.yaml": one_map("b").replace("title: b\n", "title: b\nreviewed: 2026-01-15\n")},
        shared="review:\n  every: 6mo\n",
    )
    _, lines = lines_of(str(folder))
    assert any(x.startswith(f"{folder}/a.yaml:1:1: warning: map 'a' has no 'reviewed' date") for x in lines)
    assert any(x.startswith(f"{folder}/b.yaml:3:11: warning: map 'b' was last reviewed on 2026-01-15") for x in lines)
    # Judged on another day, the same review is current.
    _, earlier = lines_of(str(folder), env={"SOURCE_DATE_EPOCH": "1772323200"})  # 2026-03-01
    assert not any("[stale-map]" in x for x in earlier)


def test_a_self_detail_is_a_cycle(tmp_path: Path) -> None:
    folder = make_portfolio(
        tmp_path, {"a.yaml": one_map("a").replace("    name: S\n", "    name: S\n    details: a\n")}
    )
    _, lines = lines_of(str(folder))
    assert any("a.yaml:7:14: error: the hierarchy of maps has a cycle: a → a" in x for x in lines)


def test_the_example_portfolio_is_valid_strict() -> None:
    run = run_jmap("validate", "--strict", str(EXAMPLES / "portfolio"))
    assert run.returncode == 0, run.stdout.decode()
    assert run.stdout.decode().strip().endswith("4 maps and 1 portfolio checked, all valid: 0 errors, 0 warnings")

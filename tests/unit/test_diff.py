"""The semantic diff: each kind of change is found, and nothing else is."""

from __future__ import annotations

import json

import pytest
from support import example_paths

from jmap.format.validator import load_text
from jmap.model import JourneyMap
from jmap.render.mdtext import inline
from jmap.repo.diff import Change, diff_maps
from jmap.repo.diff_report import format_json, format_md, format_text

BASE = """\
jmap: 1
title: Online purchase
owner: CX team
personas:
  - {id: sophie, name: Sophie}
  - {id: marc, name: Marc}
channels:
  - {id: web, name: Website}
  - {id: phone, name: Phone, type: offline}
stages:
  - id: discover
    name: Discover
    touchpoints:
      - id: ad
        name: Advert
        channel: web
        emotion: 1
  - id: buy
    name: Buy
    metrics:
      conversion: 12%
    touchpoints:
      - id: cart
        name: Cart
        channel: web
        emotion: {sophie: 0, marc: -1}
        metrics:
          abandonment: 68%
      - id: payment
        name: Payment
        channel: web
        emotion: -1
        pain_points:
          - id: card-refused
            name: Card refused
            severity: high
        touchpoints:
          - id: card-form
            name: Card form
      - id: done
        name: Confirmation
        channel: web
        emotion: 2
opportunities:
  - id: alert
    name: Real-time alert
    addresses: [card-refused]
    status: idea
"""


def load(text: str) -> JourneyMap:
    result = load_text(text, "test.yaml")
    assert result.map is not None, [d.format() for d in result.diagnostics]
    return result.map


def edited(*replacements: tuple[str, str]) -> JourneyMap:
    """BASE with each (old, new) text replacement applied exactly once."""
    text = BASE
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return load(text)


def changes(*replacements: tuple[str, str]) -> list[Change]:
    return list(diff_maps(load(BASE), edited(*replacements)).changes)


def test_identical_maps_are_equal() -> None:
    diff = diff_maps(load(BASE), load(BASE))
    assert diff.equal
    assert "no semantic changes" in format_text(diff)
    assert json.loads(format_json(diff))["equal"] is True


def test_comments_and_formatting_are_not_changes() -> None:
    reformatted = BASE.replace("jmap: 1\n", "# a comment\njmap: 1\n").replace(
        "  - {id: sophie, name: Sophie}", "  - id: sophie\n    name: 'Sophie'"
    )
    assert diff_maps(load(BASE), load(reformatted)).equal


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name)
def test_every_example_equals_itself(path) -> None:
    jm = load(path.read_text(encoding="utf-8"))
    assert diff_maps(jm, load(path.read_text(encoding="utf-8"))).equal


def test_touchpoint_added_and_removed() -> None:
    found = changes(
        ("      - id: done\n        name: Confirmation\n", "      - id: receipt\n        name: Receipt\n"),
        (
            "          - id: card-form\n            name: Card form\n",
            "          - id: card-pin\n            name: PIN\n",
        ),
    )
    kinds = {(c.kind, c.id) for c in found if c.section == "touchpoint"}
    assert ("added", "receipt") in kinds
    assert ("removed", "done") in kinds
    assert ("added", "card-pin") in kinds
    assert ("removed", "card-form") in kinds
    receipt = next(c for c in found if c.id == "receipt")
    assert receipt.where == "stage buy"
    card_pin = next(c for c in found if c.id == "card-pin")
    assert card_pin.where == "touchpoint payment"


def test_touchpoint_renamed_keeps_its_identity() -> None:
    found = changes(("name: Cart\n", "name: Basket\n"))
    assert found == [Change("touchpoint", "renamed", "cart", "Basket", "name", "Cart", "Basket", where="stage buy")]


def test_touchpoint_moved_to_another_stage() -> None:
    done = "      - id: done\n        name: Confirmation\n        channel: web\n        emotion: 2\n"
    ad = "        name: Advert\n        channel: web\n        emotion: 1\n"
    new = load(BASE.replace(done, "").replace(ad, ad + done))
    moved = [c for c in diff_maps(load(BASE), new).changes if c.kind == "moved"]
    assert moved == [Change("touchpoint", "moved", "done", "Confirmation", "place", "stage buy", "stage discover")]


def test_emotion_changes_per_persona() -> None:
    found = changes(("emotion: {sophie: 0, marc: -1}", "emotion: {sophie: 0, marc: 1}"))
    assert found == [Change("emotion", "emotion", "cart", "Cart", "emotion", -1, 1, "marc", "touchpoint cart")]
    text = format_text(
        diff_maps(load(BASE), edited(("emotion: {sophie: 0, marc: -1}", "emotion: {sophie: 0, marc: 1}")))
    )
    assert "emotion at cart “Cart” for marc: -1 → +1" in text


def test_shared_emotion_becoming_per_persona_reports_only_real_moves() -> None:
    found = changes(("emotion: 2", "emotion: {sophie: 2, marc: 1}"))
    assert [(c.persona, c.old, c.new) for c in found] == [("marc", 2, 1)]


def test_emotion_without_personas_compares_the_shared_score() -> None:
    bare = (
        "jmap: 1\ntitle: T\nstages:\n  - id: s\n    name: S\n    touchpoints:\n      - {id: a, name: A, emotion: 1}\n"
    )
    diff = diff_maps(load(bare), load(bare.replace("emotion: 1", "emotion: -2")))
    assert [(c.kind, c.persona, c.old, c.new) for c in diff.changes] == [("emotion", None, 1, -2)]


def test_pain_points_added_resolved_and_severity() -> None:
    resolved = changes(
        (
            "          - id: card-refused\n            name: Card refused\n            severity: high\n",
            "          - id: slow-3ds\n            name: Slow 3-D Secure\n",
        ),
        ("addresses: [card-refused]", "addresses: [slow-3ds]"),
    )
    kinds = [(c.kind, c.id) for c in resolved if c.section == "pain_point"]
    assert kinds == [("added", "slow-3ds"), ("resolved", "card-refused")]
    severity = changes(("severity: high", "severity: critical"))
    assert severity == [
        Change(
            "pain_point",
            "severity",
            "card-refused",
            "Card refused",
            "severity",
            "high",
            "critical",
            where="touchpoint payment",
        )
    ]


def test_opportunity_status_and_other_fields() -> None:
    found = changes(("status: idea", "status: done\n    owner: Payments"))
    assert [(c.kind, c.field, c.old, c.new) for c in found] == [
        ("changed", "owner", None, "Payments"),
        ("status", "status", "idea", "done"),
    ]


def test_metric_changes_on_touchpoints_and_stages() -> None:
    found = changes(
        ("abandonment: 68%", "abandonment: 55%\n          nps: 12"),
        ("conversion: 12%", "conversion: {value: 14%, target: 20%}"),
    )
    assert [(c.id, c.field, c.old, c.new) for c in found] == [
        ("buy", "conversion", "12%", "14% (target 20%)"),
        ("cart", "abandonment", "68%", "55%"),
        ("cart", "nps", None, "12"),
    ]


def test_other_fields_channels_personas_and_map_fields() -> None:
    found = changes(
        ("owner: CX team", "owner: Growth"),
        ("{id: phone, name: Phone, type: offline}", "{id: phone, name: Phone}"),
        ("{id: marc, name: Marc}", "{id: marc, name: Marc, color: '#e76f51'}"),
        ("        name: Confirmation\n        channel: web\n", "        name: Confirmation\n        channel: phone\n"),
    )
    assert [(c.section, c.field, c.old, c.new) for c in found] == [
        ("map", "owner", "CX team", "Growth"),
        ("persona", "color", None, "#e76f51"),
        ("channel", "type", "offline", "online"),
        ("touchpoint", "channel", "web", "phone"),
    ]


def test_reordering_changes_the_flow() -> None:
    swapped = (
        BASE.replace("  - id: discover\n    name: Discover\n", "  - id: discover\n    name: Discover\n")
        .replace("      - id: done\n        name: Confirmation\n        channel: web\n        emotion: 2\n", "")
        .replace(
            "    touchpoints:\n      - id: cart\n",
            "    touchpoints:\n      - id: done\n        name: Confirmation\n"
            "        channel: web\n        emotion: 2\n      - id: cart\n",
        )
    )
    diff = diff_maps(load(BASE), load(swapped))
    kinds = [c.kind for c in diff.changes]
    assert "reordered" in kinds
    assert ("edge-added", "ad", "done") in [(c.kind, c.id, c.new) for c in diff.changes]
    assert ("edge-removed", "ad", "cart") in [(c.kind, c.id, c.old) for c in diff.changes]


def test_explicit_next_is_a_flow_change() -> None:
    found = changes(("        name: Payment\n", "        name: Payment\n        next: []\n"))
    assert [(c.kind, c.field) for c in found] == [("changed", "next"), ("edge-removed", "next")]


def test_markdown_is_inert_for_hostile_text() -> None:
    hostile = "<img src=x onerror=alert(1)> **bold** @octocat [x](http://evil) `code`\nsecond line"
    new = edited(("name: Cart\n", f"name: {json.dumps(hostile)}\n"))
    md = format_md(diff_maps(load(BASE), new))
    assert "<img" not in md and "@octocat" not in md
    assert "\\*\\*bold\\*\\*" in md and "\\[x\\]" in md and "\\`code\\`" in md
    assert "second line" in md and "\nsecond line" not in md
    assert md.startswith("### Journey map changes: Online purchase\n")


def test_md_escape_keeps_plain_unicode() -> None:
    assert inline("Équipe — café ☕ שלום") == "Équipe — café ☕ שלום"


def test_text_output_shows_control_characters() -> None:
    new = edited(("name: Cart\n", 'name: "Cart\\e[31m"\n'))
    text = format_text(diff_maps(load(BASE), new))
    assert "\x1b" not in text and "\\x1b" in text


def test_json_output_is_structured_and_stable() -> None:
    new = edited(("severity: high", "severity: low"), ("name: Cart\n", "name: Basket\n"))
    first = format_json(diff_maps(load(BASE), new, "a.yaml", "b.yaml"))
    assert first == format_json(diff_maps(load(BASE), new, "a.yaml", "b.yaml"))
    document = json.loads(first)
    assert document["old"] == "a.yaml" and document["equal"] is False
    assert document["summary"] == {"renamed": 1, "severity": 1}
    assert {c["kind"] for c in document["changes"]} == {"renamed", "severity"}


def test_metrics_of_an_added_or_removed_touchpoint_are_implied() -> None:
    cart = "      - id: cart\n        name: Cart\n        channel: web\n        emotion: {sophie: 0, marc: -1}\n"
    cart += "        metrics:\n          abandonment: 68%\n"
    found = changes((cart, ""))
    assert [(c.section, c.kind, c.id) for c in found if c.section in ("touchpoint", "metric")] == [
        ("touchpoint", "removed", "cart")
    ]


# -- id renames --------------------------------------------------------------------------


def _renamed(old: str, new: str) -> JourneyMap:
    """BASE with every occurrence of the id ``old`` (declaration and references) renamed."""
    import re

    return load(re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, BASE))


def test_an_id_changed_alone_is_one_rename() -> None:
    diff = diff_maps(load(BASE), _renamed("cart", "basket"))
    assert diff.changes == (Change("touchpoint", "renamed", "basket", "Cart", "id", "cart", "basket"),)
    assert "renamed id cart → basket of “Cart”" in format_text(diff)
    assert json.loads(format_json(diff))["summary"] == {"renamed": 1}


def test_a_renamed_persona_carries_its_emotions_and_references() -> None:
    diff = diff_maps(load(BASE), _renamed("sophie", "sophia"))
    assert [(c.kind, c.field, c.old, c.new) for c in diff.changes] == [("renamed", "id", "sophie", "sophia")]


def test_a_renamed_pain_point_keeps_the_opportunity_addressing_it() -> None:
    diff = diff_maps(load(BASE), _renamed("card-refused", "card-declined"))
    assert [(c.section, c.kind, c.old, c.new) for c in diff.changes] == [
        ("pain_point", "renamed", "card-refused", "card-declined")
    ]


def test_a_renamed_stage_and_its_renamed_touchpoint_are_two_renames() -> None:
    new = load(BASE.replace("id: buy", "id: purchase").replace("id: done", "id: confirmation"))
    diff = diff_maps(load(BASE), new)
    assert [(c.section, c.old, c.new) for c in diff.changes] == [
        ("stage", "buy", "purchase"),
        ("touchpoint", "done", "confirmation"),
    ]


def test_an_id_changed_with_its_content_is_an_addition_and_a_removal() -> None:
    kinds = [
        (c.kind, c.id)
        for c in changes(("      - id: done\n        name: Confirmation", "      - id: thanks\n        name: Thanks"))
    ]
    assert ("added", "thanks") in kinds and ("removed", "done") in kinds
    assert not any(kind == "renamed" for kind, _ in kinds)


def test_identical_contents_are_not_guessed() -> None:
    """Two new entities with the same content as the one removed: ambiguous."""
    old = load(BASE)
    new = load(
        BASE.replace("  - {id: phone, name: Phone, type: offline}\n", "")
        .replace("  - {id: web, name: Website}\n", "  - {id: web2, name: Website}\n  - {id: web3, name: Website}\n")
        .replace("channel: web\n", "channel: web2\n")
    )
    diff = diff_maps(old, new)
    assert not any(c.kind == "renamed" and c.section == "channel" for c in diff.changes)


# -- reading versions: sizes checked before reading --------------------------------


def _repo_with(tmp_path, name: str, data: bytes):
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / name).write_bytes(data)
    subprocess.run(["git", "-C", str(tmp_path), "add", name], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path), "commit", "-qm", "m"], check=True, env={**__import__("os").environ, **env}
    )


def test_a_git_blob_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch) -> None:
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from jmap.errors import JmapError
    from jmap.repo import git

    _repo_with(tmp_path, "big.yaml", b"jmap: 1\n" + b"#" * 200 + b"\n")
    monkeypatch.setattr(git, "MAX_BYTES", 100)
    commands: list[list[str]] = []
    real_run = subprocess.run

    def recording(command, *args, **kwargs):
        commands.append(command)
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(git.subprocess, "run", recording)
    with pytest.raises(JmapError, match=r"HEAD:big.yaml is 209 bytes; jmap reads maps of at most 100 bytes"):
        git.read_source("HEAD:big.yaml", cwd=tmp_path)
    assert [c[1:3] for c in commands] == [["cat-file", "-s"]]  # never `git show`


def test_the_git_limit_is_the_loaders() -> None:
    from jmap.format.loader import MAX_BYTES
    from jmap.repo import git

    assert git.MAX_BYTES == MAX_BYTES


# -- the flow adds up: insert, remove, reroute ---------------------------------------

INSERTED = (
    "      - id: done\n",
    "      - id: call\n        name: Adviser call\n        channel: phone\n      - id: done\n",
)


def flow_edges(diff_changes: tuple[Change, ...]) -> list[tuple[str, str, str]]:
    return [
        (c.kind, c.id, str(c.new if c.kind == "edge-added" else c.old)) for c in diff_changes if c.section == "flow"
    ]


def test_an_inserted_touchpoint_shows_the_flows_added_as_well_as_the_one_removed() -> None:
    diff = diff_maps(load(BASE), edited(INSERTED))
    assert ("added", "call") in [(c.kind, c.id) for c in diff.changes]
    assert flow_edges(diff.changes) == [
        ("edge-added", "payment", "call"),
        ("edge-added", "call", "done"),
        ("edge-removed", "payment", "done"),
    ]


def test_the_insertion_adds_up_in_text_markdown_and_json() -> None:
    diff = diff_maps(load(BASE), edited(INSERTED))
    text, md = format_text(diff), format_md(diff)
    for output in (text, md.replace("`", "")):
        assert "payment → call added" in output
        assert "call → done added" in output
        assert "payment → done removed" in output
    records = json.loads(format_json(diff))["changes"]
    flows = {(r["kind"], r["id"], r["old"], r["new"]) for r in records if r["section"] == "flow"}
    assert flows == {
        ("edge-added", "payment", None, "call"),
        ("edge-added", "call", None, "done"),
        ("edge-removed", "payment", "done", None),
    }


def test_a_removed_touchpoint_shows_its_flows_removed_and_the_bypass_added() -> None:
    diff = diff_maps(edited(INSERTED), load(BASE))
    assert flow_edges(diff.changes) == [
        ("edge-added", "payment", "done"),
        ("edge-removed", "payment", "call"),
        ("edge-removed", "call", "done"),
    ]
    removed_from_call = next(c for c in diff.changes if c.kind == "edge-removed" and c.id == "call")
    assert removed_from_call.name == "Adviser call"  # named as it was: it is gone from the new version


def test_a_rerouted_flow_shows_the_old_and_the_new_edge() -> None:
    diff = diff_maps(load(BASE), edited(("        name: Cart\n", "        name: Cart\n        next: [done]\n")))
    assert ("edge-added", "cart", "done") in flow_edges(diff.changes)
    assert ("edge-removed", "cart", "payment") in flow_edges(diff.changes)

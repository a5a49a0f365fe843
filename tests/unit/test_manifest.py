"""The build's manifest read as the untrusted input it is.

A reproduction from the third hardening probe: `OUT/.jmap-manifest.json`
holding `[` × 100,000 or `Infinity` made `build` and `build --check` end in
exit 3 "internal error", and every build after it too, until the user found
and deleted the file. Whatever the file holds, a build now sets it aside with
one warning and builds everything (exit 0), and `--check` says in one line
that nothing can be verified (exit 1).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from test_build import FAST, Log, build, make_repo, snapshot

from jmap.repo import manifest as mf
from jmap.repo.manifest import MANIFEST_NAME, NotAManifest, parse


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, Path, bytes]:
    """A real build's folders and manifest."""
    root = tmp_path_factory.mktemp("built")
    src, out = make_repo(root), root / "out"
    assert build(src, out) == 0
    return src, out, (out / MANIFEST_NAME).read_bytes()


def test_what_jmap_writes_reads_back_as_written(written) -> None:
    _src, out, data = written
    manifest = parse(data)
    assert set(manifest.maps) == {"checkout.yaml", "team-a/onboarding.yml", "team-b/deep/support.yaml"}
    record = manifest.maps["checkout.yaml"]
    assert record.entry.title == "Checkout" and record.entry.status == "valid"
    assert {rel: o.format for rel, o in record.outputs.items()} == {
        "checkout.html": "html",
        "checkout.md": "md",
        "checkout.mmd": "mmd",
    }
    mf.save(out / "again", manifest)
    assert (out / "again" / MANIFEST_NAME).read_bytes() == data


def _with(data: bytes, change) -> bytes:
    document = json.loads(data)
    change(document)
    return json.dumps(document).encode()


def _first_map(document):
    return next(iter(document["maps"].values()))


CRAFTED = {
    "not JSON": lambda d: b"{not json",
    "deep nesting": lambda d: b"[" * 100_000,
    "deep nesting in a record": lambda d: _with(
        d, lambda m: m["maps"].update({"x.yaml": json.loads("[" * 500 + "]" * 500)})
    ),
    "Infinity": lambda d: d.replace(b'"jmap-manifest": 3', b'"jmap-manifest": Infinity'),
    "NaN in a count": lambda d: d.replace(b'"stages": 2', b'"stages": NaN', 1),
    "a float": lambda d: d.replace(b'"stages": 2', b'"stages": 2.5', 1),
    "a huge number": lambda d: d.replace(b'"stages": 2', b'"stages": 1' + b"0" * 5000, 1),
    "not UTF-8": lambda d: b"\xff\xfe" + d,
    "a list at the root": lambda d: b"[]",
    "another layout": lambda d: _with(d, lambda m: m.update({"jmap-manifest": 2})),
    "no layout": lambda d: _with(d, lambda m: m.pop("jmap-manifest")),
    "a layout that is true": lambda d: _with(d, lambda m: m.update({"jmap-manifest": True})),
    "maps not an object": lambda d: _with(d, lambda m: m.update({"maps": []})),
    "a record not an object": lambda d: _with(d, lambda m: m["maps"].update({"checkout.yaml": "x"})),
    "inputs not an object": lambda d: _with(d, lambda m: _first_map(m).update({"inputs": "abc"})),
    "a hash that is not one": lambda d: _with(d, lambda m: _first_map(m)["inputs"].update({"source": "x" * 64})),
    "a hash that is a number": lambda d: _with(d, lambda m: _first_map(m)["inputs"].update({"source": 7})),
    "an unknown status": lambda d: _with(d, lambda m: _first_map(m)["entry"].update({"status": "great"})),
    "tags not a list": lambda d: _with(d, lambda m: _first_map(m)["entry"].update({"tags": "web"})),
    "a count that is a text": lambda d: _with(d, lambda m: _first_map(m)["entry"].update({"stages": "2"})),
    "a count that is negative": lambda d: _with(d, lambda m: _first_map(m)["entry"].update({"stages": -1})),
    "a title that is a list": lambda d: _with(d, lambda m: _first_map(m)["entry"].update({"title": ["x"]})),
    "a duplicated key": lambda d: d.replace(b'"jmap-manifest": 3', b'"jmap-manifest": 3, "jmap-manifest": 3'),
    "an output outside OUT": lambda d: _with(
        d, lambda m: _first_map(m)["outputs"].update({"../outside.md": {"format": "md", "sha256": "0" * 64}})
    ),
    "an absolute output": lambda d: _with(
        d, lambda m: _first_map(m)["outputs"].update({"/etc/passwd": {"format": "md", "sha256": "0" * 64}})
    ),
    "an output through ..": lambda d: _with(
        d, lambda m: _first_map(m)["outputs"].update({"a/../../b.md": {"format": "md", "sha256": "0" * 64}})
    ),
    "a map outside SRC": lambda d: _with(d, lambda m: m["maps"].update({"../x.yaml": _first_map(m)})),
    "a gallery link outside OUT": lambda d: _with(
        d, lambda m: _first_map(m)["entry"].update({"outputs": [["html", "../../x.html"]]})
    ),
    "a gallery not an object": lambda d: _with(d, lambda m: m.update({"gallery": 3})),
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_a_manifest_that_is_not_what_jmap_writes_is_refused_with_one_phrase(written, case) -> None:
    data = CRAFTED[case](written[2])
    with pytest.raises(NotAManifest) as refused:
        parse(data)
    reason = str(refused.value)
    assert reason and "\n" not in reason and len(reason) < 200


def test_an_absurdly_large_manifest_is_not_read_whole(tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with (out / MANIFEST_NAME).open("wb") as handle:
        handle.truncate(mf.MAX_BYTES + 10)
    manifest, problem = mf.load(out)
    assert manifest is None and problem == f"larger than {mf.MAX_BYTES // (1024 * 1024)} MiB"


@pytest.mark.parametrize("case", ["not JSON", "deep nesting", "Infinity", "an output outside OUT", "another layout"])
def test_build_sets_a_crafted_manifest_aside_and_builds_everything(tmp_path, case, written) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    assert build(src, out) == 0
    reference = snapshot(out)
    (out / "checkout.md").write_text("stale on purpose", encoding="utf-8")
    (out / MANIFEST_NAME).write_bytes(CRAFTED[case]((out / MANIFEST_NAME).read_bytes()))
    log = Log()
    assert build(src, out, log=log) == 0, log.text()
    warnings = [line for line in log.err if "warning" in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"{out / MANIFEST_NAME}: warning: ")
    assert ": warning: not a manifest jmap wrote (" in warnings[0]
    assert warnings[0].endswith("); set aside, building everything")
    assert "0 unchanged, 3 to render" in log.text()
    assert snapshot(out) == reference
    parse((out / MANIFEST_NAME).read_bytes())  # replaced by one jmap wrote
    assert build(src, out, check=True) == 0


@pytest.mark.parametrize("case", ["deep nesting", "Infinity", "a hash that is not one"])
def test_check_calls_outputs_unverifiable_in_one_line(tmp_path, case) -> None:
    src, out = make_repo(tmp_path), tmp_path / "out"
    assert build(src, out) == 0
    (out / MANIFEST_NAME).write_bytes(CRAFTED[case]((out / MANIFEST_NAME).read_bytes()))
    log = Log()
    assert build(src, out, check=True, log=log) == 1
    assert len(log.out) == 1
    assert log.out[0].startswith(
        f"unverifiable: 10 outputs in {out}: {out / MANIFEST_NAME} is not a manifest jmap wrote ("
    )
    assert log.err[-1] == f"  jmap build {src} -o {out} -f {','.join(FAST)}"


def _mutations(data: bytes, rng: random.Random) -> bytes:
    """One random way of spoiling a manifest: bytes flipped, cut, repeated,
    or a node of the JSON replaced by a hostile value."""
    how = rng.randrange(5)
    if how == 0:
        spoiled = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            spoiled[rng.randrange(len(spoiled))] = rng.randrange(256)
        return bytes(spoiled)
    if how == 1:
        return data[: rng.randrange(len(data))]
    if how == 2:
        cut = rng.randrange(len(data))
        return data[:cut] + data[cut : cut + rng.randint(1, 50)] * rng.randint(2, 50) + data[cut:]
    document = json.loads(data)
    hostile = rng.choice(
        [None, True, 0, -1, 1.5, 10**40, "", "../x", "/etc", "x" * 70, [], {}, [[[]]], {"a": {"b": {}}}, "0" * 64]
    )
    node, key = document, None
    for _ in range(rng.randint(1, 6)):
        if isinstance(node, dict) and node:
            key = rng.choice(list(node))
        elif isinstance(node, list) and node:
            key = rng.randrange(len(node))
        else:
            break
        child = node[key]
        if not isinstance(child, (dict, list)) or not child or rng.random() < 0.3:
            break
        node, key = child, None
    if key is None:
        return json.dumps(hostile).encode()
    if how == 3:
        node[key] = hostile
    elif isinstance(node, dict):
        node[str(hostile)[:80]] = node.pop(key)
    return json.dumps(document).encode()


def test_fuzzed_manifests_are_read_or_refused_never_a_crash(written) -> None:
    """3,000 spoiled manifests: each is read (when still well-formed) or
    refused with NotAManifest; nothing else is ever raised."""
    rng = random.Random(20261208)
    data = written[2]
    outcomes = {"read": 0, "refused": 0}
    for _ in range(3000):
        spoiled = _mutations(data, rng)
        try:
            parse(spoiled)
        except NotAManifest:
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
    assert outcomes["refused"] > 1000 and outcomes["read"] > 50, outcomes


@pytest.mark.slow
def test_fuzzed_manifests_never_fail_a_build(tmp_path) -> None:
    """A build over a spoiled manifest, 40 times: exit 0, the same outputs,
    at most one warning; the check then passes."""
    src, out = make_repo(tmp_path), tmp_path / "out"
    assert build(src, out) == 0
    reference, data = snapshot(out), (out / MANIFEST_NAME).read_bytes()
    rng = random.Random(8)
    for trial in range(40):
        (out / MANIFEST_NAME).write_bytes(_mutations(data, rng))
        log = Log()
        assert build(src, out, log=log) == 0, (trial, log.text())
        assert sum("warning" in line for line in log.err) <= 1, (trial, log.err)
        assert snapshot(out) == reference, trial
        assert build(src, out, check=True) == 0, trial

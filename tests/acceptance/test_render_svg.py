"""The diagram through the real CLI and the real `dot`: well-formed SVG,
hostile text shown verbatim without changing the drawing's structure, and a
clear message when Graphviz is missing."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from support import example_paths, run_jmap
from support.generated import generated_map_yaml

from jmap.render.graphviz import MISSING_DOT

SVG = "{http://www.w3.org/2000/svg}"

HOSTILE = [
    '"];evil[label="x',
    "</TD></TR></TABLE>><B>bold</B>",
    "a -> b; c:d",
    r"back\slash \N \G \E \T \H \L \n \l and trailing\\",
    "{braces} [brackets] <angle> & ampersand ' quote",
    "<script>alert(1)</script>",
    '<a href="https://example.com">link</a>',
    "<<B>html label?</B>>",
    "émoji 😀 עברית مرحبا",
]


def map_yaml(text) -> str:
    """A map whose every user string is ``text(default)``: two personas, an
    offline channel, a loop, an exit, a step, pain points and metrics."""
    doc = {
        "jmap": 1,
        "title": text("Title"),
        "description": text("Description"),
        "personas": [
            {"id": "ana", "name": text("Ana"), "color": "#2a9d8f"},
            {"id": "ben", "name": text("Ben")},
        ],
        "channels": [
            {"id": "web", "name": text("Web"), "type": "online"},
            {"id": "phone", "name": text("Phone"), "type": "offline"},
        ],
        "stages": [
            {
                "id": "find",
                "name": text("Find"),
                "goal": text("Goal"),
                "duration": "2d",
                "metrics": {"visits": 4800},
                "touchpoints": [
                    {"id": "ad", "name": text("Ad"), "channel": "web", "personas": ["ana"], "emotion": 1},
                    {
                        "id": "cart",
                        "name": text("Cart"),
                        "channel": "web",
                        "emotion": {"ana": 0, "ben": -1},
                        "metrics": {"abandonment": "68%"},
                        "next": ["pay", "quit"],
                    },
                    {"id": "quit", "name": text("Quit"), "next": [], "emotion": -2},
                ],
            },
            {
                "id": "buy",
                "name": text("Buy"),
                "touchpoints": [
                    {
                        "id": "pay",
                        "name": text("Pay"),
                        "channel": "web",
                        "emotion": -2,
                        "next": ["done", "call"],
                        "pain_points": [{"id": "refused", "name": text("Refused"), "severity": "critical"}],
                        "touchpoints": [{"id": "card", "name": text("Card")}],
                    },
                    {
                        "id": "call",
                        "name": text("Call"),
                        "channel": "phone",
                        "emotion": 1,
                        "metrics": {"conversion": {"value": "22%", "target": "25%"}},
                        "next": ["pay"],
                    },
                    {"id": "done", "name": text("Done"), "channel": "web", "emotion": 2},
                ],
            },
        ],
        "opportunities": [{"id": "fix", "name": text("Fix"), "addresses": ["refused"]}],
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def render(tmp_path: Path, source: str, *options: str, fmt: str = "svg", name: str = "map") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(source, encoding="utf-8")
    out = tmp_path / "out"
    result = run_jmap("render", "-f", fmt, "-o", str(out), *options, str(path))
    assert result.returncode == 0, result.stderr.decode()
    return out / f"{name}.{fmt}"


def structure(svg: ET.Element) -> dict[str, list[str]]:
    """The drawing's skeleton: the titles of its nodes, edges and clusters."""
    found: dict[str, list[str]] = {"node": [], "edge": [], "cluster": []}
    for group in svg.iter(f"{SVG}g"):
        kind = group.get("class")
        if kind in found:
            title = group.find(f"{SVG}title")
            found[kind].append(title.text if title is not None else "")
    return found


def visible_text(svg: ET.Element) -> str:
    """Every <text> in order, one space apart, whitespace runs collapsed:
    wrapped lines join back into the author's sentence."""
    return re.sub(r"\s+", " ", " ".join(t.text or "" for t in svg.iter(f"{SVG}text")))


def assert_safe(svg: ET.Element) -> None:
    for element in svg.iter():
        tag = element.tag.removeprefix(SVG)
        assert tag not in ("script", "a", "foreignObject", "iframe"), tag
        for attribute in element.attrib:
            assert not attribute.lower().startswith("on"), attribute
            assert not attribute.endswith("href"), attribute


@pytest.mark.needs_dot
@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_example_maps_render_to_well_formed_safe_svg(tmp_path, path):
    out = tmp_path / "out"
    result = run_jmap("render", "-f", "svg,dot", "-o", str(out), str(path))
    assert result.returncode == 0, result.stderr.decode()
    svg = ET.parse(out / f"{path.stem}.svg").getroot()
    assert_safe(svg)
    drawn = structure(svg)
    dot = (out / f"{path.stem}.dot").read_text(encoding="utf-8")
    declared = re.findall(r'^\s*"((?:tp|end|link_in|link_out)_[a-z0-9_]+)" \[', dot, flags=re.M)
    assert sorted(drawn["node"]) == sorted(declared)
    assert len(drawn["cluster"]) == dot.count('subgraph "cluster_')


@pytest.mark.needs_dot
@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_shown_verbatim_and_changes_nothing(tmp_path, payload):
    # Where a journey wraps into rows depends on its text's length, so the
    # benign twin carries text of the same shape (same words' lengths).
    twin = re.sub(r"\S", "x", payload)
    benign = ET.parse(render(tmp_path, map_yaml(lambda s: f"{s} {twin}"), name="benign")).getroot()
    hostile_path = render(tmp_path, map_yaml(lambda s: f"{s} {payload}"), name="hostile")
    hostile = ET.parse(hostile_path).getroot()  # well-formed XML, or this raises
    assert_safe(hostile)
    assert structure(hostile) == structure(benign)
    # Wrapping may break a long word anywhere, so compare without whitespace.
    text = re.sub(r"\s+", "", visible_text(hostile))
    expected = re.sub(r"\s+", "", payload)
    for field in ("Title", "Ana", "Find", "Cart", "Refused", "Call"):
        assert f"{field}{expected}" in text, (field, text[:400])


@pytest.mark.needs_dot
def test_control_characters_and_line_breaks_keep_the_svg_valid(tmp_path):
    payload = "tab\there nul\x00 bell\x07 esc\x1b del\x7f c1\x85 line\nbreak\r\nagain"
    svg_path = render(tmp_path, map_yaml(lambda s: f"{s} {payload}"))
    svg = ET.parse(svg_path).getroot()
    assert_safe(svg)
    raw = svg_path.read_bytes().decode("utf-8")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", raw)
    text = visible_text(svg)
    assert "Cart tab here" in text
    assert "line break again" in text
    assert "\ufffd" in text


@pytest.mark.needs_dot
def test_persona_view_draws_one_journey(tmp_path):
    svg = ET.parse(render(tmp_path, map_yaml(lambda s: s), "--persona", "ben")).getroot()
    nodes = structure(svg)["node"]
    assert "tp_ad" not in nodes  # Ana's only
    assert {"tp_cart", "tp_pay", "tp_card", "tp_call", "tp_done", "tp_quit"} <= set(nodes)
    assert "Title — Journey: Ben" in visible_text(svg)


@pytest.mark.needs_dot
@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG\r\n"), ("pdf", b"%PDF-")])
def test_png_and_pdf(tmp_path, fmt, magic):
    assert render(tmp_path, map_yaml(lambda s: s), fmt=fmt).read_bytes().startswith(magic)


@pytest.mark.needs_dot
def test_svg_is_byte_identical_across_runs(tmp_path):
    first = render(tmp_path, map_yaml(lambda s: s), name="one").read_bytes()
    second = render(tmp_path, map_yaml(lambda s: s), name="one").read_bytes()
    assert first == second


def test_without_dot_svg_fails_with_one_clear_line_and_dot_still_works(tmp_path):
    source = tmp_path / "map.yaml"
    source.write_text(map_yaml(lambda s: s), encoding="utf-8")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    out = tmp_path / "out"
    failed = run_jmap("render", "-f", "svg", "-o", str(out), str(source), env={"PATH": str(empty)})
    stderr = failed.stderr.decode()
    assert failed.returncode == 1, stderr
    assert MISSING_DOT in stderr
    assert "Traceback" not in stderr
    assert len([line for line in stderr.splitlines() if "Graphviz" in line]) == 1
    assert not (out / "map.svg").exists()

    worked = run_jmap("render", "-f", "dot", "-o", str(out), str(source), env={"PATH": str(empty)})
    assert worked.returncode == 0, worked.stderr.decode()
    assert (out / "map.dot").read_text(encoding="utf-8").startswith("digraph journey {")


# -- on a slide ----------------------------------------------------------------------

SLIDE = (1920, 1080)


def slide_figures(svg_path: Path) -> tuple[float, float]:
    """The diagram's width:height, and the size in px of its smallest text when
    the whole SVG is fitted into a 1920×1080 slide (its width and height are
    in pt: 4/3 px each at full size; font sizes are in the same user units)."""
    raw = svg_path.read_text(encoding="utf-8")
    width, height = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', raw).groups())
    view = [float(v) for v in re.search(r'viewBox="([-\d. ]+)"', raw).group(1).split()]
    units_to_px = min(SLIDE[0] / (width * 4 / 3), SLIDE[1] / (height * 4 / 3)) * (width * 4 / 3) / view[2]
    smallest = min(float(v) for v in re.findall(r'font-size="([\d.]+)"', raw))
    return width / height, smallest * units_to_px


def generated_map(tmp_path: Path, touchpoints: int) -> Path:
    path = tmp_path / f"generated-{touchpoints}.yaml"
    path.write_text(generated_map_yaml(touchpoints), encoding="utf-8")
    return path


#: Smallest text on a 1920×1080 slide, in px: 9 px for every example
#: (measured: checkout-fr 9.3, retail-omnichannel 9.6, service-clinic 9.4).
#: The generated 30-touchpoint map reaches 7.8 px: each of its stages holds ten
#: touchpoints in a line, and a stage is never split across rows.
SMALLEST_TEXT = {"service-clinic": 9.0, "retail-omnichannel": 9.0, "checkout-fr": 9.0, "generated-30": 7.6}


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", [*(p.stem for p in example_paths()), "generated-30", "generated-120"])
def test_the_diagram_fits_a_16_9_slide(tmp_path, name):
    if name.startswith("generated-"):
        source = generated_map(tmp_path, int(name.split("-")[1]))
    else:
        source = next(p for p in example_paths() if p.stem == name)
    out = tmp_path / "out"
    result = run_jmap("render", "-f", "svg", "-o", str(out), str(source))
    assert result.returncode == 0, result.stderr.decode()
    ratio, smallest = slide_figures(out / f"{source.stem}.svg")
    assert ratio <= 3.0, f"{name}: {ratio:.2f}:1 is wider than 3:1"
    if name in SMALLEST_TEXT:
        assert smallest >= SMALLEST_TEXT[name], f"{name}: smallest text {smallest:.1f} px on a 1920×1080 slide"


@pytest.mark.needs_dot
def test_rows_read_top_to_bottom_in_stage_order(tmp_path):
    source = generated_map(tmp_path, 60)
    out = tmp_path / "out"
    assert run_jmap("render", "-f", "svg", "-o", str(out), str(source)).returncode == 0
    svg = ET.parse(out / f"{source.stem}.svg").getroot()
    tops = {}
    for group in svg.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if group.get("class") == "cluster" and title is not None and title.text.startswith("cluster_stage_"):
            ys = [float(v) for v in re.findall(r"-?[\d.]+", group.find(f"{SVG}path").get("d"))[1::2]]
            tops[int(title.text.rsplit("_", 1)[1])] = min(ys)
    assert len({round(y) for y in tops.values()}) >= 2, "a 60-touchpoint journey wraps into rows"
    order = [tops[i] for i in sorted(tops)]
    assert all(a <= b + 1 for a, b in itertools.pairwise(order)), "later stages never stand above earlier ones"


@pytest.mark.needs_dot
def test_faces_are_drawn_not_typed(tmp_path):
    """A face glyph would look different on every machine (colour emoji or
    not, depending on its fonts): the SVG draws each face as shapes."""
    source = next(p for p in example_paths() if p.stem == "service-clinic")
    out = tmp_path / "out"
    assert run_jmap("render", "-f", "svg", "-o", str(out), str(source)).returncode == 0
    raw = (out / "service-clinic.svg").read_text(encoding="utf-8")
    assert raw.count('<g class="face"') >= 10
    for face in ("\U0001f620", "\u2639", "\U0001f610", "\u263a", "\U0001f604", "\U0001f641", "\U0001f642"):
        assert face not in raw


# -- what passes validate renders --------------------------------------------------

LONG = 16 * 1024


def _valid_map(title: str = "T", stage: str = "S", persona: str = "P", channel: str = "Web", ident: str = "t") -> str:
    return yaml.safe_dump(
        {
            "jmap": 1,
            "title": title,
            "description": title,
            "personas": [{"id": "p", "name": persona}],
            "channels": [{"id": "web", "name": channel}],
            "stages": [
                {
                    "id": "s" + ident,
                    "name": stage,
                    "description": stage,
                    "touchpoints": [
                        {"id": ident, "name": "A", "channel": "web", "next": ["b"]},
                        {
                            "id": "b",
                            "name": "B",
                            "channel": "web",
                            "pain_points": [{"id": "pp" + ident, "name": persona}],
                        },
                    ],
                }
            ],
            "opportunities": [{"id": "o", "name": "O", "addresses": ["pp" + ident]}],
        },
        allow_unicode=True,
        width=1 << 20,
    )


@pytest.mark.needs_dot
@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"title": "]"}, id="title-bracket"),
        pytest.param({"stage": "]"}, id="stage-bracket"),
        pytest.param({"title": "]]"}, id="title-double-bracket"),
        pytest.param({"persona": "x" * LONG}, id="16k-persona-name"),
        pytest.param({"channel": "y " * (LONG // 2)}, id="16k-channel-name"),
        pytest.param({"title": "&" * LONG, "stage": "<" * LONG}, id="16k-escaped-texts"),
        pytest.param({"ident": "t" * LONG}, id="16k-ids"),
    ],
)
def test_every_valid_map_renders_to_svg_and_pdf(tmp_path: Path, fields: dict[str, str]) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(_valid_map(**fields), encoding="utf-8")
    checked = run_jmap("validate", str(path))
    assert checked.returncode == 0, checked.stdout.decode()
    proc = run_jmap("render", "-f", "svg,pdf", "-o", str(tmp_path), str(path))
    assert proc.returncode == 0, proc.stderr.decode()
    ET.parse(tmp_path / "map.svg")
    assert (tmp_path / "map.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.needs_dot
def test_a_bracket_title_is_drawn_as_a_bracket(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(_valid_map(title="]"), encoding="utf-8")
    proc = run_jmap("render", "-f", "svg", "-o", "-", str(path))
    assert proc.returncode == 0, proc.stderr.decode()
    texts = [t.text for t in ET.fromstring(proc.stdout).iter(f"{SVG}text")]
    assert "]" in texts

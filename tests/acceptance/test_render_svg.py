"""The diagram through the real CLI and the real `dot`: well-formed SVG,
hostile text shown verbatim without changing the drawing's structure, and a
clear message when Graphviz is missing."""

from __future__ import annotations

import itertools
import re
import struct
import time
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


def generated_map(tmp_path: Path, touchpoints: int, **kinds: bool) -> Path:
    name = f"generated-{touchpoints}" + "".join(f"-no-{kind}" for kind, kept in kinds.items() if not kept)
    path = tmp_path / f"{name}.yaml"
    path.write_text(generated_map_yaml(touchpoints, **kinds), encoding="utf-8")
    return path


#: The slide rule holds up to this many touchpoints of the generated maps,
#: whose every card is full (two personas feeling differently, channel and
#: time, metrics, pain points): measured 9.6 px at 35 touchpoints, 9.4 px at
#: 40, 7.7 px at 60 (docs/diagram.md). Beyond it the diagram keeps a page's shape and is
#: for zooming or printing.
SLIDE_RULE_LIMIT = 35

#: Maps on which the drawing is measured: the examples, generated maps up to
#: the slide rule's limit with and without personas and branches, and beyond.
SLIDE_MAPS = [
    *(p.stem for p in example_paths()),
    *(f"generated-{n}" for n in (10, 17, 30, SLIDE_RULE_LIMIT)),
    "generated-17-no-personas",
    "generated-30-no-personas",
    "generated-30-no-branches",
    "generated-30-no-personas-no-branches",
    *(f"generated-{n}" for n in (60, 120, 300)),
]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """The SVG of a map of SLIDE_MAPS, rendered once by the real CLI."""
    cache: dict[str, Path] = {}
    folder = tmp_path_factory.mktemp("slides")

    def svg(name: str) -> Path:
        if name not in cache:
            if name.startswith("generated-"):
                size, *kinds = name.removeprefix("generated-").split("-no-")
                source = generated_map(folder, int(size), **{kind: False for kind in kinds})
            else:
                source = next(p for p in example_paths() if p.stem == name)
            result = run_jmap("render", "-f", "svg", "-o", str(folder / "out"), str(source))
            assert result.returncode == 0, result.stderr.decode()
            cache[name] = folder / "out" / f"{source.stem}.svg"
        return cache[name]

    return svg


def touchpoints_of(name: str) -> int | None:
    match = re.match(r"generated-(\d+)", name)
    return int(match.group(1)) if match else None


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", SLIDE_MAPS)
def test_the_diagram_fits_a_16_9_slide(drawn, name):
    ratio, smallest = slide_figures(drawn(name))
    assert ratio <= 3.0, f"{name}: {ratio:.2f}:1 is wider than 3:1"
    size = touchpoints_of(name)
    if size is None or size <= SLIDE_RULE_LIMIT:
        assert smallest >= 9.0, f"{name}: smallest text {smallest:.2f} px on a 1920×1080 slide"
    else:
        # Past the limit the diagram keeps a page's shape, neither a strip nor
        # a column, for zooming and printing.
        assert 1.0 <= ratio <= 2.4, f"{name}: {ratio:.2f}:1"


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", [n for n in SLIDE_MAPS if (touchpoints_of(n) or 0) >= 120])
def test_past_the_limit_no_arrangement_of_the_stages_fits_9_px(drawn, name):
    """Why the slide rule stops: at 9 px a slide shows 1920×1080 pt of the
    drawing, and the stage boxes alone (which no layout may overlap) cover
    more than that."""
    boxes = stage_boxes(ET.parse(drawn(name)).getroot())
    area = sum((x1 - x0) * (y1 - y0) for (x0, y0, x1, y1), _texts in boxes.values())
    assert area > 1920 * 1080, f"{name}: stage boxes cover {area / (1920 * 1080):.2f} of a slide"


def _numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


def stage_boxes(svg: ET.Element) -> dict[str, tuple[tuple[float, float, float, float], list[tuple]]]:
    """Each stage cluster (or part of a stage): its box (x0, y0, x1, y1) and
    the boxes of its title and details, estimated from the text's length and
    size (DejaVu Sans is at most 0.62 em wide a character on average)."""
    out = {}
    for group in svg.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if group.get("class") != "cluster" or title is None or not title.text.startswith("cluster_stage_"):
            continue
        v = _numbers(group.find(f"{SVG}path").get("d"))
        box = (min(v[0::2]), min(v[1::2]), max(v[0::2]), max(v[1::2]))
        texts = []
        for text in group.findall(f"{SVG}text"):
            x, y, size = float(text.get("x")), float(text.get("y")), float(text.get("font-size"))
            texts.append((x, y - size * 0.8, x + len(text.text or "") * size * 0.62, y + size * 0.2, text.text))
        out[title.text] = (box, texts)
    return out


def rows_of(boxes: dict[str, tuple]) -> list[list[str]]:
    """Stage boxes grouped into the rows they stand in: boxes whose heights overlap."""
    rows: list[list[str]] = []
    for name in sorted(boxes, key=lambda n: boxes[n][0][1]):
        box = boxes[name][0]
        for row in rows:
            if any(box[1] < boxes[other][0][3] and boxes[other][0][1] < box[3] for other in row):
                row.append(name)
                break
        else:
            rows.append([name])
    return rows


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", SLIDE_MAPS)
def test_stage_boxes_of_a_row_stand_side_by_side_top_aligned(drawn, name):
    boxes = stage_boxes(ET.parse(drawn(name)).getroot())
    rows = rows_of(boxes)
    assert len(rows) >= 2, "these journeys wrap into rows"
    for row in rows:
        tops = [boxes[n][0][1] for n in row]
        assert max(tops) - min(tops) < 0.01, f"{name}: staggered row {row}: {tops}"
        spans = sorted((boxes[n][0][0], boxes[n][0][2]) for n in row)
        for (_a0, a1), (b0, _b1) in itertools.pairwise(spans):
            assert a1 <= b0, f"{name}: stage boxes overlap in {row}"


def edge_paths(svg: ET.Element) -> list[tuple[str, list[tuple[float, float]]]]:
    """Each edge's title and points sampled along its Bézier path."""
    out = []
    for group in svg.iter(f"{SVG}g"):
        path = group.find(f"{SVG}path")
        if group.get("class") != "edge" or path is None:
            continue
        v = _numbers(path.get("d"))
        points = list(zip(v[0::2], v[1::2], strict=True))
        sampled = [points[0]]
        for k in range(1, len(points) - 2, 3):
            p0, p1, p2, p3 = points[k - 1 : k + 3]
            for step in range(1, 21):
                t = step / 20
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
                sampled.append(
                    (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])
                )
        out.append((group.find(f"{SVG}title").text, sampled))
    return out


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", SLIDE_MAPS)
def test_no_arrow_crosses_a_stage_title_or_goal(drawn, name):
    svg = ET.parse(drawn(name)).getroot()
    labels = [(stage, text) for stage, (_box, texts) in stage_boxes(svg).items() for text in texts]
    assert labels
    for edge, points in edge_paths(svg):
        for stage, (x0, y0, x1, y1, words) in labels:
            assert not any(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points), f"{edge} crosses {stage}: {words!r}"


def node_boxes(svg: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        v: list[float] = []
        for shape in group:
            if shape.tag in (f"{SVG}polygon", f"{SVG}path"):
                v += _numbers(shape.get("points") or shape.get("d") or "")
            elif shape.tag == f"{SVG}ellipse":
                cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
                v += [cx - rx, cy - ry, cx + rx, cy + ry]
        if v:
            out[group.find(f"{SVG}title").text] = (min(v[0::2]), min(v[1::2]), max(v[0::2]), max(v[1::2]))
    return out


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", SLIDE_MAPS)
def test_loops_stay_between_the_cards_they_join(drawn, name):
    """A loop back (a retry, a return) is drawn only when short, as a curve
    between the two cards; a longer one is a lettered connector. Measured:
    the arrow's horizontal extent stays within the cards it joins, plus the
    room the curve needs to bend out beside them."""
    svg = ET.parse(drawn(name)).getroot()
    nodes = node_boxes(svg)
    loops = 0
    for edge, points in edge_paths(svg):
        tail, _arrow, head = edge.partition("->")
        if not (tail.startswith("tp_") and head.startswith("tp_")) or tail == head:
            continue
        if (nodes[head][0] + nodes[head][2]) / 2 >= (nodes[tail][0] + nodes[tail][2]) / 2 - 1:
            continue  # forward, or a step under its touchpoint
        loops += 1
        left = min(nodes[head][0], nodes[tail][0]) - 60
        right = max(nodes[head][2], nodes[tail][2]) + 60
        xs = [x for x, _y in points]
        assert left <= min(xs) and max(xs) <= right, f"{name}: the loop {edge} sweeps from {min(xs)} to {max(xs)}"
        assert right - left < 2 * 260 + 120, f"{name}: the loop {edge} spans more than two columns of cards"
    if name == "checkout-fr":
        assert loops >= 1, "the call back to the payment is drawn"


@pytest.mark.needs_dot
@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_png_and_pdf_are_drawn_from_the_aligned_layout(tmp_path, path):
    """PNG and PDF come from dot's layout with the stage boxes of each row
    raised to one top (drawn by neato -n2): checked on that layout."""
    import subprocess

    from jmap.render.diagram import align_laid_out

    out = tmp_path / "out"
    assert run_jmap("render", "-f", "dot,png,pdf", "-o", str(out), str(path)).returncode == 0
    assert (out / f"{path.stem}.png").read_bytes().startswith(b"\x89PNG")
    assert (out / f"{path.stem}.pdf").read_bytes().startswith(b"%PDF-")
    laid = subprocess.run(["dot", "-Tdot", str(out / f"{path.stem}.dot")], capture_output=True, check=True).stdout
    boxes = {}
    for name, bb in re.findall(
        r'subgraph "?(cluster_stage_\w+)"? \{\n\t\tgraph \[bb="([-\d.,]+)"', align_laid_out(laid).decode()
    ):
        x0, y0, x1, y1 = (float(v) for v in bb.split(","))
        boxes[name] = ((x0, -y1, x1, -y0), [])  # as in the SVG: y downwards
    rows = rows_of(boxes)
    assert len(rows) >= 2
    for row in rows:
        assert len({boxes[n][0][1] for n in row}) == 1, row


@pytest.mark.needs_dot
def test_rows_read_top_to_bottom_in_stage_order(drawn):
    boxes = stage_boxes(ET.parse(drawn("generated-60")).getroot())
    order = {}
    for name, (box, _texts) in boxes.items():
        stage, part = re.fullmatch(r"cluster_stage_(\d+)(?:_part_(\d+))?", name).groups()
        order[(int(stage), int(part or 1))] = box
    assert len(rows_of(boxes)) >= 2, "a 60-touchpoint journey wraps into rows"
    tops = [order[key][1] for key in sorted(order)]
    assert all(a <= b + 1 for a, b in itertools.pairwise(tops)), "later stages never stand above earlier ones"
    # within a row, later parts stand to the right
    for a, b in itertools.pairwise(sorted(order)):
        if abs(order[a][1] - order[b][1]) < 1:
            assert order[a][2] <= order[b][0]


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


# -- any valid map is drawable ---------------------------------------------------------


@pytest.mark.needs_dot
def test_a_stage_goal_of_200000_words_renders_in_bounded_time(tmp_path):
    """A 1 MB goal is valid; the diagram draws its first sentences, cut with
    an ellipsis, instead of a label longer than Graphviz's limits."""
    doc = yaml.safe_load(map_yaml(lambda s: s))
    doc["stages"][0]["goal"] = " ".join(["word"] * 200_000)
    started = time.monotonic()
    svg = ET.parse(render(tmp_path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))).getroot()
    assert time.monotonic() - started < 30
    text = visible_text(svg)
    assert "word word" in text and "…" in text
    assert text.count("word") < 200, "the diagram draws a paragraph of the goal, not all of it"


# -- a slide per map (issue 21) --------------------------------------------------------------


def row_boxes(svg_path: Path) -> list[list[tuple[float, float, float, float]]]:
    """The stage boxes of each row, top row first: boxes whose heights overlap."""
    boxes = sorted((box for box, _texts in stage_boxes(ET.parse(svg_path).getroot()).values()), key=lambda b: b[1])
    rows: list[list[tuple[float, float, float, float]]] = []
    for box in boxes:
        if rows and box[1] < max(b[3] for b in rows[-1]):
            rows[-1].append(box)
        else:
            rows.append([box])
    return rows


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", ["generated-10", "generated-17", "generated-20"])
def test_up_to_20_cards_the_smallest_text_is_12_px_on_a_slide(drawn, name):
    """Say less on the card rather than shrink it: the generated maps' cards
    are full (two personas feeling differently, channel, time, metrics, pain points)."""
    ratio, smallest = slide_figures(drawn(name))
    assert smallest >= 12.0, f"{name}: smallest text {smallest:.1f} px on a 1920×1080 slide"
    assert ratio <= 3.0


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", ["generated-17", "generated-20", *(p.stem for p in example_paths())])
def test_a_journey_in_rows_has_a_slide_s_shape(drawn, name):
    """Rows of a slide's shape (1.5 to 2.0:1) are preferred when they cost
    little; a map whose stages are tall (steps stacked under a touchpoint)
    may come out squarer (retail-omnichannel 1.25:1, generated-17 1.38:1)."""
    ratio, _smallest = slide_figures(drawn(name))
    assert len(row_boxes(drawn(name))) > 1
    assert 1.2 <= ratio <= 2.0, f"{name}: {ratio:.2f}:1"


@pytest.mark.needs_dot
def test_eight_cards_are_one_row(drawn):
    assert len(row_boxes(drawn("generated-8"))) == 1


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", [*(p.stem for p in example_paths()), "generated-30", "generated-60"])
def test_rows_are_left_aligned(drawn, name):
    rows = row_boxes(drawn(name))
    lefts = [min(box[0] for box in row) for row in rows]
    assert max(lefts) - min(lefts) < 1.0, f"{name}: rows start at {lefts}"


@pytest.mark.needs_dot
@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_png_is_drawn_at_192_dpi(tmp_path, path):
    out = tmp_path / "out"
    result = run_jmap("render", "-f", "svg,png", "-o", str(out), str(path))
    assert result.returncode == 0, result.stderr.decode()
    png = (out / f"{path.stem}.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    svg = (out / f"{path.stem}.svg").read_text(encoding="utf-8")
    points = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    assert abs(width - points * 192 / 72) <= 4, f"{width} px for {points} pt"
    assert width >= 2 * 1920 * 0.75 or height >= 1080, "sharp on a 1920×1080 slide"

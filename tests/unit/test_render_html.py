"""The HTML swimlane page: structure, lanes, language, safety, determinism, theming."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import example_paths, run_jmap
from support.factories import sample_map

from jmap.errors import RenderError
from jmap.format.validator import load_text
from jmap.model import (
    Emotion,
    JourneyMap,
    Persona,
    Stage,
    Touchpoint,
)
from jmap.render.locale import french_spacing, humanise_key
from jmap.render.page import CURVE_HEIGHT, build_page, render_html
from jmap.render.view import LIGHT_SURFACES, readable_color


def minimal_map(**changes) -> JourneyMap:
    fields = {
        "title": "Plain",
        "stages": (Stage(id="s", name="Only stage", touchpoints=(Touchpoint(id="t", name="Only touchpoint"),)),),
    }
    fields.update(changes)
    return JourneyMap(**fields)


class TagCollector(HTMLParser):
    """Every start tag and its attributes, to check what the page is made of."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_style = False
        self.style_text = ""
        self.script_text = ""
        self._in_style = self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_style = False
        self._in_script = False

    def handle_data(self, data):
        if self._in_style:
            self.style_text += data
        elif self._in_script:
            self.script_text += data
        else:
            self.text.append(data)


def parse(html: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector


def lane_keys(html: str) -> list[str]:
    return re.findall(r'<tr class="lane lane-([a-z_]+)', html)


# -- structure -----------------------------------------------------------------


def test_page_is_a_complete_document_in_the_maps_language():
    html = render_html(sample_map())
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert html.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in html
    assert "<title>title</title>" in html
    assert "<h1>title</h1>" in html


def test_header_shows_description_scenario_owner_tags_and_totals():
    page = build_page(sample_map())
    html = render_html(sample_map())
    for text in ("description", "scenario", "owner", "tag"):
        assert f">{text}<" in html
    assert page.summary.touchpoints == 7
    assert page.summary.pain_points == 2
    # The stages' own lengths and the time in touchpoints: two figures, never one "total".
    # Only one of three stages gives its length: the journey's is not that one.
    assert page.summary.journey_length is None
    # A total says what it covers.
    assert page.summary.time_in_touchpoints == "30\u00a0s (1 of 7 touchpoints)"
    assert "Total duration" not in html
    facts = [f.label for f in page.facts]
    assert facts[:4] == ["Stages", "Touchpoints", "Pain points", "Opportunities"]
    assert "Journey length" not in facts and "Time spent" in facts
    # The journey comes before the persona cards and the scenario.
    assert html.index('class="journey') < html.index('class="persona-cards"') < html.index('class="opportunities"')


def test_persona_cards_show_every_persona_field():
    html = render_html(sample_map())
    for text in ("persona-name", "persona-description", "goal", "frustration", "quote", "persona2-name"):
        assert f">{text}<" in html
    # Colours reach the style sheet as custom properties, never an attribute.
    assert "--p0: #2a9d8f;" in html
    assert 'href="#persona-0"' in html and 'id="persona-0"' in html


def test_one_column_per_top_level_touchpoint_and_one_per_empty_stage():
    page = build_page(sample_map())
    names = [c.touchpoint.name if c.touchpoint else None for c in page.grid.columns]
    assert names == ["tp-ad", "tp-cart", "tp-payment", "tp-callback", "tp-confirmation", None]
    assert [s.span for s in page.grid.stages] == [1, 4, 1]
    assert [c.first_of_stage for c in page.grid.columns] == [True, True, False, False, False, True]


def test_stage_header_shows_goal_duration_and_summed_touchpoint_durations():
    page = build_page(sample_map())
    assert page.grid.stages[0].goal == "stage-goal"
    assert page.grid.stages[0].length == "2\u00a0wk"
    assert page.grid.stages[0].in_touchpoints == "30\u00a0s"
    html = render_html(sample_map())
    assert "Stage length:</span> 2\u00a0wk" in html
    assert "Time spent:</span> 30\u00a0s" in html


def test_sub_touchpoints_are_listed_under_their_parent_with_depth():
    page = build_page(sample_map())
    payment = page.grid.columns[2]
    assert [(s.name, s.depth) for s in payment.subs] == [("sub-card-form", 1), ("subsub-cvv", 2)]
    doing = next(lane for lane in page.grid.lanes_above if lane.key == "doing")
    assert [(g.via, g.items) for g in doing.cells[2]] == [("sub-card-form", ("sub-doing",))]


def test_branches_loops_and_exits_are_marked():
    page = build_page(sample_map())
    flow = page.grid.columns[2].touchpoint.flow
    assert [(t.name, t.anchor, t.loops_back) for t in flow] == [
        ("tp-confirmation", "tp-4", False),
        ("tp-callback", "tp-3", False),
        ("tp-cart", "tp-1", True),
    ]
    assert page.grid.columns[2].subs[1].flow == ()  # next: [] ends the journey
    assert page.grid.columns[0].touchpoint.flow is None  # the default flow needs no mark
    html = render_html(sample_map())
    assert "End of the journey" in html
    assert '<a href="#tp-1">tp-cart</a>' in html
    assert page.grid.columns[0].touchpoint.flow is None


def test_channel_is_marked_online_or_offline():
    html = render_html(sample_map())
    assert '<span class="channel offline"><span class="channel-type">offline</span>' in html
    assert '<span class="channel online"><span class="channel-type">online</span>' in html


def test_pain_points_are_sorted_worst_first_and_unaddressed_ones_flagged_for_review():
    page = build_page(sample_map(), review=True)
    lane = next(lane for lane in page.grid.lanes_above if lane.key == "pain_points")
    items = lane.cells[2][0].items
    assert [(p.name, p.severity, p.unaddressed) for p in items] == [
        ("pp2-name", "critical", True),
        ("pp-name", "high", False),
    ]


def test_the_client_page_shows_no_review_flag():
    """Review flags are for the team (--review); the page a client sees has none."""
    page = build_page(sample_map())
    lane = next(lane for lane in page.grid.lanes_above if lane.key == "pain_points")
    assert not any(p.unaddressed for cell in lane.cells for g in cell for p in g.items)
    assert "unaddressed" not in render_html(sample_map()).split("</style>", 1)[1]
    assert 'class="unaddressed"' in render_html(sample_map(), review=True)


def test_opportunities_sit_with_the_pain_points_they_address():
    page = build_page(sample_map())
    lane = next(lane for lane in page.grid.lanes_above if lane.key == "opportunities")
    assert [[o.name for g in cell for o in g.items] for cell in lane.cells] == [[], [], ["opp-name"], [], [], []]
    opp = lane.cells[2][0].items[0]
    assert (opp.impact_label, opp.effort_label, opp.status_label, opp.addresses) == (
        "high",
        "medium",
        "planned",
        ("pp-name",),
    )
    # Every opportunity, attached or not, is in the table below the grid.
    assert [o.name for o in page.opportunities] == ["opp-name", "opp2-name"]


def test_metrics_show_value_target_unit_and_source():
    page = build_page(sample_map())
    lane = next(lane for lane in page.grid.lanes_below if lane.key == "metrics")
    metric = lane.cells[3][0].items[0]
    assert (metric.label, metric.value, metric.target, metric.source) == (
        "Metric2 name",
        "22%\u00a0unit",
        "25%\u00a0unit",
        "metric-source",
    )


def test_backstage_owner_and_metrics_are_below_the_line_of_visibility():
    page = build_page(sample_map())
    assert [lane.key for lane in page.grid.lanes_above] == [
        "curve",
        "pain_points",
        "opportunities",
        "doing",
        "thinking",
        "feeling",
        "time",
    ]
    # The emotion text row is gone: faces and scores are on the curve.
    assert "emotion" not in [lane.key for lane in page.grid.lanes_above]
    assert [(lane.key, lane.below_visibility) for lane in page.grid.lanes_below] == [
        ("backstage", True),
        ("owner", False),
        ("metrics", False),
    ]
    html = render_html(sample_map())
    assert html.index('<tr class="visibility') < html.index('<tr class="lane lane-backstage below-visibility')
    assert html.index('<tr class="lane lane-time') < html.index('<tr class="visibility')


def test_lanes_without_content_anywhere_are_left_out():
    html = render_html(minimal_map())
    assert lane_keys(html) == []
    assert '<tr class="visibility' not in html
    assert '<svg class="curve"' not in html
    assert "Only touchpoint" in html


def test_a_lane_appears_as_soon_as_one_touchpoint_fills_it():
    jm = minimal_map(
        stages=(
            Stage(
                id="s",
                name="S",
                touchpoints=(
                    Touchpoint(id="a", name="A"),
                    Touchpoint(id="b", name="B", touchpoints=(Touchpoint(id="c", name="C", backstage=("CRM",)),)),
                ),
            ),
        )
    )
    html = render_html(jm)
    assert lane_keys(html) == ["backstage"]
    assert '<tr class="visibility' in html


def test_french_labels():
    html = render_html(sample_map(lang="fr"))
    assert '<html lang="fr">' in html
    for label in (
        "Points de friction",
        "Actions",
        "Pensées",
        "Ressenti",
        "Opportunités",
        "Ligne de visibilité",
        "Coulisses",
        "Indicateurs",
        "Fin du parcours",
    ):
        assert label in html
    assert "Pain points" not in html
    # French typography: a non-breaking space before the colon.
    assert "Objectif\u00a0:" in html


def test_full_unicode_survives():
    names = ["Épargne 💶", "مرحبا بالعالم", "日本語の旅", "Ünïcödé — « guillemets »"]
    jm = minimal_map(
        title=names[0],
        stages=(Stage(id="s", name=names[1], touchpoints=(Touchpoint(id="t", name=names[2], doing=(names[3],)),)),),
    )
    html = render_html(jm)
    for name in names:
        assert name in html


# -- the emotion curve ---------------------------------------------------------


def test_one_curve_per_persona_with_its_colour_and_shape():
    page = build_page(sample_map())
    curve = page.grid.curve
    assert curve is not None
    assert [s.name for s in curve.series] == ["persona-name", "persona2-name"]
    # The persona's colour, darkened just enough to stand out on the pale bands.
    assert curve.series[0].persona.color == readable_color("#2a9d8f", LIGHT_SURFACES)
    sophie = [title.split(" · ")[1] for _column, _score, title in curve.series[0].points]
    assert sophie == [
        "tp-ad: +1 (positive)",
        "tp-cart: 0 (neutral)",
        "tp-payment: -2 (very negative)",
        "tp-callback: +1 (positive)",
        "tp-confirmation: +2 (very positive)",
    ]
    # Marc does not pass the ad, so his line starts at the cart.
    assert curve.series[1].points[0][2].startswith("persona2-name · tp-cart: -1")
    assert curve.series[0].persona.shape != curve.series[1].persona.shape
    assert curve.series[0].dash != curve.series[1].dash


def test_each_point_carries_its_face_and_score():
    page = build_page(sample_map())
    spots = {(s.column, s.score): s for s in page.grid.curve.spots}
    # Sophie and Marc at the cart: two scores, two faces, each with its persona's marker.
    assert spots[(1, 0)].sign == "0" and spots[(1, -1)].sign == "-1"
    marc = next(p for p in page.personas if p.id == "marc")
    assert [position for position, _path in spots[(1, -1)].markers] == [marc.position]
    html = render_html(sample_map())
    assert '<text class="spot-sign" x="11"' in html
    assert html.count('<svg class="spot"') == len(page.grid.curve.spots)


def test_curve_points_sit_over_their_columns_between_plus_and_minus_two():
    page = build_page(sample_map())
    curve = page.grid.curve
    count = len(page.grid.columns)
    top, bottom = curve.levels[0][1], curve.levels[-1][1]
    assert [lvl[0] for lvl in curve.levels] == [2, 1, 0, -1, -2]
    for spot in curve.spots:
        # x in percent of the grid: the centre of the spot's column, at any screen width.
        assert float(spot.x) == pytest.approx(100 * (spot.column + 0.5) / count, abs=0.01)
        assert top - 1 <= spot.y <= bottom + 1
        assert 0 < spot.y < CURVE_HEIGHT
    assert curve.stage_lines == tuple(f"{100 * k / count:.2f}".rstrip("0").rstrip(".") for k in (1, 5))


def _branching_map() -> JourneyMap:
    """Ana takes the express lane, Ben the queue; both then pay."""
    return minimal_map(
        personas=(Persona(id="ana", name="Ana"), Persona(id="ben", name="Ben")),
        stages=(
            Stage(
                id="s",
                name="S",
                touchpoints=(
                    Touchpoint(
                        id="a",
                        name="Arrive",
                        emotion=Emotion(per_persona={"ana": 1, "ben": 1}),
                        next=("express", "queue"),
                    ),
                    Touchpoint(
                        id="express",
                        name="Express",
                        personas=("ana",),
                        emotion=Emotion(per_persona={"ana": 2}),
                        next=("pay",),
                    ),
                    Touchpoint(id="queue", name="Queue", personas=("ben",), emotion=Emotion(per_persona={"ben": -2})),
                    Touchpoint(id="pay", name="Pay", emotion=Emotion(per_persona={"ana": 1, "ben": 0})),
                ),
            ),
        ),
    )


def test_each_curve_follows_its_personas_route():
    page = build_page(_branching_map())
    moves = {s.name: [(m[0], m[1]) for m in s.moves] for s in page.grid.curve.series}
    # Columns: 0 Arrive, 1 Express, 2 Queue, 3 Pay. Ana never queues, Ben never takes the express lane.
    assert moves["Ana"] == [(0, 1), (1, 3)]
    assert moves["Ben"] == [(0, 2), (2, 3)]


def test_persona_colours_keep_contrast_against_the_bands():
    """The page takes its persona colours from the one view (jmap.render.view)."""
    from jmap.render.view import MIN_CONTRAST, contrast_ratio, journey_view

    jm = minimal_map(personas=(Persona(id="p", name="P", color="#ffee88"),))
    (persona,) = build_page(jm).personas
    assert contrast_ratio(persona.color, "#e9f5ec") >= MIN_CONTRAST
    assert contrast_ratio(persona.color, "#fbecec") >= MIN_CONTRAST
    assert persona.color == journey_view(jm).color("p")


def _timed_map(*durations: tuple[str, float]):
    from jmap.model import Duration

    touchpoints = tuple(
        Touchpoint(id=f"t{k}", name=f"T{k}", duration=Duration(text, seconds))
        for k, (text, seconds) in enumerate(durations)
    )
    return minimal_map(stages=(Stage(id="s", name="S", touchpoints=(*touchpoints, Touchpoint(id="x", name="Exit"))),))


def _time_bars(jm):
    lane = next(lane for lane in build_page(jm).grid.lanes_above if lane.key == "time")
    return [cell[0].items[0] if cell else None for cell in lane.cells]


def test_time_lane_draws_each_duration_against_the_longest():
    jm = _timed_map(("15min", 900.0), ("20min", 1200.0), ("1h", 3600.0))
    desk, _counter, queue, exit_ = _time_bars(jm)
    assert desk.percent == "25" and not desk.longest
    assert queue.percent == "100" and queue.longest  # twice the next one: an outlier
    assert exit_ is None
    html = render_html(jm)
    assert 'class="time-fill" width="25%"' in html
    assert html.count('class="longest-mark"') == 1
    assert "log scale" not in html


def test_the_longest_marks_a_real_outlier_only():
    # The only duration of a map, or the longer of two, is not "the longest".
    assert not any(bar.longest for bar in _time_bars(_timed_map(("10min", 600.0))) if bar)
    assert not any(bar.longest for bar in _time_bars(_timed_map(("10min", 600.0), ("1h", 3600.0))) if bar)
    # Three durations with the longest less than twice the next: none stands out.
    alike = _timed_map(("40min", 2400.0), ("50min", 3000.0), ("1h", 3600.0))
    assert not any(bar.longest for bar in _time_bars(alike) if bar)


def test_a_wide_spread_of_durations_is_drawn_on_a_log_scale_with_labelled_ticks():
    """A 45-minute wait beside a month of treatment: both bars read."""
    jm = _timed_map(("45min", 2700.0), ("2d", 172800.0), ("1mo", 2592000.0))
    wait, days, month = _time_bars(jm)[:3]
    assert float(wait.percent) >= 8 and float(month.percent) == 100
    assert float(wait.percent) < float(days.percent) < float(month.percent)
    page = build_page(jm)
    assert page.time_log
    labels = [label for _at, label in page.time_ticks]
    assert labels and all("\u00a0" in label for label in labels)
    positions = [float(at) for at, _label in page.time_ticks]
    assert all(b - a >= 20 for a, b in itertools.pairwise(positions))
    html = render_html(jm)
    assert "log scale" in html and 'class="time-axis"' in html


def test_a_map_wider_than_a_sheet_is_drawn_as_parts_of_whole_stages():
    from jmap.render.page.printing import PRINT_COLUMNS_PER_PAGE

    stages = tuple(
        Stage(
            id=f"s{i}",
            name=f"Stage {i}",
            touchpoints=tuple(Touchpoint(id=f"t{i}-{k}", name=f"T{i}.{k}", doing=("x",)) for k in range(4)),
        )
        for i in range(5)
    )
    page = build_page(minimal_map(stages=stages))
    assert len(page.grid.columns) == 20
    parts = page.parts
    # Whole stages per sheet: 4 + 4 + 4 columns, then 4 + 4.
    assert [[s.name for s in part.stages] for part in parts] == [
        ["Stage 0", "Stage 1", "Stage 2"],
        ["Stage 3", "Stage 4"],
    ]
    assert all(len(part.columns) <= PRINT_COLUMNS_PER_PAGE for part in parts)
    assert all(part.lanes_above[0].label == "Doing" for part in parts)
    # Every column is drawn once: the parts are the page's only tables.
    assert [c.position for part in parts for c in part.columns] == list(range(20))
    html = render_html(minimal_map(stages=stages))
    assert html.count('<table class="grid cols-') == 2
    assert html.count(">T3.1</div>") == 1
    assert html.count('id="tp-0"') == 1 and html.count('id="tp-19"') == 1
    # The second part's lane names are there for print, hidden on screen.
    assert html.count('<th scope="row" class="lane-head part-head">Doing</th>') == 1
    # A stage longer than a sheet is cut within, in even pieces (never a
    # sheet of one column), and marked as continued.
    long_stage = (
        Stage(id="l", name="Long", touchpoints=tuple(Touchpoint(id=f"l{k}", name=f"L{k}") for k in range(13))),
    )
    parts = build_page(minimal_map(stages=long_stage)).parts
    assert [(p.stages[0].span, p.stages[0].continued) for p in parts] == [(6, False), (7, True)]
    one = build_page(minimal_map(stages=stages[:2]))
    assert one.parts == (one.grid,)


def test_a_lane_too_tall_for_a_sheet_goes_on_in_a_row_named_again():
    doing = tuple(f"Step {k} of a long list of things the customer does here" for k in range(30))
    stages = (
        Stage(
            id="s",
            name="S",
            touchpoints=(Touchpoint(id="a", name="A", doing=doing, thinking=("short",)), Touchpoint(id="b", name="B")),
        ),
    )
    page = build_page(minimal_map(stages=stages))
    rows = [lane for lane in page.grid.lanes_above if lane.key == "doing"]
    assert len(rows) > 1
    assert [lane.continued for lane in rows] == [False] + [True] * (len(rows) - 1)
    # Nothing lost, nothing repeated, in order; the other column stays empty.
    assert tuple(item for lane in rows for group in lane.cells[0] for item in group.items) == doing
    assert all(lane.cells[1] == () for lane in rows)
    # A short lane stays one row.
    assert [lane.key for lane in page.grid.lanes_above].count("thinking") == 1
    # However much a cell holds, a lane has at most PRINT_LANE_ROWS rows: every
    # row has a cell in every column, so the page stays linear in the map.
    from jmap.render.page.printing import PRINT_LANE_ROWS

    huge = tuple(f"Step {k} of a long list of things the customer does here" for k in range(2000))
    wide = (
        Stage(
            id="w",
            name="W",
            touchpoints=tuple(
                Touchpoint(id=f"w{k}", name=f"W{k}", doing=huge if k == 0 else ("x",)) for k in range(40)
            ),
        ),
    )
    capped = [lane for lane in build_page(minimal_map(stages=wide)).grid.lanes_above if lane.key == "doing"]
    assert len(capped) == PRINT_LANE_ROWS
    assert tuple(item for lane in capped for group in lane.cells[0] for item in group.items) == huge
    html = render_html(minimal_map(stages=stages))
    assert html.count('<span class="continued">(continued)</span></th>') == len(rows) - 1
    # The rows of the style sheet cover every row of the grid.
    assert f".gr-{page.rows} > th" in html and f".gr-{page.rows + 1} > th" not in html
    assert '<tr class="lane lane-doing lane-continued gr-' in html


def test_the_page_grows_linearly_with_the_map_and_draws_each_column_once():
    from support.generated import generated_map_yaml

    sizes = {}
    for touchpoints in (50, 200):
        jm = load_text(generated_map_yaml(touchpoints), "big.yaml").map
        assert jm is not None
        sizes[touchpoints] = len(render_html(jm).encode("utf-8"))
    # The style sheet and header are paid once; each touchpoint costs the same.
    per_touchpoint = (sizes[200] - sizes[50]) / 150
    assert per_touchpoint < 3.2 * 1024, per_touchpoint
    assert sizes[50] / 50 < 4.0 * 1024, sizes[50] / 50


def test_numbers_and_durations_in_french():
    from support.factories import sample_map as factory_map

    jm = factory_map()
    page = build_page(JourneyMap(**{**_fields(jm), "lang": "fr"}))
    assert page.grid.stages[0].length == "2\u00a0sem."
    assert page.facts[0].label == "Étapes"
    lane = next(lane for lane in page.grid.lanes_below if lane.key == "metrics")
    assert lane.cells[3][0].items[0].value == "22\u202f%\u00a0unit"


def _fields(jm: JourneyMap) -> dict:
    import dataclasses

    if dataclasses.is_dataclass(jm):
        return {f.name: getattr(jm, f.name) for f in dataclasses.fields(jm) if not f.name.startswith("_")}
    return {name: getattr(jm, name) for name in jm.__init__.__code__.co_varnames[1 : jm.__init__.__code__.co_argcount]}


def test_curve_has_a_text_alternative():
    html = render_html(sample_map())
    assert 'role="img" aria-labelledby="curve-title" aria-describedby="curve-desc"' in html
    assert re.search(r'<desc id="curve-desc">persona-name — tp-ad: \+1 \(positive\);', html)


def test_map_without_personas_gets_one_shared_curve():
    jm = minimal_map(
        stages=(
            Stage(
                id="s",
                name="S",
                touchpoints=(
                    Touchpoint(id="a", name="A", emotion=Emotion(-1)),
                    Touchpoint(id="b", name="B"),
                    Touchpoint(id="c", name="C", emotion=Emotion(2)),
                ),
            ),
        )
    )
    curve = build_page(jm).grid.curve
    assert [s.name for s in curve.series] == ["Everyone"]
    assert len(curve.series[0].points) == 2
    # The flow passes through B, which has no score: the line joins A to C.
    assert [(m[0], m[1]) for m in curve.series[0].moves] == [(0, 2)]


def test_persona_filter_limits_columns_curve_and_cards():
    page = build_page(sample_map(), persona="marc")
    assert [c.touchpoint.name if c.touchpoint else None for c in page.grid.columns] == [
        None,
        "tp-cart",
        "tp-payment",
        "tp-callback",
        "tp-confirmation",
        None,
    ]
    assert [p.name for p in page.personas] == ["persona2-name"]
    assert [s.name for s in page.grid.curve.series] == ["persona2-name"]
    assert next(score for _column, score, _title in page.grid.curve.series[0].points) == -1
    html = render_html(sample_map(), persona="marc")
    assert "tp-ad" not in html


# -- safety --------------------------------------------------------------------

PAYLOADS = (
    '<script>alert("{f}")</script>',
    '"><img src=x onerror=alert("{f}")>',
    "'><svg onload=alert('{f}')>",
    "</style><style>body{{display:none}}</style>{f}",
    "javascript:alert('{f}')",
    '<a href="https://evil.example/{f}">x</a>',
    "</textarea></title></desc><iframe src=//evil.example/{f}>",
    "{{{{ 7*7 }}}}{f}<!--",
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_map_text_can_inject_markup_scripts_styles_or_urls(payload):
    jm = sample_map(text=lambda field: payload.format(f=field))
    html = render_html(jm)
    parsed = parse(html)
    tags = [tag for tag, _ in parsed.tags]
    # The one script is jmap's own fit-to-width control, allowed by its hash.
    assert tags.count("script") == 1 and "img" not in tags and "iframe" not in tags
    assert "{f}" not in parsed.script_text and payload.format(f="title") not in parsed.script_text
    assert tags.count("style") == 1
    assert tags.count("a") == html.count('<a href="#')
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src"):
                assert value and value.startswith("#"), (tag, name, value)
            assert "evil.example" not in (value or "")
            assert "javascript:" not in (value or "")
    assert "evil.example" not in parsed.style_text
    # Every field is on the page, as text.
    text = "".join(parsed.text)
    for field in ("title", "persona-description", "channel-phone", "tag", "unit", "metric-source"):
        assert payload.format(f=field) in text, field
    # A metric key is shown humanised (its label when it has one), never raw.
    assert humanise_key(payload.format(f="stage-metric")) in text


def test_xss_payloads_reach_every_text_field_as_text():
    """Every text field of the factory appears, escaped, on the page."""
    fields: list[str] = []

    def text(field: str) -> str:
        fields.append(field)
        return f"<b>{field}</b>"

    html = render_html(sample_map(text=text))
    assert "<b>" not in html
    # Metric keys are shown humanised ("stage-metric" → "stage metric").
    missing = [
        f
        for f in fields
        if f"&lt;b&gt;{f}&lt;/b&gt;" not in html and f"&lt;b&gt;{f.replace('-', ' ')}&lt;/b&gt;" not in html
    ]
    assert missing == []


def test_a_colour_that_escaped_validation_never_reaches_an_attribute():
    html = render_html(sample_map(color='red" onload="alert(1)'))
    assert "onload" not in html
    assert "alert(1)" not in html


def test_csp_allows_exactly_the_inline_style_and_nothing_else():
    html = render_html(sample_map())
    parsed = parse(html)
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    digest = base64.b64encode(hashlib.sha256(parsed.style_text.encode("utf-8")).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    script_digest = base64.b64encode(hashlib.sha256(parsed.script_text.encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{script_digest}'" in csp
    assert html.index("Content-Security-Policy") < html.index("<style>")


def test_page_references_nothing_outside_itself():
    html = render_html(sample_map())
    # The CSP's hashes are base64 and may hold "//": they are not addresses.
    outside = re.sub(r"<style>.*?</style>|'sha256-[A-Za-z0-9+/=]+'", "", html, flags=re.S)
    assert "http://" not in html and "https://" not in html and "//" not in outside
    assert html.count("<script") == 1 and "<link" not in html and "url(" not in html and "@import" not in html
    assert re.search(r"<script>.*?</script>", html, flags=re.S) and " src=" not in html


# -- determinism ---------------------------------------------------------------


def test_byte_identical_across_runs_and_equal_maps():
    first = render_html(sample_map())
    assert render_html(sample_map()) == first
    assert render_html(sample_map()) == render_html(sample_map())
    assert render_html(sample_map(lang="fr")) != first


# -- templates override --------------------------------------------------------


def test_a_user_template_overrides_one_shipped_template(tmp_path: Path):
    (tmp_path / "_header.html.j2").write_text(
        '<header class="brand"><h1>ACME · {{ page.title }}</h1></header>\n', encoding="utf-8"
    )
    html = render_html(sample_map(text=lambda f: f"<{f}>"), templates_dir=tmp_path)
    assert '<header class="brand"><h1>ACME · &lt;title&gt;</h1></header>' in html
    # The rest of the page still comes from the shipped templates.
    assert 'class="grid-parts"' in html


def test_overriding_the_style_keeps_the_csp_hash_right(tmp_path: Path):
    (tmp_path / "style.css.j2").write_text("body { background: #fdf6e3; }\n", encoding="utf-8")
    html = render_html(minimal_map(), templates_dir=tmp_path)
    digest = base64.b64encode(hashlib.sha256(b"body { background: #fdf6e3; }\n").digest()).decode()
    assert f"'sha256-{digest}'" in html
    assert "<style>body { background: #fdf6e3; }\n</style>" in html


def test_a_copy_of_the_shipped_tree_with_its_html_folder_works(tmp_path: Path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "_opportunities.html.j2").write_text("<p>no backlog here</p>\n", encoding="utf-8")
    html = render_html(sample_map(), templates_dir=tmp_path)
    assert "<p>no backlog here</p>" in html


def test_user_templates_are_autoescaped_too(tmp_path: Path):
    (tmp_path / "_header.html.j2").write_text("<h1>{{ page.title }}</h1>\n", encoding="utf-8")
    html = render_html(minimal_map(title="<script>x</script>"), templates_dir=tmp_path)
    assert "<h1>&lt;script&gt;x&lt;/script&gt;</h1>" in html


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{% if %}", "_header.html.j2:1"),
        ("{{ page.no_such_field }}", "no_such_field"),
        ("{% include 'missing.j2' %}", "missing.j2"),
    ],
)
def test_template_mistakes_become_render_errors(tmp_path: Path, content: str, message: str):
    (tmp_path / "_header.html.j2").write_text(content, encoding="utf-8")
    with pytest.raises(RenderError, match=re.escape(message)):
        render_html(minimal_map(), templates_dir=tmp_path)


def test_missing_templates_folder_is_a_render_error(tmp_path: Path):
    with pytest.raises(RenderError, match="does not exist"):
        render_html(minimal_map(), templates_dir=tmp_path / "nope")


# -- the examples and the CLI --------------------------------------------------


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_every_example_renders_every_touchpoint(path: Path):
    from jmap.format.validator import load_file

    jm = load_file(path).map
    assert jm is not None
    html = render_html(jm)
    text = "".join(parse(html).text)
    # French maps get French typography (no-break spaces inside « » and before : ; ! ? %).
    for tp in jm.all_touchpoints():
        assert french_spacing(tp.name, jm.lang) in text
    for stage in jm.stages:
        assert french_spacing(stage.name, jm.lang) in text
    assert render_html(jm) == html


def test_cli_renders_html_with_a_theme(tmp_path: Path):
    paths = example_paths()
    if not paths:
        pytest.skip("no example maps yet")
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "_header.html.j2").write_text("<header><h1>Themed {{ page.title }}</h1></header>\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_jmap("render", str(paths[0]), "-f", "html", "-o", str(out), "--templates", str(theme))
    assert result.returncode == 0, result.stderr.decode()
    html = (out / f"{paths[0].stem}.html").read_text(encoding="utf-8")
    assert "<h1>Themed " in html


def test_a_user_page_can_extend_the_shipped_one(tmp_path: Path):
    (tmp_path / "page.html.j2").write_text(
        '{% extends "jmap/page.html.j2" %}\n{% block footer %}<footer>© ACME {{ page.owner }}</footer>{% endblock %}\n',
        encoding="utf-8",
    )
    (tmp_path / "style.css.j2").write_text(
        '{% include "jmap/style.css.j2" %}\n.page-footer, footer { color: #b00; }\n', encoding="utf-8"
    )
    html = render_html(sample_map(text=lambda f: f"<{f}>"), templates_dir=tmp_path)
    assert "<footer>© ACME &lt;owner&gt;</footer>" in html
    assert 'class="grid-parts"' in html
    assert "footer { color: #b00; }" in html and "--sev-critical" in html


# -- no raw control characters ---------------------------------------------------

CONTROLS = "nul\x00 esc\x1b[31mred\x1b[0m bel\x07 ff\x0c del\x7f csi\x9b nel\x85 osc\x1b]0;title\x07"
RAW_CONTROL_IN_HTML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def test_control_characters_never_reach_the_page_raw() -> None:
    """NUL, ESC, BEL, FF, DEL and terminal escapes in every text field (the
    <title>, headings, list items…) are shown as escapes, as in the other formats."""
    jm = sample_map(lambda field: f"{field} {CONTROLS}")
    page = render_html(jm)
    assert RAW_CONTROL_IN_HTML.findall(page) == []
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and "esc\\x1b[31mred" in title.group(1)
    assert "nul\\x00" in page and "bel\\x07" in page and "del\\x7f" in page and "csi\\x9b" in page


def test_control_characters_never_reach_the_gallery_raw() -> None:
    from jmap.render.gallery import render_gallery
    from jmap.repo.build import GalleryEntry

    entry = GalleryEntry(
        rel=f"team/{CONTROLS}.yaml",
        status="valid",
        title=f"Title {CONTROLS}",
        owner=CONTROLS,
        tags=(CONTROLS,),
        outputs=(("html", f"team/{CONTROLS}.html"),),
        diagnostics=(f"1:1: warning: {CONTROLS} [x]",),
    )
    page = render_gallery([entry]).decode("utf-8")
    assert RAW_CONTROL_IN_HTML.findall(page) == []
    assert "esc\\x1b[31mred" in page

"""The journey diagram's DOT text: exact output on small maps, escaping of
hostile text, determinism, the persona view, labels in French, loops, exits,
steps and wrapping. Pure: none of these tests needs Graphviz."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import example_paths
from support.factories import with_touchpoint

from jmap.model import (
    Channel,
    Duration,
    Emotion,
    JourneyMap,
    Metric,
    MetricValue,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from jmap.render.diagram import render_dot
from jmap.render.diagram.markup import DIAGRAM_TEXT_LIMIT, NAME_WIDTH, html_text, quote, wrap
from jmap.render.diagram.rows import LARGE_LAYOUT
from jmap.render.view import FACES

# -- a small map factory -------------------------------------------------------


def tiny_map() -> JourneyMap:
    return JourneyMap(
        title="Tiny",
        stages=(
            Stage(
                "s1",
                "Start",
                touchpoints=(Touchpoint("a", "Ad", emotion=Emotion(everyone=1)), Touchpoint("b", "Buy", next=())),
            ),
        ),
    )


def shop_map(lang: str = "en", text=lambda value: value) -> JourneyMap:
    """The format's own example: two personas, a branch, a loop back from the
    phone call to the payment, an exit, a sub-touchpoint, pain points and
    metrics. ``text`` rewrites every user string (for the hostile-text tests)."""
    return JourneyMap(
        title=text("Online purchase"),
        description=text("From need to loyalty."),
        lang=lang,
        personas=(
            Persona("sophie", text("Sophie, 34"), color="#2a9d8f"),
            Persona("marc", text("Marc, 58"), color="#e76"),
        ),
        channels=(
            Channel("web", text("Website"), "online"),
            Channel("phone", text("Phone"), "offline"),
        ),
        stages=(
            Stage(
                "awareness",
                text("Awareness"),
                goal=text("Understand the need"),
                duration=Duration("2w", 14 * 86400),
                metrics=(Metric(text("reach"), MetricValue(1200.0, False, "1200")),),
                touchpoints=(
                    Touchpoint(
                        "insta-ad", text("Instagram ad"), channel="web", personas=("sophie",), emotion=Emotion(1)
                    ),
                ),
            ),
            Stage(
                "purchase",
                text("Purchase"),
                touchpoints=(
                    Touchpoint(
                        "cart",
                        text("Cart"),
                        channel="web",
                        emotion=Emotion(per_persona={"sophie": 0, "marc": -1}),
                        metrics=(Metric(text("abandonment"), MetricValue(68.0, True, "68%")),),
                        next=("payment", "abandon"),
                    ),
                    Touchpoint("abandon", text("Cart abandoned"), next=(), emotion=Emotion(-2)),
                    Touchpoint(
                        "payment",
                        text("Payment"),
                        channel="web",
                        emotion=Emotion(-2),
                        next=("confirmation", "callback"),
                        pain_points=(
                            PainPoint("payment-failed", text("Card refused"), severity="high"),
                            PainPoint("slow", text("Slow page"), severity="low"),
                        ),
                        touchpoints=(Touchpoint("card-form", text("Card form")),),
                    ),
                    Touchpoint(
                        "callback",
                        text("Phone call"),
                        channel="phone",
                        emotion=Emotion(1),
                        metrics=(
                            Metric(
                                text("conversion"),
                                MetricValue(22.0, True, "22%"),
                                target=MetricValue(25.0, True, "25%"),
                            ),
                        ),
                        next=("payment",),
                    ),
                    Touchpoint("confirmation", text("Confirmation"), channel="web", emotion=Emotion(2)),
                ),
            ),
        ),
    )


def body(dot: str) -> list[str]:
    """The statements after the graph, node and edge defaults."""
    return dot.splitlines()[4:]


def statement(dot: str, start: str) -> str:
    lines = [line.strip() for line in dot.splitlines() if line.strip().startswith(start)]
    assert len(lines) == 1, f"expected one statement starting {start!r}, got {lines}"
    return lines[0]


# -- exact output --------------------------------------------------------------


def test_tiny_map_exact_dot():
    dot = render_dot(tiny_map())
    assert dot.startswith('digraph journey {\n  graph [rankdir="LR", compound="true", ')
    assert dot.splitlines()[2] == (
        '  node [fontname="DejaVu Sans", fontsize=11, fontcolor="#2b2d42", shape="box", margin="0.1,0.05"];'
    )
    assert dot.splitlines()[3] == '  edge [fontname="DejaVu Sans", fontsize=9, color="#8d93a5", arrowsize=0.7];'
    assert body(dot) == [
        '  subgraph "cluster_stage_0" {',
        '    graph [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>'
        '<TD ALIGN="LEFT" BALIGN="LEFT"><B><FONT POINT-SIZE="13">Start<BR ALIGN="LEFT"/></FONT></B></TD></TR>'
        '</TABLE>>, style="rounded,filled", fillcolor="#f5f6fa", color="#c5cadb", penwidth=1.2, margin=12, '
        "fontsize=12];",
        '    "tp_a" [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1"><TR>'
        '<TD ALIGN="LEFT" BALIGN="LEFT"><B>Ad<BR ALIGN="LEFT"/></B></TD></TR><TR><TD ALIGN="LEFT" CELLPADDING="0">'
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD ALIGN="LEFT" BGCOLOR="#a7d49b">'
        '<FONT POINT-SIZE="12" COLOR="#2b2d42">\u263a\ufe0e</FONT><FONT POINT-SIZE="10" COLOR="#2b2d42"> +1'
        '</FONT></TD></TR></TABLE></TD></TR></TABLE>>, style="filled,rounded", fillcolor="#e5f2e1", color="#3d405b", '
        "penwidth=1.2];",
        '    "tp_b" [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1"><TR>'
        '<TD ALIGN="LEFT" BALIGN="LEFT"><B>Buy<BR ALIGN="LEFT"/></B></TD></TR></TABLE>>, style="filled,rounded", '
        'fillcolor="#ffffff", color="#3d405b", penwidth=1.2];',
        '    "end_1" [label="", shape="doublecircle", width=0.14, height=0.14, fixedsize="true", style="filled", '
        'fillcolor="#3d405b", color="#3d405b"];',
        '    "tp_b" -> "end_1" [arrowhead="none"];',
        "  }",
        '  "tp_a" -> "tp_b" [color="#8d93a5", penwidth=1.4, weight=4];',
        "}",
    ]
    assert dot.endswith("}\n")


def test_shop_map_edges_exact():
    """Flow edges in document order with the personas on them; the loop back
    to the payment does not constrain the ranking; a gate keeps stages in order."""
    edges = [line for line in body(render_dot(shop_map())) if line.startswith('  "') and "->" in line]
    assert edges == [
        '  "tp_insta_ad" -> "tp_cart" [color="#289588", penwidth=1.8, weight=4];',
        '  "tp_cart" -> "tp_payment" [color="#289588:#ca6557", penwidth=1.8, weight=4];',
        '  "tp_cart" -> "tp_abandon" [color="#289588:#ca6557", penwidth=1.8, weight=4];',
        '  "tp_payment" -> "tp_confirmation" [ltail="cluster_tp_payment", color="#289588:#ca6557", penwidth=1.8, '
        "weight=4];",
        '  "tp_payment" -> "tp_callback" [ltail="cluster_tp_payment", color="#289588:#ca6557", penwidth=1.8, '
        "weight=4];",
        '  "tp_callback" -> "tp_payment" [color="#289588:#ca6557", penwidth=1.8, constraint="false"];',
        '  "tp_insta_ad" -> "gate_1" [style="invis"];',
        '  "gate_1" -> "tp_cart" [style="invis"];',
    ]
    assert '  "gate_1" [shape="point", style="invis", width=0];' in render_dot(shop_map())


# -- what the diagram shows ----------------------------------------------------


def test_stages_are_clusters_in_document_order_with_goal_duration_and_metrics():
    dot = render_dot(shop_map())
    assert dot.index('subgraph "cluster_stage_0"') < dot.index('subgraph "cluster_stage_1"')
    stage = statement(
        dot,
        'graph [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        '<TR><TD ALIGN="LEFT" BALIGN="LEFT"><B><FONT POINT-SIZE="13">Awareness',
    )
    assert "Goal: Understand the need" in stage
    assert "Stage length: 2\u00a0wk" in stage
    assert "Reach: 1,200" in stage, "a metric key is shown humanised, its number grouped"


def test_sub_touchpoints_sit_in_a_frame_under_their_parent():
    dot = render_dot(shop_map())
    frame = dot[dot.index('subgraph "cluster_tp_payment" {') :]
    frame = frame[: frame.index("\n    }\n")]
    assert '"tp_payment" [' in frame
    assert '"tp_card_form" [' in frame
    assert '{rank=same; "tp_payment"; "tp_card_form";}' in frame
    # the column's order: a rank runs bottom to top under rankdir=LR
    # drawn backwards: a thin arrow from the touchpoint down to its step
    step_line = '"tp_card_form" -> "tp_payment" [dir="back", color="#c5cadb", penwidth=1, arrowsize=0.5];'
    assert step_line in frame
    # a step is a smaller card, with a thinner border
    assert "fontsize=10" in statement(dot, '"tp_card_form" [') and "penwidth=0.8" in statement(dot, '"tp_card_form" [')
    # a step without `next` is not in the flow and has no end marker
    assert not re.search(r'"tp_card_form" -> "(tp|end)_', dot.replace(step_line, ""))


def test_exit_and_journey_end_get_an_end_marker():
    dot = render_dot(shop_map())
    assert '"tp_abandon" -> "end_1" [arrowhead="none"];' in dot
    assert '"tp_confirmation" -> "end_2" [arrowhead="none"];' in dot
    assert dot.count('shape="doublecircle"') == 2


def test_loop_back_edges_do_not_constrain_ranking():
    dot = render_dot(shop_map())
    assert '"tp_callback" -> "tp_payment" [color="#289588:#ca6557", penwidth=1.8, constraint="false"];' in dot
    for line in dot.splitlines():
        if '"tp_cart" -> "tp_payment"' in line:
            assert "constraint" not in line


def test_self_loop_is_a_back_edge():
    jm = JourneyMap(
        title="Loop", stages=(Stage("s", "S", touchpoints=(Touchpoint("retry", "Retry", next=("retry",)),)),)
    )
    assert '"tp_retry" -> "tp_retry" [color="#8d93a5", penwidth=1.4, constraint="false"];' in render_dot(jm)


def test_emotion_is_a_colour_with_a_face_and_a_sign():
    """The face and the sign say it; the word ("very negative") is the
    legend's, not repeated on every card (issue 21)."""
    dot = render_dot(shop_map())
    payment = statement(dot, '"tp_payment" [')
    assert 'BGCOLOR="#d7263d"' in payment and f"{FACES[-2]}</FONT>" in payment and " -2</FONT>" in payment
    assert "very negative" not in payment
    confirmation = statement(dot, '"tp_confirmation" [')
    assert f"{FACES[2]}</FONT>" in confirmation and " +2</FONT>" in confirmation


def test_faces_all_come_from_one_monochrome_font_with_text_presentation():
    """Colour-emoji faces next to monochrome ones depended on the fonts of
    the machine; all five are DejaVu Sans glyphs asking for text style."""
    assert all(face.endswith("\ufe0e") for face in FACES.values())
    assert "\U0001f641" not in "".join(FACES.values()) and "\U0001f642" not in "".join(FACES.values())


def test_personas_who_feel_differently_split_the_stripe_and_are_never_averaged():
    cart = statement(render_dot(shop_map()), '"tp_cart" [')
    sophie = '<TD ALIGN="LEFT" BGCOLOR="#e9e5d6"><FONT COLOR="#289588">●</FONT> <FONT POINT-SIZE="12" COLOR="#2b2d42">'
    marc = '<TD ALIGN="LEFT" BGCOLOR="#f29e4c"><FONT COLOR="#ca6557">●</FONT> <FONT POINT-SIZE="12" COLOR="#2b2d42">'
    assert sophie + FACES[0] in cart and marc + FACES[-1] in cart
    assert cart.index(sophie) < cart.index(marc)
    assert 'fillcolor="#ffffff"' in cart, "no averaged tint behind two different feelings"


def test_personas_who_feel_the_same_share_one_face():
    jm = with_touchpoint(shop_map(), "cart", emotion=Emotion(per_persona={"sophie": -1, "marc": -1}))
    cart = statement(render_dot(jm), '"tp_cart" [')
    assert cart.count(FACES[-1]) == 1 and " -1</FONT>" in cart


def test_online_and_offline_channels_differ_in_border_style():
    dot = render_dot(shop_map())
    assert 'style="filled,rounded"' in statement(dot, '"tp_confirmation" [')
    callback = statement(dot, '"tp_callback" [')
    assert 'style="filled,dashed"' in callback
    assert "Phone" in callback and "offline" not in callback, "the dashed border says it, and the legend"


def test_pain_points_worst_first_coloured_by_severity():
    payment = statement(render_dot(shop_map()), '"tp_payment" [')
    high, low = payment.index("⚠ Card refused (high)"), payment.index("⚠ Slow page (low)")
    assert high < low
    assert 'BGCOLOR="#e4572e"' in payment and 'BGCOLOR="#8d99ae"' in payment
    assert "<B>⚠ Card refused (high)" in payment


def test_metrics_compact_with_target():
    callback = statement(render_dot(shop_map()), '"tp_callback" [')
    assert "Conversion: 22% (target 25%)" in callback


def test_a_touchpoint_shows_its_duration_in_the_map_language():
    jm = with_touchpoint(shop_map(lang="fr"), "callback", duration=Duration("1h15min", 4500))
    callback = statement(render_dot(jm), '"tp_callback" [')
    assert "Phone" in callback and "1\u00a0h 15\u00a0min" in callback and "hors ligne" not in callback


def test_a_card_with_no_score_and_no_channel_is_just_its_name():
    card = statement(render_dot(tiny_map()), '"tp_b" [')
    assert card.count("<TR>") == 1


def test_every_touchpoint_at_a_personas_lowest_score_gets_the_thick_border():
    dot = render_dot(shop_map())
    thick = [line.strip().split(" ")[0] for line in dot.splitlines() if "penwidth=3.2" in line]
    # the payment and the abandonment are both -2, the lowest of both routes
    assert sorted(thick) == ['"tp_abandon"', '"tp_payment"']
    assert "penwidth=1.2" in statement(dot, '"tp_cart" [')
    assert "low point" in dot.splitlines()[1]


def test_legend_lists_personas_in_their_colours():
    legend = render_dot(shop_map()).splitlines()[1]
    assert '<FONT COLOR="#289588">●</FONT>\u00a0\u00a0Sophie, 34' in legend
    assert '<FONT COLOR="#ca6557">●</FONT>\u00a0\u00a0Marc, 58' in legend
    for word in ("Emotion", "Channels", "online", "offline", "Pain points", "high", "End of the journey"):
        assert word in legend
    assert "critical" not in legend, "no critical pain point is drawn"
    for word in ("route, in their colour", "steps of a touchpoint"):
        assert word in legend
    assert "skips steps only others take" not in legend, "no dashed line is drawn, so none is explained"


def test_the_legend_explains_dashed_skips_when_there_are_some():
    jm = with_touchpoint(shop_map(), "cart", personas=("marc",))
    assert "skips steps only others take" in render_dot(jm).splitlines()[1]


def test_persona_without_colour_gets_a_stable_one():
    jm = replace(shop_map(), personas=(Persona("sophie", "Sophie"), Persona("marc", "Marc")))
    assert '<FONT COLOR="#264653">●</FONT>\u00a0\u00a0Sophie' in render_dot(jm)
    assert '<FONT COLOR="#289588">●</FONT>\u00a0\u00a0Marc' in render_dot(jm)


def test_empty_stage_keeps_its_place():
    jm = JourneyMap(
        title="Gap",
        stages=(
            Stage("a", "A", touchpoints=(Touchpoint("x", "X"),)),
            Stage("b", "B"),
            Stage("c", "C", touchpoints=(Touchpoint("y", "Y"),)),
        ),
    )
    with one_row():
        dot = render_dot(jm)
    assert '"empty_stage_1" [label="", shape="point", style="invis"];' in dot
    assert '"gate_1" -> "empty_stage_1" [style="invis"];' in dot
    assert '"empty_stage_1" -> "gate_2" [style="invis"];' in dot


# -- persona view ----------------------------------------------------------------


def test_persona_view_draws_only_that_journey_in_its_colour():
    dot = render_dot(shop_map(), persona="marc")
    assert '"tp_insta_ad"' not in dot  # Sophie's only
    assert 'subgraph "cluster_stage_0"' not in dot  # a stage Marc never enters
    assert '"tp_cart" -> "tp_payment" [color="#ca6557", penwidth=1.8, weight=4];' in dot
    assert "Online purchase — Journey: Marc, 58" in dot.splitlines()[1]
    assert "Sophie" not in dot
    # Marc's own score, not the average
    cart = statement(dot, '"tp_cart" [')
    assert FACES[-1] in cart and " -1</FONT>" in cart and FACES[0] not in cart


def test_persona_view_follows_the_flow_through_skipped_touchpoints():
    jm = with_touchpoint(shop_map(), "cart", personas=("marc",))
    dot = render_dot(jm, persona="sophie")
    assert '"tp_cart"' not in dot
    assert '"tp_insta_ad" -> "tp_payment"' in dot  # Sophie skips the cart
    # through the skipped cart she reaches both of its branches: both are hers
    assert '"tp_insta_ad" -> "tp_abandon"' in dot
    full = render_dot(jm)
    assert '"tp_insta_ad" -> "tp_payment" [color="#289588", penwidth=1.8, style="dashed", weight=4];' in full


def test_an_arrow_nobody_takes_is_not_drawn():
    jm = with_touchpoint(shop_map(), "abandon", personas=("marc",))  # only Marc abandons
    full = render_dot(jm)
    assert '"tp_cart" -> "tp_abandon" [color="#ca6557", penwidth=1.8, weight=4];' in full
    sophie = render_dot(jm, persona="sophie")
    assert "tp_abandon" not in sophie


# -- language --------------------------------------------------------------------


def test_labels_follow_the_map_language():
    dot = render_dot(shop_map(lang="fr"), persona="sophie")
    legend = dot.splitlines()[1]
    for word in ("Émotion", "Canaux", "en ligne", "hors ligne", "Points de friction", "élevée", "Fin du parcours"):
        assert word in legend
    assert "Online purchase — Parcours\u00a0: Sophie, 34" in legend, "the French colon of the label table"
    assert "très négative" not in statement(dot, '"tp_payment" [')
    assert "(élevée)" in statement(dot, '"tp_payment" [')
    assert "Objectif\u00a0: Understand the need" in dot, "French typography: a no-break space before the colon"
    assert "Durée de l’étape\u00a0: 2\u00a0sem." in dot


# -- escaping and hostile text -----------------------------------------------------

HOSTILE = [
    '"];evil[label="x',
    "</TD></TR></TABLE>><B>bold</B>",
    "a -> b; c:d",
    "back\\slash \\N \\G \\L \\n trailing\\",
    "{braces} [brackets] <angle> & ampersand ' quote",
    "line one\nline two\r\nline three",
    "tab\there, nul\x00, bell\x07, del\x7f, c1\x85",
    "<script>alert(1)</script>",
    "émoji 😀 עברית مرحبا",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_only_ever_appears_escaped(payload):
    dot = render_dot(shop_map(text=lambda value: f"{value} {payload}"))
    for line in dot.splitlines():
        stripped = line.strip()
        # Every statement is a generated id, a keyword or a closing brace.
        assert re.match(
            r'^(digraph journey \{|graph \[|node \[|edge \[|subgraph "cluster_[a-z0-9_]+" \{|\{rank=same; |'
            r'"[a-z0-9_]+" (\[|->)|\}$)',
            stripped,
        ), stripped[:120]
    # User text never reaches a quoted string: every quoted value is generated.
    without_html = re.sub(r"<(?:[^<>]|<[^<>]*>)*>", "", dot)  # drop HTML-like labels (nested at most … enough)
    assert "evil" not in without_html
    assert "script" not in without_html


def test_html_text_escapes_markup_backslashes_and_controls():
    assert html_text('"];evil[label="x') == "&quot;&#93;;evil[label=&quot;x"
    assert html_text("<b>&</b>'") == "&lt;b&gt;&amp;&lt;/b&gt;&#39;"
    # Graphviz expands \N, \G… even in HTML labels; a doubled backslash is one backslash
    assert html_text("a\\N\\") == "a\\\\N\\\\"
    assert html_text("nul\x00 bell\x07 c1\x85 tab\tend") == "nul\ufffd bell\ufffd c1\ufffd tab end"
    assert html_text("lone \ud800 surrogate \uffff") == "lone \ufffd surrogate \ufffd"


def test_quote_escapes_quotes_and_backslashes():
    assert quote('a"b\\c') == '"a\\"b\\\\c"'


def test_hostile_ids_are_sanitized_and_deduplicated():
    jm = JourneyMap(
        title="Ids",
        stages=(
            Stage(
                "s", "S", touchpoints=(Touchpoint("a-b", "One"), Touchpoint("a_b", "Two"), Touchpoint("x:y", "Three"))
            ),
        ),
    )
    dot = render_dot(jm)
    assert '"tp_a_b" [' in dot and '"tp_a_b_2" [' in dot and '"tp_x_y" [' in dot
    assert '"tp_a_b" -> "tp_a_b_2"' in dot and '"tp_a_b_2" -> "tp_x_y"' in dot


# -- wrapping ------------------------------------------------------------------------


def test_long_names_wrap_to_a_readable_width():
    name = "A very long touchpoint name that goes on and on about the customer and many hesitations"
    jm = JourneyMap(title="Wrap", stages=(Stage("s", "S", touchpoints=(Touchpoint("t", name),)),))
    label = statement(render_dot(jm), '"tp_t" [')
    bold = label[label.index("<B>") + 3 : label.index("</B>")]
    lines = [line for line in bold.split('<BR ALIGN="LEFT"/>') if line]
    assert len(lines) >= 3
    assert all(len(line) <= NAME_WIDTH for line in lines)
    assert " ".join(lines) == name


def test_wrap_keeps_author_line_breaks_and_splits_long_words():
    assert wrap("one\ntwo", 20) == ["one", "two"]
    assert wrap("x" * 30, 10) == ["x" * 10] * 3
    assert wrap("", 10) == [""]
    assert wrap("a\n\nb\n", 10) == ["a", "", "b"]


# -- determinism and scale ------------------------------------------------------------


def test_output_is_identical_across_runs_and_fresh_models():
    assert render_dot(shop_map()) == render_dot(shop_map())
    jm = shop_map()
    assert render_dot(jm) == render_dot(jm)
    assert render_dot(jm, persona="sophie") == render_dot(shop_map(), persona="sophie")


def test_large_maps_cap_layout_effort():
    def many(n: int) -> JourneyMap:
        tps = tuple(Touchpoint(f"t{i}", f"T{i}") for i in range(n))
        return JourneyMap(title="Big", stages=(Stage("s", "S", touchpoints=tps),))

    assert "nslimit" not in render_dot(many(LARGE_LAYOUT)).splitlines()[1]
    big = render_dot(many(LARGE_LAYOUT + 1)).splitlines()[1]
    assert "nslimit=0.1" in big


def test_layout_effort_follows_the_hidden_nodes_long_arrows_make():
    """Few touchpoints, but each jumps far ahead: dot ranks a hidden node for
    every rank an arrow spans, so this map is large for dot."""
    n = 120
    tps = tuple(
        Touchpoint(f"t{i}", f"T{i}", next=tuple(f"t{j}" for j in (i + 1, n - 1) if i < j < n)) for i in range(n)
    )
    jm = JourneyMap(title="Jumps", stages=(Stage("s", "S", touchpoints=tps),))
    with one_row():
        assert "nslimit=0.1" in render_dot(jm).splitlines()[1]


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_example_maps_render_deterministically(path):
    from jmap.format.validator import load_file

    jm = load_file(path).map
    assert jm is not None
    dot = render_dot(jm)
    assert dot == render_dot(load_file(path).map)
    for persona in jm.personas:
        assert f"— {'Parcours' if jm.lang == 'fr' else 'Journey'}" in render_dot(jm, persona=persona.id)


def one_row() -> object:
    """Every stage on one row, whatever the text's length."""
    from unittest import mock

    return mock.patch("jmap.render.diagram.rows.MAX_ROWS", 1)


def _skeleton(dot: str) -> str:
    """The DOT text with every HTML-like label removed: ids, attributes and
    statements, which user text must never change."""
    return re.sub(r"label=<(?:[^<>]|<[^<>]*>)*>", "label=<>", dot)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_leaves_the_structure_unchanged(payload):
    """Text may change where a long journey wraps (its length is measured),
    so the rows are fixed here; the rows' choice is tested on its own."""
    with one_row():
        benign = _skeleton(render_dot(shop_map()))
        hostile = render_dot(shop_map(text=lambda value: value + payload))
    assert _skeleton(hostile) == benign
    assert "\x00" not in hostile


def test_steps_of_steps_share_the_frame_and_column():
    steps = (Touchpoint("card-form", "Card form", touchpoints=(Touchpoint("cvv", "Security code"),)),)
    jm = with_touchpoint(shop_map(), "payment", touchpoints=steps)
    dot = render_dot(jm)
    assert dot.count('subgraph "cluster_tp_') == 1
    assert '{rank=same; "tp_payment"; "tp_card_form"; "tp_cvv";}' in dot
    assert "<B>Security code" in statement(dot, '"tp_cvv" [')
    assert '"tp_cvv" -> "tp_card_form" [dir="back"' in dot


def test_persona_view_shows_steps_whose_parent_the_persona_skips():
    steps = (Touchpoint("card-form", "Card form", personas=("marc",)),)
    jm = with_touchpoint(shop_map(), "payment", personas=("sophie",), touchpoints=steps)
    dot = render_dot(jm, persona="marc")
    assert '"tp_payment"' not in dot
    assert 'subgraph "cluster_tp_' not in dot
    assert '"tp_card_form" [' in dot


def test_persona_who_passes_nowhere_gets_an_empty_but_valid_graph():
    jm = shop_map()
    jm = replace(jm, personas=(*jm.personas, Persona("zoe", "Zoé")))
    for tp in jm.top_touchpoints():
        jm = with_touchpoint(jm, tp.id, personas=("sophie",))
    dot = render_dot(jm, persona="zoe")
    assert "subgraph" not in dot and "->" not in dot
    assert dot.endswith("\n}\n")


# -- rows: a long journey on a slide ------------------------------------------------


def long_map(stages: int, per_stage: int = 6) -> JourneyMap:
    return JourneyMap(
        title="Long",
        personas=(Persona("ana", "Ana"), Persona("ben", "Ben")),
        stages=tuple(
            Stage(
                f"s{n}",
                f"Stage {n}",
                touchpoints=tuple(
                    Touchpoint(
                        f"t{n}-{i}",
                        f"Touchpoint {n}.{i} with a name",
                        emotion=Emotion(per_persona={"ana": (n + i) % 5 - 2, "ben": 0}),
                        next=(f"t{n}-{i - 2}", f"t{n}-{i + 1}") if i == 3 else None,
                    )
                    for i in range(per_stage)
                ),
            )
            for n in range(stages)
        ),
    )


def test_a_long_journey_wraps_into_rows():
    dot = render_dot(long_map(8))
    assert 'packmode="array_ic1"' in dot.splitlines()[1]
    starts = re.findall(r'^  "row_(\d+)" \[', dot, flags=re.MULTILINE)
    assert len(starts) >= 2
    # rows are stacked by dot from the bottom: the last row is written first
    order = [int(n) for n in re.findall(r'subgraph "cluster_stage_(\d+)"', dot)]
    assert order[0] > order[-1]
    # no arrow joins two rows: lettered connectors stand in for it
    assert '"link_out_1"' in dot and '"link_in_1"' in dot
    assert "label=<<B>A</B>>" in statement(dot, '"link_out_1" [') and "label=<<B>A</B>>" in statement(
        dot, '"link_in_1" ['
    )
    links = connector_moves(dot)
    # the flow from a row's last touchpoint to the next row's first goes by a letter
    assert any(b == (a[0], a[1] + 1) or b == (a[0] + 1, 0) for a, b in links)
    # a loop back over two columns of cards too, not an arc over the cards
    assert ((0, 3), (0, 1)) in links


def connector_moves(dot: str) -> set[tuple[tuple[int, int], tuple[int, int]]]:
    """The moves of ``long_map`` drawn as lettered connectors: (stage, index)
    of the source and of the target, paired by their letter."""
    letter = dict(re.findall(r'^\s*"(link_(?:in|out)_\d+)" \[.*label=<<B>(\w+)</B>>', dot, flags=re.MULTILINE))
    leaving = re.findall(r'^  "tp_t(\d+)_(\d+)" -> "(link_out_\d+)" \[', dot, flags=re.MULTILINE)
    arriving = re.findall(r'^  "(link_in_\d+)" -> "tp_t(\d+)_(\d+)" \[', dot, flags=re.MULTILINE)
    target = {letter[node]: (int(s), int(i)) for node, s, i in arriving}
    return {((int(s), int(i)), target[letter[node]]) for s, i, node in leaving}


def test_a_short_journey_stays_on_one_row():
    dot = render_dot(shop_map())
    assert "pack" not in dot.splitlines()[1] and '"row_' not in dot and "link_" not in dot


# -- faces in the SVG -----------------------------------------------------------------


def test_faces_written_by_dot_become_drawn_shapes():
    from jmap.render.diagram import finish_svg as draw_faces

    face = (
        '<text text-anchor="start" x="10" y="-20" font-family="DejaVu Sans" font-size="12.00" '
        f'fill="#ffffff">{FACES[-2]}</text>'
    )
    user_bold = (
        '<text text-anchor="start" x="10" y="-40" font-family="DejaVu Sans" font-weight="bold" '
        f'font-size="12.00" fill="#2b2d42">{FACES[1]}</text>'
    )
    user_small = (
        f'<text text-anchor="start" x="10" y="-60" font-family="DejaVu Sans" font-size="10.00">{FACES[0]}</text>'
    )
    out = draw_faces(f"<svg>{face}{user_bold}{user_small}</svg>".encode()).decode()
    assert '<g class="face" data-score="-2">' in out and 'stroke="#ffffff"' in out
    assert FACES[-2] not in out
    assert user_bold in out and user_small in out, "text jmap did not write as a face stays text"
    assert draw_faces(f"<svg>{face}</svg>".encode()) == draw_faces(f"<svg>{face}</svg>".encode())


def one_long_stage(lang: str = "en") -> JourneyMap:
    return JourneyMap(
        title="One long stage",
        lang=lang,
        stages=(
            Stage(
                "s",
                "Shopping",
                goal="Find and buy",
                touchpoints=tuple(
                    Touchpoint(f"t{i}", f"Touchpoint {i} with a longer name", emotion=Emotion(everyone=i % 5 - 2))
                    for i in range(16)
                ),
            ),
        ),
    )


def test_a_stage_too_long_for_a_row_goes_on_in_the_next_one():
    dot = render_dot(one_long_stage())
    first = statement(dot, 'subgraph "cluster_stage_0" {')
    assert first
    label = [line for line in dot.splitlines() if "Shopping" in line]
    assert len(label) >= 2, "the stage's name heads each of its parts"
    assert "Goal: Find and buy" in label[-1], "the first part (written last) carries the stage's details"
    assert "(continued)" in label[0] and "Goal" not in label[0]
    assert 'subgraph "cluster_stage_0_part_2" {' in dot
    # the flow goes on by a lettered connector, as between rows of stages
    assert '"link_out_1"' in dot and '"link_in_1"' in dot
    assert "(suite)" in render_dot(one_long_stage("fr"))


def test_a_wide_stage_sets_its_details_beside_its_name_on_few_lines():
    dot = render_dot(long_map(1, per_stage=8))
    assert '<TD WIDTH="16"></TD>' not in dot, "a stage without details has nothing to set beside its name"
    jm = replace(
        long_map(1, per_stage=8),
        stages=(replace(long_map(1, per_stage=8).stages[0], goal="Get there", duration=Duration("2d", 2 * 86400)),),
    )
    with one_row():
        label = statement(render_dot(jm), 'graph [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0"')
    assert '<TD WIDTH="16"></TD>' in label
    assert "Goal: Get there · Stage length: 2\u00a0d" in label


def test_laid_out_stage_boxes_of_a_row_rise_to_the_rows_top():
    """PNG and PDF: the same alignment on dot's layout (-Tdot, y upwards),
    before neato -n2 draws it."""
    from jmap.render.diagram import align_laid_out

    def cluster(name: str, bb: str, lp: str) -> str:
        return (
            f'\tsubgraph {name} {{\n\t\tgraph [bb="{bb}",\n\t\t\tcolor="#c5cadb",\n'
            f'\t\t\tlabel=<<B>x, lp="1,2"</B>>,\n\t\t\tlp="{lp}",\n\t\t\tstyle="rounded,filled"\n\t\t];\n\t}}\n'
        )

    laid = (
        "digraph journey {\n"
        + cluster("cluster_stage_0", "10,260,450,568", "236.5,548")
        + cluster("cluster_stage_1", "460,500,853,815", "606,792")
        + cluster("cluster_stage_2_part_2", "861,500,1090,804", "961.5,781")
        + cluster("cluster_tp_pay", "870,510,900,600", "880,590")
        + cluster("cluster_stage_3", "10,7,433,232", "137,212")
        + "}\n"
    )
    out = align_laid_out(laid.encode()).decode()
    assert 'bb="10,260,450,815"' in out and 'lp="236.5,795"' in out
    assert 'bb="861,500,1090,815"' in out and 'lp="961.5,792"' in out
    assert cluster("cluster_stage_1", "460,500,853,815", "606,792") in out
    assert cluster("cluster_tp_pay", "870,510,900,600", "880,590") in out, "a frame is not a stage box"
    assert cluster("cluster_stage_3", "10,7,433,232", "137,212") in out, "another row keeps its top"
    assert align_laid_out(out.encode()).decode() == out


def test_a_16_mib_unbroken_description_is_cut_before_it_is_wrapped():
    import time

    jm = replace(tiny_map(), description="x" * (16 * 1024 * 1024))
    started = time.monotonic()
    dot = render_dot(jm)
    assert time.monotonic() - started < 5, "measuring and wrapping cost no more than for a paragraph"
    assert "x" * DIAGRAM_TEXT_LIMIT not in dot and "x" * (DIAGRAM_TEXT_LIMIT - 1) + "…" not in dot
    assert dot.count("x" * 100) == 4, "its first 499 characters are drawn, in lines of 120"
    assert len(dot) < 20_000


def test_wrap_costs_linear_time_whatever_the_text():
    import time

    started = time.monotonic()
    lines = wrap("x" * 10_000_000 + " " + "word " * 1_000_000, 20)
    assert time.monotonic() - started < 1
    assert lines[-1].endswith("…") and len(lines) <= DIAGRAM_TEXT_LIMIT // 20 + 1


# -- a slide per map (issue 21) ---------------------------------------------------------


def test_review_flags_only_when_asked():
    """Unaddressed serious pain points and missing owners are the team's
    business: drawn with ``review`` only."""
    client = statement(render_dot(shop_map()), '"tp_payment" [')
    review = statement(render_dot(shop_map(), review=True), '"tp_payment" [')
    assert "Not addressed by any opportunity" not in client and "no owner" not in client
    assert "Card refused (high) · Not addressed by any opportunity · no owner" in review.replace(
        '<BR ALIGN="LEFT"/>', " "
    ).replace("  ", " ")
    assert "Slow page (low) · no owner" in review, "a low one needs no opportunity, but an owner"


def test_pain_point_badges_are_padded():
    payment = statement(render_dot(shop_map()), '"tp_payment" [')
    assert payment.count('CELLPADDING="3" BGCOLOR="#e4572e"') == 1


def test_time_spent_is_a_bar_and_the_long_waits_stand_out():
    jm = with_touchpoint(shop_map(), "callback", duration=Duration("1h30min", 5400))
    jm = with_touchpoint(jm, "cart", duration=Duration("45s", 45))
    dot = render_dot(jm)
    callback, cart = statement(dot, '"tp_callback" ['), statement(dot, '"tp_cart" [')
    assert '<FONT COLOR="#2b2d42">━━━━━━━━</FONT> <B>1\u00a0h 30\u00a0min</B>' in callback, (
        "the longest: full bar, bold"
    )
    bar = re.search(r'<FONT COLOR="#a3a9bb">(━+)</FONT> 45\u00a0s', cart)
    assert bar is not None and 1 < len(bar.group(1)) < 8, "a short wait: a short grey bar, on a log scale"


def test_one_duration_is_not_a_long_wait():
    jm = with_touchpoint(shop_map(), "callback", duration=Duration("1h30min", 5400))
    assert "<B>1\u00a0h 30\u00a0min</B>" not in render_dot(jm), "the only time given is no outlier"


def test_the_legend_explains_only_what_is_drawn():
    legend = render_dot(tiny_map()).splitlines()[1]
    assert "☺︎" in legend and "😠︎" not in legend, "only the scores drawn"
    for absent in ("Channels", "offline", "Pain points", "low point", "steps of a touchpoint", "Personas"):
        assert absent not in legend, absent
    assert "End of the journey" in legend


def test_a_journey_of_eight_cards_is_one_row():
    dot = render_dot(long_map(2, per_stage=4))
    assert '"row_' not in dot and "pack=" not in dot.splitlines()[1], "8 cards: no break"
    assert '"row_' in render_dot(long_map(3, per_stage=4)), "12 long cards wrap"

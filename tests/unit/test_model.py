"""The domain model's queries, on maps built directly in Python.

Renderers draw what these queries answer (the flow, each persona's path,
stage totals, the pain points nobody works on), so each rule of the format
that they implement is pinned down here: default flow across stages, ``next``
replacing it, ``next: []`` as an exit, sub-touchpoints outside the default
flow, persona inheritance, and loops that must not trap a walk.
"""

from __future__ import annotations

import pytest
from support import EXAMPLES

from jmap.model import (
    Channel,
    Duration,
    Emotion,
    JourneyMap,
    Metric,
    MetricValue,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)


def tp(ident: str, **fields: object) -> Touchpoint:
    return Touchpoint(ident, ident.upper(), **fields)  # type: ignore[arg-type]


def journey(*stages: Stage, personas: tuple[str, ...] = ("sophie", "marc"), **fields: object) -> JourneyMap:
    return JourneyMap(
        "T",
        stages,
        personas=tuple(Persona(p, p.title()) for p in personas),
        **fields,  # type: ignore[arg-type]
    )


def stage(ident: str, *touchpoints: Touchpoint, **fields: object) -> Stage:
    return Stage(ident, ident.upper(), touchpoints=touchpoints, **fields)  # type: ignore[arg-type]


# -- flow ------------------------------------------------------------------------------------


def test_default_flow_follows_document_order_across_stages() -> None:
    jm = journey(stage("s1", tp("a"), tp("b")), stage("s2"), stage("s3", tp("c")))
    assert jm.flow_edges() == [("a", "b"), ("b", "c")]
    assert jm.successors(jm.touchpoint("c")) == ()


def test_next_replaces_the_default_edge() -> None:
    jm = journey(stage("s", tp("a", next=("c", "b")), tp("b"), tp("c")))
    assert jm.flow_edges() == [("a", "c"), ("a", "b"), ("b", "c")]


def test_empty_next_is_an_exit() -> None:
    jm = journey(stage("s", tp("a"), tp("abandon", next=()), tp("b")))
    assert jm.flow_edges() == [("a", "abandon")]
    assert jm.successors(jm.touchpoint("abandon")) == ()


def test_loops_are_edges_like_any_other() -> None:
    jm = journey(stage("s", tp("a"), tp("b", next=("a", "c")), tp("c")))
    assert jm.flow_edges() == [("a", "b"), ("b", "a"), ("b", "c")]


def test_sub_touchpoints_are_outside_the_default_flow_but_next_may_reach_them() -> None:
    pay = tp("pay", next=("form",), touchpoints=(tp("form", next=("done",)), tp("check")))
    jm = journey(stage("s", tp("cart"), pay, tp("done")))
    assert jm.top_touchpoints() == [jm.touchpoint("cart"), pay, jm.touchpoint("done")]
    assert [t.id for t in jm.all_touchpoints()] == ["cart", "pay", "form", "check", "done"]
    assert jm.flow_edges() == [("cart", "pay"), ("pay", "form"), ("form", "done")]
    assert jm.successors(jm.touchpoint("check")) == ()


def test_hierarchy_queries() -> None:
    deep = tp("a", touchpoints=(tp("b", touchpoints=(tp("c"),)),))
    jm = journey(stage("s1", tp("z")), stage("s2", deep))
    assert [jm.depth_of(i) for i in "abcz"] == [0, 1, 2, 0]
    assert jm.parent_of("a") is None
    assert jm.parent_of("c") == jm.touchpoint("b")
    assert jm.stage_of("c").id == "s2"


# -- personas --------------------------------------------------------------------------------


def test_personas_at_inherits_from_everyone_and_parents() -> None:
    sub_inherit = tp("sub", touchpoints=(tp("subsub"),))
    sub_own = tp("own", personas=("sophie",))
    jm = journey(
        stage(
            "s",
            tp("all"),
            tp("marc-only", personas=("marc",), touchpoints=(sub_inherit, sub_own)),
            tp("nobody", personas=()),
        )
    )
    at = {t.id: jm.personas_at(t) for t in jm.all_touchpoints()}
    assert at == {
        "all": ("sophie", "marc"),
        "marc-only": ("marc",),
        "sub": ("marc",),
        "subsub": ("marc",),
        "own": ("sophie",),
        "nobody": (),
    }


def test_persona_journey_in_document_order() -> None:
    jm = journey(stage("s", tp("a"), tp("b", personas=("marc",)), tp("c", personas=("sophie",))))
    assert [t.id for t in jm.persona_journey("sophie")] == ["a", "c"]
    assert [t.id for t in jm.persona_journey("marc")] == ["a", "b"]


def route(jm: JourneyMap, persona: str) -> list[tuple[str, str, bool]]:
    return [(e.source, e.target, e.skipped) for e in jm.persona_route(persona).edges]


def test_a_route_skips_steps_only_others_take() -> None:
    jm = journey(stage("s", tp("a"), tp("b", personas=("marc",)), tp("c", personas=("marc",)), tp("d")))
    assert route(jm, "sophie") == [("a", "d", True)]
    assert route(jm, "marc") == [("a", "b", False), ("b", "c", False), ("c", "d", False)]
    assert [t.id for t in jm.persona_route("sophie").touchpoints] == ["a", "d"]


def test_a_route_drops_a_branch_others_take() -> None:
    """a → [x, b]: x is only Marc's, so for Sophie it is a branch, not a step she skips."""
    jm = journey(stage("s", tp("a", next=("x", "b")), tp("x", personas=("marc",), next=("c",)), tp("b"), tp("c")))
    assert route(jm, "sophie") == [("a", "b", False), ("b", "c", False)]
    assert route(jm, "marc") == [("a", "x", False), ("a", "b", False), ("x", "c", False), ("b", "c", False)]


def test_a_skipped_step_leads_only_to_the_persona_s_branch() -> None:
    """Inside a skip the same rule holds: x → [b, y] with y only Marc's leads Sophie to b."""
    jm = journey(
        stage(
            "s",
            tp("a", next=("x",)),
            tp("x", personas=("marc",), next=("b", "y")),
            tp("y", personas=("marc",), next=("c",)),
            tp("b", next=()),
            tp("c"),
        )
    )
    assert route(jm, "sophie") == [("a", "b", True)]
    assert route(jm, "marc") == [("a", "x", False), ("x", "b", False), ("x", "y", False), ("y", "c", False)]


def test_a_skip_never_loops_back_to_where_it_started() -> None:
    """checkout-fr's payment: a retry only others make is no self-loop."""
    jm = journey(
        stage(
            "s",
            tp("pay", next=("fail",)),
            tp("fail", personas=("marc",), next=("pay", "done")),
            tp("done", personas=("marc",)),
        )
    )
    assert route(jm, "sophie") == []
    assert route(jm, "marc") == [("pay", "fail", False), ("fail", "pay", False), ("fail", "done", False)]


def test_an_authors_own_loop_stays() -> None:
    jm = journey(stage("s", tp("a", next=("a", "b")), tp("b")))
    assert route(jm, "sophie") == [("a", "a", False), ("a", "b", False)]


def test_routes_survive_loops_of_skipped_touchpoints() -> None:
    jm = journey(
        stage(
            "s",
            tp("a", next=("x",)),
            tp("x", personas=("marc",), next=("y",)),
            tp("y", personas=("marc",), next=("x", "z")),
            tp("z", personas=("marc",), next=("x", "b")),
            tp("b"),
        )
    )
    assert route(jm, "sophie") == [("a", "b", True)]
    assert ("y", "x", False) in route(jm, "marc")


def test_a_skip_may_loop_back_to_an_earlier_touchpoint() -> None:
    jm = journey(stage("s", tp("a"), tp("b", next=("x",)), tp("x", personas=("marc",), next=("a",))))
    assert route(jm, "sophie") == [("a", "b", False), ("b", "a", True)]


def test_routes_end_at_exits() -> None:
    jm = journey(stage("s", tp("a"), tp("x", personas=("marc",), next=()), tp("b")))
    assert route(jm, "sophie") == []


def test_a_route_does_not_multiply_edges() -> None:
    """Many touchpoints, each branching to many steps only others take: the
    route has one move per real way through, not one per pair."""
    width = 60
    hubs = [tp(f"h{i}", next=tuple(f"x{i}_{k}" for k in range(8))) for i in range(width)]
    steps = [
        tp(f"x{i}_{k}", personas=("marc",), next=(f"h{i + 1}",) if i + 1 < width else ())
        for i in range(width)
        for k in range(8)
    ]
    jm = journey(stage("s", *hubs, *steps))
    sophie = route(jm, "sophie")
    assert sophie == [(f"h{i}", f"h{i + 1}", True) for i in range(width - 1)]


def test_helen_does_not_skip_booking_in_the_clinic_example() -> None:

    from jmap.format.validator import load_file

    examples = EXAMPLES
    clinic = load_file(examples / "service-clinic.yaml").map
    assert clinic is not None
    helen = route(clinic, "helen")
    assert ("gp-referral", "pre-visit-form", True) not in helen
    assert all(not (src == "gp-referral" and dst == "pre-visit-form") for src, dst, _ in helen)
    checkout = load_file(examples / "checkout-fr.yaml").map
    assert checkout is not None
    for persona in checkout.personas:
        assert all(src != dst or not skipped for src, dst, skipped in route(checkout, persona.id))
        assert all(src != dst for src, dst, _ in route(checkout, persona.id) if src == "payment")


def test_emotion_at() -> None:
    shared = tp("shared", emotion=Emotion(everyone=1))
    split = tp("split", personas=("sophie",), emotion=Emotion(per_persona={"sophie": -2}))
    jm = journey(stage("s", shared, split, tp("none")))
    assert jm.emotion_at(shared) == 1 and jm.emotion_at(shared, "marc") == 1
    assert jm.emotion_at(split, "sophie") == -2
    assert jm.emotion_at(split, "marc") is None, "marc does not pass there"
    assert jm.emotion_at(split) is None
    assert jm.emotion_at(jm.touchpoint("none"), "sophie") is None


def test_emotion_average_and_per_persona() -> None:
    assert Emotion(everyone=-1).average() == -1.0
    assert Emotion(per_persona={"a": 2, "b": -1}).average() == 0.5
    assert Emotion().average() is None
    assert Emotion(per_persona={"a": 2}).for_persona("b") is None
    assert Emotion(per_persona={"a": 2}).for_persona(None) is None


# -- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (5400, "1h30min"),
        (90061, "1d1h1min1s"),
        (59.6, "1min"),
        (7 * 86400 + 1, "1w1s"),
        (365 * 86400 + 30 * 86400, "1y1mo"),
    ],
)
def test_duration_from_seconds(seconds: float, text: str) -> None:
    d = Duration.from_seconds(seconds)
    assert d.text == text
    assert d.seconds == float(seconds)


# -- pain points and opportunities -------------------------------------------------------------


def _pain_map() -> JourneyMap:
    pps = (
        PainPoint("low1", "L", severity="low"),
        PainPoint("med1", "M"),
        PainPoint("high1", "H", severity="high"),
        PainPoint("crit1", "C", severity="critical"),
        PainPoint("high2", "H2", severity="high"),
    )
    return journey(
        stage("s", tp("a", pain_points=pps[:3], touchpoints=(tp("sub", pain_points=pps[3:]),))),
        opportunities=(
            Opportunity("o1", "O", addresses=("high2",)),
            Opportunity("o2", "O2", addresses=("high2", "low1")),
        ),
    )


def test_unaddressed_pain_points_default_to_high_and_critical() -> None:
    jm = _pain_map()
    assert [p.id for p in jm.unaddressed_pain_points()] == ["high1", "crit1"]
    assert [p.id for p in jm.unaddressed_pain_points(("low", "medium"))] == ["med1"]


def test_pain_point_lookups() -> None:
    jm = _pain_map()
    assert [p.id for p in jm.all_pain_points()] == ["low1", "med1", "high1", "crit1", "high2"]
    assert jm.touchpoint_of_pain_point("crit1").id == "sub"
    assert [o.id for o in jm.opportunities_for("high2")] == ["o1", "o2"]
    assert jm.opportunities_for("crit1") == []
    assert jm.pain_point("med1").severity == "medium"


def test_severity_rank_sorts_the_worst_first() -> None:
    ranks = {s: PainPoint("p", "P", severity=s).severity_rank for s in ("low", "medium", "high", "critical")}
    assert ranks == {"critical": 0, "high": 1, "medium": 2, "low": 3}


def test_channel_lookup_and_type() -> None:
    jm = journey(stage("s"), channels=(Channel("web", "Web"), Channel("shop", "Shop", "offline")))
    assert jm.channel("web").online and not jm.channel("shop").online
    assert jm.persona("sophie").name == "Sophie"


# -- records ----------------------------------------------------------------------------------


def test_records_compare_by_value() -> None:
    assert tp("a", doing=("x",)) == tp("a", doing=("x",))
    assert tp("a") != tp("b")
    assert Persona("p", "P") != Channel("p", "P")
    assert Persona("p", "P").__eq__(Channel("p", "P")) is NotImplemented


def test_records_have_defaults_and_a_readable_repr() -> None:
    p = Persona("p", "P")
    assert (p.goals, p.color) == ((), None)
    assert repr(p) == "Persona(id='p', name='P', description=None, goals=(), frustrations=(), quote=None, color=None)"


def test_the_index_stays_out_of_equality_and_repr() -> None:
    a, b = journey(stage("s", tp("a"))), journey(stage("s", tp("a")))
    a.touchpoint("a")  # builds a's index only
    assert a == b
    assert repr(a) == repr(b) and "_index" not in repr(a)


def test_frozen_records_are_hashable_and_others_are_not() -> None:
    assert hash(Duration("1h", 3600)) == hash(Duration("1h", 3600))
    assert len({MetricValue(1.0, False, "1"), MetricValue(1.0, False, "1")}) == 1
    assert hash(Metric("m", MetricValue(1.0, True, "1%")))
    with pytest.raises(TypeError):
        hash(Persona("p", "P"))


def test_factory_fields_are_fresh_per_instance() -> None:
    a, b = Emotion(), Emotion()
    a.per_persona["x"] = 1
    assert b.per_persona == {}


def test_opportunities_for_a_pain_point_come_from_an_index_in_map_order() -> None:
    """The summary asks for each pain point's opportunities: scanning every
    opportunity each time took 1.1 s at 8,000 pain points."""
    from jmap.model import Opportunity, PainPoint

    pains = tuple(PainPoint(f"p{i}", f"P{i}") for i in range(3))
    jm = JourneyMap(
        title="T",
        stages=(Stage("s", "S", touchpoints=(Touchpoint("t", "T", pain_points=pains),)),),
        opportunities=(
            Opportunity("b", "B", addresses=("p1", "p0")),
            Opportunity("a", "A", addresses=("p1",)),
        ),
    )
    assert [o.id for o in jm.opportunities_for("p1")] == ["b", "a"]
    assert [o.id for o in jm.opportunities_for("p0")] == ["b"]
    assert jm.opportunities_for("p2") == []
    assert jm.opportunities_for("p1") is not jm.opportunities_for("p1")  # callers may change their copy
    assert set(jm.index.opportunities_for) == {"p0", "p1"}

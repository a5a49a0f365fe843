"""Model factories shared by the unit and browser tests (importable as
``factories``: tests/ is on sys.path through its conftest)."""

from __future__ import annotations

from dataclasses import replace

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

# -- a small map factory -------------------------------------------------------


def pct(text: str) -> MetricValue:
    return MetricValue(float(text.rstrip("%")), text.endswith("%"), text)


def sample_map(text=lambda field: field, lang: str = "en", color: str = "#2a9d8f") -> JourneyMap:
    """A map using every field; ``text(field)`` gives the string of each text field,
    so that the XSS test can put a payload in every one of them."""
    return JourneyMap(
        title=text("title"),
        description=text("description"),
        lang=lang,
        owner=text("owner"),
        scenario=text("scenario"),
        tags=(text("tag"),),
        personas=(
            Persona(
                id="sophie",
                name=text("persona-name"),
                description=text("persona-description"),
                goals=(text("goal"),),
                frustrations=(text("frustration"),),
                quote=text("quote"),
                color=color,
            ),
            Persona(id="marc", name=text("persona2-name")),
        ),
        channels=(
            Channel(id="web", name=text("channel-web"), type="online"),
            Channel(id="phone", name=text("channel-phone"), type="offline"),
        ),
        stages=(
            Stage(
                id="awareness",
                name=text("stage-name"),
                description=text("stage-description"),
                goal=text("stage-goal"),
                duration=Duration("2w", 14 * 86400),
                metrics=(Metric(text("stage-metric"), pct("12%"), source=text("stage-metric-source")),),
                touchpoints=(
                    Touchpoint(
                        id="ad",
                        name=text("tp-ad"),
                        description=text("tp-description"),
                        channel="web",
                        personas=("sophie",),
                        doing=(text("doing-1"), text("doing-2")),
                        thinking=(text("thinking"),),
                        feeling=(text("feeling"),),
                        emotion=Emotion(everyone=1),
                        duration=Duration("30s", 30),
                    ),
                ),
            ),
            Stage(
                id="purchase",
                name=text("stage2-name"),
                touchpoints=(
                    Touchpoint(
                        id="cart",
                        name=text("tp-cart"),
                        channel="web",
                        emotion=Emotion(per_persona={"sophie": 0, "marc": -1}),
                        metrics=(Metric(text("metric-name"), pct("68%")),),
                    ),
                    Touchpoint(
                        id="payment",
                        name=text("tp-payment"),
                        channel="web",
                        emotion=Emotion(everyone=-2),
                        backstage=(text("backstage"),),
                        owner=text("tp-owner"),
                        next=("confirmation", "callback", "cart"),
                        pain_points=(
                            PainPoint(
                                id="payment-failed",
                                name=text("pp-name"),
                                severity="high",
                                description=text("pp-description"),
                                owner=text("pp-owner"),
                            ),
                            PainPoint(id="slow", name=text("pp2-name"), severity="critical"),
                        ),
                        touchpoints=(
                            Touchpoint(
                                id="card-form",
                                name=text("sub-card-form"),
                                doing=(text("sub-doing"),),
                                touchpoints=(Touchpoint(id="cvv", name=text("subsub-cvv"), next=()),),
                            ),
                        ),
                    ),
                    Touchpoint(
                        id="callback",
                        name=text("tp-callback"),
                        channel="phone",
                        emotion=Emotion(everyone=1),
                        metrics=(
                            Metric(
                                text("metric2-name"),
                                pct("22%"),
                                target=pct("25%"),
                                unit=text("unit"),
                                source=text("metric-source"),
                            ),
                        ),
                        next=("confirmation",),
                    ),
                    Touchpoint(id="confirmation", name=text("tp-confirmation"), channel="web", emotion=Emotion(2)),
                ),
            ),
            Stage(id="loyalty", name=text("stage3-name")),
        ),
        opportunities=(
            Opportunity(
                id="realtime-alert",
                name=text("opp-name"),
                description=text("opp-description"),
                addresses=("payment-failed",),
                owner=text("opp-owner"),
                impact="high",
                effort="medium",
                status="planned",
            ),
            Opportunity(id="loose", name=text("opp2-name")),
        ),
    )


# -- editing a frozen map ------------------------------------------------------


def with_touchpoint(jm: JourneyMap, touchpoint_id: str, **changes: object) -> JourneyMap:
    """``jm`` with one touchpoint (at any depth) changed. The model is frozen,
    so a test edits a map by rebuilding the path down to what it changes."""

    def edit(tp: Touchpoint) -> Touchpoint:
        if tp.id == touchpoint_id:
            return replace(tp, **changes)
        return replace(tp, touchpoints=tuple(edit(sub) for sub in tp.touchpoints))

    return replace(jm, stages=tuple(replace(s, touchpoints=tuple(map(edit, s.touchpoints))) for s in jm.stages))

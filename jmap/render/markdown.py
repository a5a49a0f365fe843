"""The Markdown summary of a map, for pull requests and wikis.

A reviewer reads this in GitHub or GitLab next to the YAML diff, so it puts
first what a review is about: the journey stage by stage, then what hurts
(pain points, worst first), what is planned about it (opportunities, best
value first) and what is left unaddressed, then the numbers. The embedded
```mermaid block is the Mermaid export itself, so the forge draws a picture
without a build step.

Every user string goes through :mod:`jmap.render.mdtext`; this module only
writes the summary's own markup around escaped text. Blocks are joined with a
blank line, which keeps every table separated as Markdown linters require.
"""

from __future__ import annotations

from collections.abc import Iterable

from jmap.model import (
    EFFORTS,
    IMPACTS,
    Duration,
    JourneyMap,
    Metric,
    MetricValue,
    Opportunity,
    PainPoint,
    Stage,
    Touchpoint,
)
from jmap.render.labels import labels
from jmap.render.mdtext import inline, inline_list, one_line, shorten, table
from jmap.render.mermaid import render_mmd
from jmap.render.style import EMOTION_FACES, emotion_sign

#: Characters kept of doing/thinking/feeling and descriptions in tables: the
#: summary points at the map, it does not replace it.
SHORT = 120


def render_md(jm: JourneyMap, persona: str | None = None) -> str:
    """The summary as GitHub-flavored Markdown (text ending in a newline)."""
    return _Summary(jm, persona).render()


def emotion_cell(score: int) -> str:
    """A face for the eye and a signed number for screen readers and diffs."""
    return f"{EMOTION_FACES[score]} {emotion_sign(score)}"


class _Summary:
    """One rendering: the map, the optional persona view and its labels."""

    def __init__(self, jm: JourneyMap, persona: str | None) -> None:
        self.jm = jm
        self.persona = persona
        self.labels = labels(jm.lang)
        # French typography puts a (no-break) space before a colon.
        self.colon = self.labels["colon"]
        if persona is None:
            self.visible = [tp.id for tp in jm.all_touchpoints()]
        else:
            self.visible = [tp.id for tp in jm.persona_journey(persona)]
        self.visible_set = set(self.visible)

    # -- helpers -------------------------------------------------------------

    def label(self, key: str) -> str:
        return self.labels[key]

    def field(self, key: str, value: str) -> str:
        """``**Label:** value`` with an already-escaped value."""
        return f"**{self.label(key)}{self.colon}** {value}"

    def persona_names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.jm.personas}

    def stage_touchpoints(self, stage: Stage) -> list[Touchpoint]:
        """The visible touchpoints of a stage, sub-touchpoints after their parent."""
        out: list[Touchpoint] = []

        def visit(tp: Touchpoint) -> None:
            if tp.id in self.visible_set:
                out.append(tp)
            for sub in tp.touchpoints:
                visit(sub)

        for tp in stage.touchpoints:
            visit(tp)
        return out

    def place(self, touchpoint: Touchpoint) -> str:
        """``Stage › Touchpoint``, escaped."""
        return f"{inline(self.jm.stage_of(touchpoint.id).name)} › {inline(touchpoint.name)}"

    def emotion(self, tp: Touchpoint) -> str:
        if tp.emotion is None:
            return ""
        if self.persona is not None:
            score = self.jm.emotion_at(tp, self.persona)
            return "" if score is None else emotion_cell(score)
        if tp.emotion.everyone is not None:
            return emotion_cell(tp.emotion.everyone)
        names = self.persona_names()
        parts = [
            f"{inline(names[p.id])} {emotion_cell(tp.emotion.per_persona[p.id])}"
            for p in self.jm.personas
            if p.id in tp.emotion.per_persona
        ]
        return " / ".join(parts)

    def short(self, items: Iterable[str]) -> str:
        return inline(shorten(one_line(" / ".join(items)), SHORT))

    # -- sections ------------------------------------------------------------

    def render(self) -> str:
        blocks: list[str] = []
        blocks += self.header()
        blocks += self.personas()
        blocks += self.journey()
        blocks += self.pain_points()
        blocks += self.opportunities()
        blocks += self.metrics()
        blocks += self.totals()
        return "\n\n".join(blocks) + "\n"

    def header(self) -> list[str]:
        jm = self.jm
        blocks = [f"# {inline(jm.title)}"]
        if jm.description and one_line(jm.description):
            blocks.append(inline(jm.description))
        facts = []
        if self.persona is not None:
            facts.append(self.field("persona", inline(self.jm.persona(self.persona).name)))
        if jm.scenario and one_line(jm.scenario):
            facts.append(self.field("scenario", inline(jm.scenario)))
        if jm.owner and one_line(jm.owner):
            facts.append(self.field("owner", inline(jm.owner)))
        if jm.tags:
            facts.append(self.field("tags", inline_list(jm.tags, ", ")))
        if facts:
            blocks.append("\n".join(f"- {fact}" for fact in facts))
        return blocks

    def personas(self) -> list[str]:
        shown = [p for p in self.jm.personas if self.persona is None or p.id == self.persona]
        if not shown:
            return []
        rows = [
            [
                inline(p.name),
                inline(shorten(one_line(p.description or ""), SHORT)),
                inline_list(p.goals),
                inline_list(p.frustrations),
                inline(p.quote or ""),
            ]
            for p in shown
        ]
        header = [self.label(k) for k in ("persona", "description", "goals", "frustrations", "quote")]
        return [f"## {self.label('personas')}", "\n".join(table(header, rows))]

    def journey(self) -> list[str]:
        blocks = [f"## {self.label('journey')}"]
        blocks.append("```mermaid\n" + render_mmd(self.jm, self.persona) + "```")
        for number, stage in enumerate(self.jm.stages, start=1):
            blocks += self.stage(number, stage)
        return blocks

    def stage(self, number: int, stage: Stage) -> list[str]:
        blocks = [f"### {number}. {inline(stage.name)}"]
        if stage.description and one_line(stage.description):
            blocks.append(inline(stage.description))
        facts = []
        if stage.goal and one_line(stage.goal):
            facts.append(self.field("goal", inline(stage.goal)))
        duration = self.jm.stage_duration(stage)
        if duration is not None:
            text = inline(duration.text)
            if stage.duration is None:  # say so: a sum of touchpoints omits the waits between them
                summed = self.label("touchpoints_sum")
                text += f" ({summed[:1].lower()}{summed[1:]})"
            facts.append(self.field("duration", text))
        if facts:
            blocks.append("\n".join(f"- {fact}" for fact in facts))
        touchpoints = self.stage_touchpoints(stage)
        if touchpoints:
            header = [self.label(k) for k in ("touchpoint", "channel", "emotion", "doing", "thinking", "feeling")]
            rows = [
                [
                    "↳ " * self.jm.depth_of(tp.id) + inline(tp.name),
                    self.channel(tp),
                    self.emotion(tp),
                    self.short(tp.doing),
                    self.short(tp.thinking),
                    self.short(tp.feeling),
                ]
                for tp in touchpoints
            ]
            blocks.append("\n".join(table(header, rows)))
        return blocks

    def channel(self, tp: Touchpoint) -> str:
        if tp.channel is None:
            return ""
        channel = self.jm.channel(tp.channel)
        return f"{inline(channel.name)} ({self.label(channel.type)})"

    def visible_pain_points(self) -> list[PainPoint]:
        return [
            pp for pp in self.jm.all_pain_points() if self.jm.touchpoint_of_pain_point(pp.id).id in self.visible_set
        ]

    def pain_points(self) -> list[str]:
        ranked = sorted(self.visible_pain_points(), key=lambda pp: pp.severity_rank)
        if not ranked:
            return []
        rows = []
        for pp in ranked:
            name = inline(pp.name)
            if pp.description and one_line(pp.description):
                name += " — " + inline(shorten(one_line(pp.description), SHORT))
            tp = self.jm.touchpoint_of_pain_point(pp.id)
            rows.append(
                [
                    self.label(f"severity.{pp.severity}"),
                    name,
                    inline(self.jm.stage_of(tp.id).name),
                    inline(tp.name),
                    inline_list(o.name for o in self.jm.opportunities_for(pp.id)),
                ]
            )
        header = [self.label(k) for k in ("severity", "pain_point", "stage", "touchpoint", "opportunities")]
        blocks = [f"## {self.label('pain_points')}", "\n".join(table(header, rows))]
        shown = {pp.id for pp in ranked}
        unaddressed = [pp for pp in self.jm.unaddressed_pain_points() if pp.id in shown]
        unaddressed.sort(key=lambda pp: pp.severity_rank)
        if unaddressed:
            blocks.append(f"**⚠ {self.label('unaddressed')}{self.colon}**")
            items = [
                f"- **{self.label(f'severity.{pp.severity}')}** — {inline(pp.name)} "
                f"({self.place(self.jm.touchpoint_of_pain_point(pp.id))})"
                for pp in unaddressed
            ]
            blocks.append("\n".join(items))
        return blocks

    def visible_opportunities(self) -> list[Opportunity]:
        if self.persona is None:
            return list(self.jm.opportunities)
        shown = {pp.id for pp in self.visible_pain_points()}
        return [o for o in self.jm.opportunities if not o.addresses or shown.intersection(o.addresses)]

    def opportunities(self) -> list[str]:
        def rank(o: Opportunity) -> tuple[int, int]:
            # Highest impact first, then lowest effort; unknowns last.
            impact = IMPACTS[::-1].index(o.impact) if o.impact else len(IMPACTS)
            effort = EFFORTS.index(o.effort) if o.effort else len(EFFORTS)
            return impact, effort

        ranked = sorted(self.visible_opportunities(), key=rank)
        if not ranked:
            return []
        rows = [
            [
                inline(o.name),
                self.label(f"level.{o.impact}") if o.impact else "",
                self.label(f"level.{o.effort}") if o.effort else "",
                self.label(f"status.{o.status}") if o.status else "",
                inline_list(self.jm.pain_point(pid).name for pid in o.addresses),
                inline(o.owner or ""),
            ]
            for o in ranked
        ]
        header = [self.label(k) for k in ("opportunity", "impact", "effort", "status", "addresses", "owner")]
        return [f"## {self.label('opportunities')}", "\n".join(table(header, rows))]

    # -- numbers -------------------------------------------------------------

    def metrics(self) -> list[str]:
        rows = []
        for stage in self.jm.stages:
            for metric in stage.metrics:
                rows.append([inline(stage.name), "", *self.metric_cells(metric)])
            for tp in self.stage_touchpoints(stage):
                for metric in tp.metrics:
                    rows.append([inline(stage.name), inline(tp.name), *self.metric_cells(metric)])
        blocks: list[str] = []
        if rows:
            header = [self.label(k) for k in ("stage", "touchpoint", "metric", "value", "target", "source")]
            blocks += [f"## {self.label('metrics')}", "\n".join(table(header, rows))]
        funnels = self.funnels()
        if funnels:
            if not rows:  # pragma: no cover - a funnel needs stage metrics, which make rows
                blocks.append(f"## {self.label('metrics')}")
            blocks += funnels
        return blocks

    def metric_cells(self, metric: Metric) -> list[str]:
        def amount(value: MetricValue | None) -> str:
            if value is None:
                return ""
            text = value.text if not metric.unit else f"{value.text} {metric.unit}"
            return inline(text)

        return [inline(metric.name), amount(metric.value), amount(metric.target), inline(metric.source or "")]

    def funnels(self) -> list[str]:
        """A table per metric that consecutive stages count (numbers, not rates)."""
        names: list[str] = []
        for stage in self.jm.stages:
            for metric in stage.metrics:
                if metric.name not in names:
                    names.append(metric.name)
        blocks: list[str] = []
        for name in names:
            run: list[tuple[Stage, MetricValue]] = []
            for current in [*self.jm.stages, None]:
                value = self.count_metric(current, name) if current is not None else None
                if value is not None and current is not None:
                    run.append((current, value))
                    continue
                if len(run) >= 2:
                    blocks += self.funnel_table(name, run)
                run = []
        return blocks

    @staticmethod
    def count_metric(stage: Stage, name: str) -> MetricValue | None:
        for metric in stage.metrics:
            if metric.name == name and not metric.value.percent:
                return metric.value
        return None

    def funnel_table(self, name: str, run: list[tuple[Stage, MetricValue]]) -> list[str]:
        rows = []
        previous: MetricValue | None = None
        for stage, value in run:
            drop = "" if previous is None else self.drop_off(previous.number, value.number)
            rows.append([inline(stage.name), inline(value.text), drop])
            previous = value
        header = [self.label("stage"), inline(name), self.label("drop_off")]
        title = f"### {self.label('funnel')}{self.colon} {inline(name)}"
        return [title, "\n".join(table(header, rows, align=("left", "right", "right")))]

    def drop_off(self, before: float, after: float) -> str:
        """``-12050 (-25.0%)``: the change from one stage to the next."""
        change = after - before
        text = _number(change, signed=True, lang=self.jm.lang)
        if before:
            share = _number(round(change / before * 100, 1), signed=True, lang=self.jm.lang, decimals=1)
            percent = "\u00a0%" if self.jm.lang == "fr" else "%"
            text += f" ({share}{percent})"
        return text

    def totals(self) -> list[str]:
        jm = self.jm
        blocks = [f"## {self.label('totals')}"]
        durations = [d.seconds for d in (jm.stage_duration(s) for s in jm.stages) if d is not None]
        if durations:
            total = Duration.from_seconds(sum(durations))
            blocks.append(f"- {self.field('total_duration', inline(total.text))}")
        touchpoints = [jm.touchpoint(tid) for tid in self.visible]
        rows = []
        for channel in jm.channels:
            count = sum(1 for tp in touchpoints if tp.channel == channel.id)
            rows.append([f"{inline(channel.name)} ({self.label(channel.type)})", str(count)])
        without = sum(1 for tp in touchpoints if tp.channel is None)
        if without:
            rows.append(["—", str(without)])
        if rows:
            header = [self.label("channel"), self.label("touchpoints")]
            blocks.append("\n".join(table(header, rows, align=("left", "right"))))
        points = self.emotion_points()
        if points:
            header = [self.label(k) for k in ("persona", "low_point", "high_point")]
            blocks.append("\n".join(table(header, points)))
        return blocks if len(blocks) > 1 else []

    def emotion_points(self) -> list[list[str]]:
        """Each persona's lowest and highest moment (the first one on a tie)."""
        jm = self.jm
        rows = []
        if jm.personas:
            for p in jm.personas:
                if self.persona is not None and p.id != self.persona:
                    continue
                scored = [(s, tp) for tp in jm.persona_journey(p.id) if (s := jm.emotion_at(tp, p.id)) is not None]
                rows.append([inline(p.name), *self.extremes(scored)])
        else:
            scored = [
                (tp.emotion.everyone, tp)
                for tp in jm.all_touchpoints()
                if tp.emotion is not None and tp.emotion.everyone is not None
            ]
            rows.append([self.label("everyone"), *self.extremes(scored)])
        return [row for row in rows if row[1]]

    def extremes(self, scored: list[tuple[int, Touchpoint]]) -> list[str]:
        if not scored:
            return ["", ""]
        low = min(scored, key=lambda item: item[0])
        high = max(scored, key=lambda item: item[0])
        return [f"{emotion_cell(s)} {self.place(tp)}" for s, tp in (low, high)]


def _number(value: float, *, signed: bool, lang: str, decimals: int = 0) -> str:
    """A number as printed in the summary: no thousands separator (like the
    map's own values), a decimal comma in French."""
    if decimals == 0 and float(value).is_integer():
        text = f"{int(value):+d}" if signed else f"{int(value)}"
    else:
        text = f"{value:+.{max(decimals, 1)}f}" if signed else f"{value:.{max(decimals, 1)}f}"
    if lang == "fr":
        text = text.replace(".", ",")
    return text

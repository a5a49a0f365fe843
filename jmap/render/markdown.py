"""The Markdown summary of a map, for pull requests and wikis.

A reviewer reads this in GitHub or GitLab next to the YAML diff, so it puts
first what a review is about: the journey stage by stage, then what hurts
(pain points, worst first), what is planned about it (opportunities, best
value first), then the numbers, and last what the team still has to review
(unaddressed pain points, touchpoints without a channel): review flags are
for the team, in a section of their own, never inside the tables. The
```mermaid blocks (:mod:`jmap.mermaid.pictures`) let the forge draw the
journey without a build step, one picture per stage, its steps numbered as
in the stage's table. What is shown (touchpoints, scores, low and high
points, unaddressed pain points) is read from the persona view
(:mod:`jmap.render.view`), as every renderer does.

Every user string goes through :mod:`jmap.render.mdtext`; this module only
writes the summary's own markup around escaped text. Blocks are joined with a
blank line, which keeps every table separated as Markdown linters require.
A table shows only the columns that hold something (``mdtext.table``), so a
map with little text gets narrow tables. Durations, numbers and French
punctuation come from :mod:`jmap.render.locale`, as on the page.
"""

from __future__ import annotations

from collections.abc import Iterable

from jmap.mermaid.pictures import summary_pictures
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
from jmap.render.locale import (
    NNBSP,
    format_duration,
    format_metric_value,
    format_number,
    french_spacing,
    metric_label,
)
from jmap.render.mdtext import BR, cell, inline, lines, one_line, paragraphs, table
from jmap.render.style import EMOTION_FACES, emotion_sign
from jmap.render.view import journey_view

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
        self.view = journey_view(jm, persona)
        self.visible = [tp.id for tp in jm.all_touchpoints() if self.view.passes(tp)]
        self.visible_set = set(self.visible)
        #: Each drawn step's number, in the pictures and the tables.
        self.numbers: dict[str, int] = {}
        self.places: dict[str, str] = {}

    # -- helpers -------------------------------------------------------------

    def label(self, key: str) -> str:
        return self.labels[key]

    def typeset(self, text: str) -> str:
        """Raw user text with the map's typography (French no-break spaces)."""
        return french_spacing(text, self.jm.lang)

    def text(self, text: str) -> str:
        """User text on one line, escaped."""
        return inline(self.typeset(text))

    def cell(self, text: str | None, limit: int | None = None) -> str:
        """User text for a table cell, its line breaks kept as ``<br>``."""
        return cell(self.typeset(text), limit) if text else ""

    def cells(self, items: Iterable[str], limit: int | None = None) -> str:
        """Several user values in one cell, one per line."""
        return BR.join(escaped for item in items if (escaped := self.cell(item, limit)))

    def lines(self, text: str) -> str:
        """User text for a list item or a short fact: line breaks kept."""
        return BR.join(inline(line) for line in lines(self.typeset(text)))

    def paragraphs(self, text: str | None) -> list[str]:
        return paragraphs(self.typeset(text)) if text else []

    def duration(self, duration: Duration) -> str:
        return inline(format_duration(duration, self.jm.lang))

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
        """``Stage › Touchpoint``, escaped (once per touchpoint: thousands of
        personas may share a low point)."""
        known = self.places.get(touchpoint.id)
        if known is None:
            known = f"{self.text(self.jm.stage_of(touchpoint.id).name)} › {self.text(touchpoint.name)}"
            self.places[touchpoint.id] = known
        return known

    def emotion(self, tp: Touchpoint) -> str:
        """The view's scores: one face when all who pass feel the same, else
        one line per persona."""
        names = self.persona_names()
        return BR.join(
            emotion_cell(s.score) if s.persona is None else f"{self.text(names[s.persona])} {emotion_cell(s.score)}"
            for s in self.view.scores(tp)
        )

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
        blocks += self.review()
        return "\n\n".join(blocks) + "\n"

    def header(self) -> list[str]:
        jm = self.jm
        blocks = [f"# {self.text(jm.title)}"]
        blocks += self.paragraphs(jm.description)
        facts = []
        if self.persona is not None:
            facts.append(self.field("persona", self.text(self.jm.persona(self.persona).name)))
        if jm.scenario and one_line(jm.scenario):
            facts.append(self.field("scenario", self.lines(jm.scenario)))
        if jm.owner and one_line(jm.owner):
            facts.append(self.field("owner", self.text(jm.owner)))
        if jm.tags:
            facts.append(self.field("tags", ", ".join(self.text(t) for t in jm.tags if one_line(t))))
        if facts:
            blocks.append("\n".join(f"- {fact}" for fact in facts))
        return blocks

    def personas(self) -> list[str]:
        shown = [p for p in self.jm.personas if self.persona is None or p.id == self.persona]
        if not shown:
            return []
        rows = [
            [
                self.text(p.name),
                self.cell(p.description, SHORT),
                self.cells(p.goals),
                self.cells(p.frustrations),
                self.cell(p.quote),
            ]
            for p in shown
        ]
        header = [self.label(k) for k in ("persona", "description", "goals", "frustrations", "quote")]
        return [f"## {self.label('personas')}", "\n".join(table(header, rows))]

    def journey(self) -> list[str]:
        blocks = [f"## {self.label('journey')}"]
        pictures = summary_pictures(self.jm, self.persona, self.view)
        self.numbers = pictures.numbers
        # Each picture goes under the heading of the stage it draws.
        drawn: dict[int, list[str]] = {}
        for position, diagram in zip(pictures.stages, pictures.diagrams, strict=True):
            drawn.setdefault(position, []).append("```mermaid\n" + diagram + "```")
        for number, stage in enumerate(self.jm.stages, start=1):
            blocks += self.stage(number, stage, drawn.get(number - 1, []))
        return blocks

    def stage(self, number: int, stage: Stage, pictures: list[str]) -> list[str]:
        blocks = [f"### {number}. {self.text(stage.name)}", *pictures]
        blocks += self.paragraphs(stage.description)
        facts = []
        if stage.goal and one_line(stage.goal):
            facts.append(self.field("goal", self.lines(stage.goal)))
        # The stage's calendar length and the time spent in its touchpoints
        # are two figures: a two-week stage may hold forty minutes of contact.
        length = self.jm.stage_length(stage)
        if length is not None:
            facts.append(self.field("stage_length", self.duration(length)))
        spent = self.jm.time_in_touchpoints(stage)
        if spent is not None:
            facts.append(self.field("time_in_touchpoints", self.duration(spent)))
        if facts:
            blocks.append("\n".join(f"- {fact}" for fact in facts))
        touchpoints = self.stage_touchpoints(stage)
        if touchpoints:
            header = [
                self.label(k) for k in ("touchpoint", "channel", "duration", "emotion", "doing", "thinking", "feeling")
            ]
            rows = [
                [
                    self.step_name(tp),
                    self.channel(tp),
                    self.duration(tp.duration) if tp.duration is not None else "",
                    self.emotion(tp),
                    self.cells(tp.doing, SHORT),
                    self.cells(tp.thinking, SHORT),
                    self.cells(tp.feeling, SHORT),
                ]
                for tp in touchpoints
            ]
            blocks.append("\n".join(table(header, rows)))
        return blocks

    def step_name(self, tp: Touchpoint) -> str:
        """A touchpoint's name in its stage's table: sub-touchpoints marked
        ``↳``, drawn steps with their number in the pictures (the key)."""
        number = self.numbers.get(tp.id)
        prefix = f"{number}. " if number is not None else ""
        return "↳ " * self.jm.depth_of(tp.id) + prefix + self.text(tp.name)

    def channel(self, tp: Touchpoint) -> str:
        if tp.channel is None:
            return ""
        channel = self.jm.channel(tp.channel)
        return f"{self.text(channel.name)} ({self.label(channel.type)})"

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
            name = self.text(pp.name)
            if pp.description and one_line(pp.description):
                # the name in bold sets it apart from the description's lines
                name = f"**{name}**{BR}{self.cell(pp.description, SHORT)}"
            tp = self.jm.touchpoint_of_pain_point(pp.id)
            rows.append(
                [
                    self.label(f"severity.{pp.severity}"),
                    name,
                    self.text(self.jm.stage_of(tp.id).name),
                    self.text(tp.name),
                    BR.join(self.text(o.name) for o in self.jm.opportunities_for(pp.id)),
                ]
            )
        header = [self.label(k) for k in ("severity", "pain_point", "stage", "touchpoint", "opportunities")]
        return [f"## {self.label('pain_points')}", "\n".join(table(header, rows))]

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
                self.text(o.name),
                self.label(f"level.{o.impact}") if o.impact else "",
                self.label(f"level.{o.effort}") if o.effort else "",
                self.label(f"status.{o.status}") if o.status else "",
                BR.join(self.text(self.jm.pain_point(pid).name) for pid in o.addresses),
                self.text(o.owner or ""),
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
                rows.append([self.text(stage.name), "", *self.metric_cells(metric)])
            for tp in self.stage_touchpoints(stage):
                for metric in tp.metrics:
                    rows.append([self.text(stage.name), self.text(tp.name), *self.metric_cells(metric)])
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
            text = format_metric_value(value, self.jm.lang)
            if metric.unit:
                text += "\u00a0" + metric.unit
            return inline(text)

        return [
            self.text(metric_label(metric)),
            amount(metric.value),
            amount(metric.target),
            self.text(metric.source or ""),
        ]

    def funnels(self) -> list[str]:
        """A table per metric that consecutive stages count (numbers, not rates)."""
        # One pass over the stages, whatever the number of metric names:
        # a run grows while consecutive stages count the metric.
        names: dict[str, list[list[tuple[Stage, MetricValue]]]] = {}
        open_runs: dict[str, list[tuple[Stage, MetricValue]]] = {}
        for stage in self.jm.stages:
            counts: dict[str, MetricValue] = {}
            for metric in stage.metrics:
                names.setdefault(metric.name, [])
                if metric.name not in counts and not metric.value.percent:
                    counts[metric.name] = metric.value
            for name in [n for n in open_runs if n not in counts]:
                names[name].append(open_runs.pop(name))
            for name, value in counts.items():
                open_runs.setdefault(name, []).append((stage, value))
        for name, run in open_runs.items():
            names[name].append(run)
        blocks: list[str] = []
        for name, runs in names.items():
            for run in runs:
                if len(run) >= 2:
                    blocks += self.funnel_table(name, run)
        return blocks

    def funnel_table(self, name: str, run: list[tuple[Stage, MetricValue]]) -> list[str]:
        rows = []
        previous: MetricValue | None = None
        for stage, value in run:
            drop = "" if previous is None else self.drop_off(previous.number, value.number)
            rows.append([self.text(stage.name), inline(format_metric_value(value, self.jm.lang)), drop])
            previous = value
        label = self.text(metric_label(next(m for m in run[0][0].metrics if m.name == name)))
        header = [self.label("stage"), label, self.label("drop_off")]
        title = f"### {self.label('funnel')}{self.colon} {label}"
        return [title, "\n".join(table(header, rows, align=("left", "right", "right")))]

    def drop_off(self, before: float, after: float) -> str:
        """``-12,050 (-25.0%)``: the change from one stage to the next."""
        change = after - before
        text = _signed(format_number(change, self.jm.lang), change)
        if before:
            share = round(change / before * 100, 1)
            percent = NNBSP + "%" if self.jm.lang == "fr" else "%"
            text += f" ({_signed(format_number(share, self.jm.lang, 1), share)}{percent})"
        return text

    def totals(self) -> list[str]:
        jm = self.jm
        blocks = [f"## {self.label('totals')}"]
        facts = []
        length = jm.journey_length()
        if length is not None:
            facts.append(self.field("journey_length", self.duration(length)))
        spent = jm.journey_time_in_touchpoints()
        if spent is not None:
            facts.append(self.field("time_in_touchpoints", self.duration(spent)))
        if facts:
            blocks.append("\n".join(f"- {fact}" for fact in facts))
        touchpoints = [jm.touchpoint(tid) for tid in self.visible]
        rows = []
        for channel in jm.channels:
            count = sum(1 for tp in touchpoints if tp.channel == channel.id)
            rows.append([f"{self.text(channel.name)} ({self.label(channel.type)})", str(count)])
        if rows:
            header = [self.label("channel"), self.label("touchpoints")]
            blocks.append("\n".join(table(header, rows, align=("left", "right"))))
        points = self.emotion_points()
        if points:
            header = [self.label(k) for k in ("persona", "low_point", "high_point")]
            blocks.append("\n".join(table(header, points)))
        return blocks if len(blocks) > 1 else []

    def emotion_points(self) -> list[list[str]]:
        """Each persona's low and high points, as the persona view marks them
        on every output: every touchpoint at its lowest score (when
        negative) and at its highest (when positive)."""
        jm = self.jm
        rows = []
        walkers: list[tuple[str | None, str]] = [
            (p.id, self.text(p.name)) for p in jm.personas if self.persona is None or p.id == self.persona
        ]
        if not jm.personas:
            walkers = [(None, self.label("everyone"))]
        for walker, name in walkers:
            cells = [
                BR.join(
                    f"{emotion_cell(score)} {self.place(jm.touchpoint(tid))}"
                    for tid in self.visible
                    if tid in points and (score := jm.emotion_at(jm.touchpoint(tid), walker)) is not None
                )
                for points in self.view.points_of.get(walker, (frozenset(), frozenset()))
            ]
            if any(cells):
                rows.append([name, *cells])
        return rows

    # -- for the team ----------------------------------------------------------

    def review(self) -> list[str]:
        """Review flags, for the team: the pain points the team must answer
        that no opportunity addresses, and touchpoints without a channel."""
        unaddressed = sorted(
            (pp for pp in self.visible_pain_points() if self.view.unaddressed(pp)), key=lambda pp: pp.severity_rank
        )
        items = [
            f"- ⚠ **{self.label(f'severity.{pp.severity}')}** — {self.text(pp.name)} "
            f"({self.place(self.jm.touchpoint_of_pain_point(pp.id))}){self.colon} {self.label('unaddressed').lower()}"
            for pp in unaddressed
        ]
        # A map that names no channel at all is not missing one here and there.
        without = [tp for tid in self.visible if (tp := self.jm.touchpoint(tid)).channel is None]
        if without and self.jm.channels:
            names = ", ".join(self.place(tp) for tp in without)
            items.append(f"- **{self.label('without_channel')}** ({len(without)}){self.colon} {names}")
        if not items:
            return []
        return [f"## {self.label('review')}", "\n".join(items)]


def _signed(text: str, value: float) -> str:
    """A formatted change with its sign: ``+1,200``, ``-30``, ``0``."""
    return "+" + text if value > 0 and not text.startswith("-") else text

"""The third layer of the diagram: the HTML-like labels of cards, stages,
the title and the legend, in the map's language. Every user text goes
through markup.html_text or markup.html_lines.
"""

from __future__ import annotations

import math
import re

from jmap.model import SERIOUS_SEVERITIES, Channel, Duration, PainPoint, Touchpoint
from jmap.render.diagram.markup import (
    EDGE_GREY,
    MUTED,
    NAME_WIDTH,
    NODE_BORDER,
    STAGE_BORDER,
    STEP_WIDTH,
    TEXT_WIDTH,
    TIME_BAR,
    TITLE_WIDTH,
    Html,
    cut,
    face_html,
    html_lines,
    html_text,
    small,
)
from jmap.render.diagram.rows import Rows
from jmap.render.diagram.scene import Part
from jmap.render.locale import NBSP, format_duration, french_spacing, with_colon
from jmap.render.style import EMOTION_COLORS, INK, SEVERITY_COLORS, emotion_sign
from jmap.render.view import Score, text_on


def _shown_length(cells: list[str]) -> int:
    """About how many characters a row of legend cells shows (a sample's
    colour counts as a few)."""
    return len(_TAG.sub("", "".join(cells))) + 3 * len(cells)


_TAG = re.compile(r"<[^>]*>|&[a-z0-9#]+;")

#: Empty cells beside each row of the legend, which take the slack (see _legend).
LEGEND_SLACK_CELLS = 24


class Labels(Rows):
    """The labels of what the rows place."""

    def _touchpoint_label(self, tp: Touchpoint, channel: Channel | None, scores: tuple[Score, ...], step: bool) -> Html:
        """Name, emotion stripe, channel, time spent, personas, metrics, then
        pain points worst first: what a client reads first comes first. A
        card with nothing but a name stays a name. What the legend or the
        border already says is not repeated (online or offline is the
        border's style, the score's word is the face and the colour)."""
        name = html_lines(french_spacing(cut(tp.name), self.lang), STEP_WIDTH if step else NAME_WIDTH)
        rows = [f"<B>{name}</B>"]
        facts: list[str] = []
        parent = self.jm.parent_of(tp.id) if step else None
        here = self.jm.personas_at(tp)
        # A step says only what differs from its touchpoint: same channel and
        # same personas go without saying.
        if channel is not None and (parent is None or parent.channel != tp.channel):
            facts.append(channel.name)
        dots = ""
        shows_dots = self.persona is None and len(self.jm.personas) > 1 and here
        if parent is not None and here == self.jm.personas_at(parent):
            shows_dots = False
        if shows_dots and (len(scores) != len(here) or not scores):
            dots = " " + "".join(self._dot(pid) for pid in here)
        if facts:
            # Wrapped like any other line, the persona dots after the last
            # word: a long channel name must not widen every card.
            facts_html = html_lines(" · ".join(facts), TEXT_WIDTH).removesuffix('<BR ALIGN="LEFT"/>')
            rows.append(small(Html(facts_html + dots + '<BR ALIGN="LEFT"/>'), MUTED))
        elif dots and tp.duration is None:
            rows[0] += small(Html(dots.strip()))
        if tp.duration is not None:
            rows.append(self._time_badge(tp.duration, "" if facts else dots))
        if tp.metrics and not self.brief:
            metrics = "".join(html_lines(self._metric_text(m), TEXT_WIDTH) for m in tp.metrics)
            rows.append(small(Html(metrics), MUTED))
        cells = [f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows]
        if scores:
            cells.insert(1, self._emotion_stripe(scores))
        for pp in sorted(tp.pain_points, key=lambda p: p.severity_rank):
            cells.append(f"<TR>{self._pain_badge(pp)}</TR>")
        return Html('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1">' + "".join(cells) + "</TABLE>")

    def _pain_badge(self, pp: PainPoint) -> str:
        """A pain point as a badge in its severity's colour, padded so its
        text never runs to the edge, the severity said in words too (for grey print).
        With ``review``, what the team still owes: no opportunity for a
        serious one, no owner."""
        color = SEVERITY_COLORS[pp.severity]
        said = f"⚠ {french_spacing(cut(pp.name), self.lang)} ({self.t['severity.' + pp.severity]})"
        if self.review:
            flags = [self.t["unaddressed"]] if self.view.unaddressed(pp) else []
            if not pp.owner:
                flags.append(self.t["review.no_owner"])
            said += "".join(f" · {flag}" for flag in flags)
        text = html_lines(said, TEXT_WIDTH)
        if pp.severity in SERIOUS_SEVERITIES:
            text = Html(f"<B>{text}</B>")
        return f'<TD ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="3" BGCOLOR="{color}">{small(text, text_on(color))}</TD>'

    def _time_badge(self, duration: Duration, dots: str) -> str:
        """Time spent at a touchpoint: a bar of one to eight dashes on a log
        scale of the view's longest time (a 45-second step and a month's treatment both read),
        then the duration; the long waits (half the longest or more, when
        times differ) dark and bold, so they stand out."""
        seconds = duration.seconds
        share = math.log1p(seconds) / math.log1p(self.longest) if self.longest > 0 else 1.0
        long = self.times_differ and seconds * 2 >= self.longest
        text = html_text(format_duration(duration, self.lang))
        if long:
            text = Html(f"<B>{text}</B>")
        bar = f'<FONT COLOR="{INK if long else TIME_BAR}">{"━" * (1 + round(7 * share))}</FONT>'
        return small(Html(f"{bar} {text}{dots}"), INK if long else MUTED)

    def _dot(self, persona_id: str) -> str:
        return f'<FONT COLOR="{self.colors[persona_id]}">●</FONT>'

    def _emotion_stripe(self, scores: tuple[Score, ...]) -> str:
        """The score on its colour, with a face and a sign so it still reads in
        grey. Personas who feel differently split the stripe: one cell each,
        in their own colour, with their dot, face and score; never an average."""
        cells = []
        for persona, score in scores:
            color = EMOTION_COLORS[score]
            ink = text_on(color)
            text = Html(f" {emotion_sign(score)}")
            lead = self._dot(persona) + " " if persona is not None else ""
            cells.append(f'<TD ALIGN="LEFT" BGCOLOR="{color}">{lead}{face_html(score, ink)}{small(text, ink)}</TD>')
        inner = (
            '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR>' + "".join(cells) + "</TR></TABLE>"
        )
        return f'<TR><TD ALIGN="LEFT" CELLPADDING="0">{inner}</TD></TR>'

    def _stage_label(self, part: Part) -> Html:
        """Name and details of a stage, as wide as its cards allow; the part of
        a long stage that goes on in another row shows its name and
        "continued" only."""
        stage = self.jm.stages[part.stage]
        name = html_lines(french_spacing(cut(stage.name), self.lang), NAME_WIDTH)
        if part.number > 1:
            # "(continued)" after the name, on its last line: no line of its own.
            more = small(html_text(f"  ({self.t['continued']})"), MUTED)
            name = Html(name.removesuffix('<BR ALIGN="LEFT"/>'))
            parts = [f'<B><FONT POINT-SIZE="13">{name}</FONT></B>{more}<BR ALIGN="LEFT"/>']
        else:
            parts = [f'<B><FONT POINT-SIZE="13">{name}</FONT></B>']
        chars, beside = self.detail_width[part]
        detail = [] if part.number > 1 else self._stage_detail(stage, chars)
        if detail:
            lines = '<BR ALIGN="LEFT"/>'.join(html_text(line) for line in detail) + '<BR ALIGN="LEFT"/>'
            parts.append(small(Html(lines), MUTED))
        if beside and detail:
            cell = '<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">{}</TD>'
            cells = "<TR>" + cell.format(parts[0]) + '<TD WIDTH="16"></TD>' + cell.format(parts[1]) + "</TR>"
        else:
            cells = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{p}</TD></TR>' for p in parts)
        return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>')

    def _title_and_legend(self) -> Html:
        """Title, description and legend above the journey, in the graph label."""
        jm, t = self.jm, self.t
        title = cut(jm.title)
        if self.persona is not None:
            title = f"{title} — {with_colon(t['journey'], self.lang)} {cut(jm.persona(self.persona).name)}"
        rows = [f'<B><FONT POINT-SIZE="20">{html_lines(french_spacing(title, self.lang), TITLE_WIDTH)}</FONT></B>']
        if jm.description:
            description = html_lines(french_spacing(cut(jm.description), self.lang), TITLE_WIDTH + 30)
            rows.append(f'<FONT POINT-SIZE="11" COLOR="{MUTED}">{description}</FONT>')
        rows.append(self._legend())
        cells = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows)
        return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">{cells}</TABLE>')

    def _heading(self, key: str) -> str:
        return f'<TD ALIGN="LEFT">{small(Html("<B>" + html_text(self.t[key]) + "</B>"), MUTED)}</TD>'

    def _legend(self) -> str:
        """Every convention the drawing uses, and only those: a sample of each
        line, border and marker that appears, named in the map's language."""
        t = self.t
        drawn = self.drawing.edges

        def sample(text: str, fill: str = "#ffffff", border: int = 0, style: str = "") -> str:
            style_attr = f' STYLE="{style}"' if style else ""
            return (
                f'<TD BGCOLOR="{fill}" BORDER="{border}" COLOR="{NODE_BORDER}"{style_attr}>'
                f"{small(Html(text), text_on(fill))}</TD>"
            )

        gap = '<TD WIDTH="12"></TD>'
        first: list[str] = []
        if self.drawn_scores:
            first.append(self._heading("emotion"))
            for score in self.drawn_scores:
                color = EMOTION_COLORS[score]
                ink = text_on(color)
                first.append(
                    f'<TD BGCOLOR="{color}">{face_html(score, ink)}{small(Html(" " + emotion_sign(score)), ink)}</TD>'
                )
        if self.drawn_offline:
            # The border tells online from offline: said when both kinds are drawn.
            first += [gap, self._heading("channels")] if first else [self._heading("channels")]
            if self.drawn_online:
                first.append(sample(html_text(t["online"]), border=1))
            first.append(sample(html_text(t["offline"]), border=1, style="dashed"))
        if self.drawn_severities:
            first += [gap, self._heading("pain_points")] if first else [self._heading("pain_points")]
            first += [
                sample("⚠ " + html_text(t["severity." + sev]), SEVERITY_COLORS[sev]) for sev in self.drawn_severities
            ]
        second = [self._heading("legend.lines")]
        line = "━━━"
        if not self.jm.personas:
            second.append(sample(f'<FONT COLOR="{EDGE_GREY}">{line}</FONT> ' + html_text(t["legend.flow"])))
        else:
            second.append(sample(f"{line} " + html_text(t["legend.route"])))
        if any(skipped for *_rest, skipped in drawn):
            second.append(sample("╍╍╍ " + html_text(t["legend.skip"])))
        if self.drawn_steps:
            second.append(sample(f'<FONT COLOR="{STAGE_BORDER}">↓</FONT> ' + html_text(t["legend.steps"])))
        if self.connectors:
            second.append(sample("<B>A</B> → <B>A</B>  " + html_text(t["legend.connector"]), border=1, style="rounded"))
        second.append(sample("◉ " + html_text(t["flow_ends"])))
        if self.low_points:
            second.append(sample(html_text(t["legend.low_point"]), border=3))
        if self.view.personas:
            named = [f"{self._dot(p.id)}{NBSP}{NBSP}{html_text(p.name)}" for p in self.view.personas]
            # Five to a line, so a workshop's dozen personas do not widen the page.
            chips = '<BR ALIGN="LEFT"/>'.join(("   " + NBSP).join(named[i : i + 5]) for i in range(0, len(named), 5))
            heading = self._heading("personas")
            chips_html = small(Html(chips + '<BR ALIGN="LEFT"/>'))
            people = [gap, heading, f'<TD ALIGN="LEFT" BALIGN="LEFT">{chips_html}</TD>']
            # On two lines, the personas join the shorter one: the legend
            # should not be what makes the diagram wide.
            (first if first and _shown_length(first) < _shown_length(second) else second).extend(people)
        rows = [[*first, gap, *second]] if self.one_row_legend or not first else [first, second]
        table = '<TABLE ALIGN="LEFT" BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2"><TR>{}</TR></TABLE>'
        # Graphviz shares a table's spare width equally among its columns, so
        # a row of samples narrower than the title would stretch its samples:
        # after them, empty cells take nearly all of the slack.
        slack = '<TD CELLPADDING="0"></TD>' * LEGEND_SLACK_CELLS
        holder = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD>{}</TD>{}</TR></TABLE>'
        cells = "".join(
            f'<TR><TD ALIGN="LEFT">{holder.format(table.format("".join(row)), slack)}</TD></TR>' for row in rows
        )
        return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">{cells}</TABLE>'

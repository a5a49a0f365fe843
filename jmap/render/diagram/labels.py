"""The third layer of the diagram: the HTML-like labels of cards, stages,
the title and the legend, in the map's language. Every user text goes
through markup.html_text or markup.html_lines.
"""

from __future__ import annotations

from jmap.model import SERIOUS_SEVERITIES, Channel, Touchpoint
from jmap.render.diagram.markup import (
    EDGE_GREY,
    MUTED,
    NAME_WIDTH,
    NODE_BORDER,
    STAGE_BORDER,
    STEP_WIDTH,
    TEXT_WIDTH,
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
from jmap.render.style import EMOTION_COLORS, SEVERITY_COLORS, emotion_sign
from jmap.render.view import Score, text_on


class Labels(Rows):
    """The labels of what the rows place."""

    def _touchpoint_label(self, tp: Touchpoint, channel: Channel | None, scores: tuple[Score, ...], step: bool) -> Html:
        """Name, emotion stripe, channel and duration, personas, metrics, then
        pain points worst first: what a client reads first comes first. A
        card with nothing but a name stays a name."""
        name = html_lines(french_spacing(cut(tp.name), self.lang), STEP_WIDTH if step else NAME_WIDTH)
        rows = [f"<B>{name}</B>"]
        facts: list[str] = []
        parent = self.jm.parent_of(tp.id) if step else None
        here = self.jm.personas_at(tp)
        # A step says only what differs from its touchpoint: same channel and
        # same personas go without saying.
        if channel is not None and (parent is None or parent.channel != tp.channel):
            facts.append(f"{channel.name} · {self.t['online' if channel.online else 'offline']}")
        if tp.duration is not None:
            facts.append(format_duration(tp.duration, self.lang))
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
        elif dots:
            rows[0] += small(Html(dots.strip()))
        if tp.metrics:
            metrics = "".join(html_lines(self._metric_text(m), TEXT_WIDTH) for m in tp.metrics)
            rows.append(small(Html(metrics), MUTED))
        cells = [f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows]
        if scores:
            cells.insert(1, self._emotion_stripe(scores))
        for pp in sorted(tp.pain_points, key=lambda p: p.severity_rank):
            color = SEVERITY_COLORS[pp.severity]
            text = html_lines(
                f"⚠ {french_spacing(cut(pp.name), self.lang)} ({self.t['severity.' + pp.severity]})", TEXT_WIDTH
            )
            if pp.severity in SERIOUS_SEVERITIES:
                text = Html(f"<B>{text}</B>")
            cell = f'<TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{color}">{small(text, text_on(color))}</TD>'
            cells.append(f"<TR>{cell}</TR>")
        return Html('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1">' + "".join(cells) + "</TABLE>")

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
            if persona is None:
                text = Html(text + " · " + html_text(self.t[f"emotion.{score}"]))
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
        first = [self._heading("emotion")]
        for s in sorted(EMOTION_COLORS):
            color = EMOTION_COLORS[s]
            first.append(
                f'<TD BGCOLOR="{color}">{face_html(s, text_on(color))}{small(Html(" " + emotion_sign(s)), text_on(color))}</TD>'
            )
        first += [gap, self._heading("channels")]
        first += [sample(html_text(t["online"]), border=1), sample(html_text(t["offline"]), border=1, style="dashed")]
        first += [gap, self._heading("pain_points")]
        first += [sample("⚠ " + html_text(t["severity." + sev]), color) for sev, color in SEVERITY_COLORS.items()]
        second = [self._heading("legend.lines")]
        line = "━━━"
        if not self.jm.personas:
            second.append(sample(f'<FONT COLOR="{EDGE_GREY}">{line}</FONT> ' + html_text(t["legend.flow"])))
        else:
            second.append(sample(f"{line} " + html_text(t["legend.route"])))
        if any(skipped for *_rest, skipped in drawn):
            second.append(sample("╍╍╍ " + html_text(t["legend.skip"])))
        if any(tp.touchpoints for tp in self.jm.all_touchpoints()):
            second.append(sample(f'<FONT COLOR="{STAGE_BORDER}">↓</FONT> ' + html_text(t["legend.steps"])))
        if self.connectors:
            second.append(sample("<B>A</B> → <B>A</B>  " + html_text(t["legend.connector"]), border=1, style="rounded"))
        second.append(sample("◉ " + html_text(t["flow_ends"])))
        if self.low_points:
            second.append(sample(html_text(t["legend.low_point"]), border=3))
        rows = [[*first, gap, gap, *second]] if self.one_row_legend else [first, second]
        if self.jm.personas:
            shown = [p for p in self.jm.personas if self.persona is None or p.id == self.persona]
            named = [f"{self._dot(p.id)}{NBSP}{NBSP}{html_text(p.name)}" for p in shown]
            # Five to a line, so a workshop's dozen personas do not widen the page.
            chips = '<BR ALIGN="LEFT"/>'.join(("   " + NBSP).join(named[i : i + 5]) for i in range(0, len(named), 5))
            # One cell for the heading and the chips: a nested table is
            # stretched to the legend's width, and two cells would share it.
            heading = f'<FONT COLOR="{MUTED}"><B>{html_text(t["personas"])}</B></FONT>'
            line = Html(heading + "    " + chips + '<BR ALIGN="LEFT"/>')
            chips_cell = f'<TD ALIGN="LEFT" BALIGN="LEFT">{small(line)}</TD>'
            rows.append([chips_cell])
        table = '<TABLE ALIGN="LEFT" BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2"><TR>{}</TR></TABLE>'
        cells = "".join(f'<TR><TD ALIGN="LEFT">{table.format("".join(row))}</TD></TR>' for row in rows)
        return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">{cells}</TABLE>'

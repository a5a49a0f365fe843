"""The second layer of the diagram: rows that fit a slide.

A long journey wraps into rows of whole stages (or of columns of cards, a
long stage going on in the next row, "continued"), chosen so the diagram is
as legible as it can be on a 16:9 slide; an arrow between rows becomes a
pair of lettered connectors instead of a line across the drawing. Estimates
from the text only: dot is run once, on the chosen layout.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import replace

from jmap.model import JourneyMap, Touchpoint
from jmap.render.diagram.markup import (
    NAME_WIDTH,
    SMALL_SIZE,
    STAGE_TEXT_WIDTH,
    STEP_WIDTH,
    TEXT_WIDTH,
    TITLE_WIDTH,
    letter_name,
    wrap,
)
from jmap.render.diagram.scene import Edge, Part, Scene
from jmap.render.locale import format_duration

#: Above this layout size, dot's positioning effort is capped (``nslimit``,
#: see docs/diagram.md). The size counts the nodes dot will rank, drawn and
#: hidden: every rank an arrow spans beyond the next one costs dot a hidden
#: node, so a map of few touchpoints with long arrows can be "large" while a
#: long map wrapped into short rows is not. Its network simplex grows faster
#: than linearly, for a gain nobody sees at that size.
LARGE_LAYOUT = 1200

#: Estimated room between two columns of cards, two stages of a row (the
#: invisible gate between them takes a rank) and two rows, in points.
COLUMN_GAP = 25.0
STAGE_GAP = 46.0
PACK_GAP = 30.0
CONNECTOR_WIDTH = 52.0
#: The most rows a journey is wrapped into.
MAX_ROWS = 60
#: How much larger dot's layout comes out than the sum of the estimates,
#: across and down (measured on the examples and generated maps: widths 3 to
#: 10 % more; heights up to 25 % more on long maps, where connectors stack).
WIDTH_SPREAD = 1.07
HEIGHT_SPREAD = 1.15
#: Width of a character of a stage's 10 pt details, in points, on the safe side:
#: a stage's label never widens its box.
DETAIL_CHAR_WIDTH = 6.2
NAME_CHAR_WIDTH = 9.0

#: The slide the diagram must read on (px at 96 dpi: 1 pt of the drawing is
#: 4/3 px at full size) and the widest shape allowed.
SLIDE_WIDTH = 1920
SLIDE_HEIGHT = 1080
MAX_ASPECT = 3.0
#: The shape of a slide's picture, preferred when it costs little (see _rows).
SLIDE_ASPECT = (1.5, 2.0)
#: A journey of this many cards or fewer (steps included) is one row.
ONE_ROW_CARDS = 8
#: Up to this many cards, the smallest text is at least MIN_TEXT_PX on a
#: 1920×1080 slide: the cards and stages leave their figures (metrics, time
#: in touchpoints) to the page and the summary when that is what it takes.
SLIDE_CARDS = 20
MIN_TEXT_PX = 12.0


class Rows(Scene):
    """The scene's stages in rows, the column of each card, the connectors
    between rows, and whether the layout is large (see LARGE_LAYOUT)."""

    def __init__(self, jm: JourneyMap, persona: str | None, review: bool = False) -> None:
        super().__init__(jm, persona, review)
        self.columns: dict[int, list[tuple[list[Touchpoint], float, float]]] = {}
        self.detail_width: dict[Part, tuple[int, bool]] = {}
        #: Estimated sizes of stage parts, by (stage, part number, columns).
        self.sizes: dict[tuple[int, int, tuple[int, ...]], tuple[float, float, tuple[int, bool]]] = {}
        #: The column of cards each shown touchpoint stands in, in its stage.
        self.column_of: dict[str, int] = {}
        self.one_row_legend = False
        #: The smallest text's estimated size on a 1920×1080 slide, in px.
        self.text_px = 0.0
        self.rows = self._rows()
        if len(self.drawing.shown) <= SLIDE_CARDS and self.text_px < MIN_TEXT_PX:
            # Say less rather than shrink: the figures go (the page and the
            # summary keep them), names, scores, times and pain points stay.
            self.brief = True
            self.facts_of.clear()
            self.sizes.clear()
            self.rows = self._rows()
        self.row_of = {part: row for row, parts in enumerate(self.rows) for part in parts}
        #: The stage part each shown touchpoint (or step) is drawn in.
        self.part_of: dict[str, Part] = {}
        for part in self.row_of:
            for unit in part.units:
                self.part_of[unit] = part
                for sub in self._descendants(jm.touchpoint(unit).touchpoints):
                    self.part_of[sub.id] = part
        self.connectors = self._connectors()
        self.large = self._layout_size() > LARGE_LAYOUT

    def _card_size(self, tp: Touchpoint, step: bool = False) -> tuple[float, float]:
        """A rough width and height of a touchpoint's card in points, from its
        text: enough to choose rows, without running dot twice."""
        name_lines = wrap(tp.name, STEP_WIDTH if step else NAME_WIDTH)
        width = max(len(line) for line in name_lines) * (6.4 if step else 7.2)
        height = len(name_lines) * (12.5 if step else 14.0) + 10.0
        small: list[str] = []
        parent = self.jm.parent_of(tp.id) if step else None
        if tp.channel is not None and (parent is None or parent.channel != tp.channel):
            small.extend(wrap(self.jm.channel(tp.channel).name + " ●●", TEXT_WIDTH))
        if tp.duration is not None:
            small.append("━━━━━━━━ " + format_duration(tp.duration, self.lang) + " ●●")
        for metric in () if self.brief else tp.metrics:
            small.extend(wrap(self._metric_text(metric), TEXT_WIDTH))
        for pp in tp.pain_points:
            small.extend(wrap(f"⚠ {pp.name} (medium)", TEXT_WIDTH))
        if small:
            width = max(width, max(len(line) for line in small) * 5.7)
        height += len(small) * 12.8
        if self._scores(tp):
            height += 15.0
            width = max(width, 62.0 * len(self._scores(tp)))
        width = max(width, 80.0) + 20.0
        steps = self._steps_of(tp)
        for sub in steps:
            sub_width, sub_height = self._card_size(sub, step=True)
            width = max(width, sub_width + 12.0)
            height += sub_height + 10.0
        return 0.93 * width + (12.0 if steps else 0.0), height + (12.0 if steps else 0.0)

    def _stage_columns(self, index: int) -> list[tuple[list[Touchpoint], float, float]]:
        """The stage's units in columns, in flow order: each column's units
        (alternatives stack in one column), width and height."""
        units = self.units[index]
        unit_of: dict[str, str] = {}
        for unit in units:
            unit_of[unit.id] = unit.id
            for sub in self._descendants(unit.touchpoints):
                unit_of[sub.id] = unit.id
        column = {unit.id: 0 for unit in units}
        # Longest path through the forward arrows inside the stage; a unit
        # nothing flows into is tied after its predecessor (see _stage_order).
        # Taken in the document order of their heads, one pass settles them.
        ties = [
            (a, b)
            for source in unit_of
            for target in self.targets_of.get(source, ())
            if (a := unit_of[source]) != (b := unit_of.get(target, a)) and not self._is_back(a, b)
        ]
        ties.extend((a.id, b.id) for a, b in itertools.pairwise(units) if b.id not in self.has_incoming)
        ties.sort(key=lambda tie: self.position[tie[1]])
        for a, b in ties:
            column[b] = max(column[b], column[a] + 1)
        columns: dict[int, tuple[list[Touchpoint], float, float]] = {}
        for unit in units:
            w, h = self._card_size(unit)
            members, width, height = columns.get(column[unit.id], ([], 0.0, -22.0))
            columns[column[unit.id]] = ([*members, unit], max(width, w), height + h + 22.0)
        for tp_id, unit_id in unit_of.items():
            self.column_of[tp_id] = column[unit_id]
        if not columns:
            return [([], TEXT_WIDTH * 5.6, 20.0)]  # an empty stage still takes its place
        return [columns[c] for c in sorted(columns)]

    def _part_size(self, part: Part) -> tuple[float, float, tuple[int, bool]]:
        """Width and height of a stage box holding a part's columns of cards,
        and how its label is set: the characters a line of details may hold,
        and whether the details stand beside the name (a wide stage) or
        under it."""
        key = (part.stage, part.number, part.columns)
        known = self.sizes.get(key)
        if known is not None:
            return known
        columns = [self.columns[part.stage][c] for c in part.columns]
        inner = sum(width for _units, width, _height in columns) + COLUMN_GAP * max(0, len(columns) - 1)
        inner = max(inner, TEXT_WIDTH * 5.6)
        stage = self.jm.stages[part.stage]
        name = wrap(stage.name, NAME_WIDTH)
        name_height = 1.4 * len(name)
        beside = int((inner - max(len(line) for line in name) * NAME_CHAR_WIDTH - 24.0) / DETAIL_CHAR_WIDTH)
        if part.number > 1:
            label, setting = name_height, (0, False)
        elif beside >= STAGE_TEXT_WIDTH:
            label, setting = max(name_height, len(self._stage_detail(stage, beside))), (beside, True)
        else:
            chars = max(STAGE_TEXT_WIDTH, int(inner / DETAIL_CHAR_WIDTH))
            label, setting = name_height + len(self._stage_detail(stage, chars)), (chars, False)
        height = max((height for _units, _width, height in columns), default=20.0) + label * 13.5
        self.sizes[key] = (inner + 28.0, height + 40.0, setting)
        return self.sizes[key]

    def _header_height(self, one_row_legend: bool) -> float:
        rows = 1.0 + (len(wrap(self.jm.description, TITLE_WIDTH + 30)) * 0.55 if self.jm.description else 0.0)
        return rows * 28.0 + (2 if one_row_legend else 3) * 22.0 + 30.0

    def _legend_width(self) -> float:
        """Rough width of the legend's samples set on one line (on the safe
        side: the connector's sample counts, though rows are not chosen yet)."""
        keys = ["legend.lines", "legend.route", "legend.connector", "flow_ends"]
        keys += ["emotion"] if self.drawn_scores else []
        keys += ["channels", "online", "offline"] if self.drawn_offline else []
        keys += ["pain_points"] if self.drawn_severities else []
        keys += [f"severity.{severity}" for severity in self.drawn_severities]
        keys += ["legend.skip"] if any(edge.skipped for edge in self.drawing.edges) else []
        keys += ["legend.steps"] if self.drawn_steps else []
        keys += ["legend.low_point"] if self.low_points else []
        samples = len(keys) + 2 * len(self.drawn_scores)
        names = sum(len(p.name) + 4 for p in self.view.personas)
        return (sum(len(self.t[key]) for key in keys) + names) * 6.3 + samples * 16.0

    def _rows(self) -> list[list[Part]]:
        """Stages grouped into rows, left to right then top to bottom.

        Each number of rows is tried, twice: whole stages in rows of similar
        width, and rows of similar width cut between two columns of cards (a
        long stage then goes on in the next row, "continued"). The layout that
        shows the diagram largest on a 1920×1080 slide wins, among those no
        wider than 3:1; another row, or cutting a stage, must gain something
        visible. A layout of a slide's shape (1.5 to 2.0:1) is preferred to
        one shown up to 15 % larger. A journey of ONE_ROW_CARDS cards or
        fewer is one row: a break would cost more than the room it saves.
        Estimates only: dot is run once, on the chosen layout.
        """
        shown = [i for i in range(len(self.jm.stages)) if self.persona is None or self.units[i]]
        if not shown:
            return []
        columns = self.columns = {i: self._stage_columns(i) for i in shown}
        # The title and legend stand above the rows: no row layout is narrower.
        legend = max(740.0, min(len(self.jm.title), TITLE_WIDTH) * 12.0)
        one_row_legend = self._legend_width()

        def measure(rows: list[list[Part]]) -> tuple[float, float, float]:
            """The layout's scale on the slide (divided by 10 when wider than
            3:1), and its estimated width and height in points."""
            width = 0.0
            height = PACK_GAP * (len(rows) - 1) + 20.0
            for number, row in enumerate(rows):
                # A lettered connector takes a column where the journey
                # leaves a row and where it comes back in the next.
                links = CONNECTOR_WIDTH * ((number > 0) + (number < len(rows) - 1))
                sizes = [self._part_size(part) for part in row]
                width = max(width, sum(w for w, _h, _c in sizes) + STAGE_GAP * (len(row) - 1) + links)
                height += max(h for _w, h, _c in sizes)
            journey = width * WIDTH_SPREAD
            width = max(journey, legend) + 20.0
            height = height * HEIGHT_SPREAD + self._header_height(width >= one_row_legend)
            # The drawing is in points, the slide in px: 1 pt is 4/3 px.
            scale = min(SLIDE_WIDTH * 0.75 / width, SLIDE_HEIGHT * 0.75 / height, 1.0)
            # Wider than 3:1 is out, unless the title and legend make the width:
            # more rows would only make a short journey taller.
            fits = width / height <= MAX_ASPECT or journey <= legend
            return (scale if fits else scale / 10), width, height

        whole = {i: self._part_size(self._whole_part(i, columns[i]))[0] for i in shown}
        total = sum(whole.values()) + STAGE_GAP * (len(shown) - 1)
        # Every column of every stage, with the room it takes in a row.
        # Every column of every stage in a line, with the room it takes: where
        # each begins, and the middle of each (a column goes to the row its
        # middle falls in, as in split_rows).
        starts: list[int] = []
        middles: list[float] = []
        line = 0.0
        for i in shown:
            starts.append(len(middles))
            for c, (_units, width, _height) in enumerate(columns[i]):
                room = width + (COLUMN_GAP if c else STAGE_GAP + 28.0)
                middles.append(line + room / 2)
                line += room
        cells = len(middles)
        best: tuple[float, list[list[Part]], float, float] | None = None
        shaped: tuple[float, list[list[Part]], float, float] | None = None
        # Every number of rows up to 12, then about 15 % more each time: a
        # journey that needs more rows is far past a slide's reach, and trying
        # every count would cost time in proportion to the rows times the map.
        counts = list(range(1, 13))
        while counts[-1] < MAX_ROWS:
            counts.append(min(MAX_ROWS, int(counts[-1] * 1.15) + 1))
        if len(self.drawing.shown) <= ONE_ROW_CARDS:
            counts = [1]
        for count in [c for c in counts if c <= max(1, min(cells, MAX_ROWS))]:
            stage_rows = split_rows(shown, [whole[i] + STAGE_GAP for i in shown], total / count)
            candidates = [([[self._whole_part(i, columns[i]) for i in row] for row in stage_rows], 1.0)]
            if cells > len(shown):
                candidates.append((self._cut_rows(shown, starts, middles, line / count), 1.05))
            tall = False
            for rows, handicap in candidates:
                key, width, height = measure(rows)
                # At full size or larger nothing needs wrapping; another row
                # must gain something visible to be worth a break in the journey.
                if best is None or key / handicap > best[0] * 1.03:
                    best = (key / handicap, rows, width, height)
                if SLIDE_ASPECT[0] <= width / height <= SLIDE_ASPECT[1] and (
                    shaped is None or key / handicap > shaped[0] * 1.03
                ):
                    shaped = (key / handicap, rows, width, height)
                tall = tall or height > width * 1.2
            if tall:
                break
        assert best is not None
        if shaped is not None and shaped[0] >= best[0] * 0.85:
            best = shaped
        # The units of each part, now that the parts are chosen.
        rows = [
            [
                replace(part, units=self._units_in(part.stage, [columns[part.stage][c] for c in part.columns]))
                for part in row
            ]
            for row in best[1]
        ]
        best = (best[0], rows, best[2], best[3])
        self.one_row_legend = best[2] >= one_row_legend
        #: The chosen layout's estimated width and height, in points.
        self.estimate = (best[2], best[3])
        self.text_px = SMALL_SIZE * min(SLIDE_WIDTH / best[2], SLIDE_HEIGHT / best[3], 4 / 3)
        self.detail_width = {part: self._part_size(part)[2] for row in best[1] for part in row}
        return best[1]

    def _whole_part(self, index: int, columns: list[tuple[list[Touchpoint], float, float]]) -> Part:
        return Part(index, 1, tuple(range(len(columns))), ())

    def _units_in(self, index: int, chosen: list[tuple[list[Touchpoint], float, float]]) -> tuple[str, ...]:
        """The ids of the units of ``chosen`` columns, in document order."""
        ids = {unit.id for members, _w, _h in chosen for unit in members}
        return tuple(unit.id for unit in self.units[index] if unit.id in ids)

    def _cut_rows(self, shown: list[int], starts: list[int], middles: list[float], target: float) -> list[list[Part]]:
        """Rows of about ``target`` width cut between columns of cards: each
        column goes to the row its middle falls in, so rows come out balanced.
        Found by bisection on the columns' middles, so that trying many
        numbers of rows costs little on a long map."""
        cuts = [0]
        while cuts[-1] < len(middles):
            row = int(middles[cuts[-1]] // target)
            cuts.append(bisect.bisect_left(middles, (row + 1) * target, cuts[-1] + 1))
        ends = [*starts[1:], len(middles)]
        numbers: dict[int, int] = {}
        rows: list[list[Part]] = []
        for a, b in itertools.pairwise(cuts):
            parts: list[Part] = []
            for k in range(bisect.bisect_right(starts, a) - 1, bisect.bisect_left(starts, b)):
                stage, first = shown[k], starts[k]
                numbers[stage] = numbers.get(stage, 0) + 1
                chosen = tuple(range(max(a, first) - first, min(b, ends[k]) - first))
                parts.append(Part(stage, numbers[stage], chosen, ()))
            rows.append(parts)
        return rows

    def _layout_size(self) -> int:
        """Nodes dot will rank, counting the hidden ones long arrows need: the
        columns an arrow spans beyond the next, estimated per row."""
        spans = 0
        place: dict[str, tuple[int, int]] = {}
        for row, parts in enumerate(self.rows):
            order = 0
            for part in parts:
                for unit in part.units:
                    place[unit] = (row, order)
                    order += 1
        for source, target, _ps, _skip in self.drawing.edges:
            a, b = place.get(source), place.get(target)
            if a is not None and b is not None and a[0] == b[0] and b[1] > a[1] + 1:
                spans += b[1] - a[1] - 1
        return len(self.drawing.shown) + spans

    def _connectors(self) -> dict[int, tuple[str, str]]:
        """Arrows between rows, loops back to an earlier stage and loops back
        over more than one column of cards, as a lettered connector after their
        source and the same letter before their target (one letter per
        target): drawn, they would cut through stages or their titles, or
        sweep back across the row."""
        letters: dict[str, str] = {}
        out: dict[int, tuple[str, str]] = {}
        for n, (source, target, _ps, _skip) in enumerate(self.drawing.edges):
            part_a, part_b = self.part_of[source], self.part_of[target]
            if self.row_of[part_a] == self.row_of[part_b]:
                if not self._is_back(source, target):
                    continue
                # A loop back to the column before, or within one, is drawn: a
                # retry reads best as a short curve. A longer one would arc over
                # the cards between, through the stage's title.
                if part_a == part_b and self.column_of[source] - self.column_of[target] <= 1:
                    continue
            if target not in letters:
                letters[target] = letter_name(len(letters))
            out[n] = (letters[target], f"link_out_{len(out) + 1}")
        self.link_in = {target: (letter, f"link_in_{i + 1}") for i, (target, letter) in enumerate(letters.items())}
        #: Connector nodes by stage part, and the arrows arriving at each target.
        self.links_of_part: dict[Part, list[tuple[str, str]]] = {}
        for target, (letter, node_id) in self.link_in.items():
            self.links_of_part.setdefault(self.part_of[target], []).append((letter, node_id))
        self.arriving: dict[str, list[Edge]] = {}
        for n, (letter, node_id) in out.items():
            edge = self.drawing.edges[n]
            self.links_of_part.setdefault(self.part_of[edge[0]], []).append((letter, node_id))
            self.arriving.setdefault(edge[1], []).append(edge)
        return out


def split_rows(items: list[int], widths: list[float], target: float) -> list[list[int]]:
    """Consecutive items in rows of about ``target`` width: each item goes to
    the row its middle falls in, so rows come out balanced."""
    rows: dict[int, list[int]] = {}
    start = 0.0
    for item, w in zip(items, widths, strict=True):
        rows.setdefault(int((start + w / 2) // target), []).append(item)
        start += w
    return [rows[k] for k in sorted(rows)]

"""The grid cut for print: parts of whole stages no wider than a sheet, and
lanes too tall for a sheet carried on in rows of their own."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from jmap.render.page.curve import Curves
from jmap.render.page.views import CurveSeries, GridView, Group, LaneView, OpportunityView, PainPointView, StageView

#: Touchpoint columns on one A3 landscape sheet at the print font size (every
#: character at 6 pt or more): wider maps print as several grids of whole
#: stages, each with its own stage headers and lane names.
PRINT_COLUMNS_PER_PAGE = 12
#: The same for each paper (``--paper``): columns grow with the sheet's width
#: (ISO sizes: each is 1.41 times as wide as the one before).
PRINT_COLUMNS = {"a4": 8, "a3": PRINT_COLUMNS_PER_PAGE, "a2": 17, "a1": 24}
#: About how many lines of grid text a landscape sheet holds at the print
#: size (8 pt and more), below which a group of stages shares a sheet.
PRINT_SHEET_LINES = {"a4": 52, "a3": 75, "a2": 105, "a1": 150}
#: About how many characters a printed column holds on a line, and how many
#: lines a lane's row may hold before it goes on in a row below: a row is
#: never cut across sheets, so that its lane name is on the sheet with it.
PRINT_LINE_CHARS = 17
PRINT_ROW_LINES = 32
#: At most this many rows per lane: each row has a cell in every column, so
#: more would make a huge cell cost output in proportion to the map's width;
#: past it the last row holds the rest (and may be cut across sheets).
PRINT_LANE_ROWS = 8


def print_columns(paper: str) -> int:
    """Touchpoint columns on one landscape sheet of ``paper``."""
    return PRINT_COLUMNS.get(paper, PRINT_COLUMNS_PER_PAGE)


def grid_parts(
    grid: GridView,
    series: list[CurveSeries],
    curves: Curves,
    per_sheet: int = PRINT_COLUMNS_PER_PAGE,
    sheet_lines: int | None = None,
) -> tuple[GridView, ...]:
    """The grid cut into parts, one per printed sheet: whole stages together
    while they fit the sheet, at most ``per_sheet`` columns wide and, when
    ``sheet_lines`` is given, about that many lines tall (a guess from the
    text, checked by the browser, which scales each part to fill its sheet).
    A stage wider than a sheet is cut within, into as few even pieces as
    fit, its header repeated and marked as continued; a stage taller than a
    sheet is scaled down by the browser, then runs on.

    The parts are the page's tables: on screen they line up as one grid, in
    print each starts a sheet with its own stage headers and lane names, so
    nothing is drawn twice and the page grows linearly with the map."""
    columns = grid.columns
    rows = [*grid.lanes_above, *grid.lanes_below]

    def height(start: int, end: int) -> float:
        """Lines the columns ``start:end`` take when they fill a sheet's width."""
        chars = PRINT_LINE_CHARS * per_sheet / max(1, end - start)
        return _grid_lines(grid, rows, start, end, chars)

    def fits(start: int, end: int) -> bool:
        if end - start > per_sheet or sheet_lines is None:
            return end - start <= per_sheet
        # The first sheet also holds the page's header.
        return height(start, end) <= sheet_lines - (_HEADER_LINES if start == 0 else 0)

    if fits(0, len(columns)):
        return (grid,)
    # (stage, first column, column count, continued) pieces that each fit a sheet.
    pieces: list[tuple[StageView, int, int, bool]] = []
    first = 0
    for stage in grid.stages:
        # A stage is cut only where it is wider than a sheet: cut to fit a
        # sheet's height, its columns would each fill a sheet on their own.
        count = -(-stage.span // per_sheet)
        for k, (start, end) in enumerate(_split(stage.span, count)):
            pieces.append((stage, first + start, end - start, k > 0))
        first += stage.span
    sheets: list[list[tuple[StageView, int, int, bool]]] = [[]]
    for piece in pieces:
        if sheets[-1] and not fits(sheets[-1][0][1], piece[1] + piece[2]):
            sheets.append([])
        sheets[-1].append(piece)
    parts = []
    for sheet in sheets:
        start = sheet[0][1]
        end = sheet[-1][1] + sheet[-1][2]
        stages = tuple(
            stage if not continued and width == stage.span else replace(stage, span=width, continued=continued)
            for stage, _f, width, continued in sheet
        )
        parts.append(
            GridView(
                stages=stages,
                columns=columns[start:end],
                lanes_above=tuple(_slice_lane(lane, start, end) for lane in grid.lanes_above),
                lanes_below=tuple(_slice_lane(lane, start, end) for lane in grid.lanes_below),
                curve=curves.view(series, columns, start, end) if series else None,
                details=grid.details,
            )
        )
    return tuple(parts)


def _split(span: int, count: int) -> list[tuple[int, int]]:
    """``span`` columns in ``count`` pieces as even as can be."""
    bounds = [round(k * span / count) for k in range(count + 1)]
    return [(a, b) for a, b in pairwise(bounds) if b > a]


#: Lines taken by the rows that are not lanes' text: stage names, the stage
#: details, the curve, and each row's padding.
_STAGE_LINES = 2
_DETAIL_LINES = 5
_CURVE_LINES = 8
_ROW_PADDING_LINES = 1.0
_HEADER_LINES = 16


def _grid_lines(grid: GridView, rows: list[LaneView], start: int, end: int, chars: float) -> float:
    """About how many lines columns ``start:end`` of ``grid`` take in print."""
    total: float = _STAGE_LINES + (_DETAIL_LINES if grid.details else 0)
    total += _CURVE_LINES if grid.curve is not None else 0
    heads = [
        3 + len(col.touchpoint.name) / chars + 2.5 * len(col.subs) + len(col.touchpoint.description or "") / chars
        for col in grid.columns[start:end]
        if col.touchpoint is not None
    ]
    total += max(heads, default=1) + _ROW_PADDING_LINES
    for lane in rows:
        if lane.kind == "curve":
            continue
        cells = lane.cells[start:end]
        tallest = max(
            (sum(_lines(item, chars) for group in cell for item in group.items) + len(cell) for cell in cells),
            default=0,
        )
        total += tallest + _ROW_PADDING_LINES
    return total


def _lines(item: object, chars: float = PRINT_LINE_CHARS) -> int:
    """About how many lines ``item`` takes in a printed column holding
    ``chars`` characters a line: a guess from its text, generous so that a
    row fits on a sheet."""
    if isinstance(item, str):
        return 1 + int(len(item) // chars)
    if isinstance(item, PainPointView):
        text = [item.name, item.description or "", item.owner or ""]
        return 2 + item.unaddressed + sum(1 + int(len(t) // chars) for t in text if t)
    if isinstance(item, OpportunityView):
        return 3 + int((len(item.name) + len(", ".join(item.addresses))) // chars)
    return 3  # a time bar, a metric


def _lane_rows(lane: LaneView) -> list[LaneView]:
    """A lane as rows that each fit on a printed sheet: a cell taller than
    PRINT_ROW_LINES goes on in a row below, named "(continued)", so the lane's
    name is on every sheet that shows its content (a table repeats its stage
    headers on each sheet, but not a row's header)."""
    if lane.kind == "curve":
        return [lane]
    chunked: list[list[tuple[Group, ...]]] = []
    for cell in lane.cells:
        chunks: list[list[Group]] = [[]]
        used = 0
        for group in cell:
            taken: list[object] = []
            cost = 1 if group.via is not None else 0
            for item in group.items:
                lines = _lines(item)
                if used + cost + lines > PRINT_ROW_LINES and (taken or chunks[-1]):
                    if taken:
                        chunks[-1].append(Group(via=group.via, items=tuple(taken)))
                    chunks.append([])
                    taken, used, cost = [], 0, 1 if group.via is not None else 0
                taken.append(item)
                used += cost + lines
                cost = 0
            if taken:
                chunks[-1].append(Group(via=group.via, items=tuple(taken)))
            used += 1  # the gap between groups
        if len(chunks) > PRINT_LANE_ROWS:
            chunks[PRINT_LANE_ROWS - 1 :] = [[group for chunk in chunks[PRINT_LANE_ROWS - 1 :] for group in chunk]]
        chunked.append([tuple(chunk) for chunk in chunks])
    count = max((len(c) for c in chunked), default=1)
    if count == 1:
        return [lane]
    return [
        replace(
            lane,
            cells=tuple(c[k] if k < len(c) else () for c in chunked),
            below_visibility=lane.below_visibility and k == 0,
            continued=k > 0,
        )
        for k in range(count)
    ]


def _slice_lane(lane: LaneView, start: int, end: int) -> LaneView:
    return lane if lane.kind == "curve" else replace(lane, cells=lane.cells[start:end])

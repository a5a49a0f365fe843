"""The grid cut for print: parts of whole stages no wider than a sheet, and
lanes too tall for a sheet carried on in rows of their own."""

from __future__ import annotations

from dataclasses import replace

from jmap.render.page.curve import Curves
from jmap.render.page.views import CurveSeries, GridView, Group, LaneView, OpportunityView, PainPointView, StageView

#: Touchpoint columns on one A3 landscape sheet at the print font size (every
#: character at 6 pt or more): wider maps print as several grids of whole
#: stages, each with its own stage headers and lane names.
PRINT_COLUMNS_PER_PAGE = 12
#: The same for each paper (``--paper``): columns grow with the sheet's width
#: (ISO sizes: each is 1.41 times as wide as the one before).
PRINT_COLUMNS = {"a4": 8, "a3": PRINT_COLUMNS_PER_PAGE, "a2": 17, "a1": 24}
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
    grid: GridView, series: list[CurveSeries], curves: Curves, per_sheet: int = PRINT_COLUMNS_PER_PAGE
) -> tuple[GridView, ...]:
    """The grid cut into parts of at most ``per_sheet`` columns,
    whole stages together where they fit; a longer stage is cut within and
    its header repeated, marked as continued. The parts are the page's
    tables: on screen they line up as one grid, in print each starts a
    sheet with its own stage headers and lane names, so nothing is drawn
    twice and the page grows linearly with the map."""
    columns = grid.columns
    if len(columns) <= per_sheet:
        return (grid,)
    # (stage, first column, column count) pieces no wider than a sheet.
    pieces: list[tuple[StageView, int, int, bool]] = []
    first = 0
    for stage in grid.stages:
        offset = 0
        while offset < stage.span:
            width = min(per_sheet, stage.span - offset)
            pieces.append((stage, first + offset, width, offset > 0))
            offset += width
        first += stage.span
    sheets: list[list[tuple[StageView, int, int, bool]]] = [[]]
    used = 0
    for piece in pieces:
        if used + piece[2] > per_sheet and sheets[-1]:
            sheets.append([])
            used = 0
        sheets[-1].append(piece)
        used += piece[2]
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


def _lines(item: object) -> int:
    """About how many lines ``item`` takes in a printed column: a guess from
    its text, generous so that a row fits on a sheet."""
    if isinstance(item, str):
        return 1 + len(item) // PRINT_LINE_CHARS
    if isinstance(item, PainPointView):
        text = [item.name, item.description or "", item.owner or ""]
        return 2 + item.unaddressed + sum(1 + len(t) // PRINT_LINE_CHARS for t in text if t)
    if isinstance(item, OpportunityView):
        return 3 + (len(item.name) + len(", ".join(item.addresses))) // PRINT_LINE_CHARS
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

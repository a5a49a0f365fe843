"""The emotion curve: one line per persona along their route, as ready-made
SVG coordinates (x in percent of a grid part, so points sit over their columns
at any width)."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace

from jmap.model import EMOTION_MAX, EMOTION_MIN, Touchpoint
from jmap.render.page.geometry import CURVE_HEIGHT, FACE_RADIUS, _curve_y, _num, marker_path
from jmap.render.page.views import ColumnView, CurveSeries, CurveSpot, CurveView, PersonaView
from jmap.render.style import emotion_sign
from jmap.render.view import JourneyView, face_drawing


class Curves:
    """Builds the curve's series once and slices them per grid part."""

    def __init__(self, view: JourneyView, lab: dict[str, str], personas: tuple[PersonaView, ...]) -> None:
        self.jm = view.jm
        self.journey = view
        self.lab = lab
        self.personas = personas
        self.persona = view.persona
        self._curve_indexes: dict[int, tuple[list[int], list[int], dict[int, int]]] = {}

    def series(self, columns: list[ColumnView], sources: list[list[Touchpoint]]) -> list[CurveSeries]:
        """One line per persona through the columns' own touchpoints, along
        the persona's route (``JourneyMap.persona_route``): branches others
        take are left out, steps only others take are passed through.

        A map without personas, or whose emotions are all shared, still gets a
        single line, along the map's flow.
        """
        lab = self.lab
        tops: dict[str, tuple[int, Touchpoint]] = {}
        for col, col_sources in zip(columns, sources, strict=True):
            if col_sources and self.jm.parent_of(col_sources[0].id) is None and col_sources[0].emotion is not None:
                tops[col_sources[0].id] = (col.position, col_sources[0])
        if not tops:
            return []
        shown = [p for p in self.personas if self.persona is None or p.id == self.persona]
        tracks: list[tuple[PersonaView | None, dict[str, tuple[int, int]], dict[str, list[tuple[str, bool]]]]] = []
        for p in shown:
            route = self.jm.persona_route(p.id)
            scored = {
                tp_id: (col, v) for tp_id, (col, tp) in tops.items() if (v := self.jm.emotion_at(tp, p.id)) is not None
            }
            moves: dict[str, list[tuple[str, bool]]] = {}
            for edge in route.edges:
                moves.setdefault(edge.source, []).append((edge.target, edge.skipped))
            if scored:
                tracks.append((p, scored, moves))
        if not shown:
            scored = {tp_id: (col, v) for tp_id, (col, tp) in tops.items() if (v := self.jm.emotion_at(tp)) is not None}
            moves = {}
            for tp in self.jm.all_touchpoints():
                moves[tp.id] = [(target, False) for target in self.jm.successors(tp)]
            if scored:
                tracks.append((None, scored, moves))

        series = []
        for owner, scored, moves in tracks:
            name = owner.name if owner else lab["everyone"]
            shape = owner.shape if owner else "circle"
            points = tuple(
                (
                    col,
                    value,
                    f"{name} · {self.jm.touchpoint(tp_id).name}: {emotion_sign(value)} ({lab[f'emotion.{value}']})",
                )
                for tp_id, (col, value) in sorted(scored.items(), key=lambda item: item[1][0])
            )
            series.append(
                CurveSeries(
                    persona=owner,
                    name=name,
                    dash=owner.dash if owner else "",
                    points=points,
                    segments=(),
                    moves=_point_moves(scored, moves),
                    legend_marker=marker_path(shape, 20, 10, 5.5),
                )
            )
        return series

    def _curve_index(self, s: CurveSeries) -> tuple[list[int], list[int], dict[int, int]]:
        """Columns of a series' points and of its moves' sources (both sorted),
        and its score per column; worked out once per series."""
        key = id(s)
        if key not in self._curve_indexes:
            self._curve_indexes[key] = (
                [column for column, _score, _title in s.points],
                [move[0] for move in s.moves],
                {column: score for column, score, _title in s.points},
            )
        return self._curve_indexes[key]

    def view(
        self, series: list[CurveSeries], columns: list[ColumnView] | tuple[ColumnView, ...], start: int, end: int
    ) -> CurveView:
        """The curve over columns ``start`` to ``end`` (exclusive): x in percent
        of the grid's width, so points sit over their columns at any width."""
        count = end - start

        def x_of(column: int) -> float:
            return 100 * (column - start + 0.5) / count

        sliced: list[CurveSeries] = []
        by_spot: dict[tuple[int, int], list[tuple[PersonaView | None, str]]] = {}
        titles: dict[tuple[int, int], list[str]] = {}
        described: list[str] = []
        n = len(series)
        for k, s in enumerate(series):
            nudge = (k - (n - 1) / 2) * 2.5
            point_columns, move_sources, score_at = self._curve_index(s)
            # Only this slice's points and moves, found by bisection: printing a
            # long map as many sheets stays linear in the map.
            points = s.points[bisect_left(point_columns, start) : bisect_left(point_columns, end)]
            moves = s.moves[bisect_left(move_sources, start) : bisect_left(move_sources, end)]
            segments = tuple(
                (
                    _num(x_of(a)),
                    _num(_curve_y(score_at[a]) + nudge),
                    _num(x_of(b)),
                    _num(_curve_y(score_at[b]) + nudge),
                    skipped,
                )
                for a, b, skipped in moves
            )
            shape = s.persona.shape if s.persona else "circle"
            for column, score, title in points:
                by_spot.setdefault((column, score), []).append((s.persona, shape))
                titles.setdefault((column, score), []).append(title)
            sliced.append(replace(s, points=points, segments=segments))
            if points:
                described.append(f"{s.name} — " + "; ".join(title.split(" · ", 1)[1] for _c, _s, title in points))

        spots = []
        for (column, score), who in sorted(by_spot.items()):
            y = _curve_y(score)
            markers = tuple(
                (persona.position, marker_path(shape, -FACE_RADIUS - 6 - 10 * j, y))
                for j, (persona, shape) in enumerate(who)
                if persona is not None and len(self.personas) > 1
            )
            spots.append(
                CurveSpot(
                    column=column,
                    x=_num(x_of(column)),
                    y=y,
                    score=score,
                    sign=emotion_sign(score),
                    face=face_drawing(score, 0, y, FACE_RADIUS),
                    title="\n".join(titles[(column, score)]),
                    markers=markers,
                )
            )
        levels = tuple(
            (score, _curve_y(score), emotion_sign(score), face_drawing(score, 14, _curve_y(score), 8))
            for score in range(EMOTION_MAX, EMOTION_MIN - 1, -1)
        )
        stage_lines = tuple(
            _num(100 * (col.position - start) / count)
            for col in columns[start:end]
            if col.first_of_stage and col.position > 0
        )
        return CurveView(
            height=CURVE_HEIGHT,
            levels=levels,
            zero_y=_curve_y(0),
            stage_lines=stage_lines,
            series=tuple(sliced),
            spots=tuple(spots),
            description=". ".join(described) + ".",
        )

    # print ----------------------------------------------------------------------


def _point_moves(
    scored: dict[str, tuple[int, int]], moves: dict[str, list[tuple[str, bool]]]
) -> tuple[tuple[int, int, bool], ...]:
    """Route moves between scored columns: a move into a touchpoint without a
    score on the curve (a sub-step, a touchpoint with no score for this
    persona) continues to wherever that one leads. Moves back (loops) are left
    to the flow marks of the touchpoint row; the curve reads left to right.

    What an unscored touchpoint leads to is worked out once and remembered, so
    the walk stays linear in the route's size.
    """
    reach: dict[str, tuple[tuple[str, bool], ...]] = {}

    def leads_to(tp_id: str) -> tuple[tuple[str, bool], ...]:
        # Iterative depth-first walk through unscored touchpoints.
        if tp_id in reach:
            return reach[tp_id]
        reach[tp_id] = ()  # in progress: a loop among unscored steps adds nothing
        found: dict[str, bool] = {}
        for target, skipped in moves.get(tp_id, ()):
            if target in scored:
                found[target] = found.get(target, True) and skipped
            else:
                for far, far_skipped in leads_to(target):
                    found[far] = found.get(far, True) and (skipped or far_skipped)
        reach[tp_id] = tuple(found.items())
        return reach[tp_id]

    out: list[tuple[int, int, bool]] = []
    seen: set[tuple[int, int]] = set()
    for source, (column, _value) in sorted(scored.items(), key=lambda item: item[1][0]):
        for target, skipped in moves.get(source, ()):
            ends = [(target, skipped)] if target in scored else [(far, skipped or s) for far, s in leads_to(target)]
            for end_id, end_skipped in ends:
                end_column = scored[end_id][0]
                if end_column > column and (column, end_column) not in seen:
                    seen.add((column, end_column))
                    out.append((column, end_column, end_skipped))
    return tuple(out)

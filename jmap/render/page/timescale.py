"""The time lane's scale: bars that all read, whatever the spread of durations.

Linear while the longest duration is at most LOG_PAST times the shortest: the
bars compare as lengths. Past that (a 45-minute wait beside a month of
treatment), the scale is logarithmic, so the wait is not a 1 px sliver: each
bar starts at MIN_PERCENT of the track, and ticks at whole units (1 min, 1 h,
1 d, 1 wk, 1 mo, 1 yr) say what the positions mean.

"The longest" marks a real outlier only: at least OUTLIER_COUNT durations and
the longest at least OUTLIER_RATIO times the next one. The only duration of a
map, or the first of two alike, is not "the longest" of anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from jmap.model import Duration
from jmap.render.locale import format_duration

#: A spread (longest / shortest) past which the scale is logarithmic.
LOG_PAST = 20.0
#: Where the shortest bar of a log scale starts, in percent of the track.
MIN_PERCENT = 8.0
OUTLIER_COUNT = 3
OUTLIER_RATIO = 2.0
#: Tick candidates of a log scale, in seconds.
_TICKS = (60, 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400)
#: Ticks closer than this (in percent of the track) are thinned out, so labels never overlap.
_TICK_GAP = 22.0


def _text(value: float) -> str:
    """A coordinate written the same way on every machine."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True, eq=False)
class TimeScale:
    """How long bars are: ``percent`` of the track for a duration in seconds."""

    log: bool
    low: float
    high: float
    #: (percent, label) of each tick: none on a linear scale.
    ticks: tuple[tuple[str, str], ...]
    #: The duration marked "the longest", in seconds, or None when none stands out.
    outlier: float | None

    def percent(self, seconds: float) -> str:
        if self.high <= 0:
            return "0"
        if not self.log:
            return _text(max(1.0, 100 * seconds / self.high))
        return _text(self._log_percent(seconds))

    def _log_percent(self, seconds: float) -> float:
        span = math.log(self.high) - math.log(self.low)
        share = (math.log(max(seconds, self.low)) - math.log(self.low)) / span
        return MIN_PERCENT + (100 - MIN_PERCENT) * share


def time_scale(durations: list[float], lang: str) -> TimeScale:
    """The scale of a time lane showing ``durations`` (seconds, any order)."""
    positive = sorted((d for d in durations if d > 0), reverse=True)
    if not positive:
        return TimeScale(False, 0.0, 0.0, (), None)
    high, low = positive[0], positive[-1]
    outlier = None
    if len(positive) >= OUTLIER_COUNT and high >= OUTLIER_RATIO * positive[1]:
        outlier = high
    if high <= LOG_PAST * low:
        return TimeScale(False, 0.0, high, (), outlier)
    scale = TimeScale(True, low, high, (), outlier)
    ticks: list[tuple[str, str]] = []
    last = -100.0
    for seconds in _TICKS:
        if low < seconds <= high:
            at = scale._log_percent(seconds)
            if at - last >= _TICK_GAP and at <= 100 - _TICK_GAP / 2:
                ticks.append((_text(at), format_duration(Duration.from_seconds(seconds), lang)))
                last = at
    return TimeScale(True, low, high, tuple(ticks), outlier)

"""The same rules as `rules.analyse` (one phase, the whole series as baseline) over many schools at once.

Vectorised across schools with numpy, looping only over periods: what a district-wide scan needs
(10,000 schools x 60 periods). Rows are schools, columns periods, NaN a blank. It answers the figures
and whether each rule fired; `rules.analyse` on one series gives the points too, and the unit tests
check that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from services.strategy.trajectories import rules
from services.strategy.trajectories.rules import DEFAULT_SHIFT, DEFAULT_TREND, LIMIT_TOLERANCE, XMR_FACTOR

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Batch:
    median: Floats
    useful: Ints
    longest_run: Ints
    longest_run_max: Ints
    crossings: Ints
    crossings_min: Ints
    shifts_up: Ints
    shifts_down: Ints
    trends_up: Ints
    trends_down: Ints
    centre: Floats
    lower: Floats
    upper: Floats
    above: Ints
    below: Ints

    @property
    def runs_signal(self) -> NDArray[np.bool_]:
        return (self.longest_run > self.longest_run_max) | (self.crossings < self.crossings_min)


def _compact(values: Floats, keep: NDArray[np.bool_]) -> tuple[Floats, Ints]:
    """Each row's kept values moved to the front, in order (the rest NaN), and how many were kept."""
    order = np.argsort(~keep, axis=1, kind="stable")
    out = np.take_along_axis(np.where(keep, values, np.nan), order, axis=1)
    return out, keep.sum(axis=1)


def _runs(sides: Floats, n: Ints, length: int) -> tuple[Ints, Ints, Ints, Ints]:
    """Longest run, crossings, and runs of >= `length` above and below, over compacted sides (+1/-1)."""
    rows, cols = sides.shape
    current = np.zeros(rows, dtype=np.int64)
    longest = np.zeros(rows, dtype=np.int64)
    crossings = np.zeros(rows, dtype=np.int64)
    up = np.zeros(rows, dtype=np.int64)
    down = np.zeros(rows, dtype=np.int64)
    previous = np.zeros(rows)
    for j in range(cols):
        live = j < n
        s = sides[:, j]
        same = live & (s == previous)
        changed = live & ~same
        # a run closes where the side changes: count it as a shift if long enough
        closing = changed & (current >= length)
        up += closing & (previous > 0)
        down += closing & (previous < 0)
        crossings += changed & (j > 0)
        current = np.where(same, current + 1, np.where(live, 1, current))
        longest = np.maximum(longest, np.where(live, current, 0))
        previous = np.where(live, s, previous)
    closing = current >= length
    up += closing & (previous > 0)
    down += closing & (previous < 0)
    return longest, crossings, up, down


def _trends(values: Floats, n: Ints, length: int) -> tuple[Ints, Ints]:
    """Trends of >= `length` distinct points over compacted values (equal neighbours count once)."""
    rows, cols = values.shape
    direction = np.zeros(rows)
    distinct = np.ones(rows, dtype=np.int64)
    up = np.zeros(rows, dtype=np.int64)
    down = np.zeros(rows, dtype=np.int64)
    for j in range(1, cols):
        live = j < n
        step = np.sign(values[:, j] - values[:, j - 1])
        moved = live & (step != 0)
        turns = moved & (direction != 0) & (step != direction)
        closing = turns & (distinct >= length)
        up += closing & (direction > 0)
        down += closing & (direction < 0)
        distinct = np.where(turns, 2, np.where(moved, distinct + 1, distinct))
        direction = np.where(moved, step, direction)
    closing = (direction != 0) & (distinct >= length)
    up += closing & (direction > 0)
    down += closing & (direction < 0)
    return up, down


def analyse_many(values: Floats, *, shift: int = DEFAULT_SHIFT, trend: int = DEFAULT_TREND) -> Batch:
    present = ~np.isnan(values)
    median = np.full(values.shape[0], np.nan)
    has = present.any(axis=1)
    median[has] = np.nanmedian(values[has], axis=1)
    side = np.sign(values - median[:, None])
    useful_mask = present & (side != 0)
    sides, useful = _compact(side, useful_mask)
    longest, crossings, shifts_up, shifts_down = _runs(sides, useful, shift)
    safe = np.maximum(useful, 1)
    longest_max = np.where(useful > 0, np.round(np.log2(safe)).astype(np.int64) + 3, 0)
    limits = np.array([rules.crossings_min(n) for n in range(int(useful.max(initial=0)) + 1)], dtype=np.int64)
    crossings_min = limits[useful]
    compact, count = _compact(values, present)
    trends_up, trends_down = _trends(compact, count, trend)
    centre = np.full(values.shape[0], np.nan)
    centre[has] = np.nanmean(values[has], axis=1)
    ranges = np.abs(np.diff(values, axis=1))
    has_range = (~np.isnan(ranges)).any(axis=1)
    mr = np.full(values.shape[0], np.nan)
    mr[has_range] = np.nanmean(ranges[has_range], axis=1)
    lower, upper = centre - XMR_FACTOR * mr, centre + XMR_FACTOR * mr
    slack = LIMIT_TOLERANCE * np.maximum(1.0, np.maximum(np.abs(lower), np.abs(upper)))  # rules.limit_slack
    with np.errstate(invalid="ignore"):
        above = (present & (values > (upper + slack)[:, None])).sum(axis=1)
        below = (present & (values < (lower - slack)[:, None])).sum(axis=1)
    return Batch(median, useful, longest, longest_max, crossings, crossings_min, shifts_up, shifts_down,
                 trends_up, trends_down, centre, lower, upper, above, below)

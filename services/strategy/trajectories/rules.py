"""Run-chart and control-chart rules, as plain functions over a series of values (None is a blank).

Definitions (docs/strategy.md has worked examples):
- Anhøj rules as qicharts2 0.8.1 computes them: points on the centre line and blanks are dropped; with
  n useful points, a signal if the longest run on one side is greater than round(log2(n)) + 3, or if
  the number of crossings (runs - 1) is less than qbinom(0.05, n - 1, 0.5) (scipy's binom.ppf; computed
  here exactly, see crossings_min).
- IHI rules: a shift is >= `shift` consecutive points on one side of the median (points on the median
  neither add to nor break it); a trend is >= `trend` points all rising or all falling (equal neighbours
  count once, and do not break it).
- Individuals (XmR) limits: mean +/- 2.66 x mean moving range (moving ranges of neighbouring points
  only: a blank breaks the pair).
- A frozen baseline (the first k points) fixes the centre and limits; phases (a new centre after a
  change) are analysed apart, and when phases are given the freeze is ignored, as in qicharts2.

Indices are positions in the series as given (blanks included), so a chart can place every point.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

Value = float | None
Direction = Literal["up", "down"]
XMR_FACTOR = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two points
DEFAULT_SHIFT = 6
DEFAULT_TREND = 5


@dataclass(frozen=True)
class Signal:
    """One rule that fired: which rule, its threshold, what was observed, and the points that fired it."""

    rule: str  # anhoej-longest-run, anhoej-crossings, shift, trend, outside-limits
    threshold: float
    observed: float
    indices: tuple[int, ...]
    direction: Direction | None = None
    phase: int = 0

    @property
    def onset(self) -> int:
        """The first point of the signal: where the change began."""
        return self.indices[0]

    @property
    def confirmed_at(self) -> int:
        """The point at which the rule was first met (the last point needed to fire it)."""
        if self.rule in ("shift", "trend"):
            return self.indices[int(self.threshold) - 1] if len(self.indices) >= self.threshold else self.indices[-1]
        return self.indices[0]


@dataclass(frozen=True)
class Anhoej:
    useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    longest_run_indices: tuple[int, ...]

    @property
    def runs_signal(self) -> bool:
        return self.longest_run > self.longest_run_max or self.crossings < self.crossings_min


@dataclass(frozen=True)
class Limits:
    centre: float
    mean_moving_range: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Phase:
    """Points [start, end) analysed together; the centre and limits come from [start, baseline_end)."""

    start: int
    end: int
    baseline_end: int


@dataclass(frozen=True)
class PhaseAnalysis:
    phase: Phase
    median: float | None
    limits: Limits | None
    anhoej: Anhoej | None
    signals: list[Signal] = field(default_factory=list)


@dataclass(frozen=True)
class Analysis:
    values: list[Value]
    phases: list[PhaseAnalysis]
    freeze_ignored: bool = False

    @property
    def signals(self) -> list[Signal]:
        return [s for p in self.phases for s in p.signals]


def present(values: Sequence[Value], start: int = 0, end: int | None = None) -> list[tuple[int, float]]:
    """(index, value) of the non-blank points in [start, end) (NaN counts as blank: it is not equal to itself)."""
    stop = len(values) if end is None else end
    return [(i, v) for i, v in enumerate(values[start:stop], start) if v is not None and v == v]


def median(values: Sequence[Value], start: int = 0, end: int | None = None) -> float | None:
    points = [v for _, v in present(values, start, end)]
    return statistics.median(points) if points else None


def _sides(points: Sequence[tuple[int, float]], centre: float) -> list[tuple[int, int]]:
    """(index, +1 or -1) of the useful points: those on the centre line are dropped."""
    return [(i, 1 if v > centre else -1) for i, v in points if v != centre]


def _runs(sides: Sequence[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """Runs of useful points on one side: (side, indices)."""
    runs: list[tuple[int, list[int]]] = []
    for i, side in sides:
        if runs and runs[-1][0] == side:
            runs[-1][1].append(i)
        else:
            runs.append((side, [i]))
    return runs


@lru_cache(maxsize=4096)
def longest_run_max(useful: int) -> int:
    """round(log2(n)) + 3; Python's round, like R's, rounds halves to even."""
    return round(math.log2(useful)) + 3 if useful > 0 else 0


@lru_cache(maxsize=4096)
def crossings_min(useful: int) -> int:
    """qbinom(0.05, n - 1, 0.5): the fewest crossings expected of random variation.

    The smallest k with P(X <= k) >= 0.05 for X ~ Binomial(m = n - 1, 1/2), in integers: the sum of
    C(m, i) up to k, times 20, reaches 2^m (never exactly, as 2^m / 20 is no integer, so no rounding
    question arises). scipy's binom.ppf gives the same values (a test checks n up to 1,000); importing
    scipy.stats for this one quantile cost the strategy processes about 85 MB each."""
    if useful <= 0:
        return 0
    m = useful - 1
    total, k = 0, 0
    while True:
        total += math.comb(m, k)
        if 20 * total >= 2 ** m:
            return k
        k += 1


def anhoej(values: Sequence[Value], centre: float, start: int = 0, end: int | None = None) -> Anhoej:
    runs = _runs(_sides(present(values, start, end), centre))
    useful = sum(len(r) for _, r in runs)
    longest = max(runs, key=lambda r: len(r[1]), default=(0, []))[1]
    return Anhoej(useful=useful, longest_run=len(longest), longest_run_max=longest_run_max(useful),
                  crossings=max(len(runs) - 1, 0), crossings_min=crossings_min(useful),
                  longest_run_indices=tuple(longest))


def anhoej_signals(result: Anhoej, all_useful: Sequence[int], phase: int = 0) -> list[Signal]:
    signals = []
    if result.longest_run > result.longest_run_max:
        signals.append(Signal("anhoej-longest-run", result.longest_run_max, result.longest_run,
                              result.longest_run_indices, phase=phase))
    if result.crossings < result.crossings_min:
        signals.append(Signal("anhoej-crossings", result.crossings_min, result.crossings, tuple(all_useful),
                              phase=phase))
    return signals


def shifts(values: Sequence[Value], centre: float, length: int = DEFAULT_SHIFT, start: int = 0,
           end: int | None = None, phase: int = 0) -> list[Signal]:
    """IHI shifts: runs of >= `length` useful points on one side of the centre."""
    return [Signal("shift", length, len(run), tuple(run), "up" if side > 0 else "down", phase)
            for side, run in _runs(_sides(present(values, start, end), centre)) if len(run) >= length]


def trends(values: Sequence[Value], length: int = DEFAULT_TREND, start: int = 0, end: int | None = None,
           phase: int = 0) -> list[Signal]:
    """IHI trends: >= `length` distinct points each higher (or each lower) than the one before.

    An equal neighbour counts once: it neither adds to the trend nor breaks it (its index is kept in
    the points reported, as it lies inside the trend). Blanks are skipped.
    """
    points = present(values, start, end)
    found: list[Signal] = []
    run: list[int] = []  # indices of the current monotone stretch, repeats included
    distinct = 0
    direction = 0
    last: float | None = None

    def close() -> None:
        if direction and distinct >= length:
            found.append(Signal("trend", length, distinct, tuple(run), "up" if direction > 0 else "down", phase))

    for i, v in points:
        if last is None:
            run, distinct, last = [i], 1, v
            continue
        if v == last:
            run.append(i)
            continue
        step = 1 if v > last else -1
        if direction in (0, step):
            direction = step
            run.append(i)
            distinct += 1
        else:
            close()
            # the turning point ends one trend and begins the next; its repeats stay with it
            tail = [j for j in run if values[j] == last]
            run, distinct, direction = [*tail, i], 2, step
        last = v
    close()
    return found


def moving_ranges(values: Sequence[Value], start: int = 0, end: int | None = None) -> list[float]:
    part = values[start:(len(values) if end is None else end)]
    return [abs(b - a) for a, b in itertools.pairwise(part)
            if a is not None and b is not None and a == a and b == b]


LIMIT_TOLERANCE = 1e-9  # relative: a point this close to a limit is on it (float sums differ in the last bits)


def limit_slack(lower: float, upper: float) -> float:
    """How far past a limit a point may lie and still be on it: rounding, never a signal."""
    return LIMIT_TOLERANCE * max(1.0, abs(lower), abs(upper))


def xmr_limits(values: Sequence[Value], start: int = 0, end: int | None = None) -> Limits | None:
    """Mean +/- 2.66 x the mean moving range (None without two neighbouring points)."""
    points = [v for _, v in present(values, start, end)]
    ranges = moving_ranges(values, start, end)
    if not points or not ranges:
        return None
    # fsum: the mean of a flat series is that value (ten 0.3s: sum() gives 2.9999999999999996), as R's mean()
    centre = math.fsum(points) / len(points)
    mr = math.fsum(ranges) / len(ranges)
    return Limits(centre=centre, mean_moving_range=mr, lower=centre - XMR_FACTOR * mr, upper=centre + XMR_FACTOR * mr)


def outside(values: Sequence[Value], limits: Limits, start: int = 0, end: int | None = None,
            phase: int = 0) -> list[Signal]:
    """One signal per point beyond the limits (on the limit is inside, to within rounding: LIMIT_TOLERANCE)."""
    out = []
    slack = limit_slack(limits.lower, limits.upper)
    for i, v in present(values, start, end):
        if v > limits.upper + slack:
            out.append(Signal("outside-limits", limits.upper, v, (i,), "up", phase))
        elif v < limits.lower - slack:
            out.append(Signal("outside-limits", limits.lower, v, (i,), "down", phase))
    return out


def phases_of(n: int, breaks: Sequence[int] = (), freeze: int | None = None) -> tuple[list[Phase], bool]:
    """The phases of a series of n points: breaks are the indices where a new phase starts.

    With breaks, the freeze is ignored (qicharts2: "ignored if part argument is given"); returns the
    phases and whether a freeze was ignored.
    """
    cuts = sorted({b for b in breaks if 0 < b < n})
    if cuts:
        bounds = [0, *cuts, n]
        return [Phase(a, b, b) for a, b in itertools.pairwise(bounds)], freeze is not None
    baseline_end = min(max(freeze, 1), n) if freeze is not None else n
    return [Phase(0, n, baseline_end)], False


def analyse(values: Sequence[Value], *, breaks: Sequence[int] = (), freeze: int | None = None,
            shift: int = DEFAULT_SHIFT, trend: int = DEFAULT_TREND) -> Analysis:
    """Every rule over every phase: what a run chart and an individuals chart need, signals included."""
    values = [None if v is None else float(v) for v in values]
    phases, ignored = phases_of(len(values), breaks, freeze)
    results = []
    for number, ph in enumerate(phases):
        centre = median(values, ph.start, ph.baseline_end)
        limits = xmr_limits(values, ph.start, ph.baseline_end)
        signals: list[Signal] = []
        runs = None
        if centre is not None:
            runs = anhoej(values, centre, ph.start, ph.end)
            useful = [i for i, _ in _sides(present(values, ph.start, ph.end), centre)]
            signals += anhoej_signals(runs, useful, number)
            signals += shifts(values, centre, shift, ph.start, ph.end, number)
        signals += trends(values, trend, ph.start, ph.end, number)
        if limits is not None:
            signals += outside(values, limits, ph.start, ph.end, number)
        results.append(PhaseAnalysis(ph, centre, limits, runs, signals))
    return Analysis(values, results, ignored)


def directional(signals: Sequence[Signal], direction: Direction) -> list[Signal]:
    """The signals that say the process moved `direction` (the Anhøj signals have no direction)."""
    return [s for s in signals if s.direction == direction]

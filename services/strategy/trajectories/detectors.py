"""Detectors built on the rules: implementation dip, plateau, see-saw, quality-to-performance lag,
and the improvement stage of a school. Plain functions over series (None is a blank).

Each compares a series with a frozen baseline (the points before a change, or the first k points),
so a detector's "signal" is always one of the rules in `rules`, reported with its points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from services.strategy.trajectories import rules
from services.strategy.trajectories.rules import DEFAULT_SHIFT, DEFAULT_TREND, Direction, Signal, Value

MIN_LAG_PAIRS = 10  # fewer overlapping pairs than this at the best lag: too short to say


def signals_against_baseline(values: Sequence[Value], baseline_end: int, direction: Direction, *,
                             shift: int = DEFAULT_SHIFT, trend: int = DEFAULT_TREND) -> list[Signal]:
    """Directional signals after `baseline_end`, with centre and limits frozen on the points before it.

    Shifts count only points after the baseline (a run that began inside it is not news); trends too.
    """
    centre = rules.median(values, 0, baseline_end)
    if centre is None:
        return []
    found: list[Signal] = []
    found += rules.shifts(values, centre, shift, baseline_end)
    found += rules.trends(values, trend, baseline_end)
    limits = rules.xmr_limits(values, 0, baseline_end)
    if limits is not None:
        found += rules.outside(values, limits, baseline_end)
    return sorted(rules.directional(found, direction), key=lambda s: (s.confirmed_at, s.onset))


def gains(values: Sequence[Value], baseline_end: int, *, shift: int = DEFAULT_SHIFT,
          trend: int = DEFAULT_TREND) -> list[Signal]:
    """Upward signals that reach above the baseline median: climbing back out of a dip is no gain."""
    centre = rules.median(values, 0, baseline_end)
    return [s for s in signals_against_baseline(values, baseline_end, "up", shift=shift, trend=trend)
            if centre is not None and (v := values[s.confirmed_at]) is not None and v > centre]


@dataclass(frozen=True)
class Dip:
    status: Literal["none", "dipping", "recovered", "insufficient-data"]
    start: int
    signal: Signal | None = None
    bottom: int | None = None
    recovered_at: int | None = None
    baseline_median: float | None = None


def implementation_dip(values: Sequence[Value], start: int, *, shift: int = DEFAULT_SHIFT,
                       trend: int = DEFAULT_TREND, min_baseline: int = 3) -> Dip:
    """A downward signal after the initiative starts (index `start`), then recovery.

    Baseline: the points before `start`. Recovery: a later point back at or above the baseline median.
    """
    if len(rules.present(values, 0, start)) < min_baseline:
        return Dip("insufficient-data", start)
    centre = rules.median(values, 0, start)
    down = signals_against_baseline(values, start, "down", shift=shift, trend=trend)
    if not down:
        return Dip("none", start, baseline_median=centre)
    first = down[0]
    after = [(i, v) for i, v in rules.present(values, first.onset) if centre is not None]
    low = min(after, key=lambda p: p[1])[0] if after else None
    fired_end = max(first.indices)
    back = [i for i, v in rules.present(values, fired_end + 1) if centre is not None and v >= centre]
    if back:
        return Dip("recovered", start, first, low, back[0], centre)
    return Dip("dipping", start, first, low, None, centre)


@dataclass(frozen=True)
class Plateau:
    detected: bool
    gain: Signal | None
    periods_since_gain: int
    threshold: int
    signals_since: list[Signal] = field(default_factory=list)


def plateau(values: Sequence[Value], *, baseline: int, periods: int, shift: int = DEFAULT_SHIFT,
            trend: int = DEFAULT_TREND) -> Plateau:
    """No upward signal for `periods` periods after a gain.

    The gain is the first upward signal against the first `baseline` points; the points after the
    point that confirmed it form a new phase, whose own upward signals (a rising trend, a point above
    its limits) would mean the gain goes on.
    """
    ups = gains(values, baseline, shift=shift, trend=trend)
    if not ups:
        return Plateau(False, None, 0, periods)
    gain = ups[0]
    after_start = gain.confirmed_at + 1
    since = rules.present(values, after_start)
    later: list[Signal] = []
    later += rules.directional(rules.trends(values, trend, after_start), "up")
    limits = rules.xmr_limits(values, after_start)
    if limits is not None:
        later += rules.directional(rules.outside(values, limits, after_start), "up")
    return Plateau(len(since) >= periods and not later, gain, len(since), periods, later)


@dataclass(frozen=True)
class SeeSaw:
    detected: bool
    quality_signal: Signal | None
    performance_signal: Signal | None
    lag: int | None  # periods from the quality signal to the performance signal, once it came


def see_saw(quality: Sequence[Value], performance: Sequence[Value], *, baseline: int, shift: int = DEFAULT_SHIFT,
            trend: int = DEFAULT_TREND) -> SeeSaw:
    """Practice quality signals up while performance stays flat (no upward signal since)."""
    q = gains(quality, baseline, shift=shift, trend=trend)
    if not q:
        return SeeSaw(False, None, None, None)
    first = q[0]
    p = [s for s in gains(performance, baseline, shift=shift, trend=trend) if s.onset >= first.onset]
    if not p:
        return SeeSaw(True, first, None, None)
    return SeeSaw(False, first, p[0], p[0].onset - first.onset)


@dataclass(frozen=True)
class Lag:
    lag: int | None
    correlation: float | None
    pairs: int
    by_lag: dict[int, float | None]
    warning: str | None


def quality_to_performance_lag(quality: Sequence[Value], performance: Sequence[Value], *, max_lag: int,
                               min_pairs: int = MIN_LAG_PAIRS) -> Lag:
    """The lag L (0..max_lag periods) at which quality[t] and performance[t + L] correlate best.

    Pearson correlation of the overlapping, non-blank pairs; a lag with constant values has none.
    Warns when the best lag rests on fewer than `min_pairs` pairs.
    """
    n = min(len(quality), len(performance))
    q = np.array([math.nan if v is None else float(v) for v in quality[:n]])
    p = np.array([math.nan if v is None else float(v) for v in performance[:n]])
    by_lag: dict[int, float | None] = {}
    pairs_at: dict[int, int] = {}
    for lag in range(0, max(max_lag, 0) + 1):
        a, b = q[: n - lag], p[lag:]
        keep = ~(np.isnan(a) | np.isnan(b))
        a, b = a[keep], b[keep]
        pairs_at[lag] = int(keep.sum())
        if len(a) < 3 or a.std() == 0 or b.std() == 0:
            by_lag[lag] = None
            continue
        by_lag[lag] = round(float(np.corrcoef(a, b)[0, 1]), 6)
    scored = [(r, -lag) for lag, r in by_lag.items() if r is not None]
    if not scored:
        return Lag(None, None, 0, by_lag, "too few overlapping points to estimate a lag")
    best_r, neg_lag = max(scored)  # ties: the shortest lag
    best = -neg_lag
    pairs = pairs_at[best]
    warning = (f"only {pairs} overlapping points at lag {best} (fewer than {min_pairs}): too short to say"
               if pairs < min_pairs else None)
    return Lag(best, best_r, pairs, by_lag, warning)


Stage = Literal["insufficient-data", "implementation-dip", "plateau", "improving", "quality-rising", "flat"]
MIN_STAGE_POINTS = 10


@dataclass(frozen=True)
class StageVerdict:
    stage: Stage
    reasons: list[str]
    signals: list[Signal]


def improvement_stage(performance: Sequence[Value], quality: Sequence[Value], *, baseline: int,
                      initiative_start: int | None, plateau_periods: int, shift: int = DEFAULT_SHIFT,
                      trend: int = DEFAULT_TREND) -> StageVerdict:
    """Where a school stands, from its trajectories, with the signals that justify it (first that holds):
    too few points; in an implementation dip; on a plateau after a gain; improving (performance signals
    up); quality rising ahead of performance (see-saw); flat."""
    if len(rules.present(performance)) < MIN_STAGE_POINTS:
        return StageVerdict("insufficient-data", [f"fewer than {MIN_STAGE_POINTS} performance points"], [])
    if initiative_start is not None:
        dip = implementation_dip(performance, initiative_start, shift=shift, trend=trend)
        if dip.status == "dipping" and dip.signal is not None:
            return StageVerdict("implementation-dip", ["performance signalled down after the initiative started "
                                                       "and has not recovered"], [dip.signal])
    flat = plateau(performance, baseline=baseline, periods=plateau_periods, shift=shift, trend=trend)
    if flat.detected and flat.gain is not None:
        return StageVerdict("plateau", [f"no upward signal for {flat.periods_since_gain} periods after a gain"],
                            [flat.gain])
    ups = gains(performance, baseline, shift=shift, trend=trend)
    if ups:
        return StageVerdict("improving", ["performance signals up against its baseline"], ups[:3])
    seesaw = see_saw(quality, performance, baseline=baseline, shift=shift, trend=trend)
    if seesaw.detected and seesaw.quality_signal is not None:
        return StageVerdict("quality-rising", ["practice quality signals up while performance stays flat"],
                            [seesaw.quality_signal])
    return StageVerdict("flat", ["no directional signal against the baseline"], [])

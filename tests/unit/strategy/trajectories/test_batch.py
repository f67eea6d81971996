"""The vectorised rules agree with the one-series rules, series by series (ties, blanks, short series)."""

from __future__ import annotations

import math
import random

import numpy as np

from services.strategy.trajectories import batch, rules


def _random_series(rng: random.Random, n: int) -> list[float | None]:
    # small integers make ties on the median and equal neighbours common
    level = rng.choice([0, 3, 10])
    return [None if rng.random() < 0.1 else float(level + rng.randint(0, 4) + (3 if i > n // 2 else 0))
            for i in range(n)]


def test_batch_and_single_series_agree() -> None:
    rng = random.Random(5)
    series = [_random_series(rng, rng.choice([5, 9, 12, 24, 60])) for _ in range(400)]
    width = max(len(s) for s in series)
    matrix = np.full((len(series), width), np.nan)
    for r, s in enumerate(series):
        matrix[r, : len(s)] = [math.nan if v is None else v for v in s]
    got = batch.analyse_many(matrix)
    for r, s in enumerate(series):
        one = rules.analyse(s)
        phase = one.phases[0]
        assert phase.anhoej is not None
        assert got.median[r] == phase.median
        assert (got.useful[r], got.longest_run[r], got.longest_run_max[r], got.crossings[r], got.crossings_min[r]) == (
            phase.anhoej.useful, phase.anhoej.longest_run, phase.anhoej.longest_run_max, phase.anhoej.crossings,
            phase.anhoej.crossings_min), (r, s)
        kinds = [(x.rule, x.direction) for x in one.signals]
        assert got.shifts_up[r] == kinds.count(("shift", "up")) and got.shifts_down[r] == kinds.count(("shift", "down"))
        assert got.trends_up[r] == kinds.count(("trend", "up")), (r, s)
        assert got.trends_down[r] == kinds.count(("trend", "down")), (r, s)
        assert got.above[r] == kinds.count(("outside-limits", "up"))
        assert got.below[r] == kinds.count(("outside-limits", "down"))


def test_a_worked_example_in_batch() -> None:
    m = np.array([[2, 4, 3, 5, 6, 7, 8, 9, 7, 8], [1, 2, 3, 4, 5, np.nan, 6, 5, 4, 3]], dtype=float)
    got = batch.analyse_many(m)
    # second row: median 4 (two points on it dropped), sides - - - + + + -: 2 crossings
    assert list(got.crossings) == [1, 2] and list(got.runs_signal) == [True, False]
    # 3 5 6 7 8 9 in the first row and 1 2 3 4 5 6 in the second rise six times
    assert list(got.trends_up) == [1, 1] and list(got.trends_down) == [0, 0]

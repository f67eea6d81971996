"""Run-chart rules with worked examples written from the definitions (expected values by hand)."""

from __future__ import annotations

import pytest

from services.strategy.trajectories import rules


def names(signals: list[rules.Signal]) -> list[str]:
    return sorted(s.rule for s in signals)


# --- Anhøj -------------------------------------------------------------------------------------

def test_too_few_crossings_fire_the_crossings_rule() -> None:
    # median (6 + 7) / 2 = 6.5: five points below, then five above; one crossing < qbinom(.05, 9, .5) = 2
    y = [2, 4, 3, 5, 6, 7, 8, 9, 7, 8]
    a = rules.anhoej(y, rules.median(y) or 0)
    assert (a.useful, a.longest_run, a.longest_run_max, a.crossings, a.crossings_min) == (10, 5, 6, 1, 2)
    assert a.runs_signal
    assert a.longest_run_indices == (0, 1, 2, 3, 4)


def test_points_on_the_median_are_dropped() -> None:
    # median 5: the eight 5s lie on it and are dropped; the six useful points are all below:
    # longest run 6 is not > round(log2 6) + 3 = 6, but 0 crossings < qbinom(.05, 5, .5) = 1
    y = [1, 2, 1, 2, 1, 2, 5, 5, 5, 5, 5, 5, 5, 5]
    a = rules.anhoej(y, rules.median(y) or 0)
    assert (a.useful, a.longest_run, a.longest_run_max, a.crossings, a.crossings_min) == (6, 6, 6, 0, 1)
    result = rules.analyse(y)
    run_chart = [s for s in result.signals if s.rule != "outside-limits"]
    assert names(run_chart) == ["anhoej-crossings", "shift"]
    crossing = next(s for s in result.signals if s.rule == "anhoej-crossings")
    assert crossing.indices == (0, 1, 2, 3, 4, 5) and crossing.threshold == 1 and crossing.observed == 0


def test_blanks_are_skipped_and_a_random_looking_series_is_quiet() -> None:
    # present: 1 3 2 5 4 6 7 8, median 4.5; sides - - - + - + + + -> 4 runs, 3 crossings (min 1), longest 3 (max 6)
    y: list[float | None] = [1, None, 3, 2, None, 5, 4, 6, None, 7, 8]
    a = rules.anhoej(y, rules.median(y) or 0)
    assert (a.useful, a.longest_run, a.longest_run_max, a.crossings, a.crossings_min) == (8, 3, 6, 3, 1)
    assert not a.runs_signal
    assert a.longest_run_indices == (0, 2, 3)


def test_a_long_run_after_a_frozen_baseline() -> None:
    # baseline median 5.5 (first six); then eight 9s join the sixth point's run: 9 > round(log2 14) + 3 = 7;
    # 5 crossings >= qbinom(.05, 13, .5) = 4
    y = [5, 6, 5, 6, 5, 6, 9, 9, 9, 9, 9, 9, 9, 9]
    result = rules.analyse(y, freeze=6)
    phase = result.phases[0]
    assert phase.median == 5.5
    assert phase.anhoej is not None
    assert (phase.anhoej.longest_run, phase.anhoej.longest_run_max, phase.anhoej.crossings,
            phase.anhoej.crossings_min) == (9, 7, 5, 4)
    run = next(s for s in result.signals if s.rule == "anhoej-longest-run")
    assert run.indices == tuple(range(5, 14)) and run.threshold == 7 and run.observed == 9


@pytest.mark.parametrize(("n", "longest", "crossings"), [(10, 6, 2), (11, 6, 2), (12, 7, 3), (20, 7, 6), (24, 8, 8),
                                                         (60, 9, 23), (5, 5, 0), (1, 3, 0)])
def test_critical_values_as_in_the_qicharts2_table(n: int, longest: int, crossings: int) -> None:
    assert rules.longest_run_max(n) == longest
    assert rules.crossings_min(n) == crossings


def test_a_short_series_below_ten_points() -> None:
    # n = 5, median 3 dropped: - - + + ; longest 2 <= 5, 1 crossing >= qbinom(.05, 3, .5) = 0
    a = rules.anhoej([1, 2, 3, 4, 5], 3)
    assert (a.useful, a.longest_run, a.longest_run_max, a.crossings, a.crossings_min) == (4, 2, 5, 1, 0)
    assert not a.runs_signal


def test_an_empty_or_blank_series_has_no_centre_and_no_signal() -> None:
    result = rules.analyse([None, None])
    assert result.phases[0].median is None and result.signals == []


# --- IHI shifts and trends ---------------------------------------------------------------------

def test_a_shift_skips_points_on_the_median() -> None:
    y = [6, 7, 5, 8, 5, 9, 6, 7]
    (shift,) = rules.shifts(y, 5)
    assert shift.indices == (0, 1, 3, 5, 6, 7) and shift.direction == "up" and shift.observed == 6
    assert rules.shifts(y, 5, length=7) == []  # the threshold is configurable


def test_a_point_on_the_other_side_breaks_a_shift() -> None:
    assert rules.shifts([6, 7, 8, 4, 6, 7, 8, 9, 6], 5) == []
    (down,) = rules.shifts([4, 3, None, 2, 4, 1, 0], 5)
    assert down.direction == "down" and down.indices == (0, 1, 3, 4, 5, 6)


def test_trends_count_equal_neighbours_once() -> None:
    (up,) = rules.trends([1, 2, 3, 4, 5])
    assert up.indices == (0, 1, 2, 3, 4) and up.direction == "up"
    (dup,) = rules.trends([1, 2, 2, 3, 4, 5])
    assert dup.observed == 5 and dup.indices == (0, 1, 2, 3, 4, 5)
    assert rules.trends([1, 2, 2, 3, 4]) == []  # only four distinct rising points
    (down,) = rules.trends([5, 4, 3, 3, 2, 1])
    assert down.direction == "down" and down.observed == 5
    assert rules.trends([1, 2, 3, 4, 5], length=6) == []


def test_trends_skip_blanks_and_a_turn_starts_a_new_trend() -> None:
    (t,) = rules.trends([1, None, 2, 3, None, 4, 5])
    assert t.indices == (0, 2, 3, 5, 6)
    (turn,) = rules.trends([1, 2, 3, 4, 3, 2, 1, 0, -1])
    assert turn.direction == "down" and turn.indices == (3, 4, 5, 6, 7, 8) and turn.observed == 6
    (flat_top,) = rules.trends([1, 2, 3, 4, 4, 3, 2, 1, 0])
    assert flat_top.direction == "down" and flat_top.indices == (3, 4, 5, 6, 7, 8)


# --- XmR limits, freeze and phases -------------------------------------------------------------

def test_individuals_limits() -> None:
    # mean 11; moving ranges 2 1 2 4, mean 2.25; 11 +/- 2.66 * 2.25
    limits = rules.xmr_limits([10, 12, 11, 13, 9])
    assert limits is not None
    assert limits.centre == 11 and limits.mean_moving_range == 2.25
    assert limits.lower == pytest.approx(5.015) and limits.upper == pytest.approx(16.985)


def test_a_flat_baseline_of_a_share_sets_off_nothing_by_rounding() -> None:
    """Ten terms at 0.3 then 0.3 again: sum() makes the mean 0.29999999999999993, so the point 0.3 sat
    above an upper limit of the same value (found by the Hamilton story fed by real rounds). The mean is
    exact (fsum, as R's mean) and a point on a limit is inside."""
    flat = [0.3] * 12
    limits = rules.xmr_limits(flat)
    assert limits is not None and limits.centre == 0.3 and limits.upper == 0.3
    assert rules.analyse(flat, freeze=10).signals == []
    assert rules.outside(flat, rules.Limits(centre=0.3, mean_moving_range=0, lower=0.3, upper=0.29999999999999993)
                         ) == []
    above = rules.analyse([0.3] * 10 + [0.3000001], freeze=10).signals
    assert [(s.rule, s.indices) for s in above] == [("outside-limits", (10,))]  # beyond rounding: a signal


def test_a_blank_breaks_a_moving_range() -> None:
    limits = rules.xmr_limits([10, None, 12, 14])
    assert limits is not None and limits.centre == 12 and limits.mean_moving_range == 2
    assert rules.xmr_limits([10]) is None


def test_points_outside_frozen_limits() -> None:
    result = rules.analyse([10, 12, 11, 13, 9, 30, 11, 2], freeze=5)
    outside = [s for s in result.signals if s.rule == "outside-limits"]
    assert [(s.indices, s.direction) for s in outside] == [((5,), "up"), ((7,), "down")]
    assert outside[0].threshold == pytest.approx(16.985)


def test_phases_have_their_own_centre_and_a_freeze_is_ignored_with_them() -> None:
    y = [1, 2, 1, 2, 1, 2, 8, 9, 8, 9, 8, 9]
    one = rules.analyse(y)
    assert one.phases[0].median == 5
    assert {(s.rule, s.direction) for s in one.signals} >= {("shift", "up"), ("shift", "down")}
    two = rules.analyse(y, breaks=[6], freeze=3)
    assert two.freeze_ignored
    assert [p.median for p in two.phases] == [1.5, 8.5]
    assert [s for s in two.signals if s.rule == "shift"] == []
    assert [p.phase.start for p in two.phases] == [0, 6]


def test_the_crossings_limit_is_scipys_binomial_quantile() -> None:
    """crossings_min computes qbinom(0.05, n - 1, 0.5) in integers; scipy is the oracle."""
    from scipy.stats import binom

    expected = [int(binom.ppf(0.05, n - 1, 0.5)) for n in range(1, 1001)]
    assert [rules.crossings_min(n) for n in range(1, 1001)] == expected
    assert rules.crossings_min(0) == 0

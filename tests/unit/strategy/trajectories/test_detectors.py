"""Detectors with worked examples: dip, plateau, see-saw, lag and the improvement stage."""

from __future__ import annotations

from services.strategy.trajectories import detectors

# baseline: median 51, mean 50.875, mean moving range 8/7, lower limit ~47.83, upper ~53.92
BASE = [50.0, 51, 50, 52, 51, 50, 51, 52]


def test_an_implementation_dip_and_its_recovery() -> None:
    y = [*BASE, 40, 41, 45, 50, 52, 53]
    dip = detectors.implementation_dip(y, 8)
    assert dip.status == "recovered" and dip.baseline_median == 51
    assert dip.signal is not None and dip.signal.rule == "outside-limits" and dip.signal.indices == (8,)
    assert dip.bottom == 8 and dip.recovered_at == 12


def test_a_dip_not_yet_recovered_and_no_dip() -> None:
    assert detectors.implementation_dip([*BASE, 40, 41, 45], 8).status == "dipping"
    assert detectors.implementation_dip([*BASE, 51, 50, 52, 51], 8).status == "none"
    assert detectors.implementation_dip([50, 51, 40], 2).status == "insufficient-data"


def test_a_dip_by_a_shift_below_the_baseline_median() -> None:
    y = [*BASE, 50, 49.5, 50, 49, 50, 49.5, 52]  # six points under 51, none under the lower limit
    dip = detectors.implementation_dip(y, 8)
    assert dip.signal is not None and dip.signal.rule == "shift" and dip.signal.direction == "down"
    assert dip.status == "recovered" and dip.recovered_at == 14


def test_a_plateau_after_a_gain() -> None:
    y = [*BASE, 60, 61, 60, 61, 60, 61, 60, 61]
    flat = detectors.plateau(y, baseline=8, periods=6)
    assert flat.detected and flat.gain is not None and flat.gain.indices == (8,)
    assert flat.periods_since_gain == 7
    assert not detectors.plateau(y, baseline=8, periods=8).detected  # not yet long enough


def test_no_plateau_while_gains_go_on_or_before_any_gain() -> None:
    rising = detectors.plateau([*BASE, 60, 62, 64, 66, 68, 70, 72], baseline=8, periods=6)
    assert not rising.detected and rising.signals_since[0].rule == "trend"
    assert not detectors.plateau([*BASE, 51, 50, 51], baseline=8, periods=2).detected


def test_see_saw_quality_up_performance_flat() -> None:
    quality = [0.3, 0.31, 0.3, 0.32, 0.31, 0.3, 0.31, 0.32, 0.6, 0.62, 0.61, 0.63]
    flat = [*BASE, 51, 50, 51, 52]
    seesaw = detectors.see_saw(quality, flat, baseline=8)
    assert seesaw.detected and seesaw.quality_signal is not None and seesaw.quality_signal.onset == 8
    followed = detectors.see_saw(quality, [*BASE, 51, 50, 60, 61], baseline=8)
    assert not followed.detected and followed.lag == 2


def test_the_lag_at_which_quality_and_performance_correlate_best() -> None:
    quality = [0.0] * 10 + [1.0] * 20
    performance = [0.0] * 12 + [1.0] * 18
    lag = detectors.quality_to_performance_lag(quality, performance, max_lag=4)
    assert lag.lag == 2 and lag.correlation == 1.0 and lag.warning is None and lag.pairs == 28
    assert all(r is not None and r < 1 for k, r in lag.by_lag.items() if k != 2)


def test_a_lag_from_too_short_series_carries_a_warning_and_blanks_are_dropped() -> None:
    quality: list[float | None] = [0, 0, 1, 1, None, 1, 1]
    performance: list[float | None] = [0, 0, 0, 0, 1, 1, 1]
    lag = detectors.quality_to_performance_lag(quality, performance, max_lag=3)
    assert lag.lag == 2 and lag.warning is not None and "too short" in lag.warning
    assert lag.pairs == 4
    none = detectors.quality_to_performance_lag([1, 1, 1], [1, 2, 3], max_lag=1)
    assert none.lag is None and none.warning is not None


def test_improvement_stages() -> None:
    q_flat = [0.3] * 16
    assert detectors.improvement_stage([50.0] * 5, q_flat, baseline=4, initiative_start=None,
                                       plateau_periods=6).stage == "insufficient-data"
    dip = detectors.improvement_stage([*BASE, 40, 41, 42, 43], q_flat, baseline=8, initiative_start=8,
                                      plateau_periods=6)
    assert dip.stage == "implementation-dip" and dip.signals[0].direction == "down"
    up = detectors.improvement_stage([*BASE, 55, 56, 57, 58], q_flat, baseline=8, initiative_start=None,
                                     plateau_periods=6)
    assert up.stage == "improving"
    plateau = detectors.improvement_stage([*BASE, 60, 61, 60, 61, 60, 61, 60], q_flat, baseline=8,
                                          initiative_start=None, plateau_periods=6)
    assert plateau.stage == "plateau"
    quality = [0.3, 0.31, 0.3, 0.32, 0.31, 0.3, 0.31, 0.32, 0.6, 0.62, 0.61, 0.63]
    rising = detectors.improvement_stage([*BASE, 51, 50, 51, 52], quality, baseline=8, initiative_start=None,
                                         plateau_periods=6)
    assert rising.stage == "quality-rising"
    assert detectors.improvement_stage([*BASE, 51, 50, 51, 52], [0.3] * 12, baseline=8, initiative_start=None,
                                       plateau_periods=6).stage == "flat"


def test_climbing_out_of_a_dip_is_no_gain() -> None:
    # a rising trend from 40 back to the baseline median (51) is recovery, not a gain to plateau after
    y = [*BASE, 40, 42, 47, 50, 51, 50, 51, 50, 51, 50]
    assert detectors.gains(y, 8) == []
    assert not detectors.plateau(y, baseline=8, periods=4).detected

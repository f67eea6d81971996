"""Statement verdicts from worked series: untested, supported, contradicted, with evidence."""

from __future__ import annotations

from services.strategy.plans import verdicts

PERIODS = [f"2020-{m:02d}" for m in range(1, 13)]
FLAT = [50.0, 51, 50, 52, 51, 50, 51, 52]


def test_untested_until_the_if_moves() -> None:
    j = verdicts.judge(None, PERIODS, [*FLAT, 60, 61, 62, 63], "up", 2)
    assert j.verdict == "untested" and "not moved" in j.reason


def test_supported_when_the_then_signals_within_the_window() -> None:
    j = verdicts.judge(PERIODS[8], PERIODS, [*FLAT, 51, 60, 61, 62], "up", 2)
    assert j.verdict == "supported"
    assert j.evidence["signal"]["rule"] == "outside-limits" and j.evidence["signal"]["periods"] == [PERIODS[9]]


def test_contradicted_when_the_window_passes_or_the_then_moves_the_other_way() -> None:
    assert verdicts.judge(PERIODS[8], PERIODS, [*FLAT, 51, 50, 51, 60], "up", 2).verdict == "contradicted"
    down = verdicts.judge(PERIODS[8], PERIODS, [*FLAT, 40, 51, 50, 51], "up", 2)
    assert down.verdict == "contradicted" and down.evidence["signal"]["direction"] == "down"
    # "then" expected to fall (fewer absences): a drop supports it
    assert verdicts.judge(PERIODS[8], PERIODS, [*FLAT, 40, 51, 50, 51], "down", 2).verdict == "supported"


def test_untested_while_the_window_is_open_or_the_baseline_too_short() -> None:
    assert verdicts.judge(PERIODS[8], PERIODS[:10], [*FLAT, 51, 50], "up", 3).verdict == "untested"
    assert verdicts.judge(PERIODS[2], PERIODS, [*FLAT, 51, 50, 51, 52], "up", 2).verdict == "untested"


def test_the_if_measure_moves_where_its_signal_begins() -> None:
    quality = [0.3, 0.31, 0.3, 0.32, 0.31, 0.3, 0.31, 0.32, 0.3, 0.6, 0.62, 0.61]
    assert verdicts.if_moved(PERIODS, quality, "up", 8) == PERIODS[9]
    assert verdicts.if_moved(PERIODS, [0.3] * 12, "up", 8) is None


def test_overall_over_schools() -> None:
    s, c, u = (verdicts.Judgement(v, "") for v in ("supported", "contradicted", "untested"))
    assert verdicts.overall([s, u]) == "supported"
    assert verdicts.overall([s, c, c]) == "contradicted"
    assert verdicts.overall([s, c]) == "supported"
    assert verdicts.overall([u, u]) == "untested" and verdicts.overall([]) == "untested"

from __future__ import annotations

from services.strategy.goals import progress


def test_a_target_must_lie_on_the_better_side() -> None:
    assert progress.target_contradiction("higher", 50, 60) is None
    assert progress.target_contradiction("higher", 50, 50) is not None
    assert progress.target_contradiction("lower", 10, 12) is not None
    assert progress.target_contradiction("lower", 10, 8) is None


def test_progress_and_trend() -> None:
    assert progress.progress(50, 60, 55) == 0.5 and progress.progress(10, 5, 12) == -0.4
    assert progress.progress(50, 60, None) is None
    assert progress.current_trend([1, 2, 3, 3, 4]) == progress.Trend("rising", 3)
    assert progress.current_trend([5, 4, 6, 5, 4]) == progress.Trend("falling", 2)
    assert progress.current_trend([2, 2, 2]) == progress.Trend("flat", 2)


def test_status_met_missed_open() -> None:
    series = [("2024-25", 50.0), ("2025-26", 58.0), ("2026-27", 61.0)]
    assert progress.status("higher", 60, "2026-27", series) == ("met", "2026-27")
    assert progress.status("higher", 60, "2025-26", series) == ("missed", "2026-27")
    assert progress.status("higher", 60, "2027-28", series[:2]) == ("open", None)
    assert progress.status("lower", 55, "2025-26", [("2024-25", 60.0), ("2025-26", 54.0)]) == ("met", "2025-26")

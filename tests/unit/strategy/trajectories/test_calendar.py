from __future__ import annotations

from services.strategy.trajectories import calendar


def test_missing_months_become_blanks() -> None:
    periods, values = calendar.with_blanks(["2025-11", "2026-02", "2026-03"], [1.0, 2.0, 3.0])
    assert periods == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    assert values == [1.0, None, None, 2.0, 3.0]


def test_missing_school_years_and_terms_become_blanks() -> None:
    assert calendar.with_blanks(["2023-24", "2025-26"], [1, 3]) == (["2023-24", "2024-25", "2025-26"], [1, None, 3])
    # three terms a year: the highest term number held
    periods, values = calendar.with_blanks(["2025-26-T2", "2025-26-T3", "2026-27-T2"], [1, 2, 3])
    assert periods == ["2025-26-T2", "2025-26-T3", "2026-27-T1", "2026-27-T2"] and values == [1, 2, None, 3]
    # two a year, from the first term held to the last
    assert calendar.calendar(["2014-15-T2", "2015-16-T2"]) == ["2014-15-T2", "2015-16-T1", "2015-16-T2"]


def test_a_complete_series_or_one_on_no_calendar_is_as_given() -> None:
    complete = ["2026-01", "2026-02", "2026-03"]
    assert calendar.with_blanks(complete, [1, 2, 3]) == (complete, [1, 2, 3])
    assert calendar.with_blanks(["2026-01"], [1]) == (["2026-01"], [1])
    mixed = ["2025-26", "2026-03"]  # a school year and a month
    assert calendar.with_blanks(mixed, [1, 2]) == (mixed, [1, 2])
    ambiguous = ["2005-06", "2007-08"]  # June 2005 and August 2007, or two school years
    assert calendar.calendar(ambiguous) is None
    assert calendar.calendar(["2026-W01", "2026-W03"]) is None  # weeks: not a calendar recognised
    assert calendar.calendar(["0001-01", "9999-12"]) is None  # more than MAX_PERIODS periods

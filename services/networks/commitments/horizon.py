"""When a debrief's next level of work falls due, and when a commitment is overdue."""

from __future__ import annotations

from datetime import date, timedelta

SCHOOL_YEAR_ENDS = (6, 30)  # month, day: the northern school year


def due_for(horizon: str, from_day: date) -> date:
    """next_week: 7 days on; next_month: 30 days on; end_of_year: the end of the current school year."""
    if horizon == "next_week":
        return from_day + timedelta(days=7)
    if horizon == "next_month":
        return from_day + timedelta(days=30)
    month, day = SCHOOL_YEAR_ENDS
    end = date(from_day.year, month, day)
    return end if from_day <= end else date(from_day.year + 1, month, day)


def is_overdue(status: str, due_on: date, today: date) -> bool:
    return status == "open" and due_on < today

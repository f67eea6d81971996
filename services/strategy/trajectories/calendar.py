"""Missing periods become blanks: a series is read on its calendar, from its first period to its last.
Pure functions.

A run chart places points in time order, and its rules treat a blank as a blank (a blank breaks a moving
range, Anhøj drops it); a period with no value that is silently skipped would join its neighbours as if
they were adjacent. The calendars recognised, when every period of the series is written in one of them:
- months `2026-09`;
- school years `2026-27` (the second year follows the first);
- terms `2026-27-T1`: as many terms a year as the highest term number the series holds.
`2005-06` reads as a month and as a school year: a series whose every period reads both ways is left as
given, as is any other series (periods stay strings that sort in time order) or one spanning more than
MAX_PERIODS periods.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

MAX_PERIODS = 5000
T = TypeVar("T")
_TWO = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_TERM = re.compile(r"^([0-9]{4})-([0-9]{2})-T([0-9]{1,2})$")


def _month(period: str) -> int | None:
    m = _TWO.match(period)
    return int(m[1]) * 12 + int(m[2]) - 1 if m and 1 <= int(m[2]) <= 12 else None


def _school_year(period: str) -> int | None:
    m = _TWO.match(period)
    return int(m[1]) if m and int(m[2]) == (int(m[1]) + 1) % 100 else None


def _term(period: str) -> tuple[int, int] | None:
    m = _TERM.match(period)
    return (int(m[1]), int(m[3])) if m and int(m[2]) == (int(m[1]) + 1) % 100 and int(m[3]) >= 1 else None


def _year_name(year: int) -> str:
    return f"{year:04d}-{(year + 1) % 100:02d}"


def _all(periods: Sequence[str], parse: Callable[[str], T | None]) -> list[T] | None:
    parsed = [parse(p) for p in periods]
    return None if any(p is None for p in parsed) else [p for p in parsed if p is not None]


def calendar(periods: Sequence[str]) -> list[str] | None:
    """Every period from the first to the last of `periods` (sorted, distinct) on their calendar; None when
    they are on no single calendar recognised (see the module's docstring)."""
    if len(periods) < 2:
        return None
    months, years, terms = _all(periods, _month), _all(periods, _school_year), _all(periods, _term)
    if months is not None and years is not None:
        return None  # "2005-06": June 2005 or the 2005-06 school year
    if months is not None:
        if months[-1] - months[0] >= MAX_PERIODS:
            return None
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(months[0], months[-1] + 1)]
    if years is not None:
        if years[-1] - years[0] >= MAX_PERIODS:
            return None
        return [_year_name(y) for y in range(years[0], years[-1] + 1)]
    if terms is not None:
        per_year = max(t for _, t in terms)
        (first_year, first_term), (last_year, last_term) = min(terms), max(terms)
        if (last_year - first_year + 1) * per_year >= MAX_PERIODS:
            return None
        return [f"{_year_name(y)}-T{t}" for y in range(first_year, last_year + 1) for t in range(1, per_year + 1)
                if (first_year, first_term) <= (y, t) <= (last_year, last_term)]
    return None


def with_blanks(periods: Sequence[str], values: Sequence[T]) -> tuple[list[str], list[T | None]]:
    """The series with a blank (None) for each period its calendar has between its first and last that it
    lacks; as given when its periods are on no calendar recognised."""
    full = calendar(periods)
    if full is None or full == list(periods):
        return list(periods), list(values)
    known = dict(zip(periods, values, strict=True))
    return full, [known.get(p) for p in full]

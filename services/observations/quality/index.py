"""The practice-quality index of a school and period: a description of practice that rates no one.

Definitions (docs/observations.md):
- the look-fors are the protocol version's own, all of them: the denominator is fixed, so a school
  showing only two of six look-fors cannot score as high as one showing all six;
- each look-for has a weight in the protocol; a negative weight is a look-for the network wants to see
  less of ("the teacher demonstrates step by step"), counted as 1 - share;
- a classroom counts by the share of its observers who saw the look-for in accepted, descriptive
  evidence (a team of four seeing it once is 1/4, not 1), so team size does not inflate the index;
- per school, period and protocol version (periods stay comparable), and only published when at least
  `minimum` classrooms are in: one classroom's profile never leaves the service.
Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

DEFAULT_MINIMUM_CLASSROOMS = 5


@dataclass(frozen=True)
class ClassroomEvidence:
    """One classroom: how many observers submitted a record of it, and which look-fors each saw."""

    observers: int
    seen_by: Mapping[str, int]  # look-for code -> observers who saw it (accepted descriptive evidence)


@dataclass(frozen=True)
class QualityIndex:
    observed_classrooms: int
    shares: dict[str, float]  # look-for code -> mean over classrooms of the share of observers who saw it
    overall: float | None


def classroom_presence(room: ClassroomEvidence, code: str) -> float:
    if room.observers <= 0:
        return 0.0
    return min(room.seen_by.get(code, 0), room.observers) / room.observers


def quality_index(rooms: Sequence[ClassroomEvidence], weights: Mapping[str, float]) -> QualityIndex:
    """The index over the protocol's look-fors (`weights`: code -> weight, every look-for present)."""
    observed = [r for r in rooms if r.observers > 0]
    sums = {c: sum(classroom_presence(r, c) for r in observed) for c in weights}
    return index_from_sums(len(observed), sums, weights)


def index_from_sums(classrooms: int, sums: Mapping[str, float], weights: Mapping[str, float]) -> QualityIndex:
    """The index from running sums: per look-for, the sum over classrooms of their presence."""
    if classrooms <= 0:
        return QualityIndex(0, dict.fromkeys(weights, 0.0), None)
    shares = {c: min(sums.get(c, 0.0) / classrooms, 1.0) for c in weights}
    total = sum(abs(w) for w in weights.values())
    if total == 0:
        return QualityIndex(classrooms, shares, None)
    score = sum(abs(w) * (shares[c] if w >= 0 else 1 - shares[c]) for c, w in weights.items())
    return QualityIndex(classrooms, shares, score / total)


def publishable(observed_classrooms: int, minimum: int = DEFAULT_MINIMUM_CLASSROOMS) -> bool:
    return observed_classrooms >= max(minimum, 1)


def school_term(day: date) -> str:
    """The default period: the school-year term, August to December (T1) and January to July (T2)."""
    if day.month >= 8:
        return f"{day.year}-{(day.year + 1) % 100:02d}-T1"
    return f"{day.year - 1}-{day.year % 100:02d}-T2"


def term_dates(period: str) -> tuple[date, date]:
    """The first and last day of a period named by school_term (inclusive)."""
    start_year = int(period[:4])
    if period.endswith("T1"):
        return date(start_year, 8, 1), date(start_year, 12, 31)
    return date(start_year + 1, 1, 1), date(start_year + 1, 7, 31)

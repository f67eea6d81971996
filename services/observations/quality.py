"""Debrief patterns and the practice-quality index, as arithmetic on look-fors seen per classroom.

A classroom "shows" a look-for when any submitted record of it has a note tagged with that look-for.
The index of a school and period is the share of observed classrooms showing each look-for, and overall
the mean of those shares over the protocol's look-fors. It is kept as running counts, so reading it costs
the same whatever the number of notes. Pure functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Pattern:
    code: str
    classrooms: int  # classrooms of the visit that showed it
    notes: int  # notes tagged with it


def patterns(notes_by_classroom: Mapping[str, Iterable[Iterable[str]]], codes: Sequence[str]) -> list[Pattern]:
    """For each look-for: in how many classrooms it was seen, and with how many notes (the debrief's view)."""
    classrooms: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    for tagged_notes in notes_by_classroom.values():
        seen: set[str] = set()
        for tags in tagged_notes:
            for code in set(tags):
                notes[code] += 1
                seen.add(code)
        classrooms.update(seen)
    return [Pattern(c, classrooms[c], notes[c]) for c in codes]


@dataclass(frozen=True)
class QualityIndex:
    observed_classrooms: int
    shares: dict[str, float]  # look-for code -> share of observed classrooms showing it
    overall: float | None


def quality_index(observed_classrooms: int, showing: Mapping[str, int], codes: Sequence[str]) -> QualityIndex:
    """The index from running counts: classrooms observed, and classrooms showing each look-for."""
    if observed_classrooms <= 0:
        return QualityIndex(0, dict.fromkeys(codes, 0.0), None)
    shares = {c: min(showing.get(c, 0), observed_classrooms) / observed_classrooms for c in codes}
    return QualityIndex(observed_classrooms, shares, sum(shares.values()) / len(codes) if codes else None)


def count_changes(before: set[str] | None, after: set[str]) -> tuple[int, dict[str, int]]:
    """How the running counts move when a classroom's look-fors change from `before` to `after`.

    Returns (change in observed classrooms, change per look-for). A classroom resubmitted after
    reopening moves the counts by its difference only.
    """
    observed = 0 if before is not None else 1
    before = before or set()
    delta = {c: 1 for c in after - before}
    delta.update({c: -1 for c in before - after})
    return observed, delta


def school_term(day: date) -> str:
    """The default period: the school-year term, August to December (T1) and January to July (T2)."""
    if day.month >= 8:
        return f"{day.year}-{(day.year + 1) % 100:02d}-T1"
    return f"{day.year - 1}-{day.year % 100:02d}-T2"

"""Analyze: the team's pattern statements, and the machine counts shown beside them as hints only.

Rounds practice asks the team to "refrain from counting": a pattern is a statement the team writes
about teachers, students or tasks, with a quantifier (few, some, many, most), resting on evidence.
The counts below are hints for the team, never the pattern itself. Pure functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Quantifier(StrEnum):
    few = "few"
    some = "some"
    many = "many"
    most = "most"


class About(StrEnum):
    teachers = "teachers"
    students = "students"
    tasks = "tasks"


@dataclass(frozen=True)
class Hint:
    code: str
    classrooms: int  # classrooms of the visit where it was seen
    notes: int  # notes tagged with it


def patterns(notes_by_classroom: Mapping[str, Iterable[Iterable[str]]], codes: Sequence[str]) -> list[Hint]:
    """For each look-for: in how many classrooms it was seen, and with how many notes (hints)."""
    classrooms: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    for tagged_notes in notes_by_classroom.values():
        seen: set[str] = set()
        for tags in tagged_notes:
            for code in set(tags):
                notes[code] += 1
                seen.add(code)
        classrooms.update(seen)
    return [Hint(c, classrooms[c], notes[c]) for c in codes]


Pattern = Hint  # the name the first version used for the same counts

"""The five criteria of a good problem of practice, and the problem's life cycle.

A problem of practice becomes active only when the host has argued each criterion (met, with a
rationale): a vague or unobservable problem makes a visit that cannot help the school.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Criterion(StrEnum):
    instructional_core = "instructional_core"  # focuses on teachers, students and content in interaction
    observable = "observable"  # directly observable in classrooms
    actionable = "actionable"  # within the school's control
    strategic = "strategic"  # connects to a broader strategy of improvement
    high_leverage = "high_leverage"  # would make a significant difference for students


CRITERIA = tuple(Criterion)


class Status(StrEnum):
    draft = "draft"
    active = "active"
    resolved = "resolved"
    retired = "retired"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.draft: frozenset({Status.active, Status.retired}),
    Status.active: frozenset({Status.resolved, Status.retired, Status.draft}),
    Status.resolved: frozenset(),
    Status.retired: frozenset(),
}


@dataclass(frozen=True)
class Check:
    met: bool
    rationale: str | None = None


def unmet(criteria: Mapping[str, Check]) -> list[str]:
    """The criteria not yet argued: missing, not met, or met without a rationale, in the fixed order."""
    out = []
    for c in CRITERIA:
        check = criteria.get(c.value)
        if check is None or not check.met or not (check.rationale or "").strip():
            out.append(c.value)
    return out


def meets_all(criteria: Mapping[str, Check]) -> bool:
    return not unmet(criteria)


def may_move(current: Status, to: Status) -> bool:
    return to in TRANSITIONS[current]

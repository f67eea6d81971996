"""The lifecycles of a visit (a round) and of an observation record, as state machines.

A round moves planned -> in_progress (the team is in classrooms) -> observed (the rotation is over;
describe and analyze) -> debriefed -> closed. Going straight from in_progress to debriefed stays
allowed: a short learning walk debriefs in the corridor.
"""

from __future__ import annotations

from enum import StrEnum


class IllegalTransition(ValueError):
    def __init__(self, what: str, current: str, target: str, allowed: set[str]) -> None:
        choices = ", ".join(sorted(allowed)) or "nothing (it is final)"
        super().__init__(f"a {what} that is {current} cannot become {target}; it can become: {choices}")
        self.current, self.target, self.allowed = current, target, allowed


class VisitStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    observed = "observed"
    debriefed = "debriefed"
    closed = "closed"


class RecordStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    reopened = "reopened"


VISIT_TRANSITIONS: dict[VisitStatus, set[VisitStatus]] = {
    VisitStatus.planned: {VisitStatus.in_progress, VisitStatus.closed},  # closed: called off
    VisitStatus.in_progress: {VisitStatus.observed, VisitStatus.debriefed},
    VisitStatus.observed: {VisitStatus.debriefed},
    VisitStatus.debriefed: {VisitStatus.closed},
    VisitStatus.closed: set(),
}
RECORD_TRANSITIONS: dict[RecordStatus, set[RecordStatus]] = {
    RecordStatus.draft: {RecordStatus.submitted},
    RecordStatus.submitted: {RecordStatus.reopened},
    RecordStatus.reopened: {RecordStatus.submitted},
}
DEBRIEF_WRITABLE = frozenset({VisitStatus.in_progress, VisitStatus.observed})


def next_visit_status(current: VisitStatus, target: VisitStatus) -> VisitStatus:
    if target not in VISIT_TRANSITIONS[current]:
        raise IllegalTransition("visit", current, target, {s.value for s in VISIT_TRANSITIONS[current]})
    return target


def next_record_status(current: RecordStatus, target: RecordStatus, visit: VisitStatus) -> RecordStatus:
    if visit in (VisitStatus.debriefed, VisitStatus.closed):
        raise IllegalTransition("record of a debriefed visit", current, target, set())
    if target not in RECORD_TRANSITIONS[current]:
        raise IllegalTransition("record", current, target, {s.value for s in RECORD_TRANSITIONS[current]})
    return target


def record_editable(record: RecordStatus, visit: VisitStatus) -> bool:
    """Its observer may change notes while the record is a draft or reopened, until the visit's debrief."""
    return record in (RecordStatus.draft, RecordStatus.reopened) and visit in (
        VisitStatus.planned, VisitStatus.in_progress, VisitStatus.observed)


def debrief_writable(visit: VisitStatus) -> bool:
    """The debrief is written during the round: never for a planned visit, never after it."""
    return visit in DEBRIEF_WRITABLE


def missing_for_debriefed(prediction: str | None) -> str | None:
    """What a visit still lacks before it may become debriefed (None: nothing)."""
    if not prediction:
        return "the team's prediction is required before the visit is debriefed"
    return None

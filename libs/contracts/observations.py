"""Events published by the observations service. Classrooms are de-identified: never a teacher's id.

A school's quality index arrives in strategy through `quality-index.updated`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from libs.contracts.audit import PersonalDataAccessed
from libs.contracts.base import EventPayload, event

VISIT_TOPIC = "observations.visit"
RECORD_TOPIC = "observations.record"
QUALITY_TOPIC = "observations.quality"


@event("org.improvenet.observations.visit.scheduled", topic=VISIT_TOPIC, subject="visit_id")
class VisitScheduled(EventPayload):
    """A round was planned at a host school."""

    visit_id: UUID
    school_id: UUID
    visit_date: date
    protocol_version_id: UUID
    network_id: UUID | None
    observer_ids: list[UUID]
    classrooms: int
    problem_of_practice_id: UUID | None = None  # networks' problem of practice the visit examines


@event("org.improvenet.observations.record.submitted", topic=RECORD_TOPIC, subject="record_id", version=2)
class RecordSubmitted(EventPayload):
    """An observer submitted a record of the visit: that it happened, and no figure of it.

    Version 2 (a breaking change, hence a new version): version 1 also carried the classroom's id, the
    look-fors seen and the counts of notes and of descriptive notes, one classroom's profile and one
    observer's descriptive share per event. No consumer used them; no per-classroom or per-observer figure
    leaves the service (docs/observations.md#events).
    """

    record_id: UUID
    visit_id: UUID
    school_id: UUID
    observer_id: UUID


class PatternFact(BaseModel):
    code: str
    classrooms: int
    notes: int


class NextLevelOfWorkItem(BaseModel):
    """One item of a debrief's next level of work; networks turns it into a commitment of the host school.

    `description` is about practice, never a person (notes are screened for names before a debrief).
    """

    item_id: UUID
    horizon: Literal["next_week", "next_month", "end_of_year"]
    level: Literal["teacher", "school", "system"]
    description: str
    owner_id: UUID | None = None
    due_on: date | None = None
    follow_up: str | None = None  # how and when the team will look again


class PatternStatementFact(BaseModel):
    """One of the team's pattern statements: what it is about and its quantifier, never its text (the team
    writes it, and it may name someone)."""

    pattern_id: UUID
    about: Literal["teachers", "students", "tasks"]
    quantifier: Literal["few", "some", "many", "most"]


@event("org.improvenet.observations.visit.debriefed", topic=VISIT_TOPIC, subject="visit_id")
class VisitDebriefed(EventPayload):
    """The team debriefed: patterns across classrooms and the next level of work."""

    visit_id: UUID
    school_id: UUID
    network_id: UUID | None
    patterns: list[PatternFact]
    recommendations: int
    problem_of_practice_id: UUID | None = None
    next_level_of_work: list[NextLevelOfWorkItem] = []
    statements: list[PatternStatementFact] = []  # the team's pattern statements (analyze)
    prediction_made: bool | None = None  # whether the team made its prediction (never its text)


@event("org.improvenet.observations.quality-index.updated", topic=QUALITY_TOPIC, subject="school_id")
class QualityIndexUpdated(EventPayload):
    """A school's practice-quality index for a period: published once the period has the minimum of
    classrooms, and again at period close; never per submission, never a classroom's figure."""

    school_id: UUID
    period: str
    observed_classrooms: int
    shares: dict[str, float]
    overall: float | None
    protocol_version_id: UUID | None = None  # the index is per protocol version: periods stay comparable
    reason: Literal["threshold", "period_closed"] | None = None


@event("org.improvenet.observations.teacher-identity.accessed", topic="platform.audit", subject="record_id")
class TeacherIdentityAccessed(PersonalDataAccessed):
    """The teacher of an observed classroom was shown to someone."""

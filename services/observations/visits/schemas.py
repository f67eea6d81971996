"""Visits' API models: a round's set-up (theory of action, focusing questions, problem of practice,
sub-teams with their classroom rotation, observer roles), its classrooms and its lifecycle."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from libs.common.fields import Short, Strict, Text
from services.observations.debriefs.schemas import Recommendation
from services.observations.visits.lifecycle import VisitStatus

Role = Literal["facilitator", "observer", "recorder", "timekeeper", "host"]


class ClassroomIn(Strict):
    grade: Short
    subject: Short
    room: Short
    teacher_id: uuid.UUID | None = Field(None, description="Protected: shown only to the host school's own staff "
                                                           "(per hr's directory) with observations:identify.")


class RotationStop(Strict):
    room: Short = Field(description="A room of this visit's classrooms.")
    minutes: int = Field(20, ge=5, le=60, description="Time in the room (rounds practice: 20-25 minutes).")


class SubTeam(Strict):
    name: Short
    observer_ids: list[uuid.UUID] = Field(min_length=1, max_length=30)
    rotation: list[RotationStop] = Field(default_factory=list, max_length=60)


class VisitCreate(Strict):
    school_id: uuid.UUID
    visit_date: date
    protocol_version_id: uuid.UUID
    problem_of_practice: Text
    problem_of_practice_id: uuid.UUID | None = Field(None, description="networks' problem of practice.")
    theory_of_action: Text | None = None
    focusing_questions: list[Text] = Field(default_factory=list, max_length=10)
    network_id: uuid.UUID | None = None
    observer_ids: list[uuid.UUID] = Field(min_length=1, max_length=30)
    observer_roles: dict[uuid.UUID, Role] = Field(default_factory=dict)
    sub_teams: list[SubTeam] = Field(default_factory=list, max_length=10)
    classrooms: list[ClassroomIn] = Field(min_length=1, max_length=60)


class ClassroomPublic(BaseModel):
    id: uuid.UUID
    grade: str
    subject: str
    room: str
    teacher_id: uuid.UUID | None = Field(description="Null unless you may see the teacher's identity.")


class VisitPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    visit_date: date
    protocol_version_id: uuid.UUID
    problem_of_practice: str
    problem_of_practice_id: uuid.UUID | None = None
    theory_of_action: str | None = None
    focusing_questions: list[str] = []
    network_id: uuid.UUID | None
    observer_ids: list[uuid.UUID]
    observer_roles: dict[uuid.UUID, Role] = {}
    sub_teams: list[SubTeam] = []
    classrooms: list[ClassroomPublic]
    status: VisitStatus
    version: int
    prediction: str | None
    next_level_of_work: list[Recommendation] | None
    created_at: datetime
    updated_at: datetime


class VisitSummary(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    visit_date: date
    status: VisitStatus
    problem_of_practice_id: uuid.UUID | None


class VisitTransition(Strict):
    to: VisitStatus

"""Visits' API models: a round's set-up (theory of action, focusing questions, problem of practice,
sub-teams with their classroom rotation, observer roles), its classrooms and its lifecycle."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Short, Strict, Text
from services.observations.debriefs.schemas import Recommendation
from services.observations.examples import (
    CLASSROOM,
    CLASSROOM_2,
    FACILITATOR,
    FOCUSING_QUESTIONS,
    ITEM,
    NETWORK,
    OBSERVER,
    OBSERVER_2,
    OBSERVER_3,
    OBSERVERS,
    PREDICTION,
    PROBLEM_OF_PRACTICE,
    PROBLEM_OF_PRACTICE_TEXT,
    PROTOCOL_VERSION,
    RECOMMENDATION,
    SCHOOL,
    THEORY_OF_ACTION,
    VISIT,
)
from services.observations.visits.lifecycle import VisitStatus

Role = Literal["facilitator", "observer", "recorder", "timekeeper", "host"]

CLASSROOMS_IN: list[Any] = [{"grade": "4", "subject": "Mathematics", "room": "101"},
                            {"grade": "5", "subject": "Mathematics", "room": "204"}]
SUB_TEAMS: list[Any] = [
    {"name": "Team A", "observer_ids": [FACILITATOR, OBSERVER],
     "rotation": [{"room": "101", "minutes": 20}, {"room": "204", "minutes": 20}]},
    {"name": "Team B", "observer_ids": [OBSERVER_2, OBSERVER_3],
     "rotation": [{"room": "204", "minutes": 20}, {"room": "101", "minutes": 20}]},
]
SET_UP: dict[str, Any] = {
    "school_id": SCHOOL, "visit_date": "2026-11-24", "protocol_version_id": PROTOCOL_VERSION,
    "problem_of_practice": PROBLEM_OF_PRACTICE_TEXT, "problem_of_practice_id": PROBLEM_OF_PRACTICE,
    "theory_of_action": THEORY_OF_ACTION, "focusing_questions": FOCUSING_QUESTIONS, "network_id": NETWORK,
    "observer_ids": OBSERVERS, "observer_roles": {FACILITATOR: "facilitator", OBSERVER_3: "recorder"},
    "sub_teams": SUB_TEAMS}


class ClassroomIn(Strict):
    grade: Short = Field(examples=["4"])
    subject: Short = Field(examples=["Mathematics"])
    room: Short = Field(examples=["101"])
    teacher_id: uuid.UUID | None = Field(None, description="Protected: shown only to the host school's own staff "
                                                           "(per hr's directory) with observations:identify.")


class RotationStop(Strict):
    room: Short = Field(description="A room of this visit's classrooms.", examples=["101"])
    minutes: int = Field(20, ge=5, le=60, description="Time in the room (rounds practice: 20-25 minutes).")


class SubTeam(Strict):
    name: Short = Field(examples=["Team A"])
    observer_ids: list[uuid.UUID] = Field(min_length=1, max_length=30, examples=[[FACILITATOR, OBSERVER]])
    rotation: list[RotationStop] = Field(default_factory=list, max_length=60)


class VisitCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{**SET_UP, "classrooms": CLASSROOMS_IN}]})

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
    grade: str = Field(examples=["4"])
    subject: str = Field(examples=["Mathematics"])
    room: str = Field(examples=["101"])
    teacher_id: uuid.UUID | None = Field(description="Null unless you may see the teacher's identity.")


class VisitPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": VISIT, **SET_UP,
        "classrooms": [{"id": CLASSROOM, **CLASSROOMS_IN[0], "teacher_id": None},
                       {"id": CLASSROOM_2, **CLASSROOMS_IN[1], "teacher_id": None}],
        "status": "debriefed", "version": 4, "prediction": PREDICTION,
        "next_level_of_work": [{**RECOMMENDATION, "item_id": ITEM}],
        "created_at": "2026-11-02T15:10:00Z", "updated_at": "2026-11-24T19:40:00Z"}]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": VISIT, "school_id": SCHOOL, "visit_date": "2026-11-24", "status": "debriefed",
         "problem_of_practice_id": PROBLEM_OF_PRACTICE}]})

    id: uuid.UUID
    school_id: uuid.UUID
    visit_date: date
    status: VisitStatus
    problem_of_practice_id: uuid.UUID | None


class VisitTransition(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"to": "in_progress"}]})

    to: VisitStatus

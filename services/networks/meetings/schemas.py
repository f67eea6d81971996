"""Meetings: the agenda, who attended, who chaired and why; the chair suggestion; the leadership index."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from libs.common.fields import Code, Short, Strict
from libs.contracts.networks import ChairReason


class MeetingType(StrEnum):
    rounds_visit = "rounds_visit"
    learning_session = "learning_session"


class AgendaItem(Strict):
    title: Short
    tags: list[Code] = Field(default_factory=list, max_length=20)


class MeetingCreate(Strict):
    network_id: uuid.UUID
    meeting_date: date
    meeting_type: MeetingType
    host_school_id: uuid.UUID | None = None
    problem_of_practice_id: uuid.UUID | None = None
    agenda: list[AgendaItem] = Field(min_length=1, max_length=50)
    attendee_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    chair_id: uuid.UUID
    chair_reason: ChairReason


class MeetingPublic(BaseModel):
    id: uuid.UUID
    network_id: uuid.UUID
    meeting_date: date
    meeting_type: MeetingType
    host_school_id: uuid.UUID | None
    problem_of_practice_id: uuid.UUID | None
    agenda: list[AgendaItem]
    attendee_ids: list[uuid.UUID]
    chair_id: uuid.UUID
    chair_reason: ChairReason
    norms_version: int | None
    version: int


class ChairCandidate(BaseModel):
    rank: int
    educator_id: uuid.UUID
    score: float
    expertise: float
    turn: float
    matched_tags: list[str]
    reason: ChairReason
    explanation: str


class ChairSuggestion(BaseModel):
    agenda_tags: list[str]
    candidates: list[ChairCandidate]


class LeadershipPoint(BaseModel):
    period: str
    meetings: int
    share: float
    spread: float
    index: float


class Leadership(BaseModel):
    network: list[LeadershipPoint]
    schools: dict[str, list[LeadershipPoint]]

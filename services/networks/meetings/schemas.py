"""Meetings: the agenda, who attended, who chaired and why; the chair suggestion; the leadership index."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Short, Strict
from libs.common.openapi_examples import example_id
from libs.contracts.networks import ChairReason

AGENDA: list[Any] = [{"title": "The host school's problem of practice and focusing questions", "tags": ["reasoning"]},
          {"title": "Classroom visits: scripting student talk", "tags": ["talk", "reasoning"]},
          {"title": "Debrief and next level of work", "tags": []}]
ATTENDEES: list[Any] = [example_id("chair_id"), example_id("educator_id"), example_id("facilitator_id")]
MEETING: dict[str, Any] = {
    "network_id": example_id("network_id"), "meeting_date": "2026-10-15", "meeting_type": "rounds_visit",
    "host_school_id": example_id("host_school_id"), "problem_of_practice_id": example_id("problem_of_practice_id"),
    "agenda": AGENDA, "attendee_ids": ATTENDEES, "chair_id": example_id("chair_id"), "chair_reason": "expertise"}


class MeetingType(StrEnum):
    rounds_visit = "rounds_visit"
    learning_session = "learning_session"


class AgendaItem(Strict):
    title: Short = Field(examples=[AGENDA[1]["title"]])
    tags: list[Code] = Field(default_factory=list, max_length=20, examples=[AGENDA[1]["tags"]])


class MeetingCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [MEETING]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("meeting_id"), **MEETING, "norms_version": 1, "version": 1}]})

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
    explanation: str = Field(examples=["knows 2 of the agenda's 2 tags (reasoning, talk); has never chaired"])


class ChairSuggestion(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"agenda_tags": ["reasoning", "talk"], "candidates": [
            {"rank": 1, "educator_id": example_id("facilitator_id"), "score": 1.0, "expertise": 1.0, "turn": 1.0,
             "matched_tags": ["reasoning", "talk"], "reason": "expertise",
             "explanation": "knows 2 of the agenda's 2 tags (reasoning, talk); has never chaired"},
            {"rank": 2, "educator_id": example_id("chair_id"), "score": 0.7, "expertise": 1.0, "turn": 0.0,
             "matched_tags": ["reasoning", "talk"], "reason": "expertise",
             "explanation": "knows 2 of the agenda's 2 tags (reasoning, talk); chaired the last meeting"},
            {"rank": 3, "educator_id": example_id("educator_id"), "score": 0.575, "expertise": 0.5, "turn": 0.75,
             "matched_tags": ["talk"], "reason": "expertise",
             "explanation": "knows 1 of the agenda's 2 tags (talk); last chaired 3 meetings ago"}]}]})

    agenda_tags: list[str]
    candidates: list[ChairCandidate]


class LeadershipPoint(BaseModel):
    period: str = Field(examples=["2026-10"])
    meetings: int
    share: float
    spread: float
    index: float


class Leadership(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"network": [{"period": "2026-09", "meetings": 1, "share": 0.0, "spread": 0.0, "index": 0.0},
                     {"period": "2026-10", "meetings": 3, "share": 0.6667, "spread": 0.5926, "index": 0.6296}],
         "schools": {example_id("host_school_id"): [
             {"period": "2026-10", "meetings": 2, "share": 1.0, "spread": 1.0, "index": 1.0}]}}]})

    network: list[LeadershipPoint]
    schools: dict[str, list[LeadershipPoint]]

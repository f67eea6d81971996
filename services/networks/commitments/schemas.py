"""Commitments: made at a meeting by a member or a school, or from a visit's next level of work."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Strict, Text
from libs.common.openapi_examples import example_id

COMMITMENT: dict[str, Any] = {"school_id": example_id("school_id"), "educator_id": example_id("educator_id"),
              "meeting_id": example_id("meeting_id"), "network_id": example_id("network_id"),
              "description": ("Plan two 'how do you know?' follow-up questions for each grade 7 launch problem "
                              "and script student answers in two lessons"),
              "due_on": "2026-11-12"}
FOLLOW_UP: dict[str, Any] = {"on": "2026-10-29",
             "note": "Questions planned for units 3 and 4; first scripted lesson shared with the network"}


class CommitmentStatus(StrEnum):
    open = "open"
    fulfilled = "fulfilled"
    dropped = "dropped"


class CommitmentCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [COMMITMENT]})

    school_id: uuid.UUID
    educator_id: uuid.UUID | None = None
    meeting_id: uuid.UUID | None = None
    network_id: uuid.UUID | None = None
    description: Text
    due_on: date


class FollowUp(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [FOLLOW_UP]})

    on: date
    note: Text


class CommitmentTransition(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"to": "fulfilled", "on": "2026-11-10"}]})

    to: CommitmentStatus
    on: date


class CommitmentPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("commitment_id"), **COMMITMENT, "horizon": None, "level": None, "status": "open",
         "follow_ups": [FOLLOW_UP], "source": "meeting", "visit_id": None, "problem_of_practice_id": None,
         "overdue": False, "version": 2}]})

    id: uuid.UUID
    school_id: uuid.UUID
    educator_id: uuid.UUID | None
    meeting_id: uuid.UUID | None
    network_id: uuid.UUID | None
    description: str
    due_on: date
    horizon: str | None
    level: str | None
    status: CommitmentStatus
    follow_ups: list[FollowUp] = Field(default_factory=list)
    source: str
    visit_id: uuid.UUID | None
    problem_of_practice_id: uuid.UUID | None
    overdue: bool
    version: int


class OverdueCount(BaseModel):
    school_id: uuid.UUID
    overdue: int
    open: int

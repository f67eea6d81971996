"""Commitments: made at a meeting by a member or a school, or from a visit's next level of work."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from libs.common.fields import Strict, Text


class CommitmentStatus(StrEnum):
    open = "open"
    fulfilled = "fulfilled"
    dropped = "dropped"


class CommitmentCreate(Strict):
    school_id: uuid.UUID
    educator_id: uuid.UUID | None = None
    meeting_id: uuid.UUID | None = None
    network_id: uuid.UUID | None = None
    description: Text
    due_on: date


class FollowUp(Strict):
    on: date
    note: Text


class CommitmentTransition(Strict):
    to: CommitmentStatus
    on: date


class CommitmentPublic(BaseModel):
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

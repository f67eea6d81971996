"""Networks: what a caller sends and reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from libs.common.fields import Short, Strict, Text


class NetworkKind(StrEnum):
    teachers = "teachers"
    principals = "principals"
    superintendents = "superintendents"
    mixed = "mixed"


class NetworkCreate(Strict):
    name: Short
    kind: NetworkKind
    focus: Text
    school_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    cadence: Short = "monthly"
    norms: list[Short] = Field(default_factory=list, max_length=50)


class NormsUpdate(Strict):
    norms: list[Short] = Field(max_length=50)


class NormsVersion(BaseModel):
    number: int
    norms: list[str]
    created_at: datetime


class NetworkPublic(BaseModel):
    id: uuid.UUID
    name: str
    kind: NetworkKind
    focus: str
    school_ids: list[uuid.UUID]
    district_ids: list[uuid.UUID]
    cadence: str
    norms: NormsVersion | None
    version: int


class HostedMeeting(BaseModel):
    meeting_date: date
    host_school_id: uuid.UUID


class HostRotation(BaseModel):
    next_host_school_id: uuid.UUID | None
    hosted: list[HostedMeeting]

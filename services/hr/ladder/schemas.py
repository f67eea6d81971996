"""The ladder API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from libs.common.fields import Code, Short, Strict, Text
from services.hr.ladder.rules import LadderConfig, Readiness


class LadderPublic(LadderConfig):
    version: int = Field(description="0 while the tenant uses the platform's default ladder.")


class TransitionCreate(Strict):
    to_stage: Code
    criteria_met: list[Short] = Field(default_factory=list, max_length=20)
    evidence: Text | None = None
    approver_id: uuid.UUID
    transitioned_on: date | None = None


class TransitionPublic(BaseModel):
    id: uuid.UUID
    educator_id: uuid.UUID
    seq: int
    school_id: uuid.UUID | None
    from_stage: str | None
    to_stage: str | None = Field(description="None: the educator left the tenant.")
    from_career_stage: str | None
    to_career_stage: str | None
    criteria_met: list[str]
    evidence: str | None
    approver_id: uuid.UUID | None
    transitioned_on: date
    created_at: datetime


class ReadinessSet(Strict):
    target_stage: Code
    estimate: Readiness
    approver_id: uuid.UUID
    set_on: date | None = None


class ReadinessPublic(BaseModel):
    """The estimate for the next stage; all None (version 0) until an approver sets one."""

    educator_id: uuid.UUID
    target_stage: str | None
    estimate: Readiness | None
    approver_id: uuid.UUID | None
    set_on: date | None
    version: int

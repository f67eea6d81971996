"""The ladder API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Short, Strict, Text
from libs.common.openapi_examples import example_id
from services.hr.examples import APPROVER, LADDER, RESIDENT, SCHOOL_2
from services.hr.ladder.rules import LadderConfig, Readiness

# The resident's move into the residency stage, on the tenant's ladder (its own code, the platform's band).
TRANSITION: dict[str, Any] = {
    "to_stage": "assistant_principal", "criteria_met": ["leadership potential", "admitted to residency"],
    "evidence": "Admitted to the district's 2026-27 principal residency cohort (letter of 2026-08-10); "
                "leadership potential rated 4 of 5 on the residency rubric.",
    "approver_id": APPROVER, "transitioned_on": "2026-08-17"}
READINESS: dict[str, Any] = {"target_stage": "principal", "estimate": "ready_now", "approver_id": APPROVER,
                             "set_on": "2027-01-29"}


class LadderPublic(LadderConfig):
    model_config = ConfigDict(json_schema_extra={"examples": [{**LADDER, "version": 2}]})

    version: int = Field(description="0 while the tenant uses the platform's default ladder.")


class TransitionCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [TRANSITION]})

    to_stage: Code
    criteria_met: list[Short] = Field(default_factory=list, max_length=20)
    evidence: Text | None = None
    approver_id: uuid.UUID
    transitioned_on: date | None = None


class TransitionPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**TRANSITION, "id": example_id("transition_id"), "educator_id": RESIDENT, "seq": 4, "school_id": SCHOOL_2,
         "from_stage": "lead_teacher", "from_career_stage": "teacher_leader",
         "to_career_stage": "principal_resident", "created_at": "2026-08-17T16:40:00Z"}]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [READINESS]})

    target_stage: Code
    estimate: Readiness
    approver_id: uuid.UUID
    set_on: date | None = None


class ReadinessPublic(BaseModel):
    """The estimate for the next stage; all None (version 0) until an approver sets one."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**READINESS, "educator_id": RESIDENT, "version": 1}]})

    educator_id: uuid.UUID
    target_stage: str | None
    estimate: Readiness | None
    approver_id: uuid.UUID | None
    set_on: date | None
    version: int

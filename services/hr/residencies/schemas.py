"""The residencies API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from libs.common.fields import Strict, Text
from libs.common.openapi_examples import example_id
from services.hr.examples import RESIDENT, SCHOOL, SUPERVISOR

RESIDENCY: dict[str, Any] = {
    "resident_id": RESIDENT, "school_id": SCHOOL, "supervisor_id": SUPERVISOR, "starts_on": "2026-08-17",
    "ends_on": "2027-06-11",
    "goals": "Lead the school's grade 3-5 mathematics learning walks and their debriefs; plan and run the spring "
             "master schedule review with the principal."}


class ResidencyCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [RESIDENCY]})

    resident_id: uuid.UUID
    school_id: uuid.UUID
    supervisor_id: uuid.UUID
    starts_on: date
    ends_on: date | None = None
    goals: Text | None = None


class ResidencyEnd(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ends_on": "2027-06-11"}]})

    ends_on: date | None = None


class ResidencyPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**RESIDENCY, "id": example_id("residency_id"), "status": "active", "version": 1}]})

    id: uuid.UUID
    resident_id: uuid.UUID
    school_id: uuid.UUID
    supervisor_id: uuid.UUID
    starts_on: date
    ends_on: date | None
    goals: str | None
    status: str
    version: int

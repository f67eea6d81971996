"""The residencies API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

from libs.common.fields import Strict, Text


class ResidencyCreate(Strict):
    resident_id: uuid.UUID
    school_id: uuid.UUID
    supervisor_id: uuid.UUID
    starts_on: date
    ends_on: date | None = None
    goals: Text | None = None


class ResidencyEnd(Strict):
    ends_on: date | None = None


class ResidencyPublic(BaseModel):
    id: uuid.UUID
    resident_id: uuid.UUID
    school_id: uuid.UUID
    supervisor_id: uuid.UUID
    starts_on: date
    ends_on: date | None
    goals: str | None
    status: str
    version: int

"""The mentoring API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

from libs.common.fields import Strict


class MentorshipCreate(Strict):
    mentor_id: uuid.UUID
    mentee_id: uuid.UUID
    starts_on: date | None = None


class MentorshipEnd(Strict):
    ends_on: date | None = None


class MentorshipPublic(BaseModel):
    id: uuid.UUID
    mentor_id: uuid.UUID
    mentee_id: uuid.UUID
    school_id: uuid.UUID | None
    starts_on: date
    ends_on: date | None
    version: int


class MentoringAlert(BaseModel):
    educator_id: uuid.UUID
    school_id: uuid.UUID | None
    novice_since: date
    gap_open: bool


class CoveragePublic(BaseModel):
    schools: dict[str, dict[str, float]]

"""The professional learning API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from libs.common.fields import Code, Short, Strict


class LearningCreate(Strict):
    educator_id: uuid.UUID
    hours: float = Field(gt=0, le=1000)
    topic_code: Code | None = None
    provider: Short | None = None
    completed_on: date
    initiative_id: uuid.UUID | None = Field(None, description="The strategy initiative it serves (checked there).")


class LearningPublic(BaseModel):
    id: uuid.UUID
    educator_id: uuid.UUID
    hours: float
    topic_code: str | None
    provider: str | None
    completed_on: date
    initiative_id: uuid.UUID | None

"""The professional learning API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Short, Strict
from libs.common.openapi_examples import example_id
from services.hr.examples import EDUCATOR

# Hours of a strategy initiative's professional learning, as the district's LMS reports them.
LEARNING: dict[str, Any] = {"educator_id": EDUCATOR, "hours": 6.5, "topic_code": "MATH-DISC",
                            "provider": "Eastside Math Institute", "completed_on": "2026-10-17",
                            "initiative_id": example_id("initiative_id")}


class LearningCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [LEARNING]})

    educator_id: uuid.UUID
    hours: float = Field(gt=0, le=1000)
    topic_code: Code | None = None
    provider: Short | None = None
    completed_on: date
    initiative_id: uuid.UUID | None = Field(None, description="The strategy initiative it serves (checked there).")


class LearningPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{**LEARNING, "id": example_id("learning_id")}]})

    id: uuid.UUID
    educator_id: uuid.UUID
    hours: float
    topic_code: str | None
    provider: str | None
    completed_on: date
    initiative_id: uuid.UUID | None

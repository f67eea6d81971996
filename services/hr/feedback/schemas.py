"""The feedback API's bodies and views (the text is personal data: hr:pii, audited)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Strict, Text
from libs.common.openapi_examples import example_id
from services.hr.examples import EDUCATOR, MENTOR
from services.hr.feedback.rules import FeedbackDomain, FeedbackSource

# What the mentor saw and what to try next, described, not rated.
FEEDBACK: dict[str, Any] = {"domain": "instruction", "source_role": "mentor", "author_id": MENTOR,
            "body": "During the fractions lesson you asked three pairs to compare their number lines before "
                    "sharing an answer; two pairs moved 3/4 after the comparison. Next: try the same comparison "
                    "in Thursday's warm-up and note which pairs revise.",
            "given_on": "2026-10-06"}


class FeedbackCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [FEEDBACK]})

    domain: FeedbackDomain
    source_role: FeedbackSource
    author_id: uuid.UUID | None = Field(None, description="The mentor, supervisor or peer (an educator).")
    body: Text
    given_on: date | None = None


class FeedbackPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**FEEDBACK, "id": example_id("feedback_id"), "educator_id": EDUCATOR,
         "created_at": "2026-10-06T19:12:00Z"}]})

    id: uuid.UUID
    educator_id: uuid.UUID
    domain: FeedbackDomain
    source_role: FeedbackSource
    author_id: uuid.UUID | None
    body: str | None = Field(description="Only with the hr:pii scope.")
    given_on: date
    created_at: datetime

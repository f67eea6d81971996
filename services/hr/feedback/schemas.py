"""The feedback API's bodies and views (the text is personal data: hr:pii, audited)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from libs.common.fields import Strict, Text
from services.hr.feedback.rules import FeedbackDomain, FeedbackSource


class FeedbackCreate(Strict):
    domain: FeedbackDomain
    source_role: FeedbackSource
    author_id: uuid.UUID | None = Field(None, description="The mentor, supervisor or peer (an educator).")
    body: Text
    given_on: date | None = None


class FeedbackPublic(BaseModel):
    id: uuid.UUID
    educator_id: uuid.UUID
    domain: FeedbackDomain
    source_role: FeedbackSource
    author_id: uuid.UUID | None
    body: str | None = Field(description="Only with the hr:pii scope.")
    given_on: date
    created_at: datetime

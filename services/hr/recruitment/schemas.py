"""The recruitment API's bodies and views. Applicants' names, e-mail and ratings are personal data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from libs.common.fields import Code, Short, Strict, Text
from services.hr.models import Email
from services.hr.recruitment.rules import ApplicationStatus


class PostingCreate(Strict):
    school_id: uuid.UUID
    stage: Code = Field("novice_teacher", description="The ladder stage the role is hired at.")
    title: Short


class PostingPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    stage: str
    title: str
    status: Literal["open", "closed"]
    version: int
    created_at: datetime


class ApplicationCreate(Strict):
    given_name: Short
    family_name: Short
    email: Email | None = None
    qualifications: Text | None = None
    leadership_potential: int | None = Field(None, ge=1, le=5, description="Against the tenant's rubric, 1-5.")
    rubric_notes: Text | None = None


class ApplicationChange(Strict):
    status: ApplicationStatus | None = None
    leadership_potential: int | None = Field(None, ge=1, le=5)
    rubric_notes: Text | None = None


class ApplicationPublic(BaseModel):
    id: uuid.UUID
    posting_id: uuid.UUID
    status: ApplicationStatus
    educator_id: uuid.UUID | None
    given_name: str | None = Field(description="Personal data: only with the hr:pii scope.")
    family_name: str | None = Field(description="Personal data: only with the hr:pii scope.")
    email: str | None = Field(description="Personal data: only with the hr:pii scope.")
    qualifications: str | None = Field(description="Personal data: only with the hr:pii scope.")
    leadership_potential: int | None = Field(description="A rating: only with the hr:pii scope.")
    rubric_notes: str | None = Field(description="Only with the hr:pii scope.")
    version: int
    created_at: datetime

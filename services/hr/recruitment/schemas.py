"""The recruitment API's bodies and views. Applicants' names, e-mail and ratings are personal data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Short, Strict, Text
from libs.common.openapi_examples import example_id
from services.hr.examples import POSTING, SCHOOL
from services.hr.models import Email
from services.hr.recruitment.rules import ApplicationStatus

POSTING_CREATE: dict[str, Any] = {"school_id": SCHOOL, "stage": "novice_teacher", "title": "Grade 4 teacher (2027-28)"}
APPLICATION: dict[str, Any] = {"given_name": "Daniel", "family_name": "Reyes", "email": "d.reyes@example.org",
               "qualifications": "Elementary teaching license (K-6), 2026; student teaching in grade 4 "
                                 "mathematics and science, spring 2026."}
SCREENING: dict[str, Any] = {"status": "screened", "leadership_potential": 4,
             "rubric_notes": "Rubric row 4 (leads adult learning): planned and ran his student-teaching team's "
                             "weekly look at student work."}


class PostingCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [POSTING_CREATE]})

    school_id: uuid.UUID
    stage: Code = Field("novice_teacher", description="The ladder stage the role is hired at.")
    title: Short


class PostingPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**POSTING_CREATE, "id": POSTING, "status": "open", "version": 1, "created_at": "2027-02-16T14:00:00Z"}]})

    id: uuid.UUID
    school_id: uuid.UUID
    stage: str
    title: str
    status: Literal["open", "closed"]
    version: int
    created_at: datetime


class ApplicationCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [APPLICATION]})

    given_name: Short
    family_name: Short
    email: Email | None = None
    qualifications: Text | None = None
    leadership_potential: int | None = Field(None, ge=1, le=5, description="Against the tenant's rubric, 1-5.")
    rubric_notes: Text | None = None


class ApplicationChange(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [SCREENING]})

    status: ApplicationStatus | None = None
    leadership_potential: int | None = Field(None, ge=1, le=5)
    rubric_notes: Text | None = None


class ApplicationPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**APPLICATION, **SCREENING, "id": example_id("application_id"), "posting_id": POSTING, "educator_id": None,
         "version": 2, "created_at": "2027-02-23T17:45:00Z"}]})

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

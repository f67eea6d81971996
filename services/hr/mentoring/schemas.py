"""The mentoring API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Strict
from libs.common.openapi_examples import example_id
from services.hr.examples import EDUCATOR, MENTOR, SCHOOL, SCHOOL_2


class MentorshipCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"mentor_id": MENTOR, "mentee_id": EDUCATOR, "starts_on": "2026-09-08"}]})

    mentor_id: uuid.UUID
    mentee_id: uuid.UUID
    starts_on: date | None = None


class MentorshipEnd(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ends_on": "2027-06-11"}]})

    ends_on: date | None = None


class MentorshipPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("mentorship_id"), "mentor_id": MENTOR, "mentee_id": EDUCATOR, "school_id": SCHOOL,
         "starts_on": "2026-09-08", "ends_on": None, "version": 1}]})

    id: uuid.UUID
    mentor_id: uuid.UUID
    mentee_id: uuid.UUID
    school_id: uuid.UUID | None
    starts_on: date
    ends_on: date | None
    version: int


class MentoringAlert(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"educator_id": EDUCATOR, "school_id": SCHOOL, "novice_since": "2026-08-24", "gap_open": True}]})

    educator_id: uuid.UUID
    school_id: uuid.UUID | None
    novice_since: date
    gap_open: bool


class CoveragePublic(BaseModel):
    schools: dict[str, dict[str, float]] = Field(
        description="Per school id, and 'all': novices, those with a mentor, and the share mentored.",
        examples=[{SCHOOL: {"novices": 4, "mentored": 3, "coverage": 0.75},
                   SCHOOL_2: {"novices": 2, "mentored": 2, "coverage": 1.0},
                   "all": {"novices": 6, "mentored": 5, "coverage": 0.8333}}])

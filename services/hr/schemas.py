"""hr's API models: XCreate (POST), XUpdate (PATCH), XPublic (responses)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from libs.contracts.hr import CareerStage

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_NUL)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320,
                                         pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, named in the response


class DistrictCreate(Strict):
    name: Name
    ed_fi_id: ExternalId | None = Field(None, description="Ed-Fi localEducationAgencyId.")
    sourced_id: ExternalId | None = Field(None, description="OneRoster sourcedId.")


class DistrictUpdate(Strict):
    name: Name | None = None
    ed_fi_id: ExternalId | None = None
    sourced_id: ExternalId | None = None


class DistrictPublic(BaseModel):
    id: uuid.UUID
    name: str
    ed_fi_id: str | None
    sourced_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class SchoolCreate(Strict):
    name: Name
    district_id: uuid.UUID | None = None
    ed_fi_id: ExternalId | None = Field(None, description="Ed-Fi schoolId.")
    sourced_id: ExternalId | None = Field(None, description="OneRoster sourcedId.")


class SchoolUpdate(Strict):
    name: Name | None = None
    district_id: uuid.UUID | None = None
    ed_fi_id: ExternalId | None = None
    sourced_id: ExternalId | None = None


class SchoolPublic(DistrictPublic):
    district_id: uuid.UUID | None


class EducatorCreate(Strict):
    given_name: Name
    family_name: Name
    email: Email | None = None
    school_id: uuid.UUID | None = None
    position: Name | None = None
    career_stage: CareerStage = CareerStage.applicant
    staff_unique_id: ExternalId | None = Field(None, description="Ed-Fi staffUniqueId.")
    sourced_id: ExternalId | None = Field(None, description="OneRoster sourcedId.")


class EducatorUpdate(Strict):
    given_name: Name | None = None
    family_name: Name | None = None
    email: Email | None = None
    school_id: uuid.UUID | None = None
    position: Name | None = None
    career_stage: CareerStage | None = None
    staff_unique_id: ExternalId | None = None
    sourced_id: ExternalId | None = None


class EducatorPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID | None
    position: str | None
    career_stage: CareerStage
    staff_unique_id: str | None
    sourced_id: str | None
    given_name: str | None = Field(description="Personal data: only with the hr:pii scope.")
    family_name: str | None = Field(description="Personal data: only with the hr:pii scope.")
    email: str | None = Field(description="Personal data: only with the hr:pii scope.")
    version: int
    created_at: datetime
    updated_at: datetime


EducatorMatch = Literal["staff_unique_id", "sourced_id"]
SchoolMatch = Literal["sourced_id", "ed_fi_id"]


class EducatorBulkUpsert(Strict):
    match_on: EducatorMatch = Field("staff_unique_id", description="The external id that identifies each educator.")
    items: list[EducatorCreate] = Field(min_length=1, max_length=1000)


class SchoolBulkUpsert(Strict):
    match_on: SchoolMatch = Field("sourced_id", description="The external id that identifies each school.")
    items: list[SchoolCreate] = Field(min_length=1, max_length=1000)


class BulkItemResult(BaseModel):
    index: int
    id: uuid.UUID
    external_id: str
    outcome: Literal["created", "updated", "unchanged"]


class BulkResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    items: list[BulkItemResult]

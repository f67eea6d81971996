"""The educators API's bodies beyond the models' XCreate/XUpdate/XPublic."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from libs.common.fields import Short, Strict
from services.hr.bulk import BulkResult
from services.hr.examples import EDUCATOR_CREATE, SCHOOL, SCHOOL_2
from services.hr.models import EducatorCreate, EducatorPublic, EducatorUpdate

EducatorMatch = Literal["staff_unique_id", "sourced_id"]

# As a SIS sends them: no career_stage, the Ed-Fi classification instead.
LOADS: list[Any] = [
    {**{k: v for k, v in EDUCATOR_CREATE.items() if k != "career_stage"}, "school_id": SCHOOL,
     "staff_classification": "Teacher"},
    {"given_name": "Tomas", "family_name": "Lindqvist", "email": "t.lindqvist@example.org", "school_id": SCHOOL_2,
     "position": "Assistant principal", "staff_unique_id": "E-198342", "sourced_id": "t-8c04e7",
     "staff_classification": "Assistant Principal"},
]


class EducatorLoad(EducatorCreate):
    """A SIS record: without `career_stage`, the stage comes from the Ed-Fi classification or the
    tenant's default; a re-load keeps the stage hr holds."""

    model_config = ConfigDict(json_schema_extra={"examples": [LOADS[0]]})

    staff_classification: Short | None = Field(None, description="Ed-Fi StaffClassificationDescriptor value.",
                                               examples=["Teacher"])


class EducatorBulkUpsert(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"match_on": "staff_unique_id", "items": LOADS}]})

    match_on: EducatorMatch = Field("staff_unique_id", description="The external id that identifies each educator.")
    items: list[EducatorLoad] = Field(min_length=1, max_length=1000)


__all__ = ["BulkResult", "EducatorBulkUpsert", "EducatorCreate", "EducatorLoad", "EducatorPublic", "EducatorUpdate"]

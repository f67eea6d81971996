"""The educators API's bodies beyond the models' XCreate/XUpdate/XPublic."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from libs.common.fields import Short, Strict
from services.hr.bulk import BulkResult
from services.hr.models import EducatorCreate, EducatorPublic, EducatorUpdate

EducatorMatch = Literal["staff_unique_id", "sourced_id"]


class EducatorLoad(EducatorCreate):
    """A SIS record: without `career_stage`, the stage comes from the Ed-Fi classification or the
    tenant's default; a re-load keeps the stage hr holds."""

    staff_classification: Short | None = Field(None, description="Ed-Fi StaffClassificationDescriptor value.")


class EducatorBulkUpsert(Strict):
    match_on: EducatorMatch = Field("staff_unique_id", description="The external id that identifies each educator.")
    items: list[EducatorLoad] = Field(min_length=1, max_length=1000)


__all__ = ["BulkResult", "EducatorBulkUpsert", "EducatorCreate", "EducatorLoad", "EducatorPublic", "EducatorUpdate"]

"""The organisations API's bodies beyond the models' XCreate/XUpdate/XPublic."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from libs.common.fields import Strict
from services.hr.bulk import BulkResult
from services.hr.models import DistrictCreate, DistrictPublic, DistrictUpdate, SchoolCreate, SchoolPublic, SchoolUpdate

SchoolMatch = Literal["sourced_id", "ed_fi_id"]


class SchoolBulkUpsert(Strict):
    match_on: SchoolMatch = Field("sourced_id", description="The external id that identifies each school.")
    items: list[SchoolCreate] = Field(min_length=1, max_length=1000)


__all__ = ["BulkResult", "DistrictCreate", "DistrictPublic", "DistrictUpdate", "SchoolBulkUpsert", "SchoolCreate",
           "SchoolPublic", "SchoolUpdate"]

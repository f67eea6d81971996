"""The organisations API's bodies beyond the models' XCreate/XUpdate/XPublic."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from libs.common.fields import Strict
from services.hr.bulk import BulkResult
from services.hr.examples import SCHOOL_2_CREATE, SCHOOL_CREATE
from services.hr.models import DistrictCreate, DistrictPublic, DistrictUpdate, SchoolCreate, SchoolPublic, SchoolUpdate

SchoolMatch = Literal["sourced_id", "ed_fi_id"]


class SchoolBulkUpsert(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"match_on": "sourced_id", "items": [SCHOOL_CREATE, SCHOOL_2_CREATE]}]})

    match_on: SchoolMatch = Field("sourced_id", description="The external id that identifies each school.")
    items: list[SchoolCreate] = Field(min_length=1, max_length=1000)


__all__ = ["BulkResult", "DistrictCreate", "DistrictPublic", "DistrictUpdate", "SchoolBulkUpsert", "SchoolCreate",
           "SchoolPublic", "SchoolUpdate"]

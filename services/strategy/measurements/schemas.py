from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from libs.common.fields import ExternalId, Strict
from libs.common.openapi_examples import example_id
from services.strategy.fields import Measure, Period

MEASUREMENTS: list[Any] = [  # a trimester's results from the SIS: the writing share the goal follows, and math
    {"external_id": "sis-hms-writing-g7-2026-27-T1", "school_id": example_id("school_id"), "measure": "writing-g7",
     "period": "2026-27-T1", "value": 41.5},
    {"external_id": "sis-hms-math-g7-2026-27-T1", "school_id": example_id("school_id"), "measure": "math-g7",
     "period": "2026-27-T1", "value": 44.0}]
Source = Literal["bulk", "observations"]  # a district's load, or observations' practice-quality index


class MeasurementIn(Strict):
    external_id: ExternalId = Field(examples=[MEASUREMENTS[0]["external_id"]])
    school_id: uuid.UUID
    measure: Measure = Field(examples=["writing-g7"])
    period: Period = Field(examples=["2026-27-T1"])
    value: float = Field(allow_inf_nan=False, ge=-1e12, le=1e12, examples=[41.5])


class MeasurementBatch(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": MEASUREMENTS}]})

    items: list[MeasurementIn] = Field(min_length=1, max_length=5000)


class BatchItemResult(Strict):
    index: int
    external_id: str = Field(examples=[MEASUREMENTS[0]["external_id"]])
    outcome: Literal["created", "updated", "unchanged"]


class BatchResult(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"created": 2, "updated": 0, "unchanged": 0, "items": [
            {"index": n, "external_id": m["external_id"], "outcome": "created"} for n, m in enumerate(MEASUREMENTS)]}]})

    created: int
    updated: int
    unchanged: int
    items: list[BatchItemResult]


class MeasurementPublic(Strict):
    """A school's value of a measure for a period, loaded in bulk or from observations' practice-quality
    index."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("measurement_id"), **MEASUREMENTS[0], "source": "bulk",
        "updated_at": "2026-12-18T09:30:00Z"}]})

    id: uuid.UUID
    school_id: uuid.UUID
    measure: str
    period: str
    value: float
    source: Source
    external_id: str | None = Field(description="The SIS's id of the row (none for observations' values).")
    updated_at: datetime

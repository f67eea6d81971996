from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from libs.common.fields import ExternalId, Strict
from services.strategy.fields import Measure, Period


class MeasurementIn(Strict):
    external_id: ExternalId
    school_id: uuid.UUID
    measure: Measure
    period: Period
    value: float = Field(allow_inf_nan=False, ge=-1e12, le=1e12)


class MeasurementBatch(Strict):
    items: list[MeasurementIn] = Field(min_length=1, max_length=5000)


class BatchItemResult(Strict):
    index: int
    external_id: str
    outcome: Literal["created", "updated", "unchanged"]


class BatchResult(Strict):
    created: int
    updated: int
    unchanged: int
    items: list[BatchItemResult]

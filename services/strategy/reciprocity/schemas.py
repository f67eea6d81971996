from __future__ import annotations

import uuid
from typing import Any

from pydantic import ConfigDict, Field

from libs.common.fields import Strict
from libs.common.openapi_examples import example_id
from services.strategy.reciprocity import ledger

WEIGHTS: dict[str, Any] = {"learning": 1.0, "coaching": 1.5, "money_per_1000": 0.5, "people_time": 1.0}
WEIGHTS_PUBLIC: dict[str, Any] = {**WEIGHTS, "version": 3}
FORMULA = (ledger.__doc__ or "").split("\n\n", 1)[1].strip()  # as the ledger shows it


class WeightsIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [WEIGHTS]})

    learning: float = Field(default=1.0, ge=0, le=1000)
    coaching: float = Field(default=1.0, ge=0, le=1000)
    money_per_1000: float = Field(default=1.0, ge=0, le=1000)
    people_time: float = Field(default=1.0, ge=0, le=1000)


class WeightsPublic(WeightsIn):
    model_config = ConfigDict(json_schema_extra={"examples": [WEIGHTS_PUBLIC]})

    version: int


class CapacityParts(Strict):
    learning_hours: float
    coaching_hours: float
    money: float
    people_hours: float


class LedgerRowPublic(Strict):
    period: str = Field(examples=["2026-27"])
    demand: float
    capacity: float
    parts: CapacityParts
    ratio: float | None
    flag: bool


class LedgerPublic(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "school_id": example_id("school_id"), "weights": WEIGHTS_PUBLIC, "formula": FORMULA, "rows": [
            {"period": "2025-26", "demand": 0.2, "capacity": 222.0, "ratio": 1110.0, "flag": False,
             "parts": {"learning_hours": 60.0, "coaching_hours": 24.0, "money": 12000.0, "people_hours": 120.0}},
            {"period": "2026-27", "demand": 0.315789, "capacity": 193.25, "ratio": 611.959251, "flag": True,
             "parts": {"learning_hours": 40.0, "coaching_hours": 16.0, "money": 18500.0, "people_hours": 120.0}}]}]})

    school_id: uuid.UUID
    weights: WeightsPublic
    formula: str
    rows: list[LedgerRowPublic]

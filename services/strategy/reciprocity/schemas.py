from __future__ import annotations

import uuid

from pydantic import Field

from libs.common.fields import Strict


class WeightsIn(Strict):
    learning: float = Field(default=1.0, ge=0, le=1000)
    coaching: float = Field(default=1.0, ge=0, le=1000)
    money_per_1000: float = Field(default=1.0, ge=0, le=1000)
    people_time: float = Field(default=1.0, ge=0, le=1000)


class WeightsPublic(WeightsIn):
    version: int


class CapacityParts(Strict):
    learning_hours: float
    coaching_hours: float
    money: float
    people_hours: float


class LedgerRowPublic(Strict):
    period: str
    demand: float
    capacity: float
    parts: CapacityParts
    ratio: float | None
    flag: bool


class LedgerPublic(Strict):
    school_id: uuid.UUID
    weights: WeightsPublic
    formula: str
    rows: list[LedgerRowPublic]

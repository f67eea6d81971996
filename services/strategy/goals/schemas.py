from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from libs.common.fields import Strict
from services.strategy.fields import Measure, Period


class GoalCreate(Strict):
    school_id: uuid.UUID
    owner_id: uuid.UUID
    measure: Measure
    kind: Literal["performance", "practice_quality"] = "performance"
    polarity: Literal["higher", "lower"]
    baseline: float
    baseline_period: Period
    target: float
    due_period: Period
    due_on: date


class TrendPublic(Strict):
    direction: Literal["rising", "falling", "flat"]
    periods: int


class GoalPublic(Strict):
    id: uuid.UUID
    plan_id: uuid.UUID
    school_id: uuid.UUID
    owner_id: uuid.UUID
    measure: str
    kind: str
    polarity: str
    baseline: float
    baseline_period: str
    target: float
    due_period: str
    due_on: date
    status: Literal["open", "met", "missed"]
    latest: float | None = None
    latest_period: str | None = None
    progress: float | None = None
    variance_from_target: float | None = None
    trend: TrendPublic | None = None
    version: int

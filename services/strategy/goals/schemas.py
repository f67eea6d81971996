from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import ConfigDict

from libs.common.fields import Strict
from libs.common.openapi_examples import example_id
from services.strategy.fields import Measure, Period

GOAL_EXAMPLE: dict[str, Any] = {
    "school_id": example_id("school_id"), "owner_id": example_id("educator_id"), "measure": "writing-g7",
    "kind": "performance", "polarity": "higher", "baseline": 38.0, "baseline_period": "2025-26-T3", "target": 50.0,
    "due_period": "2026-27-T3", "due_on": "2027-06-18"}


class GoalCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [GOAL_EXAMPLE]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("goal_id"), "plan_id": example_id("plan_id"), **GOAL_EXAMPLE, "status": "open",
        "latest": 41.5, "latest_period": "2026-27-T1", "progress": 0.291667, "variance_from_target": -8.5,
        "trend": {"direction": "rising", "periods": 2}, "version": 1}]})

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


class GoalRecord(Strict):
    """A goal's own fields, as `GET /goals` lists them: what its change version follows. Its latest value,
    progress and trend come from measurements (listed, and synced, on their own); `GET /goals/{goal_id}`
    computes them."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("goal_id"), "plan_id": example_id("plan_id"), **GOAL_EXAMPLE, "status": "open",
        "version": 1, "created_at": "2026-09-01T14:05:00Z", "updated_at": "2026-09-01T14:05:00Z"}]})

    id: uuid.UUID
    plan_id: uuid.UUID
    school_id: uuid.UUID
    owner_id: uuid.UUID
    measure: str
    kind: Literal["performance", "practice_quality"]
    polarity: Literal["higher", "lower"]
    baseline: float
    baseline_period: str
    target: float
    due_period: str
    due_on: date
    status: Literal["open", "met", "missed"]
    version: int
    created_at: datetime
    updated_at: datetime

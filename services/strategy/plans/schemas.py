"""Plans and their theory of action: what the API takes and shows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from libs.common.fields import Short, Strict, Text
from services.strategy.fields import Measure, Period


class PlanCreate(Strict):
    level: Literal["district", "school"]
    district_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    title: Short
    vision: Text
    owner_id: uuid.UUID
    period_start: Period
    period_end: Period

    @model_validator(mode="after")
    def _scope(self) -> PlanCreate:
        if self.level == "school" and self.school_id is None:
            raise ValueError("a school plan needs school_id")
        if self.period_end < self.period_start:
            raise ValueError("period_end comes before period_start")
        return self


class StatementCreate(Strict):
    """If <indicator of the "if"> then <measure> moves <direction> within <lag> periods."""

    text: Text
    position: int | None = Field(default=None, ge=1, le=1000)
    if_kind: Literal["milestones", "measure"]
    if_measure: Measure | None = None
    then_measure: Measure
    direction: Literal["up", "down"] = "up"
    lag: int = Field(description="periods within which the \"then\" should signal (> 0)")

    @model_validator(mode="after")
    def _if(self) -> StatementCreate:
        if self.if_kind == "measure" and self.if_measure is None:
            raise ValueError("if_kind measure needs if_measure")
        return self


class StatementPublic(Strict):
    id: uuid.UUID
    plan_id: uuid.UUID
    position: int
    text: str
    if_kind: str
    if_measure: str | None
    then_measure: str
    direction: str
    lag: int
    verdict: Literal["untested", "supported", "contradicted"]
    evidence: dict[str, Any]
    version: int


class ItemRollup(Strict):
    status: str
    progress: float
    stale: bool


class GoalRollup(ItemRollup):
    goal_id: uuid.UUID


class PlanPublic(Strict):
    id: uuid.UUID
    level: str
    district_id: uuid.UUID | None
    school_id: uuid.UUID | None
    title: str
    vision: str
    owner_id: uuid.UUID
    period_start: str
    period_end: str
    status: str
    adopted_at: datetime | None
    version: int
    statements: list[StatementPublic] = []
    goal_ids: list[uuid.UUID] = []
    initiative_ids: list[uuid.UUID] = []
    incoherent_initiative_ids: list[uuid.UUID] = []
    rollup: ItemRollup | None = None  # the plan's initiatives
    goal_rollups: list[GoalRollup] = []  # each goal's initiatives
    freshness: float | None = None


class ReviewPublic(Strict):
    plan_id: uuid.UUID
    freshness: float | None
    stale_initiative_ids: list[uuid.UUID]
    stale_milestone_ids: list[uuid.UUID]

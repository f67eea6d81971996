from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field

from libs.common.fields import Short, Strict, Text
from libs.common.openapi_examples import example_id
from services.strategy.fields import Period
from services.strategy.plans.schemas import ItemRollup

INITIATIVE_TITLE = "Weekly looking-at-student-work meetings in grade 7"
MILESTONE_TITLE = "Every grade 7 team meets weekly over its students' writing"
ALLOCATION_EXAMPLE: dict[str, Any] = {
    "school_id": example_id("school_id"), "period": "2026-27", "money": 18500.0, "hours": 120.0}
MILESTONE_EXAMPLE: dict[str, Any] = {
    "title": MILESTONE_TITLE, "owner_id": example_id("educator_id"), "due_period": "2026-27-T1",
    "due_on": "2026-11-20"}
INITIATIVE_EXAMPLE: dict[str, Any] = {
    "title": INITIATIVE_TITLE, "owner_id": example_id("educator_id"), "goal_id": example_id("goal_id"),
    "statement_id": example_id("statement_id"), "start_period": "2026-27-T1", "starts_on": "2026-09-14",
    "cadence_days": 30, "grace_days": 7}


class AllocationIn(Strict):
    school_id: uuid.UUID
    period: Period = Field(description="the ledger's school year, e.g. 2026-27", examples=["2026-27"])
    money: float = Field(ge=0, le=1e12, examples=[18500.0])
    hours: float = Field(ge=0, le=1e9, description="people-time, in hours", examples=[120.0])


class MilestoneIn(Strict):
    title: Short = Field(examples=[MILESTONE_TITLE])
    owner_id: uuid.UUID = Field(examples=[example_id("educator_id")])
    due_period: Period = Field(examples=["2026-27-T1"])
    due_on: date


class InitiativeCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**INITIATIVE_EXAMPLE, "allocations": [ALLOCATION_EXAMPLE], "milestones": [MILESTONE_EXAMPLE]}]})

    title: Short
    owner_id: uuid.UUID
    goal_id: uuid.UUID | None = None
    statement_id: uuid.UUID | None = None
    start_period: Period
    starts_on: date
    cadence_days: int = Field(default=30, ge=1, le=366)
    grace_days: int = Field(default=7, ge=0, le=366)
    allocations: list[AllocationIn] = Field(default=[], max_length=1000)
    milestones: list[MilestoneIn] = Field(default=[], max_length=200)


class StatusUpdateIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"status": "on_track", "progress": 0.35, "as_of": "2026-10-05",
         "note": "All grade 7 teams met weekly in September; two still come without student work."}]})

    status: Literal["on_track", "at_risk", "off_track", "done", "cancelled"]
    progress: float = Field(ge=0, le=1)
    as_of: date
    note: Text | None = None
    milestone_id: uuid.UUID | None = None


class MilestonePublic(Strict):
    id: uuid.UUID
    title: str = Field(examples=[MILESTONE_TITLE])
    owner_id: uuid.UUID = Field(examples=[example_id("educator_id")])
    due_period: str = Field(examples=["2026-27-T1"])
    due_on: date
    status: str = Field(examples=["on_track"])
    progress: float
    last_update_on: date | None
    stale: bool


class AllocationPublic(AllocationIn):
    pass


class InitiativePublic(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("initiative_id"), "plan_id": example_id("plan_id"), **INITIATIVE_EXAMPLE,
        "incoherent": False, "status": "on_track", "progress": 0.35, "last_update_on": "2026-10-05",
        "next_update_due": "2026-11-04", "stale": False, "allocations": [ALLOCATION_EXAMPLE],
        "milestones": [{"id": example_id("milestone_id"), **MILESTONE_EXAMPLE, "status": "on_track", "progress": 0.5,
                        "last_update_on": "2026-10-05", "stale": False}],
        "rollup": {"status": "on_track", "progress": 0.5, "stale": False}, "version": 2}]})

    id: uuid.UUID
    plan_id: uuid.UUID
    goal_id: uuid.UUID | None
    statement_id: uuid.UUID | None
    incoherent: bool
    owner_id: uuid.UUID
    title: str
    start_period: str
    starts_on: date
    cadence_days: int
    grace_days: int
    status: str
    progress: float
    last_update_on: date | None
    next_update_due: date
    stale: bool
    allocations: list[AllocationPublic]
    milestones: list[MilestonePublic]
    rollup: ItemRollup = Field(description="With its milestones, as its goal and plan count it: the worst live "
                                           "status, their mean progress, stale if any is.")
    version: int

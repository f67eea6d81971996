from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from libs.common.fields import Short, Strict, Text
from services.strategy.fields import Period


class AllocationIn(Strict):
    school_id: uuid.UUID
    period: Period = Field(description="the ledger's school year, e.g. 2026-27")
    money: float = Field(ge=0, le=1e12)
    hours: float = Field(ge=0, le=1e9, description="people-time, in hours")


class MilestoneIn(Strict):
    title: Short
    owner_id: uuid.UUID
    due_period: Period
    due_on: date


class InitiativeCreate(Strict):
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
    status: Literal["on_track", "at_risk", "off_track", "done", "cancelled"]
    progress: float = Field(ge=0, le=1)
    as_of: date
    note: Text | None = None
    milestone_id: uuid.UUID | None = None


class MilestonePublic(Strict):
    id: uuid.UUID
    title: str
    owner_id: uuid.UUID
    due_period: str
    due_on: date
    status: str
    progress: float
    last_update_on: date | None
    stale: bool


class AllocationPublic(AllocationIn):
    pass


class InitiativePublic(Strict):
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
    version: int

"""Plans and their theory of action: what the API takes and shows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from libs.common.fields import Short, Strict, Text
from libs.common.openapi_examples import example_id
from services.strategy.fields import Measure, Period

PLAN_TITLE = "Writing across the middle grades, 2026-27"
PLAN_VISION = ("Every middle grades student writes an argument from evidence to the standard, and revises it "
               "with feedback from peers and teachers.")
STATEMENT_TEXT = ("If every grade 7 team holds a weekly looking-at-student-work meeting, then the share of grade 7 "
                  "students meeting the writing standard rises from 38% to 50% by June 2027.")
STATEMENT_EXAMPLE: dict[str, Any] = {
    "id": example_id("statement_id"), "plan_id": example_id("plan_id"), "position": 1, "text": STATEMENT_TEXT,
    "if_kind": "milestones", "if_measure": None, "if_direction": "up", "then_measure": "writing-g7",
    "direction": "up", "lag": 2, "verdict": "untested",
    "evidence": {example_id("school_id"): {"verdict": "untested", "reason": "the \"if\" has not moved yet"}},
    "version": 1}


class PlanCreate(Strict):
    """A district plan names its district; a school plan its school (and, optionally, that school's district).
    The rules across fields (plans/scope.py) are the service's, so a refusal names the field."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"level": "district", "district_id": example_id("district_id"), "title": PLAN_TITLE, "vision": PLAN_VISION,
         "owner_id": example_id("educator_id"), "period_start": "2026-27-T1", "period_end": "2026-27-T3"}]})

    level: Literal["district", "school"]
    district_id: uuid.UUID | None = Field(None, description="Required for a district plan: a district of hr's "
                                                            "directory (one of its schools names it). A school "
                                                            "plan without one takes its school's.")
    school_id: uuid.UUID | None = Field(None, description="Required for a school plan.")
    title: Short
    vision: Text
    owner_id: uuid.UUID
    period_start: Period
    period_end: Period


class StatementCreate(Strict):
    """If <indicator of the "if"> then <measure> moves <direction> within <lag> periods."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"text": STATEMENT_TEXT, "if_kind": "milestones", "then_measure": "writing-g7", "direction": "up",
         "lag": 2}]})

    text: Text
    position: int | None = Field(default=None, ge=1, le=1000)
    if_kind: Literal["milestones", "measure"]
    if_measure: Measure | None = None
    if_direction: Literal["up", "down"] = Field(
        "up", description="How the \"if\" measure moves when the action takes hold (`measure` statements): "
                          "`down` for, say, absences or referrals falling.")
    then_measure: Measure
    direction: Literal["up", "down"] = Field("up", description="How the \"then\" measure is expected to move.")
    lag: int = Field(description="periods within which the \"then\" should signal (> 0)")

    @model_validator(mode="after")
    def _if(self) -> StatementCreate:
        if self.if_kind == "measure" and self.if_measure is None:
            raise ValueError("if_kind measure needs if_measure")
        return self


class StatementPublic(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [STATEMENT_EXAMPLE]})

    id: uuid.UUID
    plan_id: uuid.UUID
    position: int
    text: str
    if_kind: str
    if_measure: str | None
    if_direction: str
    then_measure: str
    direction: str
    lag: int
    verdict: Literal["untested", "supported", "contradicted"]
    evidence: dict[str, Any]
    version: int


class ItemRollup(Strict):
    status: str = Field(examples=["on_track"])
    progress: float
    stale: bool


class GoalRollup(ItemRollup):
    goal_id: uuid.UUID


class PlanPublic(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("plan_id"), "level": "district", "district_id": example_id("district_id"),
        "school_id": None, "title": PLAN_TITLE, "vision": PLAN_VISION, "owner_id": example_id("educator_id"),
        "period_start": "2026-27-T1", "period_end": "2026-27-T3", "status": "adopted",
        "adopted_at": "2026-09-10T15:00:00Z", "version": 2, "statements": [STATEMENT_EXAMPLE],
        "goal_ids": [example_id("goal_id")], "initiative_ids": [example_id("initiative_id")],
        "incoherent_initiative_ids": [], "rollup": {"status": "on_track", "progress": 0.35, "stale": False},
        "goal_rollups": [{"status": "on_track", "progress": 0.35, "stale": False, "goal_id": example_id("goal_id")}],
        "freshness": 1.0}]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"plan_id": example_id("plan_id"), "freshness": 0.5, "stale_initiative_ids": [example_id("initiative_id")],
         "stale_milestone_ids": []}]})

    plan_id: uuid.UUID
    freshness: float | None
    stale_initiative_ids: list[uuid.UUID]
    stale_milestone_ids: list[uuid.UUID]


class PlanRecord(Strict):
    """A plan's own fields, as `GET /plans` lists them: what its change version follows. Its statements,
    goals, initiatives and roll-ups are `GET /plans/{plan_id}`'s (goals are listed, and synced, on their own)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("plan_id"), "level": "district", "district_id": example_id("district_id"),
        "school_id": None, "title": PLAN_TITLE, "vision": PLAN_VISION, "owner_id": example_id("educator_id"),
        "period_start": "2026-27-T1", "period_end": "2026-27-T3", "status": "adopted",
        "adopted_at": "2026-09-10T15:00:00Z", "version": 2, "created_at": "2026-09-01T14:00:00Z",
        "updated_at": "2026-09-10T15:00:00Z"}]})

    id: uuid.UUID
    level: Literal["district", "school"]
    district_id: uuid.UUID | None
    school_id: uuid.UUID | None
    title: str
    vision: str
    owner_id: uuid.UUID
    period_start: str
    period_end: str
    status: Literal["draft", "adopted"]
    adopted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

"""PDSA cycles of a change idea (a problem of practice's driver diagram)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from libs.common.fields import Strict, Text
from services.networks.cycles.pdsa import Decision, Stage


class PlanQuestion(Strict):
    question: Text
    prediction: Text | None = None


class CycleCreate(Strict):
    problem_of_practice_id: uuid.UUID
    change_idea_id: uuid.UUID
    school_id: uuid.UUID
    questions: list[PlanQuestion] = Field(min_length=1, max_length=20)
    plan: Text = Field(description="Who does what, where and when; the data to collect.")


class DoStep(Strict):
    as_planned: bool
    observations: Text


class StudyResult(Strict):
    question_index: int = Field(ge=0)
    result: Text


class StudyStep(Strict):
    studied_on: date
    results: list[StudyResult] = Field(min_length=1, max_length=20)


class ActStep(Strict):
    decision: Decision
    acted_on: date
    notes: Text | None = None


class CyclePublic(BaseModel):
    id: uuid.UUID
    problem_of_practice_id: uuid.UUID
    change_idea_id: uuid.UUID
    school_id: uuid.UUID
    plan: dict[str, object]
    do: dict[str, object] | None
    study: dict[str, object] | None
    decision: Decision | None
    stage: Stage
    version: int

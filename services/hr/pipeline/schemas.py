"""The pipeline API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from libs.common.fields import Code, Short, Strict


class PostCreate(Strict):
    school_id: uuid.UUID
    stage: Code = Field(description="The ladder stage the post is held at (principal).")
    title: Short
    incumbent_id: uuid.UUID | None = None


class PostPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    stage: str
    title: str
    incumbent_id: uuid.UUID | None
    version: int


class PostBench(BaseModel):
    post_id: uuid.UUID
    school_id: uuid.UUID
    stage: str
    title: str
    ready_now: int = Field(description="Ready-now successors (target: above 1).")


class PipelineAnalytics(BaseModel):
    computed_at: datetime
    educators: int
    counts_per_stage: dict[str, int]
    median_days_in_stage: dict[str, float]
    mentoring_coverage: dict[str, dict[str, float]] = Field(description="Per school id, and 'all'.")
    bench_strength: list[PostBench]
    bench_by_school: dict[str, dict[str, int]]
    succession_risk: list[uuid.UUID] = Field(description="Posts with no ready-now successor.")
    vacancy_forecast: dict[str, dict[str, float]] = Field(description="Per stage: posts x yearly exit rate.")

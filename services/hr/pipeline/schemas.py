"""The pipeline API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Short, Strict
from libs.common.openapi_examples import example_id
from services.hr.examples import POST, SCHOOL, SCHOOL_2, SCHOOL_2_NAME, SCHOOL_NAME

# The second school's principal post: its assistant principal (the resident) is ready now to succeed.
POST_CREATE: dict[str, Any] = {"school_id": SCHOOL_2, "stage": "principal", "title": f"Principal, {SCHOOL_2_NAME}",
               "incumbent_id": example_id("incumbent_id")}
POST_2 = example_id("post_id_2")


class PostCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [POST_CREATE]})

    school_id: uuid.UUID
    stage: Code = Field(description="The ladder stage the post is held at (principal).")
    title: Short
    incumbent_id: uuid.UUID | None = None


class PostPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{**POST_CREATE, "id": POST, "version": 1}]})

    id: uuid.UUID
    school_id: uuid.UUID
    stage: str
    title: str
    incumbent_id: uuid.UUID | None
    version: int


class PostBench(BaseModel):
    post_id: uuid.UUID = Field(examples=[POST])
    school_id: uuid.UUID = Field(examples=[SCHOOL_2])
    stage: str = Field(examples=["principal"])
    title: str = Field(examples=[f"Principal, {SCHOOL_2_NAME}"])
    ready_now: int = Field(description="Ready-now successors (target: above 1).")


class PipelineAnalytics(BaseModel):
    """A small district: two schools, a principal post in each; one has a ready-now successor."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "computed_at": "2027-02-01T06:00:00Z", "educators": 58,
        "counts_per_stage": {"applicant": 3, "novice_teacher": 6, "intermediate_teacher": 38, "lead_teacher": 7,
                             "assistant_principal": 2, "principal": 2},
        "median_days_in_stage": {"novice_teacher": 402.0, "intermediate_teacher": 1460.0, "lead_teacher": 912.5,
                                 "assistant_principal": 540.0, "principal": 1825.0},
        "mentoring_coverage": {SCHOOL: {"novices": 4, "mentored": 3, "coverage": 0.75},
                               SCHOOL_2: {"novices": 2, "mentored": 2, "coverage": 1.0},
                               "all": {"novices": 6, "mentored": 5, "coverage": 0.8333}},
        "bench_strength": [
            {"post_id": POST, "school_id": SCHOOL_2, "stage": "principal", "title": f"Principal, {SCHOOL_2_NAME}",
             "ready_now": 1},
            {"post_id": POST_2, "school_id": SCHOOL, "stage": "principal", "title": f"Principal, {SCHOOL_NAME}",
             "ready_now": 0}],
        "bench_by_school": {SCHOOL_2: {"posts": 1, "ready_now": 1, "at_risk": 0},
                            SCHOOL: {"posts": 1, "ready_now": 0, "at_risk": 1}},
        "succession_risk": [POST_2],
        "vacancy_forecast": {"principal": {"posts": 2, "exit_rate": 0.1667, "expected_vacancies": 0.33}}}]})

    computed_at: datetime
    educators: int
    counts_per_stage: dict[str, int]
    median_days_in_stage: dict[str, float]
    mentoring_coverage: dict[str, dict[str, float]] = Field(description="Per school id, and 'all'.")
    bench_strength: list[PostBench]
    bench_by_school: dict[str, dict[str, int]]
    succession_risk: list[uuid.UUID] = Field(description="Posts with no ready-now successor.")
    vacancy_forecast: dict[str, dict[str, float]] = Field(description="Per stage: posts x yearly exit rate.")

"""The practice library: practices, their adoptions, and the published (cross-tenant) view."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Short, Strict, Text
from libs.common.openapi_examples import example_id

TITLE = "Turn and talk before whole-class discussion"
DESCRIPTION = ("Before the whole-class discussion of a launch problem, the teacher gives pairs two minutes to "
               "explain their strategy to each other with a sentence frame (\"I know because...\"), listens in "
               "on three pairs, and calls on one of them to start the discussion with their reasoning.")
EVIDENCE: dict[str, Any] = {"visit_ids": [example_id("visit_id")], "record_ids": [example_id("record_id")]}
TAGS: list[Any] = ["talk", "reasoning"]
SPREAD: dict[str, Any] = {"schools": 2, "networks": 1, "days_to_first_adoption": 18}
OUTCOME = "More students explain with a second representation; the discussion starts from student reasoning"


class Visibility(StrEnum):
    network = "network"
    tenant = "tenant"
    published = "published"


class Stage(StrEnum):
    """The stage of improvement a practice suits (poor to fair, fair to good, good to great, great to excellent)."""

    poor_to_fair = "poor_to_fair"
    fair_to_good = "fair_to_good"
    good_to_great = "good_to_great"
    great_to_excellent = "great_to_excellent"


class Evidence(Strict):
    """De-identified references to observations' visits and records the practice rests on."""

    visit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    record_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class PracticeCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"title": TITLE, "description": DESCRIPTION, "origin_school_id": example_id("host_school_id"),
         "network_id": example_id("network_id"), "contributor_ids": [example_id("chair_id")],
         "evidence": EVIDENCE, "stage": "fair_to_good", "tags": TAGS, "visibility": "network"}]})

    title: Short
    description: Text
    origin_school_id: uuid.UUID
    network_id: uuid.UUID | None = None
    contributor_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    evidence: Evidence = Evidence()
    stage: Stage
    tags: list[Code] = Field(default_factory=list, max_length=30)
    visibility: Visibility = Visibility.network


class PracticeUpdate(Strict):
    """Any field left out stays as it is; `visibility: published` publishes the practice to all tenants
    (a published practice stays published)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"tags": [*TAGS, "math"], "visibility": "published"}]})

    title: Short | None = None
    description: Text | None = None
    stage: Stage | None = None
    tags: list[Code] | None = Field(default=None, max_length=30)
    visibility: Visibility | None = None


class AdoptionCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"school_id": example_id("school_id"), "network_id": example_id("network_id"), "adopted_on": "2026-12-01",
         "outcome_notes": OUTCOME}]})

    school_id: uuid.UUID
    network_id: uuid.UUID | None = None
    adopted_on: date
    outcome_notes: Text


class SpreadPublic(BaseModel):
    schools: int = Field(examples=[SPREAD["schools"]])
    networks: int = Field(examples=[SPREAD["networks"]])
    days_to_first_adoption: int | None = Field(examples=[SPREAD["days_to_first_adoption"]])


class PracticePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("practice_id"), "title": TITLE, "description": DESCRIPTION,
         "origin_school_id": example_id("host_school_id"), "network_id": example_id("network_id"),
         "contributor_ids": [example_id("chair_id")], "evidence": EVIDENCE, "stage": "fair_to_good", "tags": TAGS,
         "visibility": "published", "published_at": "2026-11-13T16:45:00Z", "spread": SPREAD, "version": 2}]})

    id: uuid.UUID
    title: str
    description: str
    origin_school_id: uuid.UUID
    network_id: uuid.UUID | None
    contributor_ids: list[uuid.UUID]
    evidence: Evidence
    stage: Stage
    tags: list[str]
    visibility: Visibility
    published_at: datetime | None
    spread: SpreadPublic
    version: int


class PublishedPractice(BaseModel):
    """A practice as every tenant sees it: no contributor ids, nothing personal; who published it."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("practice_id"), "published_by_tenant": "district-a", "title": TITLE,
         "description": DESCRIPTION, "origin_school_id": example_id("host_school_id"), "evidence": EVIDENCE,
         "stage": "fair_to_good", "tags": TAGS, "published_at": "2026-11-13T16:45:00Z", "spread": SPREAD}]})

    id: uuid.UUID
    published_by_tenant: str
    title: str
    description: str
    origin_school_id: uuid.UUID
    evidence: Evidence
    stage: Stage
    tags: list[str]
    published_at: datetime | None = Field(description="None: the caller's own practice, not yet published.")
    spread: SpreadPublic


class AdoptionPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("adoption_id"), "practice_id": example_id("practice_id"),
         "practice_tenant_id": "district-a", "school_id": example_id("school_id"),
         "network_id": example_id("network_id"), "adopted_on": "2026-12-01", "outcome_notes": OUTCOME}]})

    id: uuid.UUID
    practice_id: uuid.UUID
    practice_tenant_id: str
    school_id: uuid.UUID
    network_id: uuid.UUID | None
    adopted_on: date
    outcome_notes: str

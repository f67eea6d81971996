"""The practice library: practices, their adoptions, and the published (cross-tenant) view."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from libs.common.fields import Code, Short, Strict, Text


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

    title: Short | None = None
    description: Text | None = None
    stage: Stage | None = None
    tags: list[Code] | None = Field(default=None, max_length=30)
    visibility: Visibility | None = None


class AdoptionCreate(Strict):
    school_id: uuid.UUID
    network_id: uuid.UUID | None = None
    adopted_on: date
    outcome_notes: Text


class SpreadPublic(BaseModel):
    schools: int
    networks: int
    days_to_first_adoption: int | None


class PracticePublic(BaseModel):
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
    id: uuid.UUID
    practice_id: uuid.UUID
    practice_tenant_id: str
    school_id: uuid.UUID
    network_id: uuid.UUID | None
    adopted_on: date
    outcome_notes: str

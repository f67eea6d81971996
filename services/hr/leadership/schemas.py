"""The leadership API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from libs.common.fields import Short, Strict
from services.hr.leadership.rules import TLMSDomain


class ResponsibilityCreate(Strict):
    title: Short
    domains: list[TLMSDomain] = Field(min_length=1, max_length=7)
    starts_on: date
    ends_on: date | None = None


class ResponsibilityPublic(BaseModel):
    id: uuid.UUID
    educator_id: uuid.UUID
    title: str
    domains: list[TLMSDomain]
    starts_on: date
    ends_on: date | None
    source: str = Field(description="recorded, or network_meeting (from networks' meeting held)")
    source_id: uuid.UUID | None


class SignalPublic(BaseModel):
    id: uuid.UUID
    educator_id: uuid.UUID
    network_id: uuid.UUID | None
    period: str
    periods: int
    betweenness_percentile: float

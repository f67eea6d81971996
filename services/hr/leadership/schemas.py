"""The leadership API's bodies and views."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Short, Strict
from libs.common.openapi_examples import example_id
from services.hr.examples import MENTOR, NETWORK
from services.hr.leadership.rules import TLMSDomain

# The mentor leads her grade team's learning: Teacher Leader Model Standards domains I and IV.
RESPONSIBILITY: dict[str, Any] = {"title": "Grade 4 mathematics team lead",
                                  "domains": ["collaborative_culture", "instruction"],
                                  "starts_on": "2026-08-24", "ends_on": "2027-06-11"}


class ResponsibilityCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [RESPONSIBILITY]})

    title: Short
    domains: list[TLMSDomain] = Field(min_length=1, max_length=7)
    starts_on: date
    ends_on: date | None = None


class ResponsibilityPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**RESPONSIBILITY, "id": example_id("responsibility_id"), "educator_id": MENTOR, "source": "recorded",
         "source_id": None}]})

    id: uuid.UUID
    educator_id: uuid.UUID
    title: str
    domains: list[TLMSDomain]
    starts_on: date
    ends_on: date | None
    source: str = Field(description="recorded, or network_meeting (from networks' meeting held)")
    source_id: uuid.UUID | None


class SignalPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("signal_id"), "educator_id": MENTOR, "network_id": NETWORK, "period": "2026-11",
         "periods": 3, "betweenness_percentile": 0.9091}]})

    id: uuid.UUID
    educator_id: uuid.UUID
    network_id: uuid.UUID | None
    period: str
    periods: int
    betweenness_percentile: float

"""Memberships: an educator in a network, for their school, in a role."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Strict
from libs.common.openapi_examples import example_id


class Role(StrEnum):
    member = "member"
    facilitator = "facilitator"
    apprentice_facilitator = "apprentice_facilitator"
    coordinator = "coordinator"


class MembershipCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"educator_id": example_id("educator_id"), "school_id": example_id("school_id"), "role": "facilitator",
         "tags": ["talk", "reasoning"], "starts_on": "2026-09-01"}]})

    educator_id: uuid.UUID
    school_id: uuid.UUID
    role: Role = Role.member
    tags: list[Code] = Field(default_factory=list, max_length=30, description="The member's expertise.")
    starts_on: date


class MembershipEnd(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ends_on": "2027-06-30"}]})

    ends_on: date


class MembershipPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("membership_id"), "network_id": example_id("network_id"),
         "educator_id": example_id("educator_id"), "school_id": example_id("school_id"), "role": "facilitator",
         "tags": ["talk", "reasoning"], "starts_on": "2026-09-01", "ends_on": None, "version": 1}]})

    id: uuid.UUID
    network_id: uuid.UUID
    educator_id: uuid.UUID
    school_id: uuid.UUID
    role: Role
    tags: list[str]
    starts_on: date
    ends_on: date | None
    version: int

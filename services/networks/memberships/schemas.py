"""Memberships: an educator in a network, for their school, in a role."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from libs.common.fields import Code, Strict


class Role(StrEnum):
    member = "member"
    facilitator = "facilitator"
    apprentice_facilitator = "apprentice_facilitator"
    coordinator = "coordinator"


class MembershipCreate(Strict):
    educator_id: uuid.UUID
    school_id: uuid.UUID
    role: Role = Role.member
    tags: list[Code] = Field(default_factory=list, max_length=30, description="The member's expertise.")
    starts_on: date


class MembershipEnd(Strict):
    ends_on: date


class MembershipPublic(BaseModel):
    id: uuid.UUID
    network_id: uuid.UUID
    educator_id: uuid.UUID
    school_id: uuid.UUID
    role: Role
    tags: list[str]
    starts_on: date
    ends_on: date | None
    version: int

"""Protocols' API models: a protocol, its immutable versions and their look-fors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from libs.common.fields import Code, Short, Strict

Purpose = Literal["instructional_rounds", "learning_walk", "peer_observation", "coaching_visit"]


class LookFor(Strict):
    code: Code
    description: Short
    domain: Literal["task", "teacher", "students", "environment"]
    weight: float = Field(1.0, ge=-5, le=5, description=(
        "Its weight in the practice-quality index; negative: a practice the network wants to see less of "
        "(counted as 1 - share)."))


class ProtocolCreate(Strict):
    name: Short
    purpose: Purpose = "instructional_rounds"
    look_fors: list[LookFor] = Field(min_length=1, max_length=100)


class ProtocolVersionCreate(Strict):
    look_fors: list[LookFor] = Field(min_length=1, max_length=100)


class ProtocolVersionPublic(BaseModel):
    id: uuid.UUID
    protocol_id: uuid.UUID
    number: int
    look_fors: list[LookFor]
    created_at: datetime


class ProtocolPublic(BaseModel):
    id: uuid.UUID
    name: str
    purpose: Purpose
    created_at: datetime
    versions: list[ProtocolVersionPublic]

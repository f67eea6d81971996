"""Protocols' API models: a protocol, its immutable versions and their look-fors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Short, Strict
from services.observations.examples import LOOK_FOR_2, LOOK_FORS, PROTOCOL, PROTOCOL_VERSION_EXAMPLE

Purpose = Literal["instructional_rounds", "learning_walk", "peer_observation", "coaching_visit"]
PROTOCOL_NAME = "Grades 4-5 mathematics rounds: explaining reasoning"


class LookFor(Strict):
    code: Code = Field(examples=["S1"])
    description: Short = Field(examples=["Students explain their reasoning to each other"])
    domain: Literal["task", "teacher", "students", "environment"] = Field(examples=["students"])
    weight: float = Field(1.0, ge=-5, le=5, description=(
        "Its weight in the practice-quality index; negative: a practice the network wants to see less of "
        "(counted as 1 - share)."))


class ProtocolCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": PROTOCOL_NAME, "purpose": "instructional_rounds", "look_fors": LOOK_FORS}]})

    name: Short
    purpose: Purpose = "instructional_rounds"
    look_fors: list[LookFor] = Field(min_length=1, max_length=100)


class ProtocolVersionCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"look_fors": [*LOOK_FORS, LOOK_FOR_2]}]})

    look_fors: list[LookFor] = Field(min_length=1, max_length=100)


class ProtocolVersionPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PROTOCOL_VERSION_EXAMPLE]})

    id: uuid.UUID
    protocol_id: uuid.UUID
    number: int
    look_fors: list[LookFor]
    created_at: datetime


class ProtocolPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": PROTOCOL, "name": PROTOCOL_NAME, "purpose": "instructional_rounds",
         "created_at": "2026-09-08T15:00:00Z", "versions": [PROTOCOL_VERSION_EXAMPLE]}]})

    id: uuid.UUID
    name: str
    purpose: Purpose
    created_at: datetime
    versions: list[ProtocolVersionPublic]

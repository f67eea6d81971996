"""Networks: what a caller sends and reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Short, Strict, Text
from libs.common.openapi_examples import example_id

NETWORK_SCHOOLS: list[Any] = [example_id("school_id"), example_id("host_school_id"), example_id("next_host_school_id")]
NAME = "Eastside middle-grades mathematics network"
FOCUS = "Students explaining and justifying their reasoning in grades 6-8 mathematics"
NORMS: list[Any] = ["Describe, do not judge", "Start and end on time", "The host school's questions come first"]


class NetworkKind(StrEnum):
    teachers = "teachers"
    principals = "principals"
    superintendents = "superintendents"
    mixed = "mixed"


class NetworkCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": NAME, "kind": "mixed", "focus": FOCUS, "school_ids": NETWORK_SCHOOLS, "cadence": "monthly",
         "norms": NORMS}]})

    name: Short
    kind: NetworkKind
    focus: Text
    school_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    cadence: Short = "monthly"
    norms: list[Short] = Field(default_factory=list, max_length=50)


class NormsUpdate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"norms": [*NORMS, "Every visit ends with a next level of work"]}]})

    norms: list[Short] = Field(max_length=50)


class NormsVersion(BaseModel):
    number: int = Field(examples=[1])
    norms: list[str] = Field(examples=[NORMS])
    created_at: datetime


class NetworkPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("network_id"), "name": NAME, "kind": "mixed", "focus": FOCUS,
         "school_ids": NETWORK_SCHOOLS, "district_ids": [example_id("district_id")], "cadence": "monthly",
         "norms": {"number": 1, "norms": NORMS, "created_at": "2026-09-08T15:00:00Z"}, "version": 1}]})

    id: uuid.UUID
    name: str
    kind: NetworkKind
    focus: str
    school_ids: list[uuid.UUID]
    district_ids: list[uuid.UUID]
    cadence: str
    norms: NormsVersion | None
    version: int


class HostedMeeting(BaseModel):
    meeting_date: date
    host_school_id: uuid.UUID


class HostRotation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"next_host_school_id": example_id("next_host_school_id"),
         "hosted": [{"meeting_date": "2026-09-17", "host_school_id": example_id("school_id")},
                    {"meeting_date": "2026-10-15", "host_school_id": example_id("host_school_id")}]}]})

    next_host_school_id: uuid.UUID | None
    hosted: list[HostedMeeting]

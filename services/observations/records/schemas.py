"""Records' API models: an observer's record of one classroom, its notes and their evidence verdicts,
and describe: the visit's notes for the team, each observer's selection, the team's screening."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from libs.common.fields import ClientId, Code, Short, Strict, Text
from services.observations.examples import (
    CLASSROOM,
    CLASSROOM_2,
    NOTE_IN,
    NOTE_IN_2,
    NOTE_PUBLIC,
    NOTE_PUBLIC_2,
    NOTE_TEXT,
    OBSERVER,
    RECORD,
    RECORD_2,
    VISIT,
)
from services.observations.visits.lifecycle import RecordStatus

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
OFFLINE_RECORD = "tablet-07:record-0412"  # a device's own ids
OFFLINE_NOTE = "tablet-07:note-0031"


class NoteIn(Strict):
    observed_at: AwareDatetime = Field(examples=["2026-11-24T14:05:00Z"])
    text: Text = Field(examples=[NOTE_TEXT])
    look_for_codes: list[Code] = Field(default_factory=list, max_length=20, examples=[["T1"]])
    language: Language | None = Field(None, description="Detected when not given; a language the check does "
                                                        "not support is answered 'unchecked'.", examples=["en"])
    client_id: ClientId | None = Field(None, description="A device's own id for a note captured offline.",
                                       examples=[OFFLINE_NOTE])


class Flag(BaseModel):
    term: str = Field(examples=["seemed"])
    kind: str = Field(examples=["inference"])
    suggestion: str = Field(examples=["An inner state is inferred, not seen: write what students did or said "
                                      "that made you think so."])


class NotePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [NOTE_PUBLIC]})

    id: uuid.UUID
    observed_at: datetime
    text: str
    look_for_codes: list[str]
    language: str
    descriptive: bool
    verdict: Literal["descriptive", "evaluative", "identifying", "unchecked"] = "descriptive"
    quotes: list[str] = Field(default_factory=list, description="Quoted speech or text in the room: evidence.")
    flags: list[Flag]
    selected: bool = False
    screening: Literal["accepted", "rejected"] | None = None
    screening_reason: str | None = None


class VisitNotePublic(NotePublic):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**NOTE_PUBLIC, "selected": True, "screening": "accepted", "record_id": RECORD, "classroom_id": CLASSROOM,
         "observer_id": OBSERVER}]})

    record_id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID


class RecordCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"classroom_id": CLASSROOM, "observer_id": OBSERVER, "notes": [NOTE_IN]}]})

    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    notes: list[NoteIn] = Field(default_factory=list, max_length=500)


class RecordUpdate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"notes": [NOTE_IN, NOTE_IN_2]}]})

    notes: list[NoteIn] = Field(max_length=500, description="The record's whole set of notes (autosave).")


class RecordTransition(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"to": "submitted"}]})

    to: Literal["submitted", "reopened"]


class RecordPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": RECORD, "visit_id": VISIT, "classroom_id": CLASSROOM, "observer_id": OBSERVER, "status": "draft",
         "version": 3, "notes": [NOTE_PUBLIC, NOTE_PUBLIC_2], "created_at": "2026-11-24T14:01:00Z",
         "updated_at": "2026-11-24T14:13:00Z"}]})

    id: uuid.UUID
    visit_id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    status: RecordStatus
    version: int
    notes: list[NotePublic]
    created_at: datetime
    updated_at: datetime


class RecordSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": RECORD, "classroom_id": CLASSROOM, "observer_id": OBSERVER, "status": "submitted", "version": 4,
         "notes": 2}]})

    id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    status: RecordStatus
    version: int
    notes: int


class SelectionIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"selected": True}]})

    selected: bool = Field(description="The observer brings this note to the debrief.")


class ScreeningIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"decision": "accepted"},
        {"decision": "rejected", "reason": "An inference about how students felt, not what they did or said"}]})

    decision: Literal["accepted", "rejected"]
    reason: Short | None = Field(None, description="Required when rejected: why it is not specific or is judgemental.")


class OfflineRecord(Strict):
    client_id: ClientId = Field(examples=[OFFLINE_RECORD])
    visit_id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    notes: list[NoteIn] = Field(default_factory=list, max_length=500)
    submit: bool = False


class OfflineBatch(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"records": [
        {"client_id": OFFLINE_RECORD, "visit_id": VISIT, "classroom_id": CLASSROOM_2, "observer_id": OBSERVER,
         "notes": [{**NOTE_IN_2, "client_id": OFFLINE_NOTE}], "submit": True}]}]})

    records: list[OfflineRecord] = Field(min_length=1, max_length=100)


class OfflineOutcome(BaseModel):
    client_id: str = Field(examples=[OFFLINE_RECORD])
    id: uuid.UUID = Field(description="The record's id.", examples=[RECORD_2])
    outcome: Literal["created", "unchanged"]


class OfflineResult(BaseModel):
    records: list[OfflineOutcome]


class LexiconIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"judgement": ["passive and compliant"], "inference": ["not paying attention", "zoned out"],
         "prescription": ["consider using"], "deficit": []}]})

    judgement: list[Short] = Field(default_factory=list, max_length=500)
    prescription: list[Short] = Field(default_factory=list, max_length=500)
    deficit: list[Short] = Field(default_factory=list, max_length=500)
    inference: list[Short] = Field(default_factory=list, max_length=500)

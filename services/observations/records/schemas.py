"""Records' API models: an observer's record of one classroom, its notes and their evidence verdicts,
and describe: the visit's notes for the team, each observer's selection, the team's screening."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from libs.common.fields import ClientId, Code, Short, Strict, Text
from services.observations.visits.lifecycle import RecordStatus

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class NoteIn(Strict):
    observed_at: AwareDatetime
    text: Text
    look_for_codes: list[Code] = Field(default_factory=list, max_length=20)
    language: Language | None = Field(None, description="Detected when not given; a language the check does "
                                                        "not support is answered 'unchecked'.")
    client_id: ClientId | None = Field(None, description="A device's own id for a note captured offline.")


class Flag(BaseModel):
    term: str
    kind: str
    suggestion: str


class NotePublic(BaseModel):
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
    record_id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID


class RecordCreate(Strict):
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    notes: list[NoteIn] = Field(default_factory=list, max_length=500)


class RecordUpdate(Strict):
    notes: list[NoteIn] = Field(max_length=500, description="The record's whole set of notes (autosave).")


class RecordTransition(Strict):
    to: Literal["submitted", "reopened"]


class RecordPublic(BaseModel):
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
    id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    status: RecordStatus
    version: int
    notes: int


class SelectionIn(Strict):
    selected: bool = Field(description="The observer brings this note to the debrief.")


class ScreeningIn(Strict):
    decision: Literal["accepted", "rejected"]
    reason: Short | None = Field(None, description="Required when rejected: why it is not specific or is judgemental.")


class OfflineRecord(Strict):
    client_id: ClientId
    visit_id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    notes: list[NoteIn] = Field(default_factory=list, max_length=500)
    submit: bool = False


class OfflineBatch(Strict):
    records: list[OfflineRecord] = Field(min_length=1, max_length=100)


class OfflineOutcome(BaseModel):
    client_id: str
    id: uuid.UUID
    outcome: Literal["created", "unchanged"]


class OfflineResult(BaseModel):
    records: list[OfflineOutcome]


class LexiconIn(Strict):
    judgement: list[Short] = Field(default_factory=list, max_length=500)
    prescription: list[Short] = Field(default_factory=list, max_length=500)
    deficit: list[Short] = Field(default_factory=list, max_length=500)
    inference: list[Short] = Field(default_factory=list, max_length=500)
